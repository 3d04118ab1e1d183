import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { NewEvent } from "../db/tables.js";
import type { RecipientStatus } from "../messages/statuses.js";

/** A recipient row claimed by a worker: what delivery needs to know. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly tenantId: string;
  readonly messageId: string;
  readonly email: string;
  readonly attempts: number;
  readonly createdAt: number;
}

/**
 * Claims up to `limit` due deliveries for `owner`. A claim moves the row's next attempt to the
 * end of the lease, so a worker that dies holding it simply lets the row fall due again; no
 * sweeper is needed. PostgreSQL claimers skip each other's locked rows (SKIP LOCKED); on SQLite
 * the single UPDATE runs under the database's one write lock.
 */
export async function claimDue(
  database: Database,
  owner: string,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const { db } = database;
  const leaseUntil = now + leaseMs;
  const rows = await db
    .updateTable("recipients")
    .set({ next_attempt_at: leaseUntil, lease_until: leaseUntil, lease_owner: owner })
    .where("id", "in", (eb) => {
      const due = eb
        .selectFrom("recipients")
        .select("id")
        .where("next_attempt_at", "<=", now)
        .orderBy("next_attempt_at")
        .limit(limit);
      return database.dialect === "postgres" ? due.forUpdate().skipLocked() : due;
    })
    .returning(["id", "tenant_id", "message_id", "email", "attempts", "created_at"])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    messageId: r.message_id,
    email: r.email,
    attempts: r.attempts,
    createdAt: r.created_at,
  }));
}

/** The outcome of one attempt, ready to be written. */
export interface DeliveryOutcome {
  readonly delivery: ClaimedDelivery;
  readonly status: RecipientStatus;
  /** Attempts made so far, this one included (0 when no attempt was made). */
  readonly attempts: number;
  /** Null: final. */
  readonly nextAttemptAt: number | null;
  readonly smtpCode: number | null;
  readonly enhancedCode: string | null;
  readonly smtpText: string | null;
  readonly at: number;
}

/**
 * Writes a batch of outcomes in one transaction: each recipient's row and one event per outcome.
 * A row is only updated while `owner` still holds its lease, so a worker that lost its lease
 * (it stalled past it and another worker took over) cannot overwrite the newer state.
 */
export async function recordOutcomes(
  database: Database,
  owner: string,
  outcomes: readonly DeliveryOutcome[],
): Promise<number> {
  if (outcomes.length === 0) return 0;
  return database.db.transaction().execute(async (tx) => {
    const events: NewEvent[] = [];
    for (const o of outcomes) {
      const result = await tx
        .updateTable("recipients")
        .set({
          status: o.status,
          attempts: o.attempts,
          next_attempt_at: o.nextAttemptAt,
          lease_until: null,
          lease_owner: null,
          last_smtp_code: o.smtpCode,
          last_enhanced_code: o.enhancedCode,
          last_smtp_text: o.smtpText,
          updated_at: o.at,
        })
        .where("id", "=", o.delivery.id)
        .where("tenant_id", "=", o.delivery.tenantId)
        .where("lease_owner", "=", owner)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) continue;
      events.push({
        id: newId(o.at),
        tenant_id: o.delivery.tenantId,
        message_id: o.delivery.messageId,
        recipient_id: o.delivery.id,
        at: o.at,
        status: o.status,
        attempt: o.attempts,
        smtp_code: o.smtpCode,
        enhanced_code: o.enhancedCode,
        smtp_text: o.smtpText,
      });
    }
    if (events.length > 0) await tx.insertInto("events").values(events).execute();
    return events.length;
  });
}

/** Hands claimed rows back (on shutdown): due again at once, no attempt counted. */
export async function releaseClaims(database: Database, owner: string, ids: readonly string[], now: number) {
  if (ids.length === 0) return;
  await database.db
    .updateTable("recipients")
    .set({ next_attempt_at: now, lease_until: null, lease_owner: null })
    .where("id", "in", ids)
    .where("lease_owner", "=", owner)
    .execute();
}

/** Extends this worker's leases on rows it still holds; rows another worker took are untouched. */
export async function renewLeases(database: Database, owner: string, ids: readonly string[], leaseUntil: number) {
  for (let i = 0; i < ids.length; i += 500) {
    await database.db
      .updateTable("recipients")
      .set({ next_attempt_at: leaseUntil, lease_until: leaseUntil })
      .where("id", "in", ids.slice(i, i + 500))
      .where("lease_owner", "=", owner)
      .execute();
  }
}
