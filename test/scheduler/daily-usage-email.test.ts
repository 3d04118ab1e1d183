import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import {
  type DailyUsageSettings,
  dailyUsageEmail,
  sendDailyUsageEmails,
} from "../../src/scheduler/daily-usage-email.js";
import { createTenant } from "../../src/tenants/tenants.js";
import { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { acceptCounted, addUser, markSent, noticesOf, setCreditSettings } from "../support/notices.js";
import { openTestApp, TEST_SENDER_DOMAIN, type TestApp } from "../support/test-app.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

for (const dialect of dialects) {
  describe(`daily usage email [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    let settings: DailyUsageSettings;
    beforeAll(async () => {
      clock = new ManualClock(Date.UTC(2026, 0, 13, 12, 0, 0));
      t = await openTestApp(dialect, { clock });
      settings = { senderDomain: TEST_SENDER_DOMAIN, publicUrl: t.config.publicUrl, secretKey: t.config.secretKey };
    });
    afterAll(async () => {
      await t?.close();
    });

    /** Runs the job at `at`; returns which of `ids` it sent to. */
    async function runAt(at: number, ids: readonly string[]): Promise<string[]> {
      clock.set(at);
      return (await sendDailyUsageEmails(t.database, clock.now(), settings)).filter((id) => ids.includes(id));
    }

    async function school(name: string, timezone: string) {
      const tenant = await createTenant(t.db, clock, { name, timezone });
      await addUser(t.db, tenant.id, "administrator", `head@${tenant.id.toLowerCase()}.test`);
      await addUser(t.db, tenant.id, "administrator", `deputy@${tenant.id.toLowerCase()}.test`);
      await addUser(t.db, tenant.id, "administrator", null);
      await addUser(t.db, tenant.id, "staff", `teacher@${tenant.id.toLowerCase()}.test`);
      return tenant.id;
    }

    it("goes out at 10:00 local time in London and Kolkata, once a day", async () => {
      clock.set(Date.UTC(2026, 0, 13, 12, 0, 0));
      const london = await school("London School", "Europe/London");
      const kolkata = await school("Kolkata School", "Asia/Kolkata");
      const both = [london, kolkata];
      // 14 January: Kolkata is UTC+5:30, so its 10:00 is 04:30 UTC; London's is 10:00 UTC.
      expect(await runAt(Date.UTC(2026, 0, 14, 4, 29, 59), both)).toEqual([]);
      expect(await runAt(Date.UTC(2026, 0, 14, 4, 30), both)).toEqual([kolkata]);
      expect(await runAt(Date.UTC(2026, 0, 14, 4, 31), both)).toEqual([]);
      expect(await runAt(Date.UTC(2026, 0, 14, 9, 59), both)).toEqual([]);
      expect(await runAt(Date.UTC(2026, 0, 14, 10, 0), both)).toEqual([london]);
      expect(await runAt(Date.UTC(2026, 0, 14, 10, 0), both)).toEqual([]);
      expect(await runAt(Date.UTC(2026, 0, 14, 18, 29), both)).toEqual([]); // 23:59 in Kolkata
      expect(await runAt(Date.UTC(2026, 0, 14, 23, 59), both)).toEqual([]);
      // 15 January.
      expect(await runAt(Date.UTC(2026, 0, 15, 4, 30), both)).toEqual([kolkata]);
      expect(await runAt(Date.UTC(2026, 0, 15, 10, 0), both)).toEqual([london]);

      for (const id of both) {
        const notices = await noticesOf(t.db, id);
        expect(notices).toHaveLength(2);
        for (const n of notices) {
          // Every administrator with an address; not staff.
          expect(n.to).toEqual([`deputy@${id.toLowerCase()}.test`, `head@${id.toLowerCase()}.test`]);
          expect(n.text).toMatch(/http:\/\/postbag\.test\/usage\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/);
        }
      }
      expect((await noticesOf(t.db, kolkata))[0]?.subject).toBe("Email usage for Kolkata School: January 2026");
    });

    it("catches up after 10:00 when the scheduler was not running at 10:00", async () => {
      clock.set(Date.UTC(2026, 0, 20, 0, 0));
      const london = await school("Late School", "Europe/London");
      expect(await runAt(Date.UTC(2026, 0, 20, 16, 45), [london])).toEqual([london]);
      expect(await runAt(Date.UTC(2026, 0, 20, 23, 0), [london])).toEqual([]);
    });

    it("sends once at 10:00 local on the days the clocks change", async () => {
      clock.set(Date.UTC(2026, 2, 27, 12, 0));
      const london = await school("Summer Time School", "Europe/London");
      // 28 March: GMT, 10:00 local is 10:00 UTC.
      expect(await runAt(Date.UTC(2026, 2, 28, 9, 59), [london])).toEqual([]);
      expect(await runAt(Date.UTC(2026, 2, 28, 10, 0), [london])).toEqual([london]);
      // 29 March: clocks go forward at 01:00 UTC; 10:00 BST is 09:00 UTC.
      expect(await runAt(Date.UTC(2026, 2, 29, 0, 59), [london])).toEqual([]);
      expect(await runAt(Date.UTC(2026, 2, 29, 8, 59), [london])).toEqual([]);
      expect(await runAt(Date.UTC(2026, 2, 29, 9, 0), [london])).toEqual([london]);
      expect(await runAt(Date.UTC(2026, 2, 29, 10, 0), [london])).toEqual([]);
      expect(await runAt(Date.UTC(2026, 2, 29, 22, 59), [london])).toEqual([]); // 23:59 BST
      // 30 March: BST.
      expect(await runAt(Date.UTC(2026, 2, 30, 9, 0), [london])).toEqual([london]);
      // 25 October: clocks go back at 01:00 UTC; 10:00 GMT is 10:00 UTC again.
      expect(await runAt(Date.UTC(2026, 9, 24, 9, 0), [london])).toEqual([london]);
      expect(await runAt(Date.UTC(2026, 9, 25, 9, 0), [london])).toEqual([]);
      expect(await runAt(Date.UTC(2026, 9, 25, 9, 59), [london])).toEqual([]);
      expect(await runAt(Date.UTC(2026, 9, 25, 10, 0), [london])).toEqual([london]);
      expect(await noticesOf(t.db, london)).toHaveLength(5);
    });

    it("is sent once when several schedulers run at the same minute", async () => {
      clock.set(Date.UTC(2026, 1, 2, 8, 0));
      const london = await school("Busy School", "Europe/London");
      clock.set(Date.UTC(2026, 1, 2, 10, 0, 15));
      // See test/scheduler/credit-reminders.test.ts: a second pool on PostgreSQL only.
      const other: Database = dialect === "postgres" ? createDatabase(t.config.databaseUrl) : t.database;
      try {
        const jobs = [dailyUsageEmail(t.database, clock, settings), dailyUsageEmail(other, clock, settings)];
        await Promise.all([...jobs, ...jobs].map((j) => j.run()));
      } finally {
        if (other !== t.database) await other.close();
      }
      expect(await noticesOf(t.db, london)).toHaveLength(1);
    });

    it("goes only to tenants on the built-in service, and marks a day without administrators done", async () => {
      clock.set(Date.UTC(2026, 1, 3, 8, 0));
      const own = await school("Own Account School", "Europe/London");
      await t.db.updateTable("tenants").set({ sending_mode: "own_account" }).where("id", "=", own).execute();
      const nobody = (await createTenant(t.db, clock, { name: "No Admins" })).id;
      await addUser(t.db, nobody, "staff", "teacher@noadmins.test");
      expect(await runAt(Date.UTC(2026, 1, 3, 10, 0), [own, nobody])).toEqual([nobody]);
      expect(await noticesOf(t.db, own)).toEqual([]);
      expect(await noticesOf(t.db, nobody)).toEqual([]);
      expect(await runAt(Date.UTC(2026, 1, 3, 10, 1), [own, nobody])).toEqual([]);
    });

    it("summarises the month, and its link opens that tenant's usage page", async () => {
      clock.set(Date.UTC(2026, 1, 1, 9, 0));
      const tenantId = await school("Linked School", "Europe/London");
      const other = await school("Other School", "Europe/London");
      await setCreditSettings(t.db, tenantId, { allowance: 10 });
      // 4 counted and 1 uncounted sent on 2 February; the other school sent 7.
      const sentAt = Date.UTC(2026, 1, 2, 14, 0);
      const counted = await acceptCounted(t.db, tenantId, 4, sentAt);
      await markSent(
        t.db,
        tenantId,
        counted.map((r) => r.recipientId),
        sentAt,
        "allowance:2026-02",
      );
      const exempt = await acceptCounted(t.db, tenantId, 1, sentAt, "password_reset_system");
      await markSent(
        t.db,
        tenantId,
        exempt.map((r) => r.recipientId),
        sentAt,
        "uncounted",
      );
      const theirs = await acceptCounted(t.db, other, 7, sentAt);
      await markSent(
        t.db,
        other,
        theirs.map((r) => r.recipientId),
        sentAt,
        "allowance:2026-02",
      );
      await t.db
        .insertInto("credit_periods")
        .values({
          tenant_id: tenantId,
          period: "2026-02",
          counted: 4,
          low_alert_at: null,
          over_at: null,
          last_reminder_at: null,
        })
        .execute();

      expect(await runAt(Date.UTC(2026, 1, 3, 10, 0), [tenantId])).toEqual([tenantId]);
      const [notice] = await noticesOf(t.db, tenantId);
      expect(notice?.text).toContain("Counted emails this month: 4");
      expect(notice?.text).toContain("Can still be sent: 6");
      expect(notice?.text).toContain("State: within the limit");
      expect(notice?.html).toContain("Counted emails this month");
      const url = /(http:\/\/postbag\.test\/usage\/\S+)/.exec(notice?.text ?? "")?.[1];
      expect(url).toBeDefined();
      expect(notice?.html).toContain(`href="${url}"`);

      const res = await t.inject({ method: "GET", url: (url ?? "").replace("http://postbag.test", "") });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.body).toContain("<h1>Linked School</h1>");
      expect(res.body).toContain("February 2026");
      expect(res.body).toContain("<tr><td>Mon 2 Feb</td><td>4</td><td>1</td><td>5</td></tr>");
      expect(res.body).toContain("<tr><td>Tue 3 Feb</td><td>0</td><td>0</td><td>0</td></tr>");
      expect(res.body).not.toContain("Wed 4 Feb");
      expect(res.body).not.toContain("Other School");

      // Fourteen days later the link has expired; the day's new email carries a fresh one.
      clock.set(Date.UTC(2026, 1, 3, 10, 0) + 14 * DAY - MINUTE);
      expect((await t.inject({ method: "GET", url: (url ?? "").replace("http://postbag.test", "") })).statusCode).toBe(
        200,
      );
      clock.advance(MINUTE);
      const expired = await t.inject({ method: "GET", url: (url ?? "").replace("http://postbag.test", "") });
      expect(expired.statusCode).toBe(403);
      expect(expired.body).toContain("expired");
      expect(expired.body).not.toContain("Linked School");
    });
  });
}
