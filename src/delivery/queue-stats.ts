import { sql } from "kysely";
import type { Database } from "../db/database.js";
import { type RecipientStatus, waitingStatuses } from "../email/statuses.js";

export interface QueueStats {
  /** Recipients still waiting to go out (queued or retrying after a soft bounce). */
  readonly waiting: number;
  /** Of those, held by a worker right now. */
  readonly inFlight: number;
  /** Waiting for longer than the delayed threshold: the operator should look. */
  readonly delayed: number;
  readonly oldestWaitingSince: number | null;
  /** Tenants with delayed mail, most delayed first (at most 20). */
  readonly delayedTenants: readonly { readonly tenantId: string; readonly delayed: number }[];
}

/** A snapshot of the outbox across all tenants, for the operator. */
export async function queueStats(database: Database, now: number, delayedAfterMs: number): Promise<QueueStats> {
  const { db } = database;
  const cutoff = now - delayedAfterMs;
  const totals = await db
    .selectFrom("recipients")
    .select([
      sql<number>`count(*)`.as("waiting"),
      sql<number>`sum(case when lease_owner is not null then 1 else 0 end)`.as("in_flight"),
      sql<number>`sum(case when created_at < ${cutoff} then 1 else 0 end)`.as("delayed"),
      sql<number | null>`min(created_at)`.as("oldest"),
    ])
    .where("next_attempt_at", "is not", null)
    .executeTakeFirstOrThrow();
  const tenants = await db
    .selectFrom("recipients")
    .select(["tenant_id", sql<number>`count(*)`.as("n")])
    .where("next_attempt_at", "is not", null)
    .where("created_at", "<", cutoff)
    .groupBy("tenant_id")
    .orderBy(sql`count(*)`, "desc")
    .limit(20)
    .execute();
  return {
    waiting: Number(totals.waiting ?? 0),
    inFlight: Number(totals.in_flight ?? 0),
    delayed: Number(totals.delayed ?? 0),
    oldestWaitingSince: totals.oldest === null ? null : Number(totals.oldest),
    delayedTenants: tenants.map((t) => ({ tenantId: t.tenant_id, delayed: Number(t.n) })),
  };
}

/**
 * How many recipients the outbox still works on, per waiting status (every status listed, 0
 * when none), and how many of them a worker holds right now: the queue-depth metric.
 */
export async function queueDepth(
  database: Database,
): Promise<{ readonly byStatus: ReadonlyMap<RecipientStatus, number>; readonly inFlight: number }> {
  const rows = await queueDepthQuery(database).execute();
  const byStatus = new Map<RecipientStatus, number>(waitingStatuses.map((s) => [s, 0]));
  let inFlight = 0;
  for (const row of rows) {
    byStatus.set(row.status as RecipientStatus, Number(row.n));
    inFlight += Number(row.in_flight ?? 0);
  }
  return { byStatus, inFlight };
}

/** `queueDepth`'s statement (exported so a test can check its plan). */
export function queueDepthQuery(database: Database) {
  return (
    database.db
      .selectFrom("recipients")
      .select([
        "status",
        sql<number>`count(*)`.as("n"),
        sql<number>`sum(case when lease_owner is not null then 1 else 0 end)`.as("in_flight"),
      ])
      // The statuses written out (not bound): SQLite uses the partial index `recipients_waiting`
      // (migration 0011) only when the query names its condition's values.
      .where("status", "in", sql<RecipientStatus>`(${sql.join(waitingStatuses.map((s) => sql.lit(s)))})`)
      .groupBy("status")
  );
}
