import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";
import { creditPeriod, setTimezone } from "./history.js";

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface OverLimit {
  tenantId: string;
  tenantName: string;
  month: string;
  counted: number;
  allowance: number;
  overSince: string | null;
  lastReminderAt: string | null;
}
interface Offender {
  tenantId: string;
  tenantName: string;
  run: number;
  months: string[];
  overMonths: string[];
}

for (const dialect of dialects) {
  describe(`operator reports [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    let operator: { authorization: string };
    beforeAll(async () => {
      t = await openTestApp(dialect);
      clock = t.clock as ManualClock;
      operator = await t.operatorAuth();
    });
    afterAll(async () => t?.close());

    /** Every item of a paged operator list, following nextCursor with `limit` per page. */
    async function all<T>(url: string, limit = 50): Promise<T[]> {
      const items: T[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const sep = url.includes("?") ? "&" : "?";
        const res = await t.inject({
          method: "GET",
          url: `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
          headers: operator,
        });
        expect(res.statusCode, res.body).toBe(200);
        const page = json<Page<T>>(res);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        items.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) return items;
      }
      throw new Error("paging did not end");
    }

    // The databases are shared by the tests of this file: each test looks only at its own tenants.
    const mine = <T extends { tenantId: string }>(items: T[], ids: string[]) =>
      items.filter((i) => ids.includes(i.tenantId));

    it("lists tenants over their limit in a month, with counts, one page at a time", async () => {
      clock.set(Date.parse("2026-03-20T12:00:00Z"));
      const marked = await t.newTenant("Marked over");
      const counted = await t.newTenant("Counted over");
      const bought = await t.newTenant("Bought a package");
      const under = await t.newTenant("Under");
      const february = await t.newTenant("Over in February");
      await creditPeriod(t, marked.id, "2026-03", 3005, "2026-03-18T10:00:00Z");
      await creditPeriod(t, counted.id, "2026-03", 3100);
      await creditPeriod(t, bought.id, "2026-03", 3100);
      await t.db
        .insertInto("credit_grants")
        .values({
          id: "01J00000000000000000000002",
          tenant_id: bought.id,
          group_id: null,
          source: "package",
          package_id: null,
          credits: 10_000,
          remaining: 9_900,
          expires_at: null,
          created_at: Date.parse("2026-02-20T08:00:00Z"),
          created_by: null,
        })
        .execute();
      await creditPeriod(t, under.id, "2026-03", 100);
      await creditPeriod(t, february.id, "2026-02", 3500, "2026-02-25T10:00:00Z");
      const ids = [marked, counted, bought, under, february].map((x) => x.id);

      const expected = [
        {
          tenantId: marked.id,
          tenantName: "Marked over",
          month: "2026-03",
          counted: 3005,
          allowance: 3000,
          overSince: "2026-03-18T10:00:00.000Z",
          lastReminderAt: null,
          lastContactedAt: null,
        },
        {
          tenantId: counted.id,
          tenantName: "Counted over",
          month: "2026-03",
          counted: 3100,
          allowance: 3000,
          overSince: null,
          lastReminderAt: null,
          lastContactedAt: null,
        },
      ];
      expect(mine(await all<OverLimit>("/v1/operator/reports/over-limit?month=2026-03"), ids)).toEqual(expected);
      // The default is the current month; one item per page gives the same list, each tenant once.
      expect(mine(await all<OverLimit>("/v1/operator/reports/over-limit", 1), ids)).toEqual(expected);
      expect(mine(await all<OverLimit>("/v1/operator/reports/over-limit?month=2026-02"), ids)).toEqual([
        expect.objectContaining({ tenantId: february.id, month: "2026-02", counted: 3500 }),
      ]);
    });

    it("takes each tenant's own current month: already April in Tokyo, still March in London", async () => {
      clock.set(Date.parse("2026-03-31T16:00:00Z"));
      const london = await t.newTenant("London");
      const tokyo = await t.newTenant("Tokyo");
      const tokyoMarch = await t.newTenant("Tokyo, over in March");
      await setTimezone(t, tokyo.id, "Asia/Tokyo");
      await setTimezone(t, tokyoMarch.id, "Asia/Tokyo");
      await creditPeriod(t, london.id, "2026-03", 3001, "2026-03-30T10:00:00Z");
      await creditPeriod(t, tokyo.id, "2026-04", 3001, "2026-03-31T15:30:00Z");
      await creditPeriod(t, tokyoMarch.id, "2026-03", 3001, "2026-03-30T10:00:00Z");
      const items = mine(await all<OverLimit>("/v1/operator/reports/over-limit"), [london.id, tokyo.id, tokyoMarch.id]);
      expect(items.map((i) => [i.tenantName, i.month])).toEqual([
        ["London", "2026-03"],
        ["Tokyo", "2026-04"],
      ]);
    });

    it("lists repeat offenders: over in consecutive months, with the run", async () => {
      clock.set(Date.parse("2026-11-10T12:00:00Z"));
      const sepOct = await t.newTenant("Sep and Oct");
      const augOct = await t.newTenant("Aug and Oct");
      const three = await t.newTenant("Aug to Oct");
      const once = await t.newTenant("Oct only");
      await creditPeriod(t, sepOct.id, "2026-09", 3001, "2026-09-28T10:00:00Z");
      await creditPeriod(t, sepOct.id, "2026-10", 3200, "2026-10-20T10:00:00Z");
      await creditPeriod(t, augOct.id, "2026-08", 3001, "2026-08-28T10:00:00Z");
      await creditPeriod(t, augOct.id, "2026-09", 2000);
      await creditPeriod(t, augOct.id, "2026-10", 3001, "2026-10-28T10:00:00Z");
      await creditPeriod(t, three.id, "2026-08", 3001, "2026-08-28T10:00:00Z");
      // Over by count alone (no package): still over.
      await creditPeriod(t, three.id, "2026-09", 3050);
      await creditPeriod(t, three.id, "2026-10", 3001, "2026-10-28T10:00:00Z");
      await creditPeriod(t, once.id, "2026-10", 3001, "2026-10-28T10:00:00Z");
      const ids = [sepOct, augOct, three, once].map((x) => x.id);

      const expected = [
        {
          tenantId: sepOct.id,
          tenantName: "Sep and Oct",
          run: 2,
          months: ["2026-09", "2026-10"],
          overMonths: ["2026-09", "2026-10"],
          lastContactedAt: null,
        },
        {
          tenantId: three.id,
          tenantName: "Aug to Oct",
          run: 3,
          months: ["2026-08", "2026-09", "2026-10"],
          overMonths: ["2026-08", "2026-09", "2026-10"],
          lastContactedAt: null,
        },
      ];
      expect(mine(await all<Offender>("/v1/operator/reports/repeat-offenders"), ids)).toEqual(expected);
      expect(mine(await all<Offender>("/v1/operator/reports/repeat-offenders?months=12", 1), ids)).toEqual(expected);
      // Three months back from November: September and October are in, August is not.
      expect(
        mine(await all<Offender>("/v1/operator/reports/repeat-offenders?months=3"), ids).map((i) => [i.run, i.months]),
      ).toEqual([
        [2, ["2026-09", "2026-10"]],
        [2, ["2026-09", "2026-10"]],
      ]);
      // October and November only: nobody has two months over.
      expect(mine(await all<Offender>("/v1/operator/reports/repeat-offenders?months=2"), ids)).toEqual([]);
    });

    it("refuses tenant keys and bad parameters", async () => {
      const tenant = await t.newTenant();
      for (const url of ["/v1/operator/reports/over-limit", "/v1/operator/reports/repeat-offenders"]) {
        expect((await t.inject({ method: "GET", url })).statusCode).toBe(401);
        for (const role of ["system", "staff", "administrator"] as const) {
          const res = await t.inject({ method: "GET", url, headers: tenant.auth(role) });
          expect(res.statusCode, `${url} ${role}`).toBe(403);
          expect(json<ErrorReply>(res).error.code).toBe("forbidden");
        }
      }
      const bad: Array<[string, string]> = [
        ["/v1/operator/reports/over-limit?month=2026-13", "invalid_request"],
        ["/v1/operator/reports/over-limit?month=2026-3", "invalid_request"],
        ["/v1/operator/reports/over-limit?limit=0", "invalid_request"],
        ["/v1/operator/reports/over-limit?cursor=nonsense", "invalid_cursor"],
        ["/v1/operator/reports/repeat-offenders?months=0", "invalid_request"],
        ["/v1/operator/reports/repeat-offenders?months=1", "invalid_request"],
        ["/v1/operator/reports/repeat-offenders?months=37", "invalid_request"],
        ["/v1/operator/reports/repeat-offenders?month=2026-01", "unknown_field"],
      ];
      for (const [url, code] of bad) {
        const res = await t.inject({ method: "GET", url, headers: operator });
        expect(res.statusCode, url).toBe(400);
        expect(json<ErrorReply>(res).error.code, url).toBe(code);
      }
    });

    it("describes every report route in the OpenAPI document", async () => {
      const doc = json<{ paths: Record<string, { get?: { parameters?: { name: string }[] } }> }>(
        await t.inject({ method: "GET", url: "/openapi.json" }),
      );
      const params = (path: string) => doc.paths[path]?.get?.parameters?.map((p) => p.name).sort();
      expect(params("/v1/reports/overview")).toEqual(["week"]);
      expect(params("/v1/reports/usage")).toEqual(["months"]);
      expect(params("/v1/operator/reports/over-limit")).toEqual(["cursor", "limit", "month"]);
      expect(params("/v1/operator/reports/repeat-offenders")).toEqual(["cursor", "limit", "months"]);
    });
  });
}
