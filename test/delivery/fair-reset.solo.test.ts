import { afterEach, describe, expect, it } from "vitest";
import type { Dialect } from "../../src/db/database.js";
import { systemClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import {
  acceptBulk,
  acceptMessages,
  createTestTenant,
  message,
  ProcessTestResources,
  waitUntil,
  workerEnv,
} from "../support/delivery.js";

// A `.solo.test.ts` file: `npm test` runs it after the other files, alone, so that their load
// does not decide a latency target (scripts/test.mjs).

/**
 * Fairness between tenants: with tenant A's 20,000-recipient announcement in flight, tenant B's
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
    await acceptBulk(test.database, systemClock, a, 20_000, "parent");
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
