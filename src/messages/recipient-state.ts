import { sql } from "kysely";
import type { Database, Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import { stringList } from "../db/json-codec.js";
import { rowsTable } from "../db/rows-table.js";
import type { NewEvent, NewRecipient } from "../db/tables.js";
import type { FailureReason } from "../email/failure-reasons.js";
import type { RecipientStatus } from "../email/statuses.js";
import { parseCharge } from "./refunds.js";
import { suppress } from "./suppressions.js";
import { enqueueStatusEvents, type StatusEvent } from "./webhook-events.js";

/** `recipients.subject_ids`: the subjects whose sections an email carries. */
export const subjectIdsColumn = stringList("recipients.subject_ids");

/*
 * A recipient's state, in one place: the only module that inserts `recipients` rows or changes
 * their status (test/layers/recipient-writers.test.ts checks that; the outbox's lease columns are
 * the one exception, see there). Every move is checked against `transitions`; an illegal one
 * throws (a bug, not an expected failure). The consequences of a move happen here too: the
 * `events` row, credit given back, the address suppressed, the tenant's webhook events queued.
 * Writes stay batched: one statement per batch on both dialects, never a read per row. The table is written out in docs/architecture.md.
 */

/** Why a waiting row waits (column `hold_reason`, migration 0008); null: it does not. */
export type HoldReason = "no_credit" | "hold_time" | "revoked_sign_in" | "suspended";

/** Every legal status move: `from` -> the statuses it may become. */
export const transitions: Readonly<Record<RecipientStatus, readonly RecipientStatus[]>> = {
  // Accepted: delivery's outcome, screening (suppressed, opted out, digest, no address),
  // metering (no credit), or the sender's cancel.
  queued: [
    "sent",
    "soft_bounce",
    "rejected",
    "hard_bounce",
    "email_missing",
    "opted_out",
    "pending_digest",
    "held_no_credit",
    "cancelled",
  ],
  // Retrying: as queued (it is screened and metered again), plus late reports about it.
  soft_bounce: [
    "sent",
    "soft_bounce",
    "rejected",
    "hard_bounce",
    "email_missing",
    "opted_out",
    "pending_digest",
    "held_no_credit",
    "opened",
    "spam",
  ],
  // Back to the outbox when credit arrives, or stopped by the sender.
  held_no_credit: ["queued", "cancelled"],
  // Goes with the digest email that carried it (its final status), or is stopped by the sender.
  pending_digest: ["sent", "soft_bounce", "rejected", "hard_bounce", "email_missing", "opted_out", "cancelled"],
  // Late events only move forwards (see `canMoveAfterDelivery`).
  sent: ["opened", "soft_bounce", "rejected", "hard_bounce", "spam"],
  opened: ["rejected", "hard_bounce", "spam"],
  rejected: ["spam"],
  hard_bounce: ["spam"],
  spam: [],
  email_missing: [],
  opted_out: [],
  cancelled: [],
};

/** The statuses a recipient row may be created with. */
export const initialStatuses: readonly RecipientStatus[] = ["queued", "email_missing"];

/** A status move the table does not allow: a bug in the caller. */
export class IllegalTransition extends Error {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal recipient status move: ${from} -> ${to}`);
    this.name = "IllegalTransition";
  }
}

export function canTransition(from: string, to: string): boolean {
  return (transitions as Record<string, readonly string[] | undefined>)[from]?.includes(to) ?? false;
}

/** Throws `IllegalTransition` unless the table allows `from` -> `to`. */
export function assertTransition(from: string, to: string): void {
  if (!canTransition(from, to)) throw new IllegalTransition(from, to);
}

/** What a new recipient needs; the rest of the row starts empty. */
export interface RecipientInput {
  readonly tenantId: string;
  readonly messageId: string;
  /** '' or null when there is no usable address. */
  readonly email: string | null;
  readonly name: string | null;
  readonly kind: string;
  readonly at: number;
  /** `queued` (the default) or `email_missing`. */
  readonly status?: RecipientStatus;
  /** Due time for a queued row (default: `at`). */
  readonly nextAttemptAt?: number;
  readonly contactId?: string | null;
  readonly subjectIds?: string | null;
  readonly holdReason?: HoldReason | null;
  readonly eventText?: string | null;
  /** The delivery this one resends (`replaceForResend`). */
  readonly resendOf?: string | null;
}

/** A new recipient row and its first event, to be written with `insertRecipients`. */
export function newRecipient(input: RecipientInput): { recipient: NewRecipient; event: NewEvent } {
  const status = input.status ?? "queued";
  if (!initialStatuses.includes(status)) throw new IllegalTransition("(new)", status);
  const id = newId(input.at);
  return {
    recipient: {
      id,
      tenant_id: input.tenantId,
      message_id: input.messageId,
      email: input.email ?? "",
      name: input.name,
      kind: input.kind,
      status,
      attempts: 0,
      next_attempt_at: status === "queued" ? (input.nextAttemptAt ?? input.at) : null,
      lease_owner: null,
      last_smtp_code: null,
      last_enhanced_code: null,
      last_smtp_text: null,
      charge: null,
      sent_at: null,
      retry_from: null,
      created_at: input.at,
      updated_at: input.at,
      contact_id: input.contactId ?? null,
      subject_ids: input.subjectIds ?? null,
      hold_reason: input.holdReason ?? null,
      resend_of: input.resendOf ?? null,
    },
    event: {
      id: newId(input.at),
      tenant_id: input.tenantId,
      message_id: input.messageId,
      recipient_id: id,
      at: input.at,
      status,
      attempt: 0,
      smtp_code: null,
      enhanced_code: null,
      smtp_text: input.eventText ?? null,
    },
  };
}

/** Inserts new recipient rows and their first events: one statement each per call. */
export async function insertRecipients(
  tx: Tx,
  recipients: readonly NewRecipient[],
  events: readonly NewEvent[],
): Promise<void> {
  for (const r of recipients)
    if (!initialStatuses.includes(r.status as RecipientStatus)) {
      throw new IllegalTransition("(new)", r.status);
    }
  if (recipients.length > 0)
    await tx
      .insertInto("recipients")
      .values([...recipients])
      .execute();
  if (events.length > 0)
    await tx
      .insertInto("events")
      .values([...events])
      .execute();
}

/**
 * A delivery outcome as the state machine needs it (`delivery/outbox.ts`'s `DeliveryOutcome`
 * fits): the claimed row as it was, and what it becomes.
 */
export interface OutcomeWrite {
  readonly delivery: {
    readonly id: string;
    readonly tenantId: string;
    readonly messageId: string;
    readonly email: string;
    readonly charge: string | null;
    /** The status when claimed. */
    readonly status: string;
    readonly contactId: string | null;
  };
  readonly status: RecipientStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly smtpCode: number | null;
  readonly enhancedCode: string | null;
  readonly smtpText: string | null;
  /** Why it failed (email/failure-reasons.ts); null for a success or an unexplained failure. */
  readonly reason?: FailureReason | null;
  readonly at: number;
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
  outcomes: readonly OutcomeWrite[],
): Promise<number> {
  if (outcomes.length === 0) return 0;
  for (const o of outcomes) assertTransition(o.delivery.status, o.status);
  const { updated, hooked } = await updateAll(tx, dialect, owner, outcomes);
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
  await enqueueStatusEvents(
    tx,
    [...written.filter((o) => o.status !== o.delivery.status).map(statusEventOf), ...carried],
    hooked,
  );
  return events.length;
}

function statusEventOf(o: OutcomeWrite): StatusEvent {
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
async function settleDigestItems(tx: Tx, finals: readonly OutcomeWrite[]): Promise<StatusEvent[]> {
  if (finals.length === 0) return [];
  const out: StatusEvent[] = [];
  const byTenant = new Map<string, OutcomeWrite[]>();
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
      assertTransition("pending_digest", o.status);
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
            hold_reason: null,
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

/**
 * The whole batch as one UPDATE joined to the outcomes passed as a table (`db/rows-table.ts`):
 * one statement instead of one per row (on PostgreSQL one round trip; on SQLite one statement
 * built, compiled and run instead of hundreds). Returns the ids updated, and the tenants among
 * them with an active webhook endpoint.
 */
async function updateAll(
  tx: Tx,
  dialect: Database["dialect"],
  owner: string,
  outcomes: readonly OutcomeWrite[],
): Promise<{ updated: Set<string>; hooked: Set<string> }> {
  const values = rowsTable(
    dialect,
    "v",
    {
      id: "text",
      tenant_id: "text",
      status: "text",
      attempts: "int",
      next_attempt_at: "bigint",
      smtp_code: "int",
      enhanced_code: "text",
      smtp_text: "text",
      at: "bigint",
      reason: "text",
    },
    outcomes.map((o) => [
      o.delivery.id,
      o.delivery.tenantId,
      o.status,
      o.attempts,
      o.nextAttemptAt,
      o.smtpCode,
      o.enhancedCode,
      o.smtpText,
      o.at,
      o.reason ?? null,
    ]),
  );
  // Whether the row's tenant has an active webhook endpoint rides along, so a write for tenants
  // without one (most) costs no look-up of its own. SQLite's RETURNING cannot name the alias:
  // the columns are unqualified and the table is named in full.
  const table = dialect === "postgres" ? sql`r` : sql`recipients`;
  const result = await sql<{ id: string; tenant_id: string; hooked: boolean | number }>`
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
      hold_reason = null,
      sent_at = case when v.status = 'sent' then v.at else r.sent_at end
    from ${values}
    where r.id = v.id and r.tenant_id = v.tenant_id and r.lease_owner = ${owner}
    returning ${table}.id, ${table}.tenant_id,
      exists (select 1 from webhook_endpoints w where w.tenant_id = ${table}.tenant_id and w.active = 1) as hooked`.execute(
    tx,
  );
  return {
    updated: new Set(result.rows.map((r) => r.id)),
    hooked: new Set(result.rows.filter((r) => r.hooked === true || r.hooked === 1).map((r) => r.tenant_id)),
  };
}

/** A claimed row handed back unsent until `until` (pacing, a sending window, held mail). */
export interface Deferral {
  readonly id: string;
  readonly tenantId: string;
  readonly until: number;
  /** Shown as the recipient's last reply text (why it waits); undefined leaves it alone. */
  readonly note?: string;
  /** Why it waits, if it is held rather than paced (`revoked_sign_in`); cleared otherwise. */
  readonly holdReason?: HoldReason;
}

/**
 * Hands claimed rows back without an attempt: due again at `until`, lease released, status and
 * attempts untouched, no event. Only rows `owner` still holds. Rows sharing a time and note are
 * updated together.
 */
export async function deferClaims(db: Db | Tx, owner: string, deferrals: readonly Deferral[], now: number) {
  const groups = new Map<string, Deferral[]>();
  for (const d of deferrals) {
    const key = `${d.until} ${d.holdReason ?? ""} ${d.note ?? ""}`;
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
          hold_reason: first.holdReason ?? null,
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

/**
 * Makes mail held for a revoked sign-in due now (the wizard's Finish, right after a new sign-in
 * was saved). Returns how many recipients were released.
 */
export async function releaseRevokedSignInHold(db: Db | Tx, tenantId: string, now: number): Promise<number> {
  const result = await db
    .updateTable("recipients")
    .set({ next_attempt_at: now, last_smtp_text: null, hold_reason: null })
    .where("tenant_id", "=", tenantId)
    .where("lease_owner", "is", null)
    .where("hold_reason", "=", "revoked_sign_in")
    .where("next_attempt_at", ">", now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * The due time of mail held by a suspension: never, in practice (the year 9999). The rows keep
 * their status; only the resume (`releaseSuspensionHold`) makes them due again.
 */
export const SUSPENDED_UNTIL = 253_402_300_799_000;

/** Shown as a held row's last reply text while its tenant is suspended. */
export const SUSPENDED_NOTE = "held: the school's account is suspended";

/**
 * The operator suspended the tenant: every waiting row (queued or retrying, not held by a
 * worker now) is held with the reason `suspended`, its due time and hold reason kept to be put
 * back on resume. Status, attempts and charge are untouched: nothing is sent, nothing deleted.
 * Rows a worker holds now, and mail queued later, are held by the worker's suspension check
 * (`delivery/suspension-gate.ts`) when claimed. Returns how many rows were held.
 */
export async function holdForSuspension(db: Db | Tx, tenantId: string, now: number): Promise<number> {
  const result = await db
    .updateTable("recipients")
    .set((eb) => ({
      suspended_due_at: eb.ref("next_attempt_at"),
      suspended_hold_reason: eb.ref("hold_reason"),
      next_attempt_at: SUSPENDED_UNTIL,
      hold_reason: "suspended" satisfies HoldReason,
      updated_at: now,
    }))
    .where("tenant_id", "=", tenantId)
    .where("next_attempt_at", "is not", null)
    .where("lease_owner", "is", null)
    .where((eb) => eb.or([eb("hold_reason", "is", null), eb("hold_reason", "!=", "suspended")]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * The operator resumed the tenant: rows held by the suspension are due again at their old due
 * time (now, if that has passed), with their old hold reason (a "hold each email" time still
 * running stays cancellable). Returns how many rows were released.
 */
export async function releaseSuspensionHold(db: Db | Tx, tenantId: string, now: number): Promise<number> {
  const result = await db
    .updateTable("recipients")
    .set((eb) => ({
      next_attempt_at: eb.case().when("suspended_due_at", ">", now).then(eb.ref("suspended_due_at")).else(now).end(),
      hold_reason: eb.case().when("suspended_due_at", ">", now).then(eb.ref("suspended_hold_reason")).else(null).end(),
      last_smtp_text: eb
        .case()
        .when("last_smtp_text", "=", SUSPENDED_NOTE)
        .then(null)
        .else(eb.ref("last_smtp_text"))
        .end(),
      suspended_due_at: null,
      suspended_hold_reason: null,
      updated_at: now,
    }))
    .where("tenant_id", "=", tenantId)
    .where("hold_reason", "=", "suspended")
    .where("lease_owner", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Marks what metering charged: one UPDATE per 500 rows sharing a charge (not a status move). */
export async function recordCharge(
  tx: Tx,
  tenantIds: readonly string[],
  charge: string,
  ids: readonly string[],
): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await tx
      .updateTable("recipients")
      .set({ charge })
      .where("tenant_id", "in", tenantIds)
      .where("id", "in", ids.slice(i, i + 500))
      .execute();
  }
}

/** Metered rows (`queued` or `soft_bounce`) parked as `held_no_credit`: out of the outbox until credit arrives. */
export async function holdForNoCredit(
  tx: Tx,
  tenantId: string,
  rows: readonly { readonly recipientId: string; readonly messageId: string; readonly status: string }[],
  now: number,
): Promise<void> {
  if (rows.length === 0) return;
  for (const r of rows) assertTransition(r.status, "held_no_credit");
  const ids = rows.map((r) => r.recipientId);
  await tx
    .updateTable("recipients")
    .set({
      status: "held_no_credit",
      next_attempt_at: null,
      lease_owner: null,
      updated_at: now,
      hold_reason: "no_credit",
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "in", ids)
    .execute();
  const events: NewEvent[] = rows.map((r) => ({
    id: newId(now),
    tenant_id: tenantId,
    message_id: r.messageId,
    recipient_id: r.recipientId,
    at: now,
    status: "held_no_credit",
    attempt: 0,
    smtp_code: null,
    enhanced_code: null,
    smtp_text: "held: no credit left this month under the hard limit",
  }));
  await tx.insertInto("events").values(events).execute();
}

/**
 * `held_no_credit` -> `queued`, oldest first, at most `limit`: due at its acceptance time, the
 * charge cleared (metering charges afresh), the retry lifetime starting now. Only the rows this
 * statement moved get an event, so two releases at once never double them. Returns how many.
 */
export async function releaseNoCreditHold(tx: Tx, tenantId: string, now: number, limit?: number): Promise<number> {
  assertTransition("held_no_credit", "queued");
  let q = tx
    .updateTable("recipients")
    .set((eb) => ({
      status: "queued",
      next_attempt_at: eb.ref("created_at"),
      retry_from: now,
      charge: null,
      updated_at: now,
      hold_reason: null,
    }))
    .where("tenant_id", "=", tenantId)
    .where("status", "=", "held_no_credit");
  if (limit !== undefined) {
    q = q.where("id", "in", (eb) =>
      eb
        .selectFrom("recipients")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("status", "=", "held_no_credit")
        .orderBy("created_at")
        .orderBy("id")
        .limit(limit),
    );
  }
  const released = await q.returning(["id", "message_id", "attempts"]).execute();
  for (let i = 0; i < released.length; i += 500) {
    await tx
      .insertInto("events")
      .values(
        released.slice(i, i + 500).map((r) => ({
          id: newId(now),
          tenant_id: tenantId,
          message_id: r.message_id,
          recipient_id: r.id,
          at: now,
          status: "queued",
          attempt: r.attempts,
          smtp_code: null,
          enhanced_code: null,
          smtp_text: "released: credit is available",
        })),
      )
      .execute();
  }
  return released.length;
}

/** Statuses a recipient can still be cancelled from: accepted, never handed to a server. */
export const CANCELLABLE: readonly RecipientStatus[] = ["queued", "held_no_credit", "pending_digest"];

/**
 * The sender stops a message: every recipient still waiting (`CANCELLABLE`) and not leased by a
 * worker becomes `cancelled`, final, with an event, a webhook event, and its credit refunded if it
 * had been charged. Returns the rows cancelled.
 */
export function cancelWaiting(
  tx: Tx,
  tenantId: string,
  messageId: string,
  now: number,
): Promise<{ id: string; email: string; charge: string | null }[]> {
  return cancelWhere(tx, tenantId, { messageId }, "cancelled by the sender", now);
}

/** `cancelWaiting` for one message's rows, or for every row of some contacts (erasure). */
async function cancelWhere(
  tx: Tx,
  tenantId: string,
  which: { readonly messageId: string } | { readonly contactIds: readonly string[] },
  text: string,
  now: number,
): Promise<{ id: string; email: string; charge: string | null }[]> {
  for (const from of CANCELLABLE) assertTransition(from, "cancelled");
  let update = tx
    .updateTable("recipients")
    .set({ status: "cancelled", next_attempt_at: null, updated_at: now, last_smtp_text: text, hold_reason: null })
    .where("tenant_id", "=", tenantId)
    .where("status", "in", CANCELLABLE)
    .where("lease_owner", "is", null);
  update =
    "messageId" in which
      ? update.where("message_id", "=", which.messageId)
      : update.where("contact_id", "in", which.contactIds);
  const cancelled = await update.returning(["id", "message_id", "email", "charge"]).execute();
  if (cancelled.length === 0) return [];
  await tx
    .insertInto("events")
    .values(
      cancelled.map((r) => ({
        id: newId(now),
        tenant_id: tenantId,
        message_id: r.message_id,
        recipient_id: r.id,
        at: now,
        status: "cancelled",
        attempt: 0,
        smtp_code: null,
        enhanced_code: null,
        smtp_text: text,
      })),
    )
    .execute();
  // Own-account mail is never charged; this is for anything that was (belt and braces).
  await refundCharges(
    tx,
    cancelled.filter((r) => r.charge !== null).map((r) => ({ recipientId: r.id, tenantId, charge: r.charge ?? "" })),
    now,
  );
  await enqueueStatusEvents(
    tx,
    cancelled.map((r) => ({
      tenantId,
      messageId: r.message_id,
      recipientId: r.id,
      email: r.email,
      status: "cancelled" as const,
      at: now,
      detail: text,
    })),
  );
  return cancelled.map((r) => ({ id: r.id, email: r.email, charge: r.charge }));
}

/**
 * A contact was deleted (a leaver, a GDPR request), inside the caller's transaction: every
 * recipient row of theirs loses its address, name and the server's reply text (which may quote the
 * address), and so do its events and the digests made for them; statuses, times and counts stay, so reports still add up and
 * show a deleted contact. Their mail still waiting (`CANCELLABLE`, digest items included) is
 * cancelled rather than sent; a row a worker holds right now finishes its attempt. Answers how
 * many rows were erased and cancelled.
 */
export async function eraseContactRecipients(
  tx: Tx,
  tenantId: string,
  contactId: string,
  now: number,
): Promise<{ erased: number; cancelled: number }> {
  const erased = await tx
    .updateTable("recipients")
    .set({ email: "", name: null, last_smtp_text: null, updated_at: now })
    .where("tenant_id", "=", tenantId)
    .where("contact_id", "=", contactId)
    .executeTakeFirst();
  await tx
    .updateTable("events")
    .set({ smtp_text: null })
    .where("tenant_id", "=", tenantId)
    .where((eb) =>
      eb(
        "recipient_id",
        "in",
        eb.selectFrom("recipients").select("id").where("tenant_id", "=", tenantId).where("contact_id", "=", contactId),
      ),
    )
    .execute();
  // A digest is one contact's own email: whom it names and what it says go too.
  await tx
    .updateTable("messages")
    .set({ header_recipients: JSON.stringify({ to: [], cc: [] }), text_body: null, html_body: null })
    .where("tenant_id", "=", tenantId)
    .where("source", "=", "digest")
    .where((eb) =>
      eb(
        "id",
        "in",
        eb
          .selectFrom("recipients")
          .select("message_id")
          .where("tenant_id", "=", tenantId)
          .where("contact_id", "=", contactId),
      ),
    )
    .execute();
  const cancelled = await cancelWhere(tx, tenantId, { contactIds: [contactId] }, "contact deleted", now);
  await tx
    .deleteFrom("digest_items")
    .where("tenant_id", "=", tenantId)
    .where("contact_id", "=", contactId)
    .where("digest_message_id", "is", null)
    .execute();
  return { erased: Number(erased.numUpdatedRows), cancelled: cancelled.length };
}

/** A late event (DSN, complaint, open) that moves a recipient's status forwards. */
export interface LateMove {
  readonly tenantId: string;
  readonly recipientId: string;
  readonly messageId: string;
  readonly email: string;
  /** The status read just before (compare-and-set: a change since then wins). */
  readonly from: RecipientStatus;
  readonly to: RecipientStatus;
  readonly at: number;
  readonly firstOpen: boolean;
  readonly smtpCode?: number | null;
  readonly enhancedCode?: string | null;
  readonly text?: string | null;
  readonly reason?: FailureReason | null;
}

/**
 * Moves one recipient after delivery, and queues its webhook event. False when the row changed
 * since it was read (the caller keeps the event in the history only).
 */
export async function moveAfterDelivery(tx: Tx, m: LateMove): Promise<boolean> {
  assertTransition(m.from, m.to);
  const update = await tx
    .updateTable("recipients")
    .set({
      status: m.to,
      updated_at: m.at,
      ...(m.firstOpen ? { opened_at: m.at } : {}),
      ...(m.smtpCode !== undefined ? { last_smtp_code: m.smtpCode } : {}),
      ...(m.enhancedCode !== undefined ? { last_enhanced_code: m.enhancedCode } : {}),
      ...(m.text !== undefined ? { last_smtp_text: m.text?.slice(0, 1000) ?? null } : {}),
      ...(m.reason !== undefined ? { last_reason: m.reason } : {}),
    })
    .where("id", "=", m.recipientId)
    .where("tenant_id", "=", m.tenantId)
    .where("status", "=", m.from)
    .executeTakeFirst();
  if (Number(update.numUpdatedRows) === 0) return false;
  await enqueueStatusEvents(tx, [
    {
      tenantId: m.tenantId,
      messageId: m.messageId,
      recipientId: m.recipientId,
      email: m.email,
      status: m.to,
      at: m.at,
      smtpCode: m.smtpCode ?? null,
      enhancedCode: m.enhancedCode ?? null,
      detail: m.text ?? null,
      reason: m.reason ?? null,
    },
  ]);
  return true;
}

/**
 * Gives back the credit of a recipient that will never be sent (hard bounce, rejection,
 * given up): one `refund` ledger row, the counter or the grant restored, and the charge marked
 * refunded, so a recipient is refunded at most once.
 */
export async function refundCharges(
  tx: Tx,
  refunds: readonly { readonly recipientId: string; readonly tenantId: string; readonly charge: string }[],
  now: number,
): Promise<void> {
  for (const r of refunds) {
    const parsed = parseCharge(r.charge);
    if (!parsed) continue;
    const marked = await tx
      .updateTable("recipients")
      .set({ charge: `refunded:${r.charge}` })
      .where("id", "=", r.recipientId)
      .where("tenant_id", "=", r.tenantId)
      .where("charge", "=", r.charge)
      .executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0) continue;
    await tx
      .insertInto("credit_ledger")
      .values({
        id: newId(now),
        tenant_id: r.tenantId,
        group_id: null,
        at: now,
        period: parsed.period,
        kind: "refund",
        amount: 1,
        grant_id: parsed.grantId,
        recipient_id: r.recipientId,
        actor: null,
        note: "not delivered",
      })
      .execute();
    await tx
      .updateTable("credit_periods")
      .set((eb) => ({ counted: eb("counted", "-", 1) }))
      .where("tenant_id", "=", r.tenantId)
      .where("period", "=", parsed.period)
      .execute();
    if (parsed.grantId) {
      await tx
        .updateTable("credit_grants")
        .set((eb) => ({ remaining: eb("remaining", "+", 1) }))
        .where("id", "=", parsed.grantId)
        .execute();
    }
  }
}

/** Statuses a delivery may be replaced by a resend from (sent and opened only when asked). */
export const RESENDABLE: readonly RecipientStatus[] = [
  "email_missing",
  "hard_bounce",
  "soft_bounce",
  "rejected",
  "sent",
  "opened",
];

/** A delivery to replace, and the new one that replaces it (built with `newRecipient`). */
export interface Replacement {
  readonly originalId: string;
  readonly recipient: NewRecipient;
  readonly event: NewEvent;
}

/**
 * Replaces deliveries with new ones (a resend): each original still the latest, in a
 * `RESENDABLE` status and not held by a worker is marked `replaced_at` and stops (a
 * `soft_bounce` waiting for its retry loses its next attempt, and the credit it was charged comes
 * back: the new delivery is charged instead, so only one copy goes and is paid for), gets an
 * event saying so, and its new delivery is inserted. Compare-and-set per batch: an original
 * replaced meanwhile, or claimed by a worker for its retry, is left out. Returns the
 * replacements written.
 */
export async function replaceForResend(
  tx: Tx,
  tenantId: string,
  replacements: readonly Replacement[],
  now: number,
): Promise<Replacement[]> {
  const written: Replacement[] = [];
  const byOriginal = new Map(replacements.map((r) => [r.originalId, r]));
  const ids = [...byOriginal.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    const marked = await tx
      .updateTable("recipients")
      .set({ replaced_at: now, next_attempt_at: null, hold_reason: null })
      .where("tenant_id", "=", tenantId)
      .where("id", "in", ids.slice(i, i + 500))
      .where("replaced_at", "is", null)
      .where("status", "in", RESENDABLE)
      .where("lease_owner", "is", null)
      .returning(["id", "message_id", "status", "charge", "attempts"])
      .execute();
    if (marked.length === 0) continue;
    await tx
      .insertInto("events")
      .values(
        marked.map((r) => ({
          id: newId(now),
          tenant_id: tenantId,
          message_id: r.message_id,
          recipient_id: r.id,
          at: now,
          status: r.status,
          attempt: r.attempts,
          smtp_code: null,
          enhanced_code: null,
          smtp_text: r.status === "soft_bounce" ? "retry stopped: replaced by a resend" : "replaced by a resend",
        })),
      )
      .execute();
    await refundCharges(
      tx,
      marked
        .filter((r) => r.status === "soft_bounce" && r.charge !== null)
        .map((r) => ({ recipientId: r.id, tenantId, charge: r.charge ?? "" })),
      now,
    );
    const chosen = marked.map((r) => byOriginal.get(r.id)).filter((r): r is Replacement => r !== undefined);
    await insertRecipients(
      tx,
      chosen.map((r) => r.recipient),
      chosen.map((r) => r.event),
    );
    written.push(...chosen);
  }
  return written;
}
