import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meterBatch } from "../../src/credits/meter.js";
import { createDatabase, type Database } from "../../src/db/database.js";
import { newId } from "../../src/db/ids.js";
import { creditReminders, sendCreditReminders } from "../../src/scheduler/credit-reminders.js";
import { releaseHeldSweep, sweepHeldMail } from "../../src/scheduler/release-held.js";
import { createTenant } from "../../src/tenants/tenants.js";
import { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { acceptCounted, addUser, noticesOf, setCreditSettings, testNoticeSender } from "../support/notices.js";
import { openTestApp, type TestApp } from "../support/test-app.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;

for (const dialect of dialects) {
  describe(`over-limit reminders and the held-mail sweep [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    beforeAll(async () => {
      clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
      t = await openTestApp(dialect, { clock });
    });
    afterAll(async () => {
      await t?.close();
    });

    /** A metered tenant with an allowance of 10, two administrators, staff and a low-credit address. */
    async function overLimitTenant(policy: "soft" | "hard" = "soft") {
      const tenant = await createTenant(t.db, clock, { name: "Oakwood Primary" });
      await addUser(t.db, tenant.id, "administrator", "head@oakwood.test");
      await addUser(t.db, tenant.id, "administrator", "bursar@oakwood.test");
      await addUser(t.db, tenant.id, "administrator", null);
      await addUser(t.db, tenant.id, "staff", "teacher@oakwood.test");
      await setCreditSettings(t.db, tenant.id, { allowance: 10, policy, lowCreditRecipients: ["office@oakwood.test"] });
      return tenant.id;
    }

    /**
     * On PostgreSQL, a pool of its own, as another process would have. better-sqlite3 blocks the
     * thread while it waits for a lock, so two SQLite connections in one process would wait on
     * each other until busy_timeout: there, both schedulers share the connection (Kysely queues
     * their transactions on it), and two processes are covered by the delivery tests.
     */
    const secondConnection = (): Database =>
      dialect === "postgres" ? createDatabase(t.config.databaseUrl) : t.database;

    const meter = async (tenantId: string, count: number) =>
      meterBatch(t.database, await acceptCounted(t.db, tenantId, count, clock.now()), clock.now(), testNoticeSender);

    const remind = async (tenantId: string) =>
      (await sendCreditReminders(t.database, clock.now(), testNoticeSender)).filter((id) => id === tenantId);

    const reminders = async (tenantId: string) =>
      (await noticesOf(t.db, tenantId)).filter((n) => n.subject.startsWith("Reminder"));

    it("reminds every 3 days while over, once per tick, and stops when credit is granted", async () => {
      clock.set(Date.UTC(2026, 0, 5, 9, 0, 0));
      const tenantId = await overLimitTenant();
      // One batch crosses 90% and the limit: the low-credit alert goes out once, to the
      // administrators with an address and the low-credit recipients.
      await meter(tenantId, 12);
      await meter(tenantId, 1);
      const alerts = await noticesOf(t.db, tenantId);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.subject).toMatch(/running low/);
      expect(alerts[0]?.to).toEqual(["bursar@oakwood.test", "head@oakwood.test", "office@oakwood.test"]);

      // That alert already said so: no reminder minutes or a day later.
      expect(await remind(tenantId)).toEqual([]);
      clock.advance(DAY);
      expect(await remind(tenantId)).toEqual([]);
      clock.advance(2 * DAY - 1);
      expect(await remind(tenantId)).toEqual([]);
      clock.advance(1);
      expect(await remind(tenantId)).toEqual([tenantId]);
      expect(await remind(tenantId)).toEqual([]);
      const first = await reminders(tenantId);
      expect(first).toHaveLength(1);
      expect(first[0]?.to).toEqual(["bursar@oakwood.test", "head@oakwood.test", "office@oakwood.test"]);
      expect(first[0]?.subject).toBe("Reminder: Oakwood Primary has no email credit left for January 2026");
      expect(first[0]?.text).toContain("13 counted emails against a monthly allowance of 10");
      expect(first[0]?.text).toContain("still being sent");

      // Three days later, two schedulers find it due at once.
      clock.advance(3 * DAY);
      const other = secondConnection();
      try {
        const jobs = [
          creditReminders(t.database, clock, testNoticeSender),
          creditReminders(other, clock, testNoticeSender),
        ];
        await Promise.all([...jobs.map((j) => j.run()), ...jobs.map((j) => j.run())]);
      } finally {
        if (other !== t.database) await other.close();
      }
      expect(await reminders(tenantId)).toHaveLength(2);

      // Credit arrives: no longer over, so no more reminders.
      await t.db
        .insertInto("credit_grants")
        .values({
          id: newId(),
          tenant_id: tenantId,
          group_id: null,
          source: "package",
          package_id: null,
          credits: 100,
          remaining: 100,
          expires_at: null,
          created_at: clock.now(),
          created_by: null,
        })
        .execute();
      for (let i = 0; i < 4; i++) {
        clock.advance(3 * DAY);
        expect(await remind(tenantId)).toEqual([]);
      }
      expect(await reminders(tenantId)).toHaveLength(2);
    });

    it("reminds at once when the tenant goes over after the 90% alert", async () => {
      clock.set(Date.UTC(2026, 0, 10, 9, 0, 0));
      const tenantId = await overLimitTenant();
      await meter(tenantId, 9);
      expect(await noticesOf(t.db, tenantId)).toHaveLength(1);
      expect(await remind(tenantId)).toEqual([]);
      clock.advance(HOUR);
      await meter(tenantId, 2);
      expect(await remind(tenantId)).toEqual([tenantId]);
      clock.advance(3 * DAY - 1);
      expect(await remind(tenantId)).toEqual([]);
      clock.advance(1);
      expect(await remind(tenantId)).toEqual([tenantId]);
      expect(await reminders(tenantId)).toHaveLength(2);
    });

    it("stops at the end of the period: a new month starts without reminders", async () => {
      clock.set(Date.UTC(2026, 0, 27, 12, 0, 0));
      const tenantId = await overLimitTenant();
      await meter(tenantId, 11);
      clock.advance(3 * DAY); // 30 January
      expect(await remind(tenantId)).toEqual([tenantId]);
      clock.set(Date.UTC(2026, 1, 2, 12, 0, 0)); // 2 February: a reminder would be due by date
      expect(await remind(tenantId)).toEqual([]);
      await meter(tenantId, 1);
      clock.advance(3 * DAY);
      expect(await remind(tenantId)).toEqual([]);
      expect(await reminders(tenantId)).toHaveLength(1);
    });

    it("uses the tenant's own month: Auckland is in February while London is still in January", async () => {
      clock.set(Date.UTC(2026, 0, 26, 12, 0, 0));
      const tenant = await createTenant(t.db, clock, { name: "Kiwi School", timezone: "Pacific/Auckland" });
      await addUser(t.db, tenant.id, "administrator", "head@kiwi.test");
      await setCreditSettings(t.db, tenant.id, { allowance: 10 });
      await meter(tenant.id, 11);
      clock.set(Date.UTC(2026, 0, 31, 10, 0, 0)); // 31 January 23:00 in Auckland
      expect(await remind(tenant.id)).toEqual([tenant.id]);
      clock.set(Date.UTC(2026, 0, 31, 11, 0, 0)); // 1 February 00:00 there
      clock.advance(3 * DAY);
      expect(await remind(tenant.id)).toEqual([]);
    });

    it("never reminds a tenant on its own mail account", async () => {
      clock.set(Date.UTC(2026, 0, 5, 9, 0, 0));
      const tenantId = await overLimitTenant();
      await t.db.updateTable("tenants").set({ sending_mode: "own_account" }).where("id", "=", tenantId).execute();
      await meter(tenantId, 20);
      clock.advance(3 * DAY);
      expect(await remind(tenantId)).toEqual([]);
      expect(await noticesOf(t.db, tenantId)).toEqual([]);
    });

    it("says under a hard limit that counted mail is held", async () => {
      clock.set(Date.UTC(2026, 0, 5, 9, 0, 0));
      const tenantId = await overLimitTenant("hard");
      await meter(tenantId, 9);
      clock.advance(HOUR);
      const result = await meter(tenantId, 3);
      expect(result.held.size).toBe(2);
      expect(await remind(tenantId)).toEqual([tenantId]);
      expect((await reminders(tenantId))[0]?.text).toContain("Counted mail is being held");
    });

    it("releases held mail once the tenant can send again, and not before", async () => {
      clock.set(Date.UTC(2026, 0, 20, 9, 0, 0));
      const statuses = async (tenantId: string) =>
        (
          await t.db
            .selectFrom("recipients")
            .select("status")
            .where("tenant_id", "=", tenantId)
            .where("message_id", "in", (eb) =>
              eb.selectFrom("messages").select("id").where("tenant_id", "=", tenantId).where("source", "=", "api"),
            )
            .execute()
        )
          .map((r) => r.status)
          .sort();
      const sweep = async (tenantId: string) => (await sweepHeldMail(t.database, clock.now())).get(tenantId) ?? 0;

      const granted = await overLimitTenant("hard");
      const nextMonth = await overLimitTenant("hard");
      const softened = await overLimitTenant("hard");
      for (const id of [granted, nextMonth, softened]) expect((await meter(id, 12)).held.size).toBe(2);

      expect(await sweep(granted)).toBe(0);
      expect(await sweep(nextMonth)).toBe(0);
      expect(await sweep(softened)).toBe(0);
      expect(await statuses(granted)).toContain("held_no_credit");

      await t.db
        .insertInto("credit_grants")
        .values({
          id: newId(),
          tenant_id: granted,
          group_id: null,
          source: "adjustment",
          package_id: null,
          credits: 5,
          remaining: 5,
          expires_at: null,
          created_at: clock.now(),
          created_by: null,
        })
        .execute();
      await setCreditSettings(t.db, softened, { allowance: 10, policy: "soft" });
      const job = releaseHeldSweep(t.database, clock, (await import("pino")).pino({ level: "silent" }));
      await job.run();
      expect(await statuses(granted)).not.toContain("held_no_credit");
      expect(await statuses(softened)).not.toContain("held_no_credit");
      expect(await statuses(nextMonth)).toContain("held_no_credit");

      clock.set(Date.UTC(2026, 1, 1, 0, 0, 0)); // midnight in London: a new allowance
      expect(await sweep(nextMonth)).toBe(2);
      expect(await statuses(nextMonth)).toEqual([...Array(10).fill("queued"), "queued", "queued"].sort());
    });
  });
}
