/**
 * Fairness between tenants: tenant A's announcement of N recipients delivered alone, and again
 * while tenant B accepts a password reset every BENCH_RESET_EVERY_MS. Reports A's total time
 * (the cost of interleaving: target at most +10%) and how long B's resets took from acceptance
 * to `sent` (target: within 2 s). Worker processes (`postbag worker`): one on SQLite, two on
 * PostgreSQL. Rounds alternate alone / with B; medians.
 *
 *   node --import tsx bench/fairness.ts
 *   BENCH_RECIPIENTS=20000 BENCH_ROUNDS=3 BENCH_DIALECTS=sqlite,postgres node --import tsx bench/fairness.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import type { Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrations.js";
import { MessageWriter } from "../src/messages/message-store.js";
import { prepareMessage } from "../src/messages/prepare.js";
import { createTenant } from "../src/tenants/tenants.js";
import { systemClock } from "../src/time/clock.js";
import { freshDatabase } from "./bench-database.js";

const N = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite,postgres").split(",");
const RESET_EVERY_MS = Number(process.env.BENCH_RESET_EVERY_MS ?? 250);
const ROOT = new URL("..", import.meta.url).pathname;
const BODY = "Dear parent,\n\nThe school will be closed on Monday for staff training. ".repeat(30);
const LIMITS = { maxMessageBytes: 10 * 1024 * 1024, maxRecipients: 100, senderDomain: "bench.postbag.localhost" };

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

function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, "bin/postbag.mjs"), "worker"], {
    // Several processes on one host: none takes the default metrics address.
    env: { ...process.env, POSTBAG_METRICS_LISTEN: "off", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (/delivery worker started/.test(line)) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function count(database: Database, tenantId: string, status: string): Promise<number> {
  const row = await database.db
    .selectFrom("recipients")
    .select(sql<number>`count(*)`.as("n"))
    .where("tenant_id", "=", tenantId)
    .where("status", "=", status)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A's total time in seconds, and B's acceptance-to-sent times in ms (empty when B sends nothing). */
async function round(dialect: string, sinkPort: number, withB: boolean): Promise<{ a: number; b: number[] }> {
  const target = await freshDatabase(dialect, "fairness");
  const dataDir = mkdtempSync(join(tmpdir(), "postbag-fairness-data-"));
  const workers: ChildProcess[] = [];
  try {
    const { database } = target;
    await migrate(database);
    const a = (await createTenant(database.db, systemClock, { name: "School A" })).id;
    const b = (await createTenant(database.db, systemClock, { name: "School B" })).id;
    const writer = new MessageWriter({ database, clock: systemClock, messageIdDomain: LIMITS.senderDomain });
    const accepts = [];
    for (let i = 0; i < N; i += 100) {
      const to = Array.from({ length: Math.min(100, N - i) }, (_, k) => `parent${i + k}@example.com`);
      accepts.push(
        writer.accept(
          a,
          prepareMessage({ to, subject: "Closure", text: BODY, category: "announcement" }, undefined, LIMITS),
        ),
      );
    }
    await Promise.all(accepts);
    // Parked while the workers start, then released at once: the clock measures delivery.
    await database.db.updateTable("recipients").set({ next_attempt_at: null }).where("tenant_id", "=", a).execute();
    const env: NodeJS.ProcessEnv = {
      POSTBAG_DATABASE_URL: target.url,
      POSTBAG_DATA_DIR: dataDir,
      POSTBAG_RELAY_URL: `smtp://127.0.0.1:${sinkPort}`,
      POSTBAG_RELAY_POOL_SIZE: "5",
      POSTBAG_SECRET_KEY: "bench-secret-key-bench-secret-key-0123456789",
      POSTBAG_LOG_LEVEL: "info",
    };
    const k = dialect === "postgres" ? 2 : 1;
    workers.push(...(await Promise.all(Array.from({ length: k }, () => startWorker(env)))));
    const start = performance.now();
    await database.db
      .updateTable("recipients")
      .set({ next_attempt_at: Date.now() })
      .where("tenant_id", "=", a)
      .where("status", "=", "queued")
      .execute();
    let sending = withB;
    const resets: Promise<unknown>[] = [];
    const trickle = (async () => {
      while (sending) {
        resets.push(
          writer.accept(
            b,
            prepareMessage(
              { to: ["carer@example.com"], subject: "Reset", text: "Your link", category: "password_reset_parent" },
              undefined,
              LIMITS,
            ),
          ),
        );
        await new Promise((r) => setTimeout(r, RESET_EVERY_MS));
      }
    })();
    while ((await count(database, a, "sent")) < N) await new Promise((r) => setTimeout(r, 50));
    const aSeconds = (performance.now() - start) / 1000;
    sending = false;
    await trickle;
    await Promise.all(resets);
    const bRows = withB
      ? await database.db
          .selectFrom("recipients")
          .select(["created_at", "sent_at"])
          .where("tenant_id", "=", b)
          .where("sent_at", "is not", null)
          .execute()
      : [];
    return { a: aSeconds, b: bRows.map((r) => (r.sent_at ?? 0) - r.created_at) };
  } finally {
    await Promise.all(workers.map(stopProcess));
    await target.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const sink = await startSink();
  say(`Postbag fairness: tenant A's ${N} recipients, tenant B a password reset every ${RESET_EVERY_MS} ms`);
  try {
    for (const dialect of DIALECTS) {
      say(`\n[${dialect}] ${dialect === "postgres" ? "two worker processes" : "one worker process"}`);
      const alone: number[] = [];
      const shared: number[] = [];
      const bAll: number[] = [];
      for (let r = 1; r <= ROUNDS; r++) {
        const x = await round(dialect, sink.port, false);
        const y = await round(dialect, sink.port, true);
        alone.push(x.a);
        shared.push(y.a);
        bAll.push(...y.b);
        const bs = [...y.b].sort((p, q) => p - q);
        say(
          `  round ${r}: A alone ${x.a.toFixed(1)} s | A with B ${y.a.toFixed(1)} s (${((y.a / x.a - 1) * 100).toFixed(1)}%) | B's resets: ${bs.length}, median ${median(bs)} ms, max ${bs.at(-1) ?? "-"} ms`,
        );
      }
      const sorted = [...bAll].sort((p, q) => p - q);
      say(
        `  median: A alone ${median(alone).toFixed(1)} s, with B ${median(shared).toFixed(1)} s (${((median(shared) / median(alone) - 1) * 100).toFixed(1)}%); B's resets median ${median(sorted)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)] ?? "-"} ms, max ${sorted.at(-1) ?? "-"} ms`,
      );
    }
  } finally {
    sink.stop();
  }
}

await main();
