import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { creditPeriod, sendHistory, setTimezone } from "./history.js";

interface Day {
  date: string;
  total: number;
  counted: number;
  uncounted: number;
  byCategory: Record<string, number>;
}
interface Overview {
  week: string;
  timezone: string;
  weekStart: string;
  weekEnd: string;
  days: Day[];
  totals: Omit<Day, "date">;
  balance: Record<string, unknown>;
}

const none = { total: 0, counted: 0, uncounted: 0, byCategory: {} };

for (const dialect of dialects) {
  describe(`weekly overview [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    beforeAll(async () => {
      t = await openTestApp(dialect);
      clock = t.clock as ManualClock;
    });
    afterAll(async () => t?.close());

    async function overview(tenant: TestTenant, week?: string): Promise<Overview> {
      const res = await t.inject({
        method: "GET",
        url: `/v1/reports/overview${week ? `?week=${week}` : ""}`,
        headers: tenant.auth("staff"),
      });
      expect(res.statusCode, res.body).toBe(200);
      return json<Overview>(res);
    }

    it("counts sent mail per London day across the spring DST change, by category, counted vs uncounted", async () => {
      clock.set(Date.parse("2026-03-25T12:00:00Z"));
      const a = await t.newTenant("Oakwood");
      const other = await t.newTenant("Elm Park");
      await sendHistory(t, a, [
        // Sunday 22 March, 23:30 GMT: the week before.
        { at: "2026-03-22T23:30:00Z", charge: "allowance:2026-03" },
        { at: "2026-03-23T10:00:00Z", charge: "allowance:2026-03", recipients: 3 },
        { at: "2026-03-23T11:00:00Z", category: "password_reset_system", charge: "uncounted", recipients: 2 },
        // Opened since: still sent on Tuesday.
        {
          at: "2026-03-24T09:00:00Z",
          category: "invitation",
          charge: "grant:2026-03:01J0000000000000000000000G",
          status: "opened",
        },
        { at: "2026-03-24T09:30:00Z", category: "alert", charge: "over:2026-03" },
        // Saturday 28 March 23:30 GMT, then Sunday 29 March, a 23-hour day (clocks go forward at 01:00 GMT).
        { at: "2026-03-28T23:30:00Z", charge: "allowance:2026-03" },
        { at: "2026-03-29T00:30:00Z", charge: "allowance:2026-03" },
        { at: "2026-03-29T22:30:00Z", charge: "allowance:2026-03" },
        // 23:30 UTC on the 29th is 00:30 BST on Monday 30 March: next week.
        { at: "2026-03-29T23:30:00Z", charge: "allowance:2026-03" },
        // Never sent: a hard bounce refunded, and mail still queued.
        { at: null, charge: "refunded:allowance:2026-03", status: "hard_bounce" },
        { at: null, charge: null },
      ]);
      // Another tenant's mail in the same hours is never counted for this one.
      await sendHistory(t, other, [
        { at: "2026-03-23T10:00:00Z", charge: "allowance:2026-03", recipients: 4 },
        { at: "2026-03-29T22:30:00Z", category: "password_reset_system", charge: "uncounted" },
      ]);

      const week = await overview(a, "2026-W13");
      expect(week).toMatchObject({
        week: "2026-W13",
        timezone: "Europe/London",
        weekStart: "2026-03-23",
        weekEnd: "2026-03-29",
      });
      expect(week.days).toEqual([
        {
          date: "2026-03-23",
          total: 5,
          counted: 3,
          uncounted: 2,
          byCategory: { announcement: 3, password_reset_system: 2 },
        },
        { date: "2026-03-24", total: 2, counted: 2, uncounted: 0, byCategory: { invitation: 1, alert: 1 } },
        { date: "2026-03-25", ...none },
        { date: "2026-03-26", ...none },
        { date: "2026-03-27", ...none },
        { date: "2026-03-28", total: 1, counted: 1, uncounted: 0, byCategory: { announcement: 1 } },
        { date: "2026-03-29", total: 2, counted: 2, uncounted: 0, byCategory: { announcement: 2 } },
      ]);
      expect(week.totals).toEqual({
        total: 10,
        counted: 8,
        uncounted: 2,
        byCategory: { announcement: 6, password_reset_system: 2, invitation: 1, alert: 1 },
      });

      const next = await overview(a, "2026-W14");
      expect(next.days[0]).toEqual({
        date: "2026-03-30",
        total: 1,
        counted: 1,
        uncounted: 0,
        byCategory: { announcement: 1 },
      });
      expect((await overview(a, "2026-W12")).days[6]).toMatchObject({ date: "2026-03-22", total: 1 });

      const theirs = await overview(other, "2026-W13");
      expect(theirs.totals).toEqual({
        total: 5,
        counted: 4,
        uncounted: 1,
        byCategory: { announcement: 4, password_reset_system: 1 },
      });
    });

    it("gives the 25-hour day of the autumn change all of its mail", async () => {
      const a = await t.newTenant();
      await sendHistory(t, a, [
        { at: "2026-10-24T22:30:00Z", charge: "allowance:2026-10" }, // Sat 23:30 BST
        { at: "2026-10-24T23:30:00Z", charge: "allowance:2026-10" }, // Sun 00:30 BST
        { at: "2026-10-25T23:30:00Z", charge: "allowance:2026-10" }, // Sun 23:30 GMT
        { at: "2026-10-26T00:30:00Z", charge: "allowance:2026-10" }, // Mon 00:30 GMT: next week
      ]);
      const week = await overview(a, "2026-W43");
      expect(week.days.map((d) => [d.date, d.total])).toEqual([
        ["2026-10-19", 0],
        ["2026-10-20", 0],
        ["2026-10-21", 0],
        ["2026-10-22", 0],
        ["2026-10-23", 0],
        ["2026-10-24", 1],
        ["2026-10-25", 2],
      ]);
    });

    it("buckets a Tokyo tenant's mail by Tokyo days: 23:30 UTC is the next morning there", async () => {
      const b = await t.newTenant("Sakura");
      await setTimezone(t, b.id, "Asia/Tokyo");
      await sendHistory(t, b, [
        { at: "2026-03-08T15:30:00Z", charge: "allowance:2026-03" }, // Mon 9 March 00:30 JST
        { at: "2026-03-10T23:30:00Z", charge: "allowance:2026-03" }, // Wed 11 March 08:30 JST
        { at: "2026-03-15T14:30:00Z", category: "password_reset_system", charge: "uncounted" }, // Sun 23:30 JST
        { at: "2026-03-15T15:30:00Z", charge: "allowance:2026-03" }, // Mon 16 March: next week
      ]);
      const week = await overview(b, "2026-W11");
      expect(week.timezone).toBe("Asia/Tokyo");
      expect(week.days.map((d) => [d.date, d.total, d.counted])).toEqual([
        ["2026-03-09", 1, 1],
        ["2026-03-10", 0, 0],
        ["2026-03-11", 1, 1],
        ["2026-03-12", 0, 0],
        ["2026-03-13", 0, 0],
        ["2026-03-14", 0, 0],
        ["2026-03-15", 1, 0],
      ]);

      // The default week is the tenant's current week: Monday already in Tokyo, still Sunday in London.
      clock.set(Date.parse("2026-03-15T15:30:00Z"));
      expect((await overview(b)).week).toBe("2026-W12");
      const london = await t.newTenant();
      expect((await overview(london)).week).toBe("2026-W11");
    });

    it("defaults to the current week and carries the credit balance of GET /v1/credits", async () => {
      clock.set(Date.parse("2026-03-25T12:00:00Z"));
      const a = await t.newTenant();
      await creditPeriod(t, a.id, "2026-03", 2700);
      const week = await overview(a);
      expect(week).toMatchObject({ week: "2026-W13", weekStart: "2026-03-23", weekEnd: "2026-03-29" });
      expect(week.totals).toEqual(none);
      expect(week.balance).toEqual({
        period: "2026-03",
        periodStart: "2026-03-01T00:00:00.000Z",
        // 1 April 00:00 BST.
        periodEnd: "2026-03-31T23:00:00.000Z",
        monthlyAllowance: 3000,
        usedThisPeriod: 2700,
        packageBalance: 0,
        available: 300,
        state: "low",
        overLimitPolicy: "soft",
        graceDays: 7,
      });
      const credits = await t.inject({ method: "GET", url: "/v1/credits", headers: a.auth() });
      expect(week.balance).toEqual(json(credits));
    });

    it("accepts week 53 only in years that have one, and refuses malformed weeks", async () => {
      const a = await t.newTenant();
      expect(await overview(a, "2026-W53")).toMatchObject({ weekStart: "2026-12-28", weekEnd: "2027-01-03" });
      for (const week of ["2026-W60", "2025-W53", "2026-W00", "2026-13", "2026-W1", "W13"]) {
        const res = await t.inject({ method: "GET", url: `/v1/reports/overview?week=${week}`, headers: a.auth() });
        expect(res.statusCode, week).toBe(400);
        expect(json<ErrorReply>(res).error.code).toBe("invalid_request");
      }
      const unknown = await t.inject({ method: "GET", url: "/v1/reports/overview?day=1", headers: a.auth() });
      expect(unknown.statusCode).toBe(400);
      expect(json<ErrorReply>(unknown).error.code).toBe("unknown_field");
    });

    it("needs a tenant key", async () => {
      const operator = await t.operatorAuth();
      for (const url of ["/v1/reports/overview", "/v1/reports/usage"]) {
        expect((await t.inject({ method: "GET", url })).statusCode).toBe(401);
        expect((await t.inject({ method: "GET", url, headers: operator })).statusCode).toBe(403);
      }
    });
  });
}
