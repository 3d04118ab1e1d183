import type { Database, Tx } from "../db/database.js";
import type { FailureReason } from "../email/failure-reasons.js";
import type { RecipientStatus } from "../email/statuses.js";
import { type Deferral, deferClaims, writeOutcomes } from "../messages/recipient-state.js";

// Status writes live in the recipient state machine (messages/recipient-state.ts); the outbox
// keeps the claim and its lease. Re-exported for the callers that found them here.
export { type Deferral, deferClaims, writeOutcomes };

/** A recipient row claimed by a worker: what delivery needs to know. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly tenantId: string;
  readonly messageId: string;
  readonly email: string;
  readonly attempts: number;
  /** Start of the retry lifetime: acceptance, or when held mail was released. */
  readonly retryFrom: number;
  /** What the recipient was charged (null until metered before its first attempt). */
  readonly charge: string | null;
  /** Set by the send gate: goes out through the tenant's own mail account, not the relay. */
  readonly via?: "own_account";
  /** The status when claimed (`queued`, or `soft_bounce` on a retry). */
  readonly status: string;
  /** The contact this email is for (announcements, digests); null for plain mail. */
  readonly contactId: string | null;
  /** JSON array of the subject ids whose sections this email carries; null for plain mail. */
  readonly subjectIds: string | null;
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
  /** Claim inside this transaction (to meter the batch in the same commit). */
  tx?: Tx,
): Promise<ClaimedDelivery[]> {
  const db = tx ?? database.db;
  const rows = await db
    .updateTable("recipients")
    .set({ next_attempt_at: now + leaseMs, lease_owner: owner })
    .where("id", "in", (eb) => {
      const due = eb
        .selectFrom("recipients")
        .select("id")
        .where("next_attempt_at", "<=", now)
        .orderBy("next_attempt_at")
        .limit(limit);
      return database.dialect === "postgres" ? due.forUpdate().skipLocked() : due;
    })
    .returning([
      "id",
      "tenant_id",
      "message_id",
      "email",
      "attempts",
      "created_at",
      "retry_from",
      "charge",
      "status",
      "contact_id",
      "subject_ids",
    ])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    messageId: r.message_id,
    email: r.email,
    attempts: r.attempts,
    retryFrom: r.retry_from ?? r.created_at,
    charge: r.charge,
    status: r.status,
    contactId: r.contact_id,
    subjectIds: r.subject_ids,
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
  /** Why it failed (email/failure-reasons.ts); null for a success or an unexplained failure. */
  readonly reason?: FailureReason | null;
  readonly at: number;
}

/**
 * Writes a batch of outcomes in one transaction: each recipient's row and one event per outcome,
 * with their consequences (see `writeOutcomes`). A row is only updated while `owner` still
 * holds its lease, so a worker that lost its lease (it stalled past it and another worker took
 * over) cannot overwrite the newer state.
 */
export async function recordOutcomes(
  database: Database,
  owner: string,
  outcomes: readonly DeliveryOutcome[],
): Promise<number> {
  if (outcomes.length === 0) return 0;
  return database.db.transaction().execute((tx) => writeOutcomes(tx, database.dialect, owner, outcomes));
}

/** Hands claimed rows back (on shutdown): due again at once, no attempt counted. */
export async function releaseClaims(database: Database, owner: string, ids: readonly string[], now: number) {
  if (ids.length === 0) return;
  await database.db
    .updateTable("recipients")
    .set({ next_attempt_at: now, lease_owner: null })
    .where("id", "in", ids)
    .where("lease_owner", "=", owner)
    .execute();
}

/** Extends this worker's leases on rows it still holds; rows another worker took are untouched. */
export async function renewLeases(database: Database, owner: string, ids: readonly string[], leaseUntil: number) {
  for (let i = 0; i < ids.length; i += 500) {
    await database.db
      .updateTable("recipients")
      .set({ next_attempt_at: leaseUntil })
      .where("id", "in", ids.slice(i, i + 500))
      .where("lease_owner", "=", owner)
      .execute();
  }
}
