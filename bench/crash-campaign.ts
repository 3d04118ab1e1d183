/**
 * Crash campaign: kill -9 at N random points while M messages are accepted and delivered.
 *
 *   node --import tsx bench/crash-campaign.ts                 # both dialects, defaults below
 *   CRASH_KILLS=20 CRASH_MESSAGES=10000 CRASH_DIALECTS=postgres node --import tsx bench/crash-campaign.ts
 *
 * Per dialect: a fresh database; on SQLite one `postbag serve` (API + delivery thread), on
 * PostgreSQL `serve` plus a `postbag worker` process (two workers). A loader POSTs M messages,
 * each with its own Idempotency-Key, retrying a request that failed (the process was killed)
 * until it is answered 202, so every message is acknowledged exactly once. A loopback SMTP sink
 * in this process answers each message after CRASH_RELAY_DELAY_MS and counts copies by
 * Message-ID. At N random moments every Postbag process is killed with SIGKILL (as a power cut
 * would) and started again: the moments are random points of progress (messages acknowledged
 * plus messages delivered, out of 2M), so kills land while accepting and while delivering.
 *
 * Printed per dialect:
 * - acknowledged: messages answered 202;
 * - lost: acknowledged messages the sink never received once everything settled;
 * - stuck: recipient rows not in a final status when the run ends;
 * - duplicates: copies the sink received beyond the first;
 * - open at kills: SMTP transactions open at the moments of the kills (summed): begun by MAIL
 *   FROM, and the client had not yet begun its next transaction on that connection nor closed
 *   it. A duplicate needs a 250 the dead process never recorded, so duplicates <= open.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { migrate } from "../src/db/migrations.js";
import { createApiKey, createTenant } from "../src/tenants/tenants.js";
import { systemClock } from "../src/time/clock.js";
import { freshDatabase } from "./bench-database.js";

const KILLS = Number(process.env.CRASH_KILLS ?? 10);
const MESSAGES = Number(process.env.CRASH_MESSAGES ?? 2000);
const DIALECTS = (process.env.CRASH_DIALECTS ?? "sqlite,postgres").split(",");
const RELAY_DELAY_MS = Number(process.env.CRASH_RELAY_DELAY_MS ?? 10);
const HTTP_PORT = Number(process.env.CRASH_HTTP_PORT ?? 41600);
const HTTP_CONCURRENCY = 16;
const SETTLE_MS = Number(process.env.CRASH_SETTLE_MS ?? 120_000);
const ROOT = new URL("..", import.meta.url).pathname;

interface Sink {
  readonly port: number;
  /** Copies received per Message-ID. */
  readonly received: Map<string, number>;
  /** Transactions open now (see the header comment). */
  open(): number;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const received = new Map<string, number>();
  const inTransaction = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onMailFrom(_address, session: SMTPServerSession, callback) {
      // The previous transaction on this connection is over: the client acted on its reply.
      inTransaction.add(session.id);
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const head =
          Buffer.concat(chunks)
            .toString("latin1")
            .split(/\r?\n\r?\n/, 1)[0] ?? "";
        const id = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? "?";
        setTimeout(() => {
          received.set(id, (received.get(id) ?? 0) + 1);
          callback();
        }, RELAY_DELAY_MS);
      });
    },
    onClose(session) {
      inTransaction.delete(session.id);
    },
  });
  // A killed client resets its connections; that is the point, not an error.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("sink has no port");
  return {
    port: address.port,
    received,
    open: () => inTransaction.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Starts `postbag …`; resolves when a stdout line matches `ready`. */
function startPostbag(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, "bin/postbag.mjs"), ...args], {
    // Several processes on one host: none takes the default metrics address.
    env: { ...process.env, POSTBAG_METRICS_LISTEN: "off", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on("line", (line) => {
      if (ready.test(line)) resolve(child);
    });
    child.once("exit", (code, signal) => reject(new Error(`postbag ${args.join(" ")} exited (${code ?? signal})`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** POSTs every message until each one is answered 202 (same Idempotency-Key on a retry). */
async function load(key: string, done: { acknowledged: Set<string> }): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
  let next = 0;
  const postOnce = (i: number, idempotencyKey: string) =>
    new Promise<string | null>((resolve) => {
      const body = JSON.stringify({
        to: [`parent${i}@example.test`],
        subject: `Crash ${i}`,
        text: "A message for the crash campaign.",
        category: "announcement",
      });
      const req = http.request(
        {
          host: "127.0.0.1",
          port: HTTP_PORT,
          path: "/v1/messages",
          method: "POST",
          agent,
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            "idempotency-key": idempotencyKey,
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (c: string) => (text += c));
          res.on("end", () => resolve(res.statusCode === 202 ? (JSON.parse(text) as { id: string }).id : null));
          res.on("error", () => resolve(null));
        },
      );
      req.on("error", () => resolve(null));
      req.end(body);
    });
  const worker = async () => {
    while (next < MESSAGES) {
      const i = next++;
      const idempotencyKey = randomUUID();
      for (;;) {
        const id = await postOnce(i, idempotencyKey);
        if (id) {
          done.acknowledged.add(id);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, worker));
  agent.destroy();
}

async function campaign(dialect: string): Promise<Record<string, number | string>> {
  const target = await freshDatabase(dialect, "crash");
  await migrate(target.database);
  const tenant = await createTenant(target.database.db, systemClock, { name: "Crash School" });
  const { key } = await createApiKey(target.database.db, systemClock, { tenantId: tenant.id, role: "system" });
  const sink = await startSink();
  const dataDir = mkdtempSync(join(tmpdir(), "postbag-crash-data-"));
  const env: NodeJS.ProcessEnv = {
    POSTBAG_DATABASE_URL: target.url,
    POSTBAG_DATA_DIR: dataDir,
    POSTBAG_HTTP_PORT: String(HTTP_PORT),
    POSTBAG_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
    POSTBAG_SECRET_KEY: "crash-secret-key-crash-secret-key-0123456789",
    POSTBAG_LOG_LEVEL: "info",
    POSTBAG_WORKER_POLL_MS: "100",
    // A benchmark sets its own limits.
    POSTBAG_RATE_LIMIT_PER_KEY: "0",
    // A killed worker's rows fall due again after the lease.
    POSTBAG_LEASE_SECONDS: "5",
  };
  let processes: ChildProcess[] = [];
  const start = async () => {
    // The banner's last line is printed once the API listens.
    const serve = await startPostbag(["serve"], env, /^API reference: /);
    processes = [serve];
    if (dialect === "postgres") processes.push(await startPostbag(["worker"], env, /delivery worker started/));
  };

  const started = Date.now();
  await start();
  const progress = { acknowledged: new Set<string>() };
  const loading = load(key, progress);
  let openAtKills = 0;
  const kills: number[] = [];
  const points = Array.from({ length: KILLS }, () => Math.random()).sort((a, b) => a - b);
  for (const point of points) {
    while ((progress.acknowledged.size + sink.received.size) / (2 * MESSAGES) < point)
      await new Promise((r) => setTimeout(r, 5));
    const open = sink.open();
    await Promise.all(processes.map(killed));
    openAtKills += open;
    kills.push(open);
    await start();
  }
  await loading;
  // Settle: every recipient final, with no kill in the way.
  const deadline = Date.now() + SETTLE_MS;
  let unsettled = Number.POSITIVE_INFINITY;
  while (Date.now() < deadline) {
    const row = await target.database.db
      .selectFrom("recipients")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenant_id", "=", tenant.id)
      .where("next_attempt_at", "is not", null)
      .executeTakeFirstOrThrow();
    unsettled = Number(row.n);
    if (unsettled === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (Date.now() - started) / 1000;
  await Promise.all(processes.map(killed));

  const messages = await target.database.db
    .selectFrom("messages")
    .select(["id", "message_id_header"])
    .where("tenant_id", "=", tenant.id)
    .execute();
  const headerOf = new Map(messages.map((m) => [m.id, m.message_id_header]));
  let lost = 0;
  for (const id of progress.acknowledged) {
    const header = headerOf.get(id);
    if (!header || !sink.received.has(header)) lost++;
  }
  let duplicates = 0;
  for (const n of sink.received.values()) duplicates += n - 1;
  await sink.close();
  await target.drop();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    dialect: dialect === "postgres" ? "postgres (2 workers)" : "sqlite",
    kills: KILLS,
    messages: MESSAGES,
    acknowledged: progress.acknowledged.size,
    lost,
    stuck: unsettled,
    duplicates,
    "open at kills": openAtKills,
    "open per kill": kills.join(" "),
    seconds: Math.round(seconds),
  };
}

async function main() {
  const results = [];
  for (const dialect of DIALECTS) {
    const result = await campaign(dialect);
    console.log(JSON.stringify(result));
    results.push(result);
  }
  console.table(results);
  const failed = results.some(
    (r) => r.lost !== 0 || r.stuck !== 0 || Number(r.duplicates) > Number(r["open at kills"]),
  );
  process.exit(failed ? 1 : 0);
}

await main();
