import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import { claimDue, recordOutcomes } from "../../src/delivery/outbox.js";
import { ManualClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { acceptMessages, createTestTenant, message, newTestWorker, recipientRows } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";

/**
 * How many statements the delivery core runs per claimed batch and per outcome batch, counted
 * through Kysely's query log. Not a timing test: a guard that the per-batch look-ups stay per
 * batch (not per tenant, not per row) and that settings read by every claim stay cached.
 */
const TENANTS = 3;
const PER_TENANT = 10;

/** Statements grouped by transaction (begin … commit); statements outside one are groups of one. */
function transactions(log: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] | undefined;
  for (const statement of log) {
    if (statement.startsWith("begin")) current = [statement];
    else if (current) {
      current.push(statement);
      if (statement === "commit" || statement === "rollback") {
        out.push(current);
        current = undefined;
      }
    }
  }
  return out;
}

for (const dialect of dialects) {
  describe(`statements per batch [${dialect}]`, () => {
    let test: TestDatabase;
    let counted: Database;
    let server: TestSmtpServer;
    const log: string[] = [];
    const clock = new ManualClock();
    const tenants: string[] = [];

    beforeAll(async () => {
      test = await openTestDatabase(dialect);
      // A second connection to the same database whose every statement is written down.
      counted = createDatabase(test.url, {
        log: (event) => {
          if (event.level === "query") log.push(event.query.sql.replace(/\s+/g, " ").trim());
        },
      });
      server = await startTestSmtpServer();
      for (let i = 0; i < TENANTS; i++) tenants.push(await createTestTenant(test.database, clock));
    });
    afterAll(async () => {
      await counted?.close();
      await server?.close();
      await test?.drop();
    });

    async function acceptPlainMail(prefix: string): Promise<void> {
      for (const tenantId of tenants)
        await acceptMessages(
          test.database,
          clock,
          tenantId,
          Array.from({ length: PER_TENANT }, (_, i) => message({ to: [`${prefix}${i}@example.test`] })),
        );
    }

    it("claims, screens, gates and meters a batch of several tenants in a fixed number of statements", async () => {
      const { worker, transport } = newTestWorker({
        database: counted,
        clock,
        server,
        poolSize: 5,
        settings: { concurrency: TENANTS * PER_TENANT },
      });
      try {
        // The first batch creates the tenants' credit periods and reads the operator's settings.
        await acceptPlainMail("first");
        expect(await worker.runOnce(TENANTS * PER_TENANT)).toBe(TENANTS * PER_TENANT);
        await acceptPlainMail("second");
        log.length = 0;
        expect(await worker.runOnce(TENANTS * PER_TENANT)).toBe(TENANTS * PER_TENANT);
      } finally {
        await transport.close();
      }
      const [claim, ...outcomeWrites] = transactions(log);
      // begin, due tenants, priority claim, round-robin claim, suspended tenants, tenants' rules,
      // messages, suppressions, credit periods (locked), grants, ledger, charges, commit: 13,
      // plus each tenant's counter update.
      expect(claim, claim?.join("\n")).toHaveLength(13 + TENANTS);
      expect(claim?.filter((s) => s.includes("operator_settings"))).toEqual([]);
      expect(claim?.filter((s) => s.includes("account_settings"))).toEqual([]);
      // However the outcomes were grouped into commits: begin, one UPDATE (which also says
      // which tenants have webhook endpoints: none here, so no look-up), the events, commit.
      expect(outcomeWrites.length).toBeGreaterThan(0);
      for (const write of outcomeWrites) expect(write, write.join("\n")).toHaveLength(4);
      for (const tenantId of tenants) {
        const rows = await recipientRows(test.database, tenantId);
        expect(rows.map((r) => r.status)).toEqual(Array(2 * PER_TENANT).fill("sent"));
      }
    });

    it("records a batch of outcomes of several tenants in four statements", async () => {
      await acceptPlainMail("third");
      const claimed = await claimDue(test.database, "counting", clock.now(), 60_000, TENANTS * PER_TENANT);
      expect(claimed).toHaveLength(TENANTS * PER_TENANT);
      log.length = 0;
      const written = await recordOutcomes(
        counted,
        "counting",
        claimed.map((delivery, i) => ({
          delivery,
          status: i % 2 === 0 ? ("sent" as const) : ("soft_bounce" as const),
          attempts: 1,
          nextAttemptAt: i % 2 === 0 ? null : clock.now() + 300_000,
          smtpCode: i % 2 === 0 ? 250 : 451,
          enhancedCode: i % 2 === 0 ? "2.0.0" : "4.3.0",
          smtpText: i % 2 === 0 ? "ok" : "try later",
          at: clock.now(),
        })),
      );
      expect(written).toBe(TENANTS * PER_TENANT);
      expect(log, log.join("\n")).toHaveLength(4);
      const rows = (await Promise.all(tenants.map((t) => recipientRows(test.database, t)))).flat();
      const third = rows.filter((r) => r.email.startsWith("third"));
      expect(third.filter((r) => r.status === "sent" && r.sent_at !== null && r.lease_owner === null)).toHaveLength(
        (TENANTS * PER_TENANT) / 2,
      );
      expect(
        third.filter((r) => r.status === "soft_bounce" && r.next_attempt_at === clock.now() + 300_000),
      ).toHaveLength((TENANTS * PER_TENANT) / 2);
    });
  });
}
