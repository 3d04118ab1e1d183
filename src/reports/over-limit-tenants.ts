import { getOperatorCreditSettings, periodAt } from "../credits/settings.js";
import type { Db } from "../db/database.js";
import { grantSpans, overLimitCandidate, type PeriodRow, periodRows, rowIsOver } from "./over-limit.js";

export interface OverLimitTenant {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly month: string;
  readonly counted: number;
  readonly allowance: number;
  readonly overSince: number | null;
  readonly lastReminderAt: number | null;
}

export interface OverLimitQuery {
  /** `YYYY-MM`; undefined: each tenant's current month in its own zone. */
  readonly month?: string | undefined;
  /** Tenant id of the last item of the previous page. */
  readonly after?: string | undefined;
  readonly limit: number;
  readonly now: number;
  /** Only this tenant (the Contact action checks one tenant). */
  readonly tenantId?: string | undefined;
}

/**
 * Tenants over their limit in a month, in tenant id order. `scanned` is the id of the last
 * tenant SQL looked at when the page was full: a few candidates may be dropped after SQL (they
 * held package credit), so a page can be short and still have a next one.
 */
export async function overLimitTenants(
  db: Db,
  query: OverLimitQuery,
): Promise<{ items: OverLimitTenant[]; scanned: string | null }> {
  const { defaultAllowance } = await getOperatorCreditSettings(db);
  let q = periodRows(db, defaultAllowance)
    .where(overLimitCandidate(defaultAllowance))
    .orderBy("cp.tenant_id")
    .limit(query.limit);
  if (query.after) q = q.where("cp.tenant_id", ">", query.after);
  if (query.tenantId) q = q.where("cp.tenant_id", "=", query.tenantId);
  if (query.month) {
    q = q.where("cp.period", "=", query.month);
  } else {
    // "This month" differs by zone around the turn of a month: group the (few) zones in use by
    // the month they are in now.
    const zones = await db.selectFrom("tenants").select("timezone").distinct().execute();
    const byMonth = new Map<string, string[]>();
    for (const { timezone } of zones) {
      const key = periodAt(query.now, timezone).key;
      byMonth.set(key, [...(byMonth.get(key) ?? []), timezone]);
    }
    if (byMonth.size === 0) return { items: [], scanned: null };
    q = q.where((eb) =>
      eb.or([...byMonth].map(([key, zs]) => eb.and([eb("cp.period", "=", key), eb("t.timezone", "in", zs)]))),
    );
  }
  const rows: PeriodRow[] = await q.execute();
  const grants = await grantSpans(
    db,
    rows.filter((r) => r.over_at === null).map((r) => r.tenant_id),
  );
  const items = rows
    .filter((r) => rowIsOver(r, grants))
    .map((r) => ({
      tenantId: r.tenant_id,
      tenantName: r.tenant_name,
      month: r.period,
      counted: Number(r.counted),
      allowance: Number(r.allowance),
      overSince: r.over_at === null ? null : Number(r.over_at),
      lastReminderAt: r.last_reminder_at === null ? null : Number(r.last_reminder_at),
    }));
  const last = rows[rows.length - 1];
  return { items, scanned: rows.length === query.limit && last ? last.tenant_id : null };
}
