import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareNotice, queueNotice } from "../../src/credits/notices.js";
import type { Dialect } from "../../src/db/database.js";
import { claimDue } from "../../src/delivery/outbox.js";
import { systemClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import {
  acceptBulk,
  acceptMessages,
  createTestTenant,
  message,
  PUBLIC_URL,
  SENDER_DOMAIN,
} from "../support/delivery.js";

const LEASE_MS = 60_000;

describe.each(dialects)("fair claims [%s]", (dialect: Dialect) => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabase(dialect);
  });
  afterEach(() => test.drop());

  it("another tenant's mail is in the next claim, however much an earlier tenant has due", async () => {
    const a = await createTestTenant(test.database, systemClock);
    const b = await createTestTenant(test.database, systemClock);
    await acceptBulk(test.database, systemClock, a, 300, "a");
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
    await acceptBulk(test.database, systemClock, a, 200, "a");
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
    await acceptBulk(test.database, systemClock, a, 5, "a");
    // Due only from acceptance on.
    expect(await claimDue(test.database, "w", Date.now() - 60_000, LEASE_MS, 10)).toEqual([]);
    expect(await claimDue(test.database, "w", Date.now() + 1, LEASE_MS, 10)).toHaveLength(5);
  });
});
