/**
 * SMTP submission against POST /v1/messages, in the same run: the same N messages (~2 KB, one
 * recipient each) go through one `postbag serve` (API + submission + worker thread, relay = a
 * loopback sink), once over HTTP and once over SMTP, alternating, and each clock stops when the
 * database shows every recipient `sent`. The ratio submission ÷ API is what to compare.
 *
 *   node --import tsx bench/submission.ts
 *   BENCH_MESSAGES=5000 BENCH_ROUNDS=3 BENCH_DIALECTS=sqlite,postgres node --import tsx bench/submission.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import nodemailer from "nodemailer";
import type { Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrations.js";
import { createApiKey, createTenant } from "../src/tenants/tenants.js";
import { systemClock } from "../src/time/clock.js";
import { freshDatabase } from "./bench-database.js";

const N = Number(process.env.BENCH_MESSAGES ?? 3_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite").split(",");
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1_000);
/** HTTP keep-alive connections, and SMTP connections (within POSTBAG_SUBMISSION_CONNECTIONS_PER_KEY). */
const CONNECTIONS = 8;
const ROOT = new URL("..", import.meta.url).pathname;
const BODY = "Dear parent,\n\nThis is a reminder about the trip on Friday. ".repeat(34);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const say = (text: string) => process.stdout.write(`${text}\n`);

async function startSink(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench/sink.ts"), "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  return { port: Number(line), stop: () => child.kill("SIGTERM") };
}

/** Starts `postbag serve`; resolves with the HTTP and SMTP ports from its banner. */
function startServe(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; http: number; smtp: number }> {
  const child = spawn(process.execPath, [join(ROOT, "bin/postbag.mjs"), "serve"], {
    // Several processes on one host: none takes the default metrics address.
    env: { ...process.env, POSTBAG_METRICS_LISTEN: "off", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let httpPort = 0;
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on("line", (line) => {
      const h = /Postbag is running at http:\/\/[^:]+:(\d+)/.exec(line);
      if (h) httpPort = Number(h[1]);
      const s = /SMTP submission on [^:]+:(\d+)/.exec(line);
      if (s && httpPort) resolve({ child, http: httpPort, smtp: Number(s[1]) });
    });
    child.once("exit", (code) => reject(new Error(`postbag serve exited with ${code}`)));
  });
}

async function postAll(port: number, key: string, from: number, count: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = from;
  const post = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({
        to: [`parent${i}@example.com`],
        subject: `Trip reminder ${i}`,
        text: BODY,
        category: "alert",
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
    while (next < from + count) await post(next++);
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  agent.destroy();
}

async function submitAll(port: number, key: string, from: number, count: number): Promise<void> {
  const transport = nodemailer.createTransport({
    pool: true,
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    auth: { user: "bench", pass: key },
    maxConnections: CONNECTIONS,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  let next = from;
  const lane = async () => {
    while (next < from + count) {
      const i = next++;
      await transport.sendMail({
        from: "noreply@postbag.localhost",
        to: `parent${i}@example.com`,
        subject: `Trip reminder ${i}`,
        text: BODY,
      });
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS * 4 }, lane));
  transport.close();
}

async function waitSent(database: Database, tenantId: string, count: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const row = await database.db
      .selectFrom("recipients")
      .select(sql<number>`count(*)`.as("n"))
      .where("tenant_id", "=", tenantId)
      .where("status", "=", "sent")
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= count) return;
    if (Date.now() > deadline) throw new Error("not all sent within 10 minutes");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main() {
  const sink = await startSink();
  try {
    for (const dialect of DIALECTS) {
      const target = await freshDatabase(dialect, "submission");
      await migrate(target.database);
      const tenant = await createTenant(target.database.db, systemClock, { name: "Bench School" });
      const { key } = await createApiKey(target.database.db, systemClock, { tenantId: tenant.id, role: "system" });
      const dataDir = mkdtempSync(join(tmpdir(), "postbag-bench-data-"));
      const served = await startServe({
        POSTBAG_DATABASE_URL: target.url,
        POSTBAG_DATA_DIR: dataDir,
        POSTBAG_HTTP_PORT: "0",
        POSTBAG_SUBMISSION_PORT: "0",
        POSTBAG_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
        POSTBAG_SECRET_KEY: "bench-secret-key-bench-secret-key-0123456789",
        POSTBAG_LOG_LEVEL: "warn",
      });
      let sent = 0;
      const timed = async (send: (from: number, count: number) => Promise<void>, count: number) => {
        const start = performance.now();
        await send(sent, count);
        sent += count;
        await waitSent(target.database, tenant.id, sent);
        return count / ((performance.now() - start) / 1000);
      };
      try {
        const api = (from: number, count: number) => postAll(served.http, key, from, count);
        const smtp = (from: number, count: number) => submitAll(served.smtp, key, from, count);
        await timed(api, WARMUP);
        await timed(smtp, WARMUP);
        say(`\n[${dialect}] accept -> store -> SMTP out -> sent, ${N} messages per side`);
        const ratios: number[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          const a = await timed(api, N);
          const s = await timed(smtp, N);
          ratios.push(s / a);
          say(
            `  round ${round}: POST /v1/messages ${a.toFixed(0)} msg/s | SMTP submission ${s.toFixed(0)} msg/s | ratio ${(s / a).toFixed(2)}`,
          );
        }
        say(`  median ratio submission / API: ${median(ratios).toFixed(2)}`);
      } finally {
        await new Promise<void>((resolve) => {
          served.child.once("exit", () => resolve());
          served.child.kill("SIGTERM");
        });
        await target.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    sink.stop();
  }
}

await main();
