import { sql } from "kysely";
import { DateTime } from "luxon";
import { getOperatorCreditSettings } from "../credits/settings.js";
import type { Db } from "../db/database.js";
import { grantSpans, overLimitCandidate, periodRows, rowIsOver } from "./over-limit.js";
import { monthsBack } from "./report-calendar.js";

export interface RepeatOffender {
  readonly tenantId: string;
  readonly tenantName: string;
  /** Length of the longest run of consecutive months over the limit (the latest, on a tie). */
  readonly run: number;
  /** The months of that run, oldest first. */
  readonly months: readonly string[];
  /** Every month over the limit in the window, oldest first. */
  readonly overMonths: readonly string[];
}

export interface RepeatOffendersQuery {
  /** How many months to look back over, the current one included. */
  readonly months: number;
  readonly after?: string | undefined;
  readonly limit: number;
  readonly now: number;
  /** Only this tenant (the Contact action checks one tenant). */
  readonly tenantId?: string | undefined;
}

function nextMonth(key: string): string {
  return DateTime.fromFormat(key, "yyyy-MM", { zone: "utc" }).plus({ months: 1 }).toFormat("yyyy-MM");
}

/** The longest run of consecutive months in `sorted` (ascending keys); the latest on a tie. */
export function longestRun(sorted: readonly string[]): string[] {
  let best: string[] = [];
  let current: string[] = [];
  for (const key of sorted) {
    const prev = current[current.length - 1];
    current = prev !== undefined && nextMonth(prev) === key ? [...current, key] : [key];
    if (current.length >= best.length) best = current;
  }
  return best;
}

/**
 * Tenants over their limit in at least two consecutive months of the window (each tenant's
 * current month and the `months - 1` before it, in its zone), in tenant id order. SQL pages over
 * tenants with two or more candidate months; the run itself is worked out here from a handful
 * of period rows per tenant, so a page can be short and still have a next one (`scanned`).
 */
export async function repeatOffenders(
  db: Db,
  query: RepeatOffendersQuery,
): Promise<{ items: RepeatOffender[]; scanned: string | null }> {
  const { defaultAllowance } = await getOperatorCreditSettings(db);
  const zones = (await db.selectFrom("tenants").select("timezone").distinct().execute()).map((z) => z.timezone);
  const windows = new Map(zones.map((z) => [z, new Set(monthsBack(query.now, z, query.months).map((p) => p.key))]));
  const keys = [...windows.values()].flatMap((w) => [...w]).sort();
  const first = keys[0];
  const last = keys[keys.length - 1];
  if (first === undefined || last === undefined) return { items: [], scanned: null };

  let page = db
    .selectFrom("credit_periods as cp")
    .leftJoin("credit_settings as cs", "cs.tenant_id", "cp.tenant_id")
    .select("cp.tenant_id")
    .where("cp.period", ">=", first)
    .where("cp.period", "<=", last)
    .where(overLimitCandidate(defaultAllowance))
    .groupBy("cp.tenant_id")
    .having(sql<number>`count(*)`, ">=", 2)
    .orderBy("cp.tenant_id")
    .limit(query.limit);
  if (query.after) page = page.where("cp.tenant_id", ">", query.after);
  if (query.tenantId) page = page.where("cp.tenant_id", "=", query.tenantId);
  const ids = (await page.execute()).map((r) => r.tenant_id);
  if (ids.length === 0) return { items: [], scanned: null };

  const rows = await periodRows(db, defaultAllowance)
    .where("cp.tenant_id", "in", ids)
    .where("cp.period", ">=", first)
    .where("cp.period", "<=", last)
    .where(overLimitCandidate(defaultAllowance))
    .orderBy("cp.tenant_id")
    .orderBy("cp.period")
    .execute();
  const grants = await grantSpans(
    db,
    rows.filter((r) => r.over_at === null).map((r) => r.tenant_id),
  );
  const over = new Map<string, { name: string; months: string[] }>();
  for (const row of rows) {
    if (!windows.get(row.timezone)?.has(row.period) || !rowIsOver(row, grants)) continue;
    const entry = over.get(row.tenant_id) ?? { name: row.tenant_name, months: [] };
    entry.months.push(row.period);
    over.set(row.tenant_id, entry);
  }
  const items: RepeatOffender[] = [];
  for (const id of ids) {
    const entry = over.get(id);
    if (!entry) continue;
    const run = longestRun(entry.months);
    if (run.length < 2) continue;
    items.push({ tenantId: id, tenantName: entry.name, run: run.length, months: run, overMonths: entry.months });
  }
  return { items, scanned: ids.length === query.limit ? (ids[ids.length - 1] ?? null) : null };
}
