import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { pino } from "pino";
import { expect } from "vitest";
import { type Config, loadConfig } from "../../src/config/config.js";
import type { Database, Db, Dialect } from "../../src/db/database.js";
import { type App, createApp } from "../../src/http/app.js";
import { MessageWriter } from "../../src/messages/message-store.js";
import { createNetworkPolicy } from "../../src/network/network-policy.js";
import { createApiKey, createTenant, type TenantRole, tenantRoles } from "../../src/tenants/tenants.js";
import { type Clock, ManualClock } from "../../src/time/clock.js";
import { fetchAccessToken } from "../../src/transports/oauth2.js";
import { openTestDatabase, type TestDatabase } from "./databases.js";

/** Limits kept small so that tests of them are cheap. */
export const TEST_MAX_MESSAGE_BYTES = 100_000;
export const TEST_MAX_RECIPIENTS = 50;
export const TEST_SENDER_DOMAIN = "postbag.localhost";

/** A tenant of its own for one test, with a key of every role. */
export interface TestTenant {
  readonly id: string;
  readonly keys: Readonly<Record<TenantRole, string>>;
  /** `Authorization` header for the tenant's key of `role` (default `system`). */
  auth(role?: TenantRole): { authorization: string };
}

/** The real HTTP app over a real, migrated database of one dialect. */
export interface TestApp {
  readonly app: App;
  readonly database: Database;
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Config;
  readonly writer: MessageWriter;
  /** Creates a tenant with a key of every role. */
  newTenant(name?: string): Promise<TestTenant>;
  /** Creates an operator key and returns its `Authorization` header. */
  operatorAuth(): Promise<{ authorization: string }>;
  /** A second app over the same database: another API process. */
  freshApp(): Promise<App>;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Closes the apps and drops the database. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Default: a ManualClock (ids still sort by creation: newId is monotonic within a process). */
  readonly clock?: Clock;
  /** Extra `POSTBAG_*` settings. */
  readonly env?: Readonly<Record<string, string>>;
  /** Registers extra routes (say, one that throws) before the app is ready. */
  readonly routes?: (app: App) => void;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function buildApp(
  database: Database,
  clock: Clock,
  config: Config,
  routes?: (app: App) => void,
): Promise<{ app: App; writer: MessageWriter }> {
  const writer = new MessageWriter({ database, clock, messageIdDomain: config.senderDomain });
  const policy = createNetworkPolicy(config);
  const app = await createApp({
    database,
    clock,
    config,
    logger: pino({ level: "silent" }),
    writer,
    networkPolicy: policy,
    fetchAccessToken: (grant) => fetchAccessToken(grant, { policy, clock }),
  });
  routes?.(app);
  await app.ready();
  return { app, writer };
}

/** openTestDatabase(dialect), then createApp with test settings. Call `close()` in afterAll. */
export async function openTestApp(dialect: Dialect, options: TestAppOptions = {}): Promise<TestApp> {
  const testDatabase: TestDatabase = await openTestDatabase(dialect);
  const dataDir = await mkdtemp(join(tmpdir(), "postbag-app-"));
  const clock = options.clock ?? new ManualClock();
  const config = loadConfig({
    POSTBAG_DATA_DIR: dataDir,
    POSTBAG_DATABASE_URL: testDatabase.url,
    POSTBAG_SECRET_KEY: "test-secret-key-0123456789-abcdefghijklm",
    POSTBAG_SENDER_DOMAIN: TEST_SENDER_DOMAIN,
    POSTBAG_PUBLIC_URL: "http://postbag.test",
    POSTBAG_MAX_MESSAGE_BYTES: String(TEST_MAX_MESSAGE_BYTES),
    POSTBAG_MAX_RECIPIENTS: String(TEST_MAX_RECIPIENTS),
    POSTBAG_LOG_LEVEL: "silent",
    // Tests send many requests, and many bad keys, from one address; tests of the limits set their own.
    POSTBAG_RATE_LIMIT_PER_KEY: "0",
    POSTBAG_RATE_LIMIT_AUTH_FAILURES: "0",
    ...options.env,
  });
  const { database } = testDatabase;
  const { app, writer } = await buildApp(database, clock, config, options.routes);
  const extraApps: App[] = [];

  return {
    app,
    database,
    db: database.db,
    clock,
    config,
    writer,
    async newTenant(name = "Test school") {
      const tenant = await createTenant(database.db, clock, { name });
      const keys = {} as Record<TenantRole, string>;
      for (const role of tenantRoles) {
        keys[role] = (await createApiKey(database.db, clock, { tenantId: tenant.id, role })).key;
      }
      return { id: tenant.id, keys, auth: (role: TenantRole = "system") => bearer(keys[role]) };
    },
    async operatorAuth() {
      return bearer((await createApiKey(database.db, clock, { tenantId: null, role: "operator" })).key);
    },
    async freshApp() {
      const extra = await buildApp(database, clock, config, options.routes);
      extraApps.push(extra.app);
      return extra.app;
    },
    inject: (opts) => app.inject(opts),
    async close() {
      for (const a of [app, ...extraApps]) await a.close();
      await writer.whenIdle();
      await testDatabase.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Rows a tenant has in each message table. */
export async function storedCounts(db: Db, tenantId: string) {
  const count = async (table: "messages" | "recipients" | "events" | "attachments") => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    messages: await count("messages"),
    recipients: await count("recipients"),
    events: await count("events"),
    attachments: await count("attachments"),
  };
}

export const nothingStored = { messages: 0, recipients: 0, events: 0, attachments: 0 } as const;

/** The smallest valid send request; override any field. */
export function validMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    to: ["parent@example.com"],
    subject: "School trip on Friday",
    text: "Please remember packed lunches.",
    category: "announcement",
    ...overrides,
  };
}

/** The parsed JSON body of a response. */
export function json<T = Record<string, unknown>>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}

/** The body every refused request carries. */
export interface ErrorReply {
  error: { code: string; message: string; details?: { path?: string; message: string }[] };
}

/**
 * Asserts a refusal: the status, the stable code, the `{ error: { code, message } }` shape, and
 * that the tenant has no message, recipient, event or attachment rows.
 */
export async function expectRefused(
  t: TestApp,
  tenantId: string,
  res: LightMyRequestResponse,
  status: number,
  code: string,
): Promise<ErrorReply> {
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  const body = json<ErrorReply>(res);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  await t.writer.whenIdle();
  expect(await storedCounts(t.db, tenantId)).toEqual(nothingStored);
  return body;
}
