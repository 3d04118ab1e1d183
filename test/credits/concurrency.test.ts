import { afterEach, describe, expect, it } from "vitest";
import { meterBatch } from "../../src/credits/meter.js";
import type { OverLimitPolicy } from "../../src/credits/settings.js";
import { createDatabase, type Database, type Dialect } from "../../src/db/database.js";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { claimDue } from "../../src/delivery/outbox.js";
import type { DeliveryWorker } from "../../src/delivery/worker.js";
import { ManualClock, systemClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  newTestWorker,
  ProcessTestResources,
  recipientRows,
  waitUntil,
  workerEnv,
  workerSettings,
} from "../support/delivery.js";

// Issue 4: 1,000 concurrent counted sends against 500 credits.
const MESSAGES = 1000;
const ALLOWANCE = 500;

async function setCreditSettings(database: Database, tenantId: string, allowance: number, policy: OverLimitPolicy) {
  await database.db
    .insertInto("credit_settings")
    .values({
      tenant_id: tenantId,
      monthly_allowance: allowance,
      over_limit_policy: policy,
      grace_days: null,
      low_credit_recipients: "[]",
      updated_at: Date.now(),
    })
    .execute();
}

/** Accepts MESSAGES counted announcements at once, one recipient each. */
async function acceptBatch(database: Database, tenantId: string) {
  await acceptMessages(
    database,
    systemClock,
    tenantId,
    Array.from({ length: MESSAGES }, (_, i) => message({ to: [`parent${i}@example.test`], subject: `Note ${i}` })),
  );
}

/** True once no recipient of the tenant is due or leased: each is sent, held or failed for good. */
async function nothingDue(database: Database, tenantId: string): Promise<boolean> {
  const row = await database.db
    .selectFrom("recipients")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("tenant_id", "=", tenantId)
    .where("next_attempt_at", "is not", null)
    .executeTakeFirstOrThrow();
  return Number(row.n) === 0;
}

/**
 * Runs in-process workers concurrently (start()) until nothing is due, then stops them.
 * Returns the lease owners seen meanwhile, to show that every worker took part.
 */
async function runWorkers(database: Database, tenantId: string, workers: readonly DeliveryWorker[]) {
  const owners = new Set<string>();
  for (const w of workers) w.start();
  try {
    await waitUntil(
      "nothing is due",
      async () => {
        for (const r of await recipientRows(database, tenantId)) if (r.lease_owner) owners.add(r.lease_owner);
        return nothingDue(database, tenantId);
      },
      60_000,
    );
  } finally {
    await Promise.all(workers.map((w) => w.stop(5_000)));
  }
  return owners;
}

/**
 * The whole account of one tenant: recipients by status, the ledger by kind, the period
 * counter, and per recipient its use and refund rows. Asserts what must hold whatever the
 * policy: the ledger explains every charge, and each sent recipient was charged exactly once.
 */
async function expectBalancedLedger(database: Database, tenantId: string, received: readonly string[]) {
  const rows = await recipientRows(database, tenantId);
  const ledger = await database.db.selectFrom("credit_ledger").selectAll().where("tenant_id", "=", tenantId).execute();
  const periods = await database.db
    .selectFrom("credit_periods")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .execute();
  const sent = rows.filter((r) => r.status === "sent");
  const held = rows.filter((r) => r.status === "held_no_credit");
  const kinds = new Map<string, number>();
  for (const l of ledger) kinds.set(l.kind, (kinds.get(l.kind) ?? 0) + 1);
  const uses = new Map<string, number>();
  for (const l of ledger)
    if (l.amount < 0 && l.recipient_id) uses.set(l.recipient_id, (uses.get(l.recipient_id) ?? 0) + 1);

  // The server saw each sent recipient exactly once, and nothing else.
  expect(received).toHaveLength(sent.length);
  expect(new Set(received)).toEqual(new Set(sent.map((r) => r.email)));
  for (const r of sent) {
    expect(uses.get(r.id), `charges of sent recipient ${r.id}`).toBe(1);
    expect(r.charge).toMatch(/^(allowance|over):\d{4}-\d{2}$/);
  }
  for (const r of held) {
    expect(uses.get(r.id), `charges of held recipient ${r.id}`).toBeUndefined();
    expect(r).toMatchObject({ charge: null, next_attempt_at: null, lease_owner: null });
  }
  expect(periods).toHaveLength(1);
  const sum = ledger.reduce((s, l) => s + l.amount, 0);
  return { sent: sent.length, held: held.length, kinds: Object.fromEntries(kinds), sum, counted: periods[0]?.counted };
}

for (const dialect of dialects) {
  describe(`1,000 concurrent counted sends against 500 credits [${dialect}]`, () => {
    const res = new ProcessTestResources();
    const extra: Database[] = [];
    const transports: MailTransport[] = [];
    afterEach(async () => {
      for (const t of transports.splice(0)) await t.close();
      for (const d of extra.splice(0)) await d.close();
      await res.cleanup();
    });

    /**
     * A second worker gets a database handle of its own on PostgreSQL (its own pool, like a
     * second machine). On SQLite both share one: two better-sqlite3 connections in one thread
     * would block each other (a busy wait stops the event loop the lock holder needs).
     */
    function handleFor(dialect: Dialect, database: Database, url: string): Database {
      if (dialect === "sqlite") return database;
      const own = createDatabase(url, { poolSize: 5 });
      extra.push(own);
      return own;
    }

    async function setUp(policy: OverLimitPolicy) {
      const test = await res.openDatabase(dialect);
      const server = await res.startServer();
      const tenantId = await createTestTenant(test.database, systemClock);
      await setCreditSettings(test.database, tenantId, ALLOWANCE, policy);
      await acceptBatch(test.database, tenantId);
      const newWorker = (database: Database) => {
        const { worker, transport } = newTestWorker({
          database,
          clock: systemClock,
          server,
          poolSize: 5,
          settings: { concurrency: 50 },
        });
        transports.push(transport);
        return worker;
      };
      return { test, server, tenantId, newWorker };
    }

    it("hard: exactly 500 go out and 500 are held, with one worker", async () => {
      const { test, server, tenantId, newWorker } = await setUp("hard");
      await runWorkers(test.database, tenantId, [newWorker(test.database)]);
      const account = await expectBalancedLedger(
        test.database,
        tenantId,
        server.messages.flatMap((m) => m.rcptTo),
      );
      expect(account).toEqual({ sent: 500, held: 500, kinds: { allowance_use: 500 }, sum: -500, counted: 500 });
    }, 90_000);

    it("hard: exactly 500 go out and 500 are held, with two workers at once", async () => {
      const { test, server, tenantId, newWorker } = await setUp("hard");
      const owners = await runWorkers(test.database, tenantId, [
        newWorker(test.database),
        newWorker(handleFor(dialect, test.database, test.url)),
      ]);
      expect(owners.size).toBe(2);
      const account = await expectBalancedLedger(
        test.database,
        tenantId,
        server.messages.flatMap((m) => m.rcptTo),
      );
      expect(account).toEqual({ sent: 500, held: 500, kinds: { allowance_use: 500 }, sum: -500, counted: 500 });
    }, 90_000);

    it("soft: all 1,000 go out and exactly 1,000 are charged, with two workers at once", async () => {
      const { test, server, tenantId, newWorker } = await setUp("soft");
      const owners = await runWorkers(test.database, tenantId, [
        newWorker(test.database),
        newWorker(handleFor(dialect, test.database, test.url)),
      ]);
      expect(owners.size).toBe(2);
      const account = await expectBalancedLedger(
        test.database,
        tenantId,
        server.messages.flatMap((m) => m.rcptTo),
      );
      expect(account).toEqual({
        sent: 1000,
        held: 0,
        kinds: { allowance_use: 500, over_limit_use: 500 },
        sum: -1000,
        counted: 1000,
      });
    }, 90_000);
  });
}

// Several worker processes are a PostgreSQL deployment; SQLite has one writer by design.
describe.runIf(dialects.includes("postgres"))("1,000 counted sends against 500 credits, two worker processes", () => {
  const res = new ProcessTestResources();
  afterEach(() => res.cleanup());

  it("hard: exactly 500 go out, 500 are held, the ledger balances", async () => {
    const test = await res.openDatabase("postgres");
    const { database } = test;
    const server = await res.startServer();
    const tenantId = await createTestTenant(database, systemClock);
    await setCreditSettings(database, tenantId, ALLOWANCE, "hard");
    const dataDir = await res.makeDataDir("postbag-credits-two-");
    const env = {
      ...workerEnv({ databaseUrl: test.url, smtpPort: server.port, dataDir }),
      POSTBAG_LEASE_SECONDS: "60",
      POSTBAG_WORKER_POLL_MS: "50",
      POSTBAG_WORKER_CONCURRENCY: "50",
      POSTBAG_LOG_LEVEL: "info",
    };
    const pair = [res.spawnWorker(env), res.spawnWorker(env)];
    // Both are polling before the batch arrives, so both meter part of it.
    await waitUntil(
      "both workers have started",
      async () => pair.every((w) => w.output().includes("delivery worker started")),
      30_000,
    );
    await acceptBatch(database, tenantId);
    const owners = new Set<string>();
    await waitUntil(
      "nothing is due",
      async () => {
        for (const r of await recipientRows(database, tenantId)) if (r.lease_owner) owners.add(r.lease_owner);
        return nothingDue(database, tenantId);
      },
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nworker output:\n${pair.map((w) => w.output()).join("\n")}`);
    });
    for (const w of pair) w.child.kill("SIGTERM");
    for (const w of pair) expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(owners.size).toBe(2);

    const account = await expectBalancedLedger(
      database,
      tenantId,
      server.messages.flatMap((m) => m.rcptTo),
    );
    expect(account).toEqual({ sent: 500, held: 500, kinds: { allowance_use: 500 }, sum: -500, counted: 500 });
  }, 120_000);
});

for (const dialect of dialects) {
  describe(`a worker that stalls past its lease before metering [${dialect}]`, () => {
    const res = new ProcessTestResources();
    afterEach(() => res.cleanup());

    for (const policy of ["soft", "hard"] as const) {
      it(`charges nothing twice and holds nothing already sent (${policy})`, async () => {
        const { database } = await res.openDatabase(dialect);
        const server = await res.startServer();
        const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 0));
        const tenantId = await createTestTenant(database, clock);
        // One credit: a second metering of the same recipient would find none left, and
        // charge it over the limit (soft) or hold it (hard).
        await setCreditSettings(database, tenantId, 1, policy);
        await acceptMessages(database, clock, tenantId, [message({ to: ["once@example.test"] })]);

        // Worker A claims the row, then stalls (a long pause) before its metering transaction.
        const stalled = await claimDue(database, "stalled-worker", clock.now(), 1_000, 10);
        expect(stalled).toHaveLength(1);
        clock.advance(2_000);
        // Worker B finds the lease expired: it claims, meters, sends and records the row.
        const { worker, transport } = newTestWorker({ database, clock, server });
        try {
          expect(await worker.runOnce(10)).toBe(1);
        } finally {
          await worker.stop(1_000);
          await transport.close();
        }
        // A wakes up and meters what it claimed.
        const result = await meterBatch(
          database,
          stalled.map((d) => ({ recipientId: d.id, tenantId, messageId: d.messageId, category: "announcement" })),
          clock.now(),
          workerSettings().notices,
        );
        const id = stalled[0]?.id ?? "";
        // Not to be sent again by A: B has sent it.
        expect(result.held.has(id)).toBe(true);
        const [row] = await recipientRows(database, tenantId);
        expect(row).toMatchObject({ status: "sent", charge: "allowance:2026-01" });
        const ledger = await database.db
          .selectFrom("credit_ledger")
          .select(["kind", "amount"])
          .where("tenant_id", "=", tenantId)
          .execute();
        expect(ledger).toEqual([{ kind: "allowance_use", amount: -1 }]);
        const period = await database.db
          .selectFrom("credit_periods")
          .select("counted")
          .where("tenant_id", "=", tenantId)
          .executeTakeFirstOrThrow();
        expect(period.counted).toBe(1);
      });
    }
  });
}
