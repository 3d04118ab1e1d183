import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseHeld } from "../../src/credits/held.js";
import { currentAvailability } from "../../src/credits/meter.js";
import {
  defaultOperatorCreditSettings,
  type OverLimitPolicy,
  periodAt,
  putOperatorCreditSettings,
  tenantCreditRules,
} from "../../src/credits/settings.js";
import { newId } from "../../src/db/ids.js";
import type { SendMessageInput } from "../../src/messages/prepare.js";
import { createTenant } from "../../src/tenants/tenants.js";
import { ManualClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { acceptMessages, createTestTenant, message, newTestWorker, recipientRows } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";

/**
 * Seed 000 (the vendor's FAQ) turned into tests: each example of the seed, run through the
 * real pipeline (accept, meter at claim, send over SMTP, record) on both databases.
 */

const JAN_15 = Date.UTC(2026, 0, 15, 9, 0);

for (const dialect of dialects) {
  describe(`docs/credits.md examples [${dialect}]`, () => {
    let test: TestDatabase;
    let server: TestSmtpServer;
    beforeAll(async () => {
      test = await openTestDatabase(dialect);
      // Addresses starting with "bounce" do not exist (refunded); everything else is accepted.
      server = await startTestSmtpServer({
        behaviour: (rcpt) =>
          rcpt.startsWith("bounce")
            ? { kind: "reply", code: 550, message: "5.1.1 no such user", at: "rcpt" }
            : { kind: "accept" },
      });
    });
    afterAll(async () => {
      await server?.close();
      await test?.drop();
    });

    /** Delivers everything due now (notices queued while metering included), then stops. */
    async function deliver(clock: ManualClock): Promise<void> {
      const { worker, transport } = newTestWorker({ database: test.database, clock, server });
      try {
        while ((await worker.runOnce(100)) > 0) {}
      } finally {
        await worker.stop(1_000);
        await transport.close();
      }
    }

    async function send(clock: ManualClock, tenantId: string, inputs: readonly Partial<SendMessageInput>[]) {
      await acceptMessages(
        test.database,
        clock,
        tenantId,
        inputs.map((i) => message(i)),
      );
      await deliver(clock);
    }

    async function setCredit(
      tenantId: string,
      settings: { allowance?: number; policy?: OverLimitPolicy; lowCreditRecipients?: string[] },
    ) {
      await test.database.db
        .insertInto("credit_settings")
        .values({
          tenant_id: tenantId,
          monthly_allowance: settings.allowance ?? null,
          over_limit_policy: settings.policy ?? null,
          grace_days: null,
          low_credit_recipients: JSON.stringify(settings.lowCreditRecipients ?? []),
          updated_at: JAN_15,
        })
        .execute();
    }

    /** Counted mail earlier in the month, as the period counter holds it. */
    async function usedEarlier(tenantId: string, period: string, counted: number) {
      await test.database.db
        .insertInto("credit_periods")
        .values({ tenant_id: tenantId, period, counted, low_alert_at: null, over_at: null, last_reminder_at: null })
        .execute();
    }

    /** A purchase as the purchase API records it: a `package` grant. */
    async function buy(tenantId: string, credits: number, at: number, remaining = credits): Promise<string> {
      const id = newId(at);
      await test.database.db
        .insertInto("credit_grants")
        .values({
          id,
          tenant_id: tenantId,
          group_id: null,
          source: "package",
          package_id: null,
          credits,
          remaining,
          expires_at: null,
          created_at: at,
          created_by: null,
        })
        .execute();
      return id;
    }

    async function ledger(tenantId: string) {
      return test.database.db
        .selectFrom("credit_ledger")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("id")
        .execute();
    }

    async function counted(tenantId: string, period: string): Promise<number | undefined> {
      const row = await test.database.db
        .selectFrom("credit_periods")
        .select("counted")
        .where("tenant_id", "=", tenantId)
        .where("period", "=", period)
        .executeTakeFirst();
      return row?.counted;
    }

    /** Recipient address -> [status, charge]. */
    async function outcomes(tenantId: string) {
      const rows = await recipientRows(test.database, tenantId);
      return Object.fromEntries(rows.map((r) => [r.email, [r.status, r.charge]]));
    }

    it("gives 3000 free emails a month", async () => {
      const clock = new ManualClock(JAN_15);
      const tenantId = await createTestTenant(test.database, clock);
      expect((await tenantCreditRules(test.database.db, tenantId))?.monthlyAllowance).toBe(3000);
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({
        available: 3000,
        counted: 0,
        state: "ok",
      });
      await send(clock, tenantId, [{ to: ["a@example.test"] }, { to: ["b@example.test"] }]);
      expect(await outcomes(tenantId)).toEqual({
        "a@example.test": ["sent", "allowance:2026-01"],
        "b@example.test": ["sent", "allowance:2026-01"],
      });
      expect((await ledger(tenantId)).map((l) => [l.kind, l.amount, l.period])).toEqual([
        ["allowance_use", -1, "2026-01"],
        ["allowance_use", -1, "2026-01"],
      ]);
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({ available: 2998 });
    });

    it("does not roll unused credit over: the 1st of the month starts again at 3000", async () => {
      const clock = new ManualClock(JAN_15);
      const tenantId = await createTestTenant(test.database, clock);
      await send(clock, tenantId, [{ to: ["jan@example.test"] }]);
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({ available: 2999 });

      clock.set(Date.UTC(2026, 1, 1, 0, 0)); // midnight on 1 February in London (GMT)
      const feb = await currentAvailability(test.database, tenantId, clock.now());
      expect(feb).toMatchObject({ available: 3000, counted: 0 });
      expect(feb?.period.key).toBe("2026-02");
      await send(clock, tenantId, [{ to: ["feb@example.test"] }]);
      expect(await outcomes(tenantId)).toEqual({
        "jan@example.test": ["sent", "allowance:2026-01"],
        "feb@example.test": ["sent", "allowance:2026-02"],
      });
      expect(await counted(tenantId, "2026-01")).toBe(1);
      expect(await counted(tenantId, "2026-02")).toBe(1);
    });

    it("resumes held mail in the new month, on the new month's allowance", async () => {
      const clock = new ManualClock(Date.UTC(2026, 0, 31, 12, 0));
      const tenantId = await createTestTenant(test.database, clock);
      await setCredit(tenantId, { policy: "hard" });
      await usedEarlier(tenantId, "2026-01", 3000);
      await send(clock, tenantId, [{ to: ["late@example.test"] }]);
      expect(await outcomes(tenantId)).toEqual({ "late@example.test": ["held_no_credit", null] });

      clock.set(Date.UTC(2026, 1, 1, 0, 5));
      expect(await releaseHeld(test.database, tenantId, clock.now())).toBe(1);
      await deliver(clock);
      expect(await outcomes(tenantId)).toEqual({ "late@example.test": ["sent", "allowance:2026-02"] });
      expect(await counted(tenantId, "2026-01")).toBe(3000);
      expect(await counted(tenantId, "2026-02")).toBe(1);
    });

    it("alerts once at 90%: to administrators with an email and the low-credit recipients", async () => {
      const clock = new ManualClock(JAN_15);
      const tenantId = await createTestTenant(test.database, clock);
      const users = [
        { name: "Head", email: "head@school.test", role: "administrator" },
        { name: "Bursar", email: "bursar@school.test", role: "administrator" },
        { name: "No address", email: null, role: "administrator" },
        { name: "Teacher", email: "teacher@school.test", role: "staff" },
      ];
      await test.database.db
        .insertInto("users")
        .values(users.map((u) => ({ id: newId(clock.now()), tenant_id: tenantId, created_at: clock.now(), ...u })))
        .execute();
      await setCredit(tenantId, { lowCreditRecipients: ["office@school.test"] });
      await usedEarlier(tenantId, "2026-01", 2690);

      // 2,700 counted: the first crossing of 90% of 3000. Five of these bounce (refunded), which
      // takes the tenant back under 90%; five more cross it again.
      await send(clock, tenantId, [
        ...Array.from({ length: 5 }, (_, i) => ({ to: [`p${i}@example.test`] })),
        ...Array.from({ length: 5 }, (_, i) => ({ to: [`bounce${i}@example.test`] })),
      ]);
      expect(await counted(tenantId, "2026-01")).toBe(2695);
      const alerted = await test.database.db
        .selectFrom("messages")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("category", "=", "notice")
        .orderBy("id")
        .execute();
      expect(alerted.length).toBeGreaterThan(0);
      clock.advance(60_000);
      await send(
        clock,
        tenantId,
        Array.from({ length: 5 }, (_, i) => ({ to: [`q${i}@example.test`] })),
      );
      expect(await counted(tenantId, "2026-01")).toBe(2700);

      // One alert for the month: each of its people got it once (the email to each may be a
      // message of its own), and the second crossing queued nothing.
      const noticeRecipients = await test.database.db
        .selectFrom("recipients")
        .innerJoin("messages", "messages.id", "recipients.message_id")
        .select(["recipients.email", "recipients.status", "recipients.charge", "messages.subject"])
        .where("recipients.tenant_id", "=", tenantId)
        .where("messages.category", "=", "notice")
        .execute();
      expect(noticeRecipients.map((r) => r.email).sort()).toEqual([
        "bursar@school.test",
        "head@school.test",
        "office@school.test",
      ]);
      for (const r of noticeRecipients) expect(r.subject).toBe("Your email credit is running low");
      const notices = await test.database.db
        .selectFrom("messages")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("category", "=", "notice")
        .orderBy("id")
        .execute();
      expect(notices).toEqual(alerted);
      // Postbag's own notices go out through the pipeline and never count.
      for (const r of noticeRecipients) expect(r).toMatchObject({ status: "sent", charge: "uncounted" });
      expect((await ledger(tenantId)).filter((l) => l.kind === "allowance_use")).toHaveLength(15);
    });

    it("buying 10,000 gives 10,000, not 13,000", async () => {
      const clock = new ManualClock(Date.UTC(2026, 0, 1, 8, 0));
      const tenantId = await createTestTenant(test.database, clock);
      await setCredit(tenantId, { policy: "hard" });
      const grantId = await buy(tenantId, 10_000, clock.now());
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({
        available: 10_000,
        grantBalance: 10_000,
      });
      await send(clock, tenantId, [{ to: ["a@example.test"] }, { to: ["b@example.test"] }]);
      expect(await outcomes(tenantId)).toEqual({
        "a@example.test": ["sent", `grant:2026-01:${grantId}`],
        "b@example.test": ["sent", `grant:2026-01:${grantId}`],
      });
      expect((await ledger(tenantId)).map((l) => [l.kind, l.grant_id])).toEqual([
        ["package_use", grantId],
        ["package_use", grantId],
      ]);
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({ available: 9_998 });

      // Later that month, 9,999 of the package are spent: one left, and the free allowance is
      // not on top of it (3000 minus 9,999 counted this month is nothing).
      await test.database.db.updateTable("credit_grants").set({ remaining: 1 }).where("id", "=", grantId).execute();
      await test.database.db
        .updateTable("credit_periods")
        .set({ counted: 9_999 })
        .where("tenant_id", "=", tenantId)
        .execute();
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({ available: 1 });
      await send(clock, tenantId, [{ to: ["c@example.test"] }, { to: ["d@example.test"] }]);
      const after = await outcomes(tenantId);
      // Which of the two gets the last credit is the claim's order; one does, the other waits.
      expect(new Set([after["c@example.test"], after["d@example.test"]])).toEqual(
        new Set([
          ["sent", `grant:2026-01:${grantId}`],
          ["held_no_credit", null],
        ]),
      );
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({
        available: 0,
        state: "over",
      });
    });

    it("falls back to what is left of the month's allowance once a small package is used up", async () => {
      const clock = new ManualClock(JAN_15);
      const tenantId = await createTestTenant(test.database, clock);
      await setCredit(tenantId, { policy: "hard" });
      await usedEarlier(tenantId, "2026-01", 2998);
      await buy(tenantId, 1, clock.now());
      // The purchased credit first (2,999 counted), then what is left of the allowance,
      // 3000 - 2,999 = 1, then nothing: two can go out.
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({ available: 2 });
      await send(clock, tenantId, [{ to: ["a@example.test"] }, { to: ["b@example.test"] }, { to: ["c@example.test"] }]);
      expect((await ledger(tenantId)).map((l) => l.kind)).toEqual(["package_use", "allowance_use"]);
      expect(
        Object.values(await outcomes(tenantId))
          .map(([status]) => status)
          .sort(),
      ).toEqual(["held_no_credit", "sent", "sent"]);
      expect(await currentAvailability(test.database, tenantId, clock.now())).toMatchObject({
        available: 0,
        counted: 3000,
      });
    });

    it("does not count password resets for system users; counts those for parents", async () => {
      const clock = new ManualClock(JAN_15);
      const tenantId = await createTestTenant(test.database, clock);
      await send(clock, tenantId, [
        { to: ["staff@school.test"], category: "password_reset_system" },
        { to: ["parent@example.test"], category: "password_reset_parent" },
        { to: ["invite@example.test"], category: "invitation" },
      ]);
      expect(await outcomes(tenantId)).toEqual({
        "staff@school.test": ["sent", "uncounted"],
        "parent@example.test": ["sent", "allowance:2026-01"],
        "invite@example.test": ["sent", "allowance:2026-01"],
      });
      expect(await ledger(tenantId)).toHaveLength(2);
      expect(await counted(tenantId, "2026-01")).toBe(2);
    });

    it("never holds critical categories under a hard limit", async () => {
      const clock = new ManualClock(JAN_15);
      const tenantId = await createTestTenant(test.database, clock);
      await setCredit(tenantId, { policy: "hard", allowance: 0 });
      await send(clock, tenantId, [
        { to: ["news@example.test"], category: "announcement" },
        { to: ["parent@example.test"], category: "password_reset_parent" },
        { to: ["staff@school.test"], category: "password_reset_system" },
      ]);
      expect(await outcomes(tenantId)).toEqual({
        "news@example.test": ["held_no_credit", null],
        "parent@example.test": ["sent", "over:2026-01"],
        "staff@school.test": ["sent", "uncounted"],
      });
      expect((await ledger(tenantId)).map((l) => l.kind)).toEqual(["over_limit_use"]);
    });

    it("lets the operator choose the exempt and critical categories", async () => {
      const clock = new ManualClock(JAN_15);
      const tenantId = await createTestTenant(test.database, clock);
      await setCredit(tenantId, { policy: "hard", allowance: 1 });
      try {
        await putOperatorCreditSettings(test.database.db, clock.now(), {
          exemptCategories: ["alert"],
          criticalCategories: ["alert"],
        });
        await send(clock, tenantId, [
          { to: ["alert@example.test"], category: "alert" },
          { to: ["staff@school.test"], category: "password_reset_system" },
          { to: ["parent@example.test"], category: "password_reset_parent" },
        ]);
        const o = await outcomes(tenantId);
        expect(o["alert@example.test"]).toEqual(["sent", "uncounted"]);
        // No longer exempt, so counted; no longer critical, so the second of the two is held.
        expect([o["staff@school.test"], o["parent@example.test"]].map((outcome) => outcome?.[0]).sort()).toEqual([
          "held_no_credit",
          "sent",
        ]);
        expect((await ledger(tenantId)).map((l) => l.kind)).toEqual(["allowance_use"]);
      } finally {
        await putOperatorCreditSettings(test.database.db, clock.now(), defaultOperatorCreditSettings);
      }
    });

    it("never meters a tenant that sends through its own mail account", async () => {
      const clock = new ManualClock(JAN_15);
      const tenantId = await createTestTenant(test.database, clock);
      await setCredit(tenantId, { policy: "hard", allowance: 0 });
      await test.database.db
        .updateTable("tenants")
        .set({ sending_mode: "own_account" })
        .where("id", "=", tenantId)
        .execute();
      await send(clock, tenantId, [{ to: ["a@example.test"] }, { to: ["b@example.test"] }]);
      expect(await outcomes(tenantId)).toEqual({
        "a@example.test": ["sent", "uncounted"],
        "b@example.test": ["sent", "uncounted"],
      });
      expect(await ledger(tenantId)).toEqual([]);
      expect(await counted(tenantId, "2026-01")).toBeUndefined();
    });

    it("puts a message in the tenant's own month: 23:30Z on 31 March is April in London, March in New York", async () => {
      const at = Date.UTC(2026, 2, 31, 23, 30);
      const clock = new ManualClock(at);
      const london = (await createTenant(test.database.db, clock, { name: "London school" })).id;
      const newYork = (
        await createTenant(test.database.db, clock, { name: "New York school", timezone: "America/New_York" })
      ).id;
      // London is on BST since 29 March: 23:30Z is 00:30 on 1 April; its April began at 23:00Z.
      expect(periodAt(at, "Europe/London")).toEqual({
        key: "2026-04",
        start: Date.UTC(2026, 2, 31, 23, 0),
        end: Date.UTC(2026, 3, 30, 23, 0),
      });
      expect(periodAt(at, "America/New_York")).toEqual({
        key: "2026-03",
        start: Date.UTC(2026, 2, 1, 5, 0), // EST before the 8 March change
        end: Date.UTC(2026, 3, 1, 4, 0), // EDT after it
      });
      await acceptMessages(test.database, clock, london, [message({ to: ["london@example.test"] })]);
      await acceptMessages(test.database, clock, newYork, [message({ to: ["nyc@example.test"] })]);
      await deliver(clock);
      expect(await outcomes(london)).toEqual({ "london@example.test": ["sent", "allowance:2026-04"] });
      expect(await outcomes(newYork)).toEqual({ "nyc@example.test": ["sent", "allowance:2026-03"] });
      expect((await ledger(london)).map((l) => l.period)).toEqual(["2026-04"]);
      expect((await ledger(newYork)).map((l) => l.period)).toEqual(["2026-03"]);
      expect(await counted(london, "2026-04")).toBe(1);
      expect(await counted(newYork, "2026-03")).toBe(1);
    });
  });
}
