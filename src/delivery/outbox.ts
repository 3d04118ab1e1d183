import { sql } from "kysely";
import { refundCharges } from "../credits/meter.js";
import type { Database, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { NewEvent } from "../db/tables.js";
import type { FailureReason } from "../email/failure-reasons.js";
import type { RecipientStatus } from "../email/statuses.js";
import { suppress } from "../messages/suppressions.js";
import { enqueueStatusEvents, type StatusEvent } from "../messages/webhook-events.js";

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

/**
 * `recordOutcomes` inside the caller's transaction (the claim records screened rows this way).
 * Besides the rows and events: credit back for counted mail that will never be sent, a final
 * hard bounce suppresses the address, every status change is queued for the tenant's webhooks,
 * and a digest email that reached a final status takes the items it carried with it.
 * Returns the number of outcomes written.
 */
export async function writeOutcomes(
  tx: Tx,
  dialect: Database["dialect"],
  owner: string,
  outcomes: readonly DeliveryOutcome[],
): Promise<number> {
  if (outcomes.length === 0) return 0;
  const updated =
    dialect === "postgres" ? await updateAllPostgres(tx, owner, outcomes) : await updateEach(tx, owner, outcomes);
  const written = outcomes.filter((o) => updated.has(o.delivery.id));
  const events: NewEvent[] = written.map((o) => ({
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
    reason: o.reason ?? null,
  }));
  if (events.length > 0) await tx.insertInto("events").values(events).execute();
  // Credit follows delivery: a counted recipient that will never be sent gets its credit back.
  // In (tenant, charge) order, the order metering locks in: two workers never wait on each other.
  const refunds = written
    .filter((o) => o.nextAttemptAt === null && o.status !== "sent" && o.delivery.charge !== null)
    .sort((a, b) =>
      `${a.delivery.tenantId} ${a.delivery.charge}`.localeCompare(`${b.delivery.tenantId} ${b.delivery.charge}`),
    );
  await refundCharges(
    tx,
    refunds.map((o) => ({
      recipientId: o.delivery.id,
      tenantId: o.delivery.tenantId,
      charge: o.delivery.charge ?? "",
    })),
    outcomes[0]?.at ?? 0,
  );
  await suppress(
    tx,
    written
      .filter((o) => o.status === "hard_bounce" && o.nextAttemptAt === null)
      // In key order, so two workers suppressing the same addresses never wait on each other.
      .sort((a, b) =>
        `${a.delivery.tenantId} ${a.delivery.email.toLowerCase()}`.localeCompare(
          `${b.delivery.tenantId} ${b.delivery.email.toLowerCase()}`,
        ),
      )
      .map((o) => ({
        tenantId: o.delivery.tenantId,
        email: o.delivery.email,
        reason: "hard_bounce" as const,
        detail: o.smtpText,
        recipientId: o.delivery.id,
        at: o.at,
      })),
  );
  const carried = await settleDigestItems(
    tx,
    written.filter((o) => o.nextAttemptAt === null && o.delivery.contactId !== null),
  );
  await enqueueStatusEvents(tx, [
    ...written.filter((o) => o.status !== o.delivery.status).map(statusEventOf),
    ...carried,
  ]);
  return events.length;
}

function statusEventOf(o: DeliveryOutcome): StatusEvent {
  return {
    tenantId: o.delivery.tenantId,
    messageId: o.delivery.messageId,
    recipientId: o.delivery.id,
    email: o.delivery.email,
    status: o.status,
    at: o.at,
    smtpCode: o.smtpCode,
    enhancedCode: o.enhancedCode,
    detail: o.smtpText,
    reason: o.reason ?? null,
  };
}

/**
 * A digest email reached a final status: the announcement rows it carried (still
 * `pending_digest`) move to the same status, `sent` with the digest's time, each with an event.
 * Only rows with a contact can be digests, so plain mail costs no query here.
 * Returns their status events.
 */
async function settleDigestItems(tx: Tx, finals: readonly DeliveryOutcome[]): Promise<StatusEvent[]> {
  if (finals.length === 0) return [];
  const out: StatusEvent[] = [];
  const byTenant = new Map<string, DeliveryOutcome[]>();
  for (const o of finals) byTenant.set(o.delivery.tenantId, [...(byTenant.get(o.delivery.tenantId) ?? []), o]);
  for (const [tenantId, list] of byTenant) {
    const byDigest = new Map(list.map((o) => [o.delivery.messageId, o]));
    const items = await tx
      .selectFrom("digest_items")
      .select(["recipient_id", "digest_message_id"])
      .where("tenant_id", "=", tenantId)
      .where("digest_message_id", "in", [...byDigest.keys()])
      .execute();
    for (const [digestId, o] of byDigest) {
      const ids = items.filter((i) => i.digest_message_id === digestId).map((i) => i.recipient_id);
      if (ids.length === 0) continue;
      const text = o.status === "sent" ? "sent in the contact's digest" : `digest email: ${o.smtpText ?? o.status}`;
      for (let i = 0; i < ids.length; i += 500) {
        const moved = await tx
          .updateTable("recipients")
          .set({
            status: o.status,
            next_attempt_at: null,
            lease_owner: null,
            updated_at: o.at,
            last_smtp_code: o.smtpCode,
            last_enhanced_code: o.enhancedCode,
            last_smtp_text: text.slice(0, 1000),
            last_reason: o.reason ?? null,
            ...(o.status === "sent" ? { sent_at: o.at } : {}),
          })
          .where("tenant_id", "=", tenantId)
          .where("id", "in", ids.slice(i, i + 500))
          .where("status", "=", "pending_digest")
          .returning(["id", "message_id", "email"])
          .execute();
        if (moved.length === 0) continue;
        await tx
          .insertInto("events")
          .values(
            moved.map((r) => ({
              id: newId(o.at),
              tenant_id: tenantId,
              message_id: r.message_id,
              recipient_id: r.id,
              at: o.at,
              status: o.status,
              attempt: 0,
              smtp_code: o.smtpCode,
              enhanced_code: o.enhancedCode,
              smtp_text: text.slice(0, 1000),
              reason: o.reason ?? null,
            })),
          )
          .execute();
        for (const r of moved) {
          out.push({
            tenantId,
            messageId: r.message_id,
            recipientId: r.id,
            email: r.email,
            status: o.status,
            at: o.at,
            smtpCode: o.smtpCode,
            enhancedCode: o.enhancedCode,
            detail: text,
            reason: o.reason ?? null,
          });
        }
      }
    }
  }
  return out;
}

/** SQLite runs in-process: one small UPDATE per row costs microseconds. Returns the ids updated. */
async function updateEach(tx: Tx, owner: string, outcomes: readonly DeliveryOutcome[]): Promise<Set<string>> {
  const updated = new Set<string>();
  for (const o of outcomes) {
    const result = await tx
      .updateTable("recipients")
      .set({
        status: o.status,
        attempts: o.attempts,
        next_attempt_at: o.nextAttemptAt,
        lease_owner: null,
        last_smtp_code: o.smtpCode,
        last_enhanced_code: o.enhancedCode,
        last_smtp_text: o.smtpText,
        last_reason: o.reason ?? null,
        updated_at: o.at,
        ...(o.status === "sent" ? { sent_at: o.at } : {}),
      })
      .where("id", "=", o.delivery.id)
      .where("tenant_id", "=", o.delivery.tenantId)
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) updated.add(o.delivery.id);
  }
  return updated;
}

/**
 * PostgreSQL is a network round trip away: the whole batch is one UPDATE joined to the
 * outcomes passed as arrays (unnest), instead of one round trip per row.
 */
async function updateAllPostgres(tx: Tx, owner: string, outcomes: readonly DeliveryOutcome[]): Promise<Set<string>> {
  const col = <T>(pick: (o: DeliveryOutcome) => T) => outcomes.map(pick);
  const result = await sql<{ id: string }>`
    update recipients as r set
      status = v.status,
      attempts = v.attempts,
      next_attempt_at = v.next_attempt_at,
      lease_owner = null,
      last_smtp_code = v.smtp_code,
      last_enhanced_code = v.enhanced_code,
      last_smtp_text = v.smtp_text,
      last_reason = v.reason,
      updated_at = v.at,
      sent_at = case when v.status = 'sent' then v.at else r.sent_at end
    from unnest(
      ${col((o) => o.delivery.id)}::text[],
      ${col((o) => o.delivery.tenantId)}::text[],
      ${col((o) => o.status)}::text[],
      ${col((o) => o.attempts)}::int[],
      ${col((o) => o.nextAttemptAt)}::bigint[],
      ${col((o) => o.smtpCode)}::int[],
      ${col((o) => o.enhancedCode)}::text[],
      ${col((o) => o.smtpText)}::text[],
      ${col((o) => o.at)}::bigint[],
      ${col((o) => o.reason ?? null)}::text[]
    ) as v(id, tenant_id, status, attempts, next_attempt_at, smtp_code, enhanced_code, smtp_text, at, reason)
    where r.id = v.id and r.tenant_id = v.tenant_id and r.lease_owner = ${owner}
    returning r.id`.execute(tx);
  return new Set(result.rows.map((r) => r.id));
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

/** A claimed row handed back unsent until `until` (pacing, a sending window, held mail). */
export interface Deferral {
  readonly id: string;
  readonly tenantId: string;
  readonly until: number;
  /** Shown as the recipient's last reply text (why it waits); undefined leaves it alone. */
  readonly note?: string;
}

/**
 * Hands claimed rows back without an attempt: due again at `until`, lease released, status and
 * attempts untouched, no event. Only rows `owner` still holds. Rows sharing a time and note are
 * updated together.
 */
export async function deferClaims(db: Database["db"] | Tx, owner: string, deferrals: readonly Deferral[], now: number) {
  const groups = new Map<string, Deferral[]>();
  for (const d of deferrals) {
    const key = `${d.until} ${d.note ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  for (const group of groups.values()) {
    const first = group[0];
    if (!first) continue;
    for (let i = 0; i < group.length; i += 500) {
      const slice = group.slice(i, i + 500);
      await db
        .updateTable("recipients")
        .set({
          next_attempt_at: first.until,
          lease_owner: null,
          updated_at: now,
          ...(first.note !== undefined ? { last_smtp_text: first.note } : {}),
        })
        .where(
          "id",
          "in",
          slice.map((d) => d.id),
        )
        .where("tenant_id", "in", [...new Set(slice.map((d) => d.tenantId))])
        .where("lease_owner", "=", owner)
        .execute();
    }
  }
}
