import { sql } from "kysely";
import type { Database } from "../db/database.js";
import { type RecipientStatus, waitingStatuses } from "../email/statuses.js";

export interface TenantQueue {
  readonly tenantId: string;
  readonly waiting: number;
  readonly inFlight: number;
  readonly delayed: number;
  /** Held because the tenant is suspended (not counted as delayed). */
  readonly suspended: number;
}

export interface QueueStats {
  /** Recipients still waiting to go out (queued or retrying after a soft bounce). */
  readonly waiting: number;
  /** Of those, held by a worker right now. */
  readonly inFlight: number;
  /** Waiting for longer than the delayed threshold: the operator should look. */
  readonly delayed: number;
  /** Of those waiting, held because their tenant is suspended (never counted as delayed). */
  readonly suspended: number;
  readonly oldestWaitingSince: number | null;
  /** Tenants with delayed mail, most delayed first (at most 20). */
  readonly delayedTenants: readonly { readonly tenantId: string; readonly delayed: number }[];
  /** Tenants with waiting mail, most waiting first (at most 20). */
  readonly tenants: readonly TenantQueue[];
}

function waitingColumns(cutoff: number) {
  return [
    sql<number>`count(*)`.as("waiting"),
    sql<number>`sum(case when lease_owner is not null then 1 else 0 end)`.as("in_flight"),
    sql<number>`sum(case when created_at < ${cutoff} and (hold_reason is null or hold_reason != 'suspended') then 1 else 0 end)`.as(
      "delayed",
    ),
    sql<number>`sum(case when hold_reason = 'suspended' then 1 else 0 end)`.as("suspended"),
  ] as const;
}

/** A snapshot of the outbox across all tenants, for the operator. */
export async function queueStats(database: Database, now: number, delayedAfterMs: number): Promise<QueueStats> {
  const { db } = database;
  const cutoff = now - delayedAfterMs;
  const totals = await db
    .selectFrom("recipients")
    .select([...waitingColumns(cutoff), sql<number | null>`min(created_at)`.as("oldest")])
    .where("next_attempt_at", "is not", null)
    .executeTakeFirstOrThrow();
  const tenants = await db
    .selectFrom("recipients")
    .select(["tenant_id", sql<number>`count(*)`.as("n")])
    .where("next_attempt_at", "is not", null)
    .where("created_at", "<", cutoff)
    .where((eb) => eb.or([eb("hold_reason", "is", null), eb("hold_reason", "!=", "suspended")]))
    .groupBy("tenant_id")
    .orderBy(sql`count(*)`, "desc")
    .limit(20)
    .execute();
  const perTenant = await db
    .selectFrom("recipients")
    .select(["tenant_id", ...waitingColumns(cutoff)])
    .where("next_attempt_at", "is not", null)
    .groupBy("tenant_id")
    .orderBy(sql`count(*)`, "desc")
    .orderBy("tenant_id")
    .limit(20)
    .execute();
  return {
    waiting: Number(totals.waiting ?? 0),
    inFlight: Number(totals.in_flight ?? 0),
    delayed: Number(totals.delayed ?? 0),
    suspended: Number(totals.suspended ?? 0),
    oldestWaitingSince: totals.oldest === null ? null : Number(totals.oldest),
    delayedTenants: tenants.map((t) => ({ tenantId: t.tenant_id, delayed: Number(t.n) })),
    tenants: perTenant.map((t) => ({
      tenantId: t.tenant_id,
      waiting: Number(t.waiting ?? 0),
      inFlight: Number(t.in_flight ?? 0),
      delayed: Number(t.delayed ?? 0),
      suspended: Number(t.suspended ?? 0),
    })),
  };
}

/** One tenant's outbox, and its mail held for lack of credit: the operator's view of a tenant. */
export async function tenantQueue(
  database: Database,
  tenantId: string,
  now: number,
  delayedAfterMs: number,
): Promise<TenantQueue & { readonly heldNoCredit: number }> {
  const { db } = database;
  const row = await db
    .selectFrom("recipients")
    .select([...waitingColumns(now - delayedAfterMs)])
    .where("tenant_id", "=", tenantId)
    .where("next_attempt_at", "is not", null)
    .executeTakeFirstOrThrow();
  const held = await db
    .selectFrom("recipients")
    .select(sql<number>`count(*)`.as("n"))
    .where("tenant_id", "=", tenantId)
    .where("status", "=", "held_no_credit")
    .executeTakeFirstOrThrow();
  return {
    tenantId,
    waiting: Number(row.waiting ?? 0),
    inFlight: Number(row.in_flight ?? 0),
    delayed: Number(row.delayed ?? 0),
    suspended: Number(row.suspended ?? 0),
    heldNoCredit: Number(held.n ?? 0),
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
