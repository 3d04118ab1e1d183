/**
 * API latency under load: `POST /v1/messages` at a fixed rate, with no worker and while the
 * worker thread sends flat out through a backlog, on SQLite.
 *
 *   node --import tsx bench/api-load.ts
 *   BENCH_RATE=500 BENCH_SECONDS=20 BENCH_ROUNDS=3 BENCH_DIALECTS=sqlite,postgres node --import tsx bench/api-load.ts
 *   BENCH_GENERATOR=autocannon node --import tsx bench/api-load.ts    # a burst of RATE each second
 *
 * The load is open-loop (`open-loop.ts`): a request starts every 1/RATE s, and each latency
 * counts from when its request was due.
 *
 * Each round: a fresh database; for "sending", a backlog of BENCH_BACKLOG messages is accepted
 * first by `serve --no-worker`, then `serve` (API + worker thread) starts, and once the worker
 * is sending, the generator posts at BENCH_RATE requests a second for BENCH_SECONDS. The backlog
 * must outlast the run (checked: the round says how many were still queued at the end), so the
 * worker is busy the whole time. For "no worker", the same load against `serve --no-worker`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { sql } from "kysely";
import type { Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrations.js";
import { createApiKey, createTenant } from "../src/tenants/tenants.js";
import { systemClock } from "../src/time/clock.js";
import { freshDatabase } from "./bench-database.js";
import { type OpenLoopResult, openLoop } from "./open-loop.js";

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 40_000);
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite").split(",");
const MODES = (process.env.BENCH_MODES ?? "no-worker,sending").split(",");
/** `open-loop` (requests evenly spaced, see open-loop.ts) or `autocannon` (a burst each second). */
const GENERATOR = process.env.BENCH_GENERATOR ?? "open-loop";
const ROOT = new URL("..", import.meta.url).pathname;
/** `BENCH_CPU_PROFILE=dir` writes a CPU profile of every Postbag process (and thread) into dir. */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
const BODY = "Dear parent,\n\nThis is a reminder about the trip on Friday. ".repeat(34);

const say = (text: string) => process.stdout.write(`${text}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

async function startSink(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench/sink.ts"), "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  return { port: Number(line), stop: () => child.kill("SIGTERM") };
}

function startPostbag(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const profile = CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, join(ROOT, "bin/postbag.mjs"), ...args], {
    // Several processes on one host: none takes the default metrics address.
    env: { ...process.env, POSTBAG_METRICS_LISTEN: "off", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on("line", (line) => {
      if (!/Postbag is running/.test(line)) return;
      const port = Number(/:(\d+)\b/.exec(line.slice(line.indexOf("http")))?.[1]);
      resolve({ child, port });
    });
    child.once("exit", (code) => reject(new Error(`postbag ${args.join(" ")} exited with ${code}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function messageBody(i: number): string {
  return JSON.stringify({
    to: [`parent${i}@example.com`],
    subject: `Trip reminder ${i}`,
    text: BODY,
    category: "announcement",
  });
}

/** Fills the outbox as fast as the API takes it (64 keep-alive connections). */
async function postMany(port: number, key: string, count: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const post = (i: number) =>
    new Promise<void>((resolve, reject) => {
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
      req.end(messageBody(i));
    });
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < count) await post(next++);
    }),
  );
  agent.destroy();
}

async function countBy(database: Database, tenantId: string, status: string): Promise<number> {
  const row = await database.db
    .selectFrom("recipients")
    .select(sql<number>`count(*)`.as("n"))
    .where("tenant_id", "=", tenantId)
    .where("status", "=", status)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

interface Figures extends OpenLoopResult {
  readonly sentDuring: number;
  readonly queuedAtEnd: number;
}

/** One run of load at RATE for `seconds`, by the chosen generator. */
async function generate(port: number, key: string, seconds: number): Promise<OpenLoopResult> {
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  if (GENERATOR === "open-loop") {
    return openLoop({ port, path: "/v1/messages", headers, body: messageBody(0), rate: RATE, seconds });
  }
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/messages`,
    method: "POST",
    headers,
    body: messageBody(0),
    connections: 100,
    overallRate: RATE,
    duration: seconds,
  });
  return {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    rate: result.requests.average,
    errors: result.errors + result.non2xx,
  };
}

async function round(dialect: string, mode: string, sinkPort: number): Promise<Figures> {
  const target = await freshDatabase(dialect, "apiload");
  const dataDir = mkdtempSync(join(tmpdir(), "postbag-apiload-data-"));
  const children: ChildProcess[] = [];
  try {
    await migrate(target.database);
    const tenant = await createTenant(target.database.db, systemClock, { name: "Load School" });
    const { key } = await createApiKey(target.database.db, systemClock, { tenantId: tenant.id, role: "system" });
    const env: NodeJS.ProcessEnv = {
      POSTBAG_DATABASE_URL: target.url,
      POSTBAG_DATA_DIR: dataDir,
      POSTBAG_HTTP_PORT: "0",
      POSTBAG_RELAY_URL: `smtp://127.0.0.1:${sinkPort}`,
      POSTBAG_RELAY_POOL_SIZE: "5",
      POSTBAG_SECRET_KEY: "bench-secret-key-bench-secret-key-0123456789",
      POSTBAG_LOG_LEVEL: "warn",
      // The benchmark measures latency at a rate far above the per-key limit (50/s by default).
      POSTBAG_RATE_LIMIT_PER_KEY: "0",
    };
    let api: { child: ChildProcess; port: number };
    if (mode === "sending") {
      const filler = await startPostbag(["serve", "--no-worker"], env);
      await postMany(filler.port, key, BACKLOG);
      await stopProcess(filler.child);
      api = await startPostbag(["serve"], env);
      children.push(api.child);
      // The worker is sending before the clock starts.
      while ((await countBy(target.database, tenant.id, "sent")) < 1000) await new Promise((r) => setTimeout(r, 50));
    } else {
      api = await startPostbag(["serve", "--no-worker"], env);
      children.push(api.child);
    }
    // Warm up the API's code paths at the same rate for a few seconds, not measured.
    const load = (seconds: number) => generate(api.port, key, seconds);
    await load(3);
    const sentBefore = await countBy(target.database, tenant.id, "sent");
    const result = await load(SECONDS);
    const sentAfter = await countBy(target.database, tenant.id, "sent");
    return {
      ...result,
      sentDuring: (sentAfter - sentBefore) / SECONDS,
      queuedAtEnd: mode === "sending" ? await countBy(target.database, tenant.id, "queued") : 0,
    };
  } finally {
    await Promise.all(children.map(stopProcess));
    await target.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const sink = await startSink();
  say(`Postbag API load: POST /v1/messages at ${RATE}/s for ${SECONDS} s, ${ROUNDS} rounds (${GENERATOR})`);
  try {
    for (const dialect of DIALECTS) {
      for (const mode of MODES) {
        say(
          `\n[${dialect}] ${mode === "sending" ? `while the worker sends a ${BACKLOG}-message backlog` : "no worker"}`,
        );
        const p99s: number[] = [];
        for (let r = 1; r <= ROUNDS; r++) {
          const f = await round(dialect, mode, sink.port);
          p99s.push(f.p99);
          say(
            `  round ${r}: ${f.rate.toFixed(0)} req/s | p50 ${f.p50} ms | p90 ${f.p90} ms | p99 ${f.p99} ms | max ${f.max} ms | errors ${f.errors}` +
              (mode === "sending" ? ` | sent ${f.sentDuring.toFixed(0)}/s, ${f.queuedAtEnd} still queued` : ""),
          );
        }
        say(`  median p99: ${median(p99s)} ms`);
      }
    }
  } finally {
    sink.stop();
  }
}

await main();
