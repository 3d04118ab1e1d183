import { tenantCreditRules } from "../credits/settings.js";
import type { Database } from "../db/database.js";
import { grantSpans, wasOverLimit } from "./over-limit.js";
import { monthsBack } from "./report-calendar.js";
import { sentByBucket } from "./sent-counts.js";

export interface MonthUsage {
  /** `YYYY-MM` in the tenant's zone. */
  readonly month: string;
  readonly counted: number;
  readonly uncounted: number;
  readonly allowance: number;
  readonly overLimit: boolean;
}

/**
 * Counted and uncounted mail sent in each of the last `months` calendar months (the current one
 * first), bucketed by when it was sent in the tenant's zone, so a month is the sum of its days
 * in the overview.
 */
export async function monthlyUsage(
  database: Database,
  tenantId: string,
  now: number,
  months: number,
): Promise<MonthUsage[]> {
  const rules = await tenantCreditRules(database.db, tenantId);
  if (!rules) throw new Error(`tenant ${tenantId} has no credit rules`);
  const periods = monthsBack(now, rules.timezone, months).reverse();
  const last = periods[periods.length - 1];
  if (!last) return [];
  const counts = await sentByBucket(database.db, tenantId, [...periods.map((p) => p.start), last.end]);
  const rows = await database.db
    .selectFrom("credit_periods")
    .select(["period", "counted", "over_at"])
    .where("tenant_id", "=", tenantId)
    .where(
      "period",
      "in",
      periods.map((p) => p.key),
    )
    .execute();
  const byKey = new Map(rows.map((r) => [r.period, r]));
  const grants = (await grantSpans(database.db, [tenantId])).get(tenantId) ?? [];
  return periods
    .map((p, i) => {
      const row = byKey.get(p.key);
      const c = counts[i];
      return {
        month: p.key,
        counted: c?.counted ?? 0,
        uncounted: c?.uncounted ?? 0,
        // The allowance in force now: credit_settings keeps no history of earlier overrides.
        allowance: rules.monthlyAllowance,
        overLimit: row
          ? wasOverLimit(
              { counted: Number(row.counted), over_at: row.over_at === null ? null : Number(row.over_at) },
              rules.monthlyAllowance,
              p,
              grants,
            )
          : false,
      };
    })
    .reverse();
}
