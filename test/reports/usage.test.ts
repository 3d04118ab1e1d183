import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { creditPeriod, sendHistory, setTimezone } from "./history.js";

interface Month {
  month: string;
  counted: number;
  uncounted: number;
  allowance: number;
  overLimit: boolean;
}

for (const dialect of dialects) {
  describe(`usage by month [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    beforeAll(async () => {
      t = await openTestApp(dialect);
      clock = t.clock as ManualClock;
    });
    afterAll(async () => t?.close());

    async function usage(tenant: TestTenant, months?: number): Promise<Month[]> {
      const res = await t.inject({
        method: "GET",
        url: `/v1/reports/usage${months === undefined ? "" : `?months=${months}`}`,
        headers: tenant.auth("administrator"),
      });
      expect(res.statusCode, res.body).toBe(200);
      return json<Month[]>(res);
    }

    async function allowance(tenantId: string, monthly: number) {
      await t.db
        .insertInto("credit_settings")
        .values({
          tenant_id: tenantId,
          monthly_allowance: monthly,
          over_limit_policy: null,
          grace_days: null,
          low_credit_recipients: "[]",
          updated_at: clock.now(),
        })
        .execute();
    }

    it("counts each month in the tenant's zone, the current month first, and flags months over the limit", async () => {
      clock.set(Date.parse("2026-04-15T12:00:00Z"));
      const a = await t.newTenant();
      const other = await t.newTenant();
      await allowance(a.id, 2);
      await sendHistory(t, a, [
        // 31 January 23:30 GMT: January.
        { at: "2026-01-31T23:30:00Z", charge: "allowance:2026-01" },
        { at: "2026-02-10T09:00:00Z", charge: "allowance:2026-02", recipients: 2 },
        { at: "2026-02-11T09:00:00Z", category: "password_reset_system", charge: "uncounted" },
        { at: "2026-03-05T09:00:00Z", charge: "allowance:2026-03", recipients: 2 },
        // 31 March 23:30 BST: still March.
        { at: "2026-03-31T22:30:00Z", charge: "over:2026-03" },
        // 00:30 BST on 1 April: April.
        { at: "2026-03-31T23:30:00Z", charge: "allowance:2026-04" },
        { at: "2026-04-02T09:00:00Z", category: "password_reset_system", charge: "uncounted", recipients: 3 },
        { at: "2026-04-03T09:00:00Z", category: "invitation", charge: "over:2026-04", status: "opened" },
        { at: null, charge: "refunded:allowance:2026-04", status: "rejected" },
        { at: null, charge: null },
      ]);
      await sendHistory(t, other, [{ at: "2026-04-02T09:00:00Z", charge: "allowance:2026-04", recipients: 5 }]);
      await creditPeriod(t, a.id, "2026-02", 2);
      // March: counted past the allowance with no package, though the meter never marked it.
      await creditPeriod(t, a.id, "2026-03", 3);
      await creditPeriod(t, a.id, "2026-04", 2, "2026-04-03T09:00:00Z");

      expect(await usage(a, 4)).toEqual([
        { month: "2026-04", counted: 2, uncounted: 3, allowance: 2, overLimit: true },
        { month: "2026-03", counted: 3, uncounted: 0, allowance: 2, overLimit: true },
        { month: "2026-02", counted: 2, uncounted: 1, allowance: 2, overLimit: false },
        { month: "2026-01", counted: 1, uncounted: 0, allowance: 2, overLimit: false },
      ]);
      expect(await usage(other, 1)).toEqual([
        { month: "2026-04", counted: 5, uncounted: 0, allowance: 3000, overLimit: false },
      ]);

      // The month turns at local midnight: at 00:30 BST on 1 May, May is the current month.
      clock.set(Date.parse("2026-04-30T23:30:00Z"));
      expect((await usage(a, 2)).map((m) => m.month)).toEqual(["2026-05", "2026-04"]);
    });

    it("does not call a month over the limit when package credit paid for the mail past the allowance", async () => {
      clock.set(Date.parse("2026-04-15T12:00:00Z"));
      const a = await t.newTenant();
      await allowance(a.id, 2);
      await t.db
        .insertInto("credit_grants")
        .values({
          id: "01J00000000000000000000001",
          tenant_id: a.id,
          group_id: null,
          source: "package",
          package_id: null,
          credits: 10,
          remaining: 9,
          expires_at: null,
          created_at: Date.parse("2026-03-01T08:00:00Z"),
          created_by: null,
        })
        .execute();
      await creditPeriod(t, a.id, "2026-03", 3);
      expect(await usage(a, 2)).toEqual([
        { month: "2026-04", counted: 0, uncounted: 0, allowance: 2, overLimit: false },
        { month: "2026-03", counted: 0, uncounted: 0, allowance: 2, overLimit: false },
      ]);
    });

    it("puts 23:30 UTC on 31 March into April for a Tokyo tenant", async () => {
      clock.set(Date.parse("2026-04-15T12:00:00Z"));
      const b = await t.newTenant();
      await setTimezone(t, b.id, "Asia/Tokyo");
      await sendHistory(t, b, [
        { at: "2026-03-31T14:30:00Z", charge: "allowance:2026-03" }, // 23:30 JST, 31 March
        { at: "2026-03-31T23:30:00Z", charge: "allowance:2026-04" }, // 08:30 JST, 1 April
      ]);
      expect(await usage(b, 2)).toEqual([
        { month: "2026-04", counted: 1, uncounted: 0, allowance: 3000, overLimit: false },
        { month: "2026-03", counted: 1, uncounted: 0, allowance: 3000, overLimit: false },
      ]);
    });

    it("shows 12 months by default, at most 36, and refuses other counts", async () => {
      clock.set(Date.parse("2026-04-15T12:00:00Z"));
      const a = await t.newTenant();
      const twelve = await usage(a);
      expect(twelve).toHaveLength(12);
      expect([twelve[0]?.month, twelve[11]?.month]).toEqual(["2026-04", "2025-05"]);
      const most = await usage(a, 36);
      expect(most).toHaveLength(36);
      expect(most[35]?.month).toBe("2023-05");
      for (const months of ["0", "37", "-1", "1.5", "twelve"]) {
        const res = await t.inject({ method: "GET", url: `/v1/reports/usage?months=${months}`, headers: a.auth() });
        expect(res.statusCode, months).toBe(400);
        expect(json<ErrorReply>(res).error.code).toBe("invalid_request");
      }
    });
  });
}
