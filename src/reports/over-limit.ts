import { type SqlBool, sql } from "kysely";
import { type Period, periodByKey } from "../credits/settings.js";
import type { Db } from "../db/database.js";

/** When a tenant's grant could be spent: from its creation until it expires. */
export interface GrantSpan {
  readonly created_at: number;
  readonly expires_at: number | null;
}

/**
 * Whether a tenant went over its limit in `period`: the meter marked the period over (it needed
 * credit the tenant did not have), or the tenant sent more counted mail than its allowance
 * while holding no purchased or allocated credit it could have spent that month (the meter only
 * marks a period when it next meters, so an allowance lowered mid-month shows up this way).
 * Counted mail paid by a package is not "over": packages are not stacked on the allowance.
 */
export function wasOverLimit(
  row: { readonly counted: number; readonly over_at: number | null },
  allowance: number,
  period: Period,
  grants: readonly GrantSpan[],
): boolean {
  if (row.over_at !== null) return true;
  if (row.counted <= allowance) return false;
  return !grants.some((g) => g.created_at < period.end && (g.expires_at === null || g.expires_at > period.start));
}

/** A tenant's credit period with what the over-limit rule needs. */
export interface PeriodRow {
  readonly tenant_id: string;
  readonly tenant_name: string;
  readonly timezone: string;
  readonly period: string;
  readonly counted: number;
  readonly over_at: number | null;
  readonly last_reminder_at: number | null;
  readonly allowance: number;
}

/**
 * The SQL half of the rule, over periodRows' aliases: over_at set, or counted past the
 * allowance. A superset of wasOverLimit (grants are checked afterwards, in the tenant's zone),
 * so SQL can page on it.
 */
export function overLimitCandidate(defaultAllowance: number) {
  return sql<SqlBool>`(cp.over_at is not null or cp.counted > coalesce(cs.monthly_allowance, ${defaultAllowance}))`;
}

/** Credit periods of tenants, joined with the tenant and its allowance (override or default). */
export function periodRows(db: Db, defaultAllowance: number) {
  return db
    .selectFrom("credit_periods as cp")
    .innerJoin("tenants as t", "t.id", "cp.tenant_id")
    .leftJoin("credit_settings as cs", "cs.tenant_id", "cp.tenant_id")
    .select([
      "cp.tenant_id",
      "t.name as tenant_name",
      "t.timezone",
      "cp.period",
      "cp.counted",
      "cp.over_at",
      "cp.last_reminder_at",
      sql<number>`coalesce(cs.monthly_allowance, ${defaultAllowance})`.as("allowance"),
    ]);
}

/** Grants each tenant held, for the over-limit rule (a tenant has few: one per purchase). */
export async function grantSpans(db: Db, tenantIds: readonly string[]): Promise<Map<string, GrantSpan[]>> {
  const out = new Map<string, GrantSpan[]>();
  for (let i = 0; i < tenantIds.length; i += 500) {
    const rows = await db
      .selectFrom("credit_grants")
      .select(["tenant_id", "created_at", "expires_at"])
      .where("tenant_id", "in", tenantIds.slice(i, i + 500))
      .execute();
    for (const r of rows) {
      if (r.tenant_id === null) continue;
      out.set(r.tenant_id, [...(out.get(r.tenant_id) ?? []), r]);
    }
  }
  return out;
}

/** Applies wasOverLimit to rows from periodRows (normalised: PostgreSQL bigints may be strings). */
export function rowIsOver(row: PeriodRow, grants: ReadonlyMap<string, readonly GrantSpan[]>): boolean {
  const period = periodByKey(row.period, row.timezone);
  if (!period) return false;
  return wasOverLimit(
    { counted: Number(row.counted), over_at: row.over_at === null ? null : Number(row.over_at) },
    Number(row.allowance),
    period,
    grants.get(row.tenant_id) ?? [],
  );
}
