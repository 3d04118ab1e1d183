import { sql } from "kysely";
import type { Db } from "../db/database.js";

/** What a tenant sent in one time bucket (a day, a month). */
export interface SentCounts {
  readonly total: number;
  /** Sent recipients charged to credit: `allowance:…`, `over:…` or `grant:…`. */
  readonly counted: number;
  /** Every other sent recipient: exempt categories, notices, unmetered tenants. */
  readonly uncounted: number;
  /** Sent recipients per message category; categories with none are left out. */
  readonly byCategory: Readonly<Record<string, number>>;
}

/**
 * Recipients the tenant sent, counted in SQL per bucket `[boundaries[i], boundaries[i + 1])`
 * and per category. The boundaries come from luxon in the tenant's zone, so the database only
 * compares epoch milliseconds: both dialects bucket alike, and a 23- or 25-hour day is just a
 * wider or narrower bucket. "Sent" is `sent_at` in range whatever the status is now (an opened
 * or later bounced recipient was still sent); a recipient that never went out has no `sent_at`,
 * and a refunded charge belongs only to mail that never went out.
 *
 * A sent recipient whose charge is neither counted nor `uncounted` (null before metering
 * existed, or refunded) is reported as uncounted: it used no credit, and
 * total = counted + uncounted always holds.
 */
export async function sentByBucket(db: Db, tenantId: string, boundaries: readonly number[]): Promise<SentCounts[]> {
  const buckets = boundaries.length - 1;
  if (buckets < 1) return [];
  const first = boundaries[0] as number;
  const last = boundaries[buckets] as number;
  // Bucket numbers are literals, not parameters: PostgreSQL would type a parameter in a CASE
  // result as text.
  const bucket =
    buckets === 1
      ? sql<number>`${sql.lit(0)}`
      : sql<number>`case ${sql.join(
          boundaries.slice(1, buckets).map((b, i) => sql`when r.sent_at < ${b} then ${sql.lit(i)}`),
          sql` `,
        )} else ${sql.lit(buckets - 1)} end`;
  const sent = db
    .selectFrom("recipients as r")
    .innerJoin("messages as m", (j) => j.onRef("m.id", "=", "r.message_id").onRef("m.tenant_id", "=", "r.tenant_id"))
    .select([
      bucket.as("bucket"),
      "m.category as category",
      sql<number>`case when r.charge like 'allowance:%' or r.charge like 'over:%' or r.charge like 'grant:%' then 1 else 0 end`.as(
        "counted",
      ),
    ])
    .where("r.tenant_id", "=", tenantId)
    // Spelled out so that both planners pick the partial index recipients_tenant_sent.
    .where("r.sent_at", "is not", null)
    .where("r.sent_at", ">=", first)
    .where("r.sent_at", "<", last);
  // Grouping over a subquery's columns: PostgreSQL would not match the CASE in GROUP BY to the
  // one in SELECT, as their parameters have different numbers.
  const rows = await db
    .selectFrom(sent.as("s"))
    .select(["s.bucket", "s.category", sql<number>`count(*)`.as("total"), sql<number>`sum(s.counted)`.as("counted")])
    .groupBy(["s.bucket", "s.category"])
    .execute();

  const out = Array.from({ length: buckets }, () => ({
    total: 0,
    counted: 0,
    uncounted: 0,
    byCategory: {} as Record<string, number>,
  }));
  for (const row of rows) {
    const into = out[Number(row.bucket)];
    if (!into) continue;
    const total = Number(row.total);
    const counted = Number(row.counted ?? 0);
    into.total += total;
    into.counted += counted;
    into.uncounted += total - counted;
    into.byCategory[row.category] = (into.byCategory[row.category] ?? 0) + total;
  }
  return out;
}

/** Adds bucket counts together (a week's totals from its days). */
export function sumCounts(list: readonly SentCounts[]): SentCounts {
  const byCategory: Record<string, number> = {};
  let total = 0;
  let counted = 0;
  for (const c of list) {
    total += c.total;
    counted += c.counted;
    for (const [category, n] of Object.entries(c.byCategory)) byCategory[category] = (byCategory[category] ?? 0) + n;
  }
  return { total, counted, uncounted: total - counted, byCategory };
}
