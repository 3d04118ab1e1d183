import { sql } from "kysely";
import { refundCharges } from "../credits/meter.js";
import type { Database, Tx } from "../db/database.js";
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
  /** Start of the retry lifetime: acceptance, or when held mail was released. */
  readonly retryFrom: number;
  /** What the recipient was charged (null until metered before its first attempt). */
  readonly charge: string | null;
  /** Set by the send gate: goes out through the tenant's own mail account, not the relay. */
  readonly via?: "own_account";
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
    .returning(["id", "tenant_id", "message_id", "email", "attempts", "created_at", "retry_from", "charge"])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    messageId: r.message_id,
    email: r.email,
    attempts: r.attempts,
    retryFrom: r.retry_from ?? r.created_at,
    charge: r.charge,
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
    const updated =
      database.dialect === "postgres"
        ? await updateAllPostgres(tx, owner, outcomes)
        : await updateEach(tx, owner, outcomes);
    const events: NewEvent[] = outcomes
      .filter((o) => updated.has(o.delivery.id))
      .map((o) => ({
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
      }));
    if (events.length > 0) await tx.insertInto("events").values(events).execute();
    // Credit follows delivery: a counted recipient that will never be sent gets its credit back.
    // In (tenant, charge) order, the order metering locks in: two workers never wait on each other.
    const refunds = outcomes
      .filter(
        (o) =>
          updated.has(o.delivery.id) && o.nextAttemptAt === null && o.status !== "sent" && o.delivery.charge !== null,
      )
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
    return events.length;
  });
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
      ${col((o) => o.at)}::bigint[]
    ) as v(id, tenant_id, status, attempts, next_attempt_at, smtp_code, enhanced_code, smtp_text, at)
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
