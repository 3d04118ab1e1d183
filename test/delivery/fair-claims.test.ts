import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareNotice, queueNotice } from "../../src/credits/notices.js";
import type { Dialect } from "../../src/db/database.js";
import { claimDue } from "../../src/delivery/outbox.js";
import { systemClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  ProcessTestResources,
  PUBLIC_URL,
  SENDER_DOMAIN,
  waitUntil,
  workerEnv,
} from "../support/delivery.js";

const LEASE_MS = 60_000;

/** `count` recipients for `tenantId` in messages of up to 100 recipients each. */
async function bulk(test: TestDatabase, tenantId: string, count: number, prefix: string) {
  const inputs = [];
  for (let i = 0; i < count; i += 100) {
    const to = Array.from({ length: Math.min(100, count - i) }, (_, k) => `${prefix}${i + k}@example.test`);
    inputs.push(message({ to, subject: "Term dates", category: "announcement" }));
  }
  await acceptMessages(test.database, systemClock, tenantId, inputs);
}

describe.each(dialects)("fair claims [%s]", (dialect: Dialect) => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabase(dialect);
  });
  afterEach(() => test.drop());

  it("another tenant's mail is in the next claim, however much an earlier tenant has due", async () => {
    const a = await createTestTenant(test.database, systemClock);
    const b = await createTestTenant(test.database, systemClock);
    await bulk(test, a, 300, "a");
    await acceptMessages(test.database, systemClock, b, [
      message({ to: ["b1@example.test", "b2@example.test", "b3@example.test"], category: "announcement" }),
    ]);
    const claimed = await claimDue(test.database, "w", Date.now() + 1, LEASE_MS, 10);
    expect(claimed).toHaveLength(10);
    expect(claimed.filter((d) => d.tenantId === b).map((d) => d.email)).toEqual(
      expect.arrayContaining(["b1@example.test", "b2@example.test", "b3@example.test"]),
    );
    expect(claimed.filter((d) => d.tenantId === a)).toHaveLength(7);
    // The rest of A's mail follows in later claims, oldest first, all of it exactly once.
    const seen = new Set(claimed.map((d) => d.id));
    for (;;) {
      const next = await claimDue(test.database, "w", Date.now() + 1, LEASE_MS, 50);
      if (next.length === 0) break;
      for (const d of next) {
        expect(seen.has(d.id)).toBe(false);
        seen.add(d.id);
      }
    }
    expect(seen.size).toBe(303);
  });

  it("critical categories and Postbag's notices go ahead of the same tenant's bulk", async () => {
    const a = await createTestTenant(test.database, systemClock);
    await bulk(test, a, 200, "a");
    await acceptMessages(test.database, systemClock, a, [
      message({ to: ["reset@example.test"], category: "password_reset_parent" }),
    ]);
    // Postbag's own mail (a credit alert, a sign-in link) is queued as a notice.
    const sender = { senderDomain: SENDER_DOMAIN, publicUrl: PUBLIC_URL };
    await test.database.db
      .transaction()
      .execute((tx) =>
        queueNotice(tx, sender, a, Date.now(), prepareNotice(sender, ["admin@example.test"], "Credit low", "Text")),
      );
    const claimed = await claimDue(test.database, "w", Date.now() + 1, LEASE_MS, 5, undefined, {
      priorityCategories: ["password_reset_parent", "password_reset_system"],
    });
    expect(claimed).toHaveLength(5);
    expect(claimed.map((d) => d.email)).toEqual(expect.arrayContaining(["reset@example.test", "admin@example.test"]));
  });

  it("a tenant with nothing due is not claimed from, and nothing due claims nothing", async () => {
    const a = await createTestTenant(test.database, systemClock);
    expect(await claimDue(test.database, "w", Date.now(), LEASE_MS, 10)).toEqual([]);
    await bulk(test, a, 5, "a");
    // Due only from acceptance on.
    expect(await claimDue(test.database, "w", Date.now() - 60_000, LEASE_MS, 10)).toEqual([]);
    expect(await claimDue(test.database, "w", Date.now() + 1, LEASE_MS, 10)).toHaveLength(5);
  });
});

/**
 * The target of issue 10: with tenant A's 20,000-recipient announcement in flight, tenant B's
 * password reset reaches the SMTP server within 2 s of its acceptance: one worker process on
 * SQLite, two on PostgreSQL.
 */
describe.each(dialects)("a password reset behind another school's announcement [%s]", (dialect: Dialect) => {
  const res = new ProcessTestResources();
  afterEach(() => res.cleanup());

  it("is sent within 2 s of acceptance while 20,000 of A's recipients are due", async () => {
    const test = await res.openDatabase(dialect);
    const a = await createTestTenant(test.database, systemClock);
    const b = await createTestTenant(test.database, systemClock);
    const server = await res.startServer();
    const dataDir = await res.makeDataDir("postbag-fairness-");
    await bulk(test, a, 20_000, "parent");
    const env = {
      ...workerEnv({ databaseUrl: test.url, smtpPort: server.port, dataDir }),
      POSTBAG_LEASE_SECONDS: "60",
      POSTBAG_WORKER_POLL_MS: "50",
      POSTBAG_LOG_LEVEL: "info",
    };
    const workers = Array.from({ length: dialect === "postgres" ? 2 : 1 }, () => res.spawnWorker(env));
    // A's announcement is going out before B's reset is accepted.
    await server.waitForMessages(300, 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\nworker output:\n${workers.map((w) => w.output()).join("\n")}`);
    });

    const [reset] = await acceptMessages(test.database, systemClock, b, [
      message({ to: ["carer@example.test"], subject: "Reset your password", category: "password_reset_parent" }),
    ]);
    const acceptedAt = Date.now();
    expect(reset?.recipients).toHaveLength(1);
    await waitUntil(
      "B's password reset reached the SMTP server",
      async () => server.messages.some((m) => m.rcptTo.includes("carer@example.test")),
      30_000,
    );
    const arrived = server.messages.find((m) => m.rcptTo.includes("carer@example.test"));
    const aSent = server.messages.filter((m) => m.rcptTo.some((r) => r.startsWith("parent"))).length;
    const latency = (arrived?.receivedAt ?? Number.POSITIVE_INFINITY) - acceptedAt;
    console.info(`[${dialect}] B's reset arrived ${latency} ms after acceptance; A had ${aSent} of 20,000 sent`);
    expect(aSent).toBeLessThan(20_000);
    expect(latency).toBeLessThan(2_000);
  }, 180_000);
});
