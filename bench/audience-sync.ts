/**
 * Audience sync benchmark: a school's whole roll as one streamed NDJSON body (default 100,000
 * rows: a third each of contacts, subjects and links) over real HTTP, then the same body again
 * (every row unchanged). Prints time, rows per second and the process's peak RSS during each
 * run against its RSS before the first.
 *
 *   node --expose-gc --import tsx bench/audience-sync.ts
 *   BENCH_ROWS=200000 BENCH_DIALECTS=sqlite node --expose-gc --import tsx bench/audience-sync.ts
 *
 * The client writes the body lazily from a generator, so the memory measured is the server's
 * (both run in this process; the client's share is a few chunks).
 */
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { loadConfig } from "../src/config/config.js";
import { createDatabase, type Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrations.js";
import { createApp } from "../src/http/app.js";
import { MessageWriter } from "../src/messages/message-store.js";
import { createApiKey, createTenant } from "../src/tenants/tenants.js";
import { systemClock } from "../src/time/clock.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const DIALECTS = (process.env.BENCH_DIALECTS ?? "sqlite,postgres").split(",");
const PG_ADMIN = process.env.POSTBAG_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const say = (text: string) => process.stdout.write(`${text}\n`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** The NDJSON body, one line at a time: contacts, then subjects, then links. */
function* lines(rows: number): Generator<string> {
  const families = Math.floor(rows / 3);
  // Any remainder is extra contacts, so every link has both ends.
  for (let i = 0; i < rows - 2 * families; i++) {
    yield `${JSON.stringify({ type: "contact", externalId: `P${i}`, name: `Parent ${i}`, email: `parent${i}@example.com` })}\n`;
  }
  for (let i = 0; i < families; i++) {
    const groups = [`Year ${7 + (i % 5)}`, `${7 + (i % 5)}${"ABCD"[i % 4]}`];
    yield `${JSON.stringify({ type: "subject", externalId: `S${i}`, name: `Student ${i}`, groups })}\n`;
  }
  for (let i = 0; i < families; i++) {
    yield `${JSON.stringify({ type: "link", contactExternalId: `P${i}`, subjectExternalId: `S${i}`, relationship: "parent" })}\n`;
  }
}

/** POSTs the body in 64 KB chunks, honouring back-pressure; returns the summary. */
function post(port: number, key: string, rows: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/v1/audience/sync",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/x-ndjson" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}: ${text.slice(0, 500)}`));
          else resolve(JSON.parse(text) as Record<string, unknown>);
        });
      },
    );
    req.on("error", reject);
    const source = lines(rows);
    let pending = "";
    const pump = () => {
      for (;;) {
        const next = source.next();
        if (next.done) {
          req.end(pending);
          return;
        }
        pending += next.value;
        if (pending.length >= 64 * 1024) {
          const ok = req.write(pending);
          pending = "";
          if (!ok) {
            req.once("drain", pump);
            return;
          }
        }
      }
    };
    pump();
  });
}

async function openDatabase(
  dialect: string,
  dir: string,
): Promise<{ database: Database; url: string; drop(): Promise<void> }> {
  if (dialect === "sqlite") {
    const url = `sqlite:${join(dir, "bench.db")}`;
    const database = createDatabase(url);
    return { database, url, drop: () => database.close() };
  }
  const name = `pb_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  const database = createDatabase(u.toString());
  return {
    database,
    url: u.toString(),
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

async function runDialect(dialect: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "postbag-bench-audience-"));
  const opened = await openDatabase(dialect, dir);
  const { database } = opened;
  await migrate(database);
  const config = loadConfig({
    POSTBAG_DATA_DIR: dir,
    POSTBAG_DATABASE_URL: opened.url,
    POSTBAG_SECRET_KEY: "bench-secret-key-0123456789-abcdefghijklm",
    POSTBAG_LOG_LEVEL: "silent",
  });
  const writer = new MessageWriter({ database, clock: systemClock, messageIdDomain: "bench.localhost" });
  const app = await createApp({ database, clock: systemClock, config, logger: pino({ level: "silent" }), writer });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const tenant = await createTenant(database.db, systemClock, { name: "Bench school" });
  const { key } = await createApiKey(database.db, systemClock, { tenantId: tenant.id, role: "system" });

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = process.memoryUsage().rss;
  say(`\n${dialect}: ${ROWS.toLocaleString("en")} NDJSON rows, RSS before ${mb(baseline)}`);
  for (const label of ["first sync (all created)", "same sync again (all unchanged)"]) {
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const started = performance.now();
    const summary = await post(port, key, ROWS);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const kinds = [summary.contacts, summary.subjects, summary.links] as Record<string, number>[];
    const sum = (field: string) => kinds.reduce((n, k) => n + (k[field] ?? 0), 0);
    say(
      `  ${label.padEnd(32)} ${seconds.toFixed(1).padStart(6)} s  ${Math.round(ROWS / seconds)
        .toLocaleString("en")
        .padStart(7)} rows/s  ` +
        `peak RSS ${mb(peak)} (+${mb(peak - baseline)})  ` +
        `created ${sum("created")}, unchanged ${sum("unchanged")}, errors ${summary.errorCount}`,
    );
  }
  await app.close();
  await writer.whenIdle();
  await opened.drop();
  rmSync(dir, { recursive: true, force: true });
}

for (const dialect of DIALECTS) await runDialect(dialect);
