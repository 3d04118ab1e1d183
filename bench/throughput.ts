/**
 * Throughput benchmark: N messages through the whole pipeline (HTTP accept -> durable store ->
 * deliver to a loopback SMTP sink -> status recorded), against raw pooled Nodemailer sends of
 * the same messages to the same sink right before and right after, in the same run.
 *
 *   npm run bench                       # SQLite and PostgreSQL, 10,000 messages, 3 rounds
 *   BENCH_MESSAGES=20000 BENCH_ROUNDS=5 BENCH_DIALECTS=sqlite npm run bench
 *   BENCH_CPU_PROFILE=/tmp/prof BENCH_PHASES=0 BENCH_ROUNDS=1 npm run bench   # .cpuprofile per thread
 *
 * Prints each round and the medians; ratios are what to compare across machines.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import nodemailer from "nodemailer";
import type { Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrations.js";
import { generateDkimKey } from "../src/domains/dkim-key.js";
import { createApiKey, createTenant } from "../src/tenants/tenants.js";
import { systemClock } from "../src/time/clock.js";
import { freshDatabase } from "./bench-database.js";

const N = Number(process.env.BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite,postgres").split(",");
const HTTP_CONCURRENCY = 64;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const RELAY_DELAY_MS = Number(process.env.BENCH_RELAY_DELAY_MS ?? 20);
const POOL = 5;
/** `BENCH_CPU_PROFILE=dir` writes a CPU profile of every Postbag process (and thread) into dir. */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
/** `BENCH_PHASES=0` skips the accept-only / deliver-only phases (the ratio alone). */
const PHASES = process.env.BENCH_PHASES !== "0";
const ROOT = new URL("..", import.meta.url).pathname;
// About 2 KB of body, like a typical school notice.
const BODY = "Dear parent,\n\nThis is a reminder about the trip on Friday. ".repeat(34);

// `serve` DKIM-signs every message (the operator's key); the raw baseline signs with the same
// key, so the ratio compares like with like.
const DKIM_KEY = generateDkimKey().privateKeyPem;
const DKIM_DIR = mkdtempSync(join(tmpdir(), "postbag-bench-dkim-"));
const DKIM_KEY_FILE = join(DKIM_DIR, "dkim.key");
writeFileSync(DKIM_KEY_FILE, DKIM_KEY, { mode: 0o600 });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const fmt = (x: number) => x.toFixed(0).padStart(6);
const say = (text: string) => process.stdout.write(`${text}\n`);

async function startSink(delayMs = 0): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench/sink.ts"), String(delayMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  return { port: Number(line), stop: () => child.kill("SIGTERM") };
}

/** Raw baseline: pooled Nodemailer composing and sending the same messages to the sink. */
async function rawRound(port: number): Promise<number> {
  const transport = nodemailer.createTransport({
    pool: true,
    host: "127.0.0.1",
    port,
    secure: false,
    maxConnections: POOL,
    maxMessages: 1000,
    dkim: { domainName: "postbag.localhost", keySelector: "postbag", privateKey: DKIM_KEY },
  });
  const start = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < N) {
      const i = next++;
      await transport.sendMail({
        from: "noreply@postbag.localhost",
        to: `parent${i}@example.com`,
        subject: `Trip reminder ${i}`,
        text: BODY,
      });
    }
  };
  await Promise.all(Array.from({ length: 100 }, lane));
  const rate = N / ((performance.now() - start) / 1000);
  transport.close();
  return rate;
}

/** Starts `postbag …`; resolves when a stdout line matches `ready`, with that line. */
function startPostbag(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; line: string }> {
  const profile = CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, join(ROOT, "bin/postbag.mjs"), ...args], {
    // Several processes on one host: none takes the default metrics address.
    env: { ...process.env, POSTBAG_METRICS_LISTEN: "off", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on("line", (line) => {
      if (ready.test(line)) resolve({ child, line });
    });
    child.once("exit", (code) => reject(new Error(`postbag ${args.join(" ")} exited with ${code}`)));
  });
}

/** The port in "Postbag is running at http://127.0.0.1:PORT". */
function portOf(banner: string): number {
  const port = Number(/:(\d+)\b/.exec(banner.slice(banner.indexOf("http")))?.[1]);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in ${JSON.stringify(banner)}`);
  return port;
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Posts N messages with a bounded number in flight over keep-alive connections. */
async function postAll(port: number, key: string, count = N): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
  let next = 0;
  const post = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({
        to: [`parent${i}@example.com`],
        subject: `Trip reminder ${i}`,
        text: BODY,
        category: "announcement",
      });
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/v1/messages",
          method: "POST",
          agent,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 202 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const lane = async () => {
    while (next < count) await post(next++);
  };
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, lane));
  agent.destroy();
}

async function countSent(database: Database, tenantId: string): Promise<number> {
  const row = await database.db
    .selectFrom("recipients")
    .select(sql<number>`count(*)`.as("n"))
    .where("tenant_id", "=", tenantId)
    .where("status", "=", "sent")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function waitAllSent(database: Database, tenantId: string, count = N): Promise<void> {
  const deadline = Date.now() + 600_000;
  while ((await countSent(database, tenantId)) < count) {
    if (Date.now() > deadline) throw new Error("messages were not all sent within 10 minutes");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function prepare(dialect: string) {
  const target = await freshDatabase(dialect, "bench");
  await migrate(target.database);
  const tenant = await createTenant(target.database.db, systemClock, { name: "Bench School" });
  const key = await createApiKey(target.database.db, systemClock, { tenantId: tenant.id, role: "system" });
  const dataDir = mkdtempSync(join(tmpdir(), "postbag-bench-data-"));
  return { target, tenantId: tenant.id, key: key.key, dataDir };
}

function env(dialect: string, url: string, dataDir: string, sinkPort: number): NodeJS.ProcessEnv {
  void dialect;
  return {
    POSTBAG_DATABASE_URL: url,
    POSTBAG_DATA_DIR: dataDir,
    POSTBAG_HTTP_PORT: "0", // a free port; read back from the start-up banner
    POSTBAG_RELAY_URL: `smtp://127.0.0.1:${sinkPort}`,
    POSTBAG_RELAY_POOL_SIZE: String(POOL),
    POSTBAG_SECRET_KEY: "bench-secret-key-bench-secret-key-0123456789",
    POSTBAG_LOG_LEVEL: "warn",
    POSTBAG_RATE_LIMIT_PER_KEY: "0", // the benchmark measures throughput, not the limit
    POSTBAG_DKIM_KEY_FILE: DKIM_KEY_FILE,
  };
}

/** The whole pipeline: `serve` (API + worker thread); time from first POST to last status. */
async function pipelineRound(dialect: string, sinkPort: number): Promise<number> {
  const p = await prepare(dialect);
  const { child, line } = await startPostbag(
    ["serve"],
    env(dialect, p.target.url, p.dataDir, sinkPort),
    /Postbag is running/,
  );
  const port = portOf(line);
  try {
    // Warm up first (JIT, connection pools, SQLite page cache): the raw baseline runs in this
    // long-lived process, so both sides are measured in their steady state.
    await postAll(port, p.key, WARMUP);
    await waitAllSent(p.target.database, p.tenantId, WARMUP);
    const start = performance.now();
    await postAll(port, p.key);
    await waitAllSent(p.target.database, p.tenantId, WARMUP + N);
    return N / ((performance.now() - start) / 1000);
  } finally {
    await stopProcess(child);
    await p.target.drop();
    rmSync(p.dataDir, { recursive: true, force: true });
  }
}

/** Delivery only, with `workers` worker processes on an outbox pre-filled through the API. */
async function workersRound(dialect: string, sinkPort: number, workers: number): Promise<number> {
  const p = await prepare(dialect);
  const e = env(dialect, p.target.url, p.dataDir, sinkPort);
  const api = await startPostbag(["serve", "--no-worker"], e, /Postbag is running/);
  const port = portOf(api.line);
  await postAll(port, p.key, WARMUP);
  const acceptStart = performance.now();
  await postAll(port, p.key);
  lastAcceptRate = N / ((performance.now() - acceptStart) / 1000);
  await stopProcess(api.child);
  // Park the outbox while the workers start (loading TypeScript takes a second each), warm
  // them up on the first WARMUP rows, then release the rest at once: the clock measures
  // steady-state delivery, not process start-up.
  const { db } = p.target.database;
  await db.updateTable("recipients").set({ next_attempt_at: null }).where("tenant_id", "=", p.tenantId).execute();
  const children = await Promise.all(
    Array.from({ length: workers }, () =>
      startPostbag(["worker"], { ...e, POSTBAG_LOG_LEVEL: "info" }, /delivery worker started/),
    ),
  );
  const firstIds = db
    .selectFrom("recipients")
    .select("id")
    .where("tenant_id", "=", p.tenantId)
    .orderBy("id")
    .limit(WARMUP);
  await db.updateTable("recipients").set({ next_attempt_at: Date.now() }).where("id", "in", firstIds).execute();
  await waitAllSent(p.target.database, p.tenantId, WARMUP);
  const start = performance.now();
  await db
    .updateTable("recipients")
    .set({ next_attempt_at: Date.now() })
    .where("tenant_id", "=", p.tenantId)
    .where("status", "=", "queued")
    .execute();
  try {
    await waitAllSent(p.target.database, p.tenantId, WARMUP + N);
    return N / ((performance.now() - start) / 1000);
  } finally {
    await Promise.all(children.map((c) => stopProcess(c.child)));
    await p.target.drop();
    rmSync(p.dataDir, { recursive: true, force: true });
  }
}

let lastAcceptRate = 0;

async function main() {
  const sink = await startSink();
  say(`Postbag throughput: ${N} messages (~2 KB), ${ROUNDS} rounds, SMTP pool ${POOL}, sink on 127.0.0.1:${sink.port}`);
  await rawRound(sink.port); // warm-up, not reported
  try {
    for (const dialect of DIALECTS) {
      const ratios: number[] = [];
      const pipes: number[] = [];
      const raws: number[] = [];
      say(`\n[${dialect}] full pipeline (HTTP accept -> store -> SMTP -> status) vs raw pooled Nodemailer`);
      for (let round = 1; round <= ROUNDS; round++) {
        const before = await rawRound(sink.port);
        const pipe = await pipelineRound(dialect, sink.port);
        const after = await rawRound(sink.port);
        const raw = (before + after) / 2;
        ratios.push(pipe / raw);
        pipes.push(pipe);
        raws.push(raw);
        say(
          `  round ${round}: raw before ${fmt(before)} msg/s | pipeline ${fmt(pipe)} msg/s | raw after ${fmt(after)} msg/s | ratio ${(pipe / raw).toFixed(2)}`,
        );
      }
      say(
        `  median: pipeline ${fmt(median(pipes))} msg/s, raw ${fmt(median(raws))} msg/s, ratio ${median(ratios).toFixed(2)}`,
      );
      if (!PHASES) continue;
      say(`\n[${dialect}] phases: accept only (API, no worker), then delivery only (worker processes)`);
      const workerCounts = dialect === "postgres" ? [1, 2] : [1];
      const scale: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const rates = [];
        for (const k of workerCounts) rates.push(await workersRound(dialect, sink.port, k));
        const [one = 0, two] = rates;
        if (two !== undefined) scale.push(two / one);
        say(
          `  round ${round}: accept ${fmt(lastAcceptRate)} msg/s | deliver, 1 worker ${fmt(one)} msg/s` +
            (two !== undefined ? ` | 2 workers ${fmt(two)} msg/s | ratio ${(two / one).toFixed(2)}` : ""),
        );
      }
      if (scale.length > 0) say(`  median: 2 workers / 1 worker = ${median(scale).toFixed(2)}`);
      if (dialect === "postgres") {
        // The same comparison against a relay that takes RELAY_DELAY_MS to answer each message,
        // as a real one across a network does: then a worker waits on the network, not the CPU.
        const slow = await startSink(RELAY_DELAY_MS);
        try {
          say(`\n[${dialect}] delivery only, relay answering after ${RELAY_DELAY_MS} ms`);
          const slowScale: number[] = [];
          for (let round = 1; round <= ROUNDS; round++) {
            const one = await workersRound(dialect, slow.port, 1);
            const two = await workersRound(dialect, slow.port, 2);
            slowScale.push(two / one);
            say(
              `  round ${round}: 1 worker ${fmt(one)} msg/s | 2 workers ${fmt(two)} msg/s | ratio ${(two / one).toFixed(2)}`,
            );
          }
          say(`  median: 2 workers / 1 worker = ${median(slowScale).toFixed(2)}`);
        } finally {
          slow.stop();
        }
      }
    }
  } finally {
    sink.stop();
    rmSync(DKIM_DIR, { recursive: true, force: true });
  }
}

await main();
