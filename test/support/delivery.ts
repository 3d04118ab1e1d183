import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import type { Database, Dialect } from "../../src/db/database.js";
import type { RecipientRow } from "../../src/db/tables.js";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { DeliveryWorker, type WorkerSettings } from "../../src/delivery/worker.js";
import { type AcceptedMessage, MessageWriter } from "../../src/messages/message-store.js";
import { prepareMessage, type SendMessageInput } from "../../src/messages/prepare.js";
import { createTenant } from "../../src/tenants/tenants.js";
import type { Clock } from "../../src/time/clock.js";
import { createSmtpTransport } from "../../src/transports/smtp-transport.js";
import { openTestDatabase, type TestDatabase } from "./databases.js";
import { startTestSmtpServer, type TestSmtpServer, type TestSmtpServerOptions } from "./smtp-test-server.js";

/** Shared fixtures for delivery tests: a tenant, accepted messages, worker settings, worker processes. */
export const SENDER_DOMAIN = "postbag.test";
export const BOUNCE_DOMAIN = "bounces.postbag.test";
export const SECRET_KEY = "test-secret-key-0123456789-abcdefghijklm";
/** Where signed links in test emails point (unsubscribe, open pixel). */
export const PUBLIC_URL = "https://postbag.test";

export const silentLogger = pino({ level: "silent" });

export function workerSettings(overrides: Partial<WorkerSettings> = {}): WorkerSettings {
  return {
    concurrency: 10,
    pollMs: 20,
    leaseMs: 60_000,
    retry: { baseMs: 300_000, maxMs: 3_600_000, lifetimeMs: 172_800_000 },
    secretKey: SECRET_KEY,
    bounceDomain: BOUNCE_DOMAIN,
    publicUrl: PUBLIC_URL,
    notices: { senderDomain: SENDER_DOMAIN, publicUrl: "http://postbag.test" },
    ...overrides,
  };
}

export async function createTestTenant(database: Database, clock: Clock): Promise<string> {
  const tenant = await createTenant(database.db, clock, {
    name: `Delivery test ${Math.random().toString(36).slice(2)}`,
  });
  return tenant.id;
}

export function message(input: Partial<SendMessageInput> = {}): SendMessageInput {
  return {
    to: ["parent@example.test"],
    subject: "Hello",
    text: "Hello there",
    category: "announcement",
    ...input,
  };
}

/** Accepts messages the way the API does (prepare, then the group-committing writer). */
export async function acceptMessages(
  database: Database,
  clock: Clock,
  tenantId: string,
  inputs: readonly SendMessageInput[],
): Promise<AcceptedMessage[]> {
  const writer = new MessageWriter({ database, clock, messageIdDomain: SENDER_DOMAIN });
  const limits = { maxMessageBytes: 10 * 1024 * 1024, maxRecipients: 100, senderDomain: SENDER_DOMAIN };
  return Promise.all(inputs.map((input) => writer.accept(tenantId, prepareMessage(input, undefined, limits))));
}

/** Accepts `count` announcement recipients `<prefix><n>@example.test` in messages of up to 100. */
export async function acceptBulk(
  database: Database,
  clock: Clock,
  tenantId: string,
  count: number,
  prefix: string,
): Promise<void> {
  const inputs = [];
  for (let i = 0; i < count; i += 100) {
    const to = Array.from({ length: Math.min(100, count - i) }, (_, k) => `${prefix}${i + k}@example.test`);
    inputs.push(message({ to, subject: "Term dates", category: "announcement" }));
  }
  await acceptMessages(database, clock, tenantId, inputs);
}

export function recipientRows(database: Database, tenantId: string): Promise<RecipientRow[]> {
  return database.db.selectFrom("recipients").selectAll().where("tenant_id", "=", tenantId).orderBy("id").execute();
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** What the process wrote to stderr and stdout, for failure messages. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node bin/postbag.mjs worker [...args]` as its own process, configured only through
 * POSTBAG_* variables (its metrics listener on a free port unless `env` says otherwise). By
 * default without the scheduled jobs (`--no-scheduler`), so that a delivery test is not joined
 * by a job falling due on the wall clock; tests of the jobs pass `[]`.
 */
export function spawnWorker(env: Record<string, string>, args: readonly string[] = ["--no-scheduler"]): WorkerProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("POSTBAG_")));
  const child = spawn(process.execPath, [join(root, "bin", "postbag.mjs"), "worker", ...args], {
    cwd: root,
    env: { ...inherited, POSTBAG_LOG_LEVEL: "warn", POSTBAG_METRICS_LISTEN: "127.0.0.1:0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, output: () => output, exited };
}

/** Kills a worker process that is still running (after a failed test). */
export async function killWorker(worker: WorkerProcess | undefined): Promise<void> {
  if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill("SIGKILL");
  await worker.exited;
}

/** The database URL a worker process should use: a SQLite test database is a `sqlite:` file URL already. */
export function workerEnv(options: { databaseUrl: string; smtpPort: number; dataDir: string }): Record<string, string> {
  return {
    POSTBAG_DATABASE_URL: options.databaseUrl,
    POSTBAG_RELAY_URL: `smtp://127.0.0.1:${options.smtpPort}`,
    POSTBAG_DATA_DIR: options.dataDir,
    POSTBAG_SECRET_KEY: SECRET_KEY,
    POSTBAG_SENDER_DOMAIN: SENDER_DOMAIN,
    POSTBAG_BOUNCE_DOMAIN: BOUNCE_DOMAIN,
  };
}

/** The Message-ID header of a raw message received by the test SMTP server. */
export function messageIdOf(raw: Buffer): string | undefined {
  const head = raw.toString("latin1").split(/\r?\n\r?\n/, 1)[0] ?? "";
  return /^message-id:\s*(\S+)/im.exec(head)?.[1];
}

/** A DeliveryWorker over a test database, sending through a real transport to a test SMTP server. */
export function newTestWorker(options: {
  database: Database;
  clock: Clock;
  server: { host: string; port: number };
  poolSize?: number;
  timeoutMs?: number;
  settings?: Partial<WorkerSettings>;
}): { worker: DeliveryWorker; transport: MailTransport } {
  const transport = createSmtpTransport({
    host: options.server.host,
    port: options.server.port,
    secure: false,
    poolSize: options.poolSize ?? 2,
    timeoutMs: options.timeoutMs ?? 5_000,
    rejectUnauthorized: true,
  });
  const worker = new DeliveryWorker({
    database: options.database,
    clock: options.clock,
    transport,
    settings: workerSettings(options.settings),
    logger: silentLogger,
  });
  return { worker, transport };
}

/**
 * What a test with worker processes leaves behind: the processes, the SMTP server, the test
 * database and the data folder. Open them through this, and `cleanup()` (in afterEach) ends
 * and removes all of them.
 */
export class ProcessTestResources {
  readonly #workers: WorkerProcess[] = [];
  #test: TestDatabase | undefined;
  #server: TestSmtpServer | undefined;
  #dataDir: string | undefined;

  async openDatabase(dialect: Dialect): Promise<TestDatabase> {
    this.#test = await openTestDatabase(dialect);
    return this.#test;
  }

  async startServer(options?: TestSmtpServerOptions): Promise<TestSmtpServer> {
    this.#server = await startTestSmtpServer(options);
    return this.#server;
  }

  async makeDataDir(prefix: string): Promise<string> {
    this.#dataDir = await mkdtemp(join(tmpdir(), prefix));
    return this.#dataDir;
  }

  spawnWorker(env: Record<string, string>, args?: readonly string[]): WorkerProcess {
    const worker = spawnWorker(env, args);
    this.#workers.push(worker);
    return worker;
  }

  async cleanup(): Promise<void> {
    for (const w of this.#workers.splice(0)) await killWorker(w);
    await this.#server?.close();
    await this.#test?.drop();
    if (this.#dataDir) await rm(this.#dataDir, { recursive: true, force: true });
    this.#server = undefined;
    this.#test = undefined;
    this.#dataDir = undefined;
  }
}
