import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
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
} from "../support/delivery.js";
import type { Behaviour } from "../support/smtp-test-server.js";

const MESSAGES = 300;
const ALLOWANCE = 200;
const CONCURRENCY = 30;

/** Some addresses fail for good (refunded), the rest are accepted after `ms`. */
function serverBehaviour(ms: number): Behaviour {
  return (rcpt) =>
    rcpt.startsWith("bounce")
      ? { kind: "reply", code: 550, message: "5.1.1 no such user", at: "rcpt" }
      : rcpt.startsWith("reject")
        ? { kind: "reply", code: 554, message: "5.7.1 refused by policy" }
        : { kind: "delay", ms };
}

function address(i: number): string {
  if (i % 15 === 0) return `bounce${i}@example.test`;
  if (i % 15 === 7) return `reject${i}@example.test`;
  return `parent${i}@example.test`;
}

for (const dialect of dialects) {
  describe(`credits when a worker process is killed mid-batch [${dialect}]`, () => {
    const res = new ProcessTestResources();
    afterEach(() => res.cleanup());

    it("after a restart, credit charged equals counted mail sent, exactly", async () => {
      const test = await res.openDatabase(dialect);
      const { database } = test;
      // The worker processes run on the system clock, so the messages are accepted on it too.
      const tenantId = await createTestTenant(database, systemClock);
      // A hard limit below what could be sent: metering, holding and refunds all take part.
      await database.db
        .insertInto("credit_settings")
        .values({
          tenant_id: tenantId,
          monthly_allowance: ALLOWANCE,
          over_limit_policy: "hard",
          grace_days: null,
          low_credit_recipients: "[]",
          updated_at: Date.now(),
        })
        .execute();
      await acceptMessages(
        database,
        systemClock,
        tenantId,
        Array.from({ length: MESSAGES }, (_, i) => message({ to: [address(i)], subject: `Note ${i}` })),
      );

      // A slow server keeps the worker mid-batch, charged sends in flight, when it is killed.
      const server = await res.startServer({ behaviour: serverBehaviour(25) });
      const dataDir = await res.makeDataDir("postbag-credits-crash-");
      const env = {
        ...workerEnv({ databaseUrl: test.url, smtpPort: server.port, dataDir }),
        POSTBAG_LEASE_SECONDS: "2",
        POSTBAG_WORKER_POLL_MS: "50",
        POSTBAG_WORKER_CONCURRENCY: String(CONCURRENCY),
        POSTBAG_RELAY_POOL_SIZE: "5",
      };

      const first = res.spawnWorker(env);
      await server.waitForMessages(60, 90_000).catch((err: unknown) => {
        throw new Error(`${String(err)}\nworker output:\n${first.output()}`);
      });
      first.child.kill("SIGKILL");
      expect((await first.exited).signal).toBe("SIGKILL");
      const leased = (await recipientRows(database, tenantId)).filter((r) => r.lease_owner !== null);
      // Rows the dead worker had charged but whose outcome it never wrote: the restarted worker
      // must send them on that charge, not charge them again.
      const chargedInFlight = leased.filter((r) => r.charge !== null);
      expect(chargedInFlight.length).toBeGreaterThan(0);

      server.setBehaviour(serverBehaviour(2));
      const second = res.spawnWorker(env);
      await waitUntil(
        "nothing is due",
        async () => (await recipientRows(database, tenantId)).every((r) => r.next_attempt_at === null),
        90_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\nworker output:\n${second.output()}`);
      });
      second.child.kill("SIGTERM");
      expect(await second.exited).toEqual({ code: 0, signal: null });

      const rows = await recipientRows(database, tenantId);
      const ledger = await database.db
        .selectFrom("credit_ledger")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .execute();
      const period = await database.db
        .selectFrom("credit_periods")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .executeTakeFirstOrThrow();
      const byStatus = new Map<string, number>();
      for (const r of rows) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      const uses = ledger.filter((l) => l.amount < 0);
      const refunds = ledger.filter((l) => l.kind === "refund");
      const sent = rows.filter((r) => r.status === "sent");
      const charged = uses.length - refunds.length;

      // The headline: credit charged (uses minus refunds) == counted recipients sent, exactly.
      expect(charged).toBe(sent.length);
      expect(ledger.reduce((s, l) => s + l.amount, 0)).toBe(-sent.length);
      expect(period.counted).toBe(sent.length);
      expect(sent.length).toBeLessThanOrEqual(ALLOWANCE);

      // No recipient has two use rows (the unique index guarantees it per kind; across kinds too).
      const usesOf = new Map<string, number>();
      for (const u of uses) usesOf.set(u.recipient_id ?? "", (usesOf.get(u.recipient_id ?? "") ?? 0) + 1);
      expect([...usesOf.values()].every((n) => n === 1)).toBe(true);
      const refundsOf = new Set(refunds.map((r) => r.recipient_id));
      expect(refundsOf.size).toBe(refunds.length);

      for (const r of rows) {
        expect(r.lease_owner).toBeNull();
        switch (r.status) {
          case "sent":
            expect(usesOf.get(r.id)).toBe(1);
            expect(refundsOf.has(r.id)).toBe(false);
            expect(r.charge).toMatch(/^allowance:/);
            expect(r.sent_at).not.toBeNull();
            break;
          case "hard_bounce":
          case "rejected":
            // Charged before the attempt, refunded once when it failed for good.
            expect(usesOf.get(r.id)).toBe(1);
            expect(refundsOf.has(r.id)).toBe(true);
            expect(r.charge).toMatch(/^refunded:allowance:/);
            break;
          case "held_no_credit":
            expect(usesOf.has(r.id)).toBe(false);
            expect(r.charge).toBeNull();
            break;
          default:
            throw new Error(`unexpected status ${r.status} for ${r.email}`);
        }
      }
      // 260 deliverable addresses against 200 credits (plus what refunds gave back): some held.
      expect(byStatus.get("held_no_credit") ?? 0).toBeGreaterThan(0);
      expect((byStatus.get("hard_bounce") ?? 0) + (byStatus.get("rejected") ?? 0)).toBeGreaterThan(0);
      console.info(
        `[${dialect}] credits crash test: ${leased.length} rows leased by the dead worker (${chargedInFlight.length} charged), ` +
          `${JSON.stringify(Object.fromEntries(byStatus))}, ${uses.length} uses, ${refunds.length} refunds`,
      );
    }, 240_000);
  });
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

for (const dialect of dialects) {
  describe(`credit follows delivery: refunds for mail never sent [${dialect}]`, () => {
    const res = new ProcessTestResources();
    afterEach(() => res.cleanup());

    async function ledgerOf(database: Database, tenantId: string) {
      const rows = await database.db
        .selectFrom("credit_ledger")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("id")
        .execute();
      const period = await database.db
        .selectFrom("credit_periods")
        .select("counted")
        .where("tenant_id", "=", tenantId)
        .executeTakeFirst();
      const of = (email: string, recipients: { id: string; email: string }[]) => {
        const id = recipients.find((r) => r.email === email)?.id;
        return rows.filter((l) => l.recipient_id === id).map((l) => l.kind);
      };
      return { rows, counted: period?.counted, of };
    }

    it("refunds hard bounces and rejections, charges a soft bounce once, never charges a missing address", async () => {
      const { database } = await res.openDatabase(dialect);
      const clock = new ManualClock(Date.UTC(2026, 4, 12, 9, 0));
      let softReply = true;
      const server = await res.startServer({
        behaviour: (rcpt) => {
          if (rcpt.startsWith("hard")) return { kind: "reply", code: 550, message: "5.1.1 no such user", at: "rcpt" };
          if (rcpt.startsWith("reject")) return { kind: "reply", code: 554, message: "5.7.1 refused by policy" };
          if (rcpt.startsWith("never") || (rcpt.startsWith("soft") && softReply)) {
            return { kind: "reply", code: 451, message: "4.3.0 try again later" };
          }
          return { kind: "accept" };
        },
      });
      const tenantId = await createTestTenant(database, clock);
      await acceptMessages(
        database,
        clock,
        tenantId,
        ["ok", "hard", "reject", "soft", "never"].map((name) => message({ to: [`${name}@example.test`] })),
      );
      await acceptMessages(database, clock, tenantId, [message({ to: [{ name: "No address on record" }] })]);
      const { worker, transport } = newTestWorker({ database, clock, server });
      try {
        await worker.runOnce(50);
        let recipients = await recipientRows(database, tenantId);
        let account = await ledgerOf(database, tenantId);
        expect(Object.fromEntries(recipients.map((r) => [r.email || "(missing)", r.status]))).toEqual({
          "ok@example.test": "sent",
          "hard@example.test": "hard_bounce",
          "reject@example.test": "rejected",
          "soft@example.test": "soft_bounce",
          "never@example.test": "soft_bounce",
          "(missing)": "email_missing",
        });
        expect(account.of("ok@example.test", recipients)).toEqual(["allowance_use"]);
        expect(account.of("hard@example.test", recipients)).toEqual(["allowance_use", "refund"]);
        expect(account.of("reject@example.test", recipients)).toEqual(["allowance_use", "refund"]);
        expect(account.of("soft@example.test", recipients)).toEqual(["allowance_use"]);
        expect(account.of("", recipients)).toEqual([]);
        expect(recipients.find((r) => r.email === "")?.charge).toBeNull();
        expect(account.rows.filter((l) => l.kind === "refund")).toEqual(
          expect.arrayContaining([expect.objectContaining({ amount: 1, period: "2026-05", note: "not delivered" })]),
        );
        // ok, soft and never are charged; the bounce and the rejection gave theirs back.
        expect(account.counted).toBe(3);

        // The soft bounce keeps its charge across retries, and is charged once when sent.
        softReply = false;
        clock.advance(5 * MINUTE);
        expect(await worker.runOnce(50)).toBe(2);
        recipients = await recipientRows(database, tenantId);
        account = await ledgerOf(database, tenantId);
        expect(recipients.find((r) => r.email === "soft@example.test")).toMatchObject({
          status: "sent",
          attempts: 2,
          charge: "allowance:2026-05",
        });
        expect(account.of("soft@example.test", recipients)).toEqual(["allowance_use"]);
        expect(account.counted).toBe(3);

        // A soft bounce whose retry lifetime ends becomes a hard bounce, and is refunded.
        clock.advance(48 * HOUR);
        expect(await worker.runOnce(50)).toBe(1);
        recipients = await recipientRows(database, tenantId);
        account = await ledgerOf(database, tenantId);
        expect(recipients.find((r) => r.email === "never@example.test")).toMatchObject({
          status: "hard_bounce",
          charge: "refunded:allowance:2026-05",
        });
        expect(account.of("never@example.test", recipients)).toEqual(["allowance_use", "refund"]);

        // Charged == sent, exactly: ok and soft.
        expect(account.counted).toBe(2);
        expect(account.rows.reduce((s, l) => s + l.amount, 0)).toBe(-2);
        expect(server.messages.flatMap((m) => m.rcptTo).sort()).toEqual(["ok@example.test", "soft@example.test"]);
      } finally {
        await worker.stop(1_000);
        await transport.close();
      }
    });
  });
}
