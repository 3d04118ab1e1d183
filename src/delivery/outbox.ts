import { sql } from "kysely";
import { refundCharges } from "../credits/meter.js";
import type { Database, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { NewEvent, RecipientRow } from "../db/tables.js";
import type { RecipientStatus } from "../messages/statuses.js";
import { suppress } from "../messages/suppressions.js";
import { enqueueStatusEvents, type StatusEvent } from "../tracking/webhook-events.js";

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

/** Fairness and priority in a claim (see `claimDue`). */
export interface ClaimOptions {
  /**
   * Categories that go ahead of everything else (the operator's critical categories); Postbag's
   * own mail (category `notice`) always does.
   */
  readonly priorityCategories?: readonly string[];
  /** Turns the round-robin: which due tenant is served first (a counter the caller advances). */
  readonly rotation?: number;
}

/** Messages accepted at most this long ago are looked at for priority mail. */
export const PRIORITY_WINDOW_MS = 60 * 60_000;

const CLAIM_COLUMNS = [
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
] as const;

type ClaimedRow = Pick<RecipientRow, (typeof CLAIM_COLUMNS)[number]>;

/**
 * Claims up to `limit` due deliveries for `owner`. A claim moves the row's next attempt to the
 * end of the lease, so a worker that dies holding it simply lets the row fall due again; no
 * sweeper is needed. PostgreSQL claimers skip each other's locked rows (SKIP LOCKED); on SQLite
 * the UPDATEs run under the database's one write lock.
 *
 * Fair between tenants, in up to four statements:
 * 1. the tenants with due mail (a skip scan over `recipients_tenant_due`, one step per tenant
 *    with outbox rows, not per row);
 * 2. priority mail first: due rows of messages in a priority category (`notice`, the operator's
 *    critical categories) accepted within `PRIORITY_WINDOW_MS`, found from the messages side
 *    (`messages_tenant_category`), so a 20,000-row announcement costs nothing here;
 * 3. round-robin: each due tenant gets an equal share of the rest of the batch, its oldest rows
 *    first (more tenants than the batch has rows: one row each, starting at `rotation`);
 * 4. shares a tenant could not use go to the tenants that filled theirs.
 * So a tenant's 20,000-recipient announcement takes at most its share of each batch, and
 * another school's password reset is in the next claim.
 */
export async function claimDue(
  database: Database,
  owner: string,
  now: number,
  leaseMs: number,
  limit: number,
  /** Claim inside this transaction (to meter the batch in the same commit). */
  tx?: Tx,
  options: ClaimOptions = {},
): Promise<ClaimedDelivery[]> {
  const db = tx ?? database.db;
  const pg = database.dialect === "postgres";
  if (limit <= 0) return [];
  const due = await dueTenants(db, now);
  if (due.length === 0) return [];
  const rows: ClaimedRow[] = [];
  // PostgreSQL: `= any(array(…))` runs the locking subquery once (an InitPlan); with `in (…)`
  // the planner may re-run a LIMIT … SKIP LOCKED subquery per row and claim more than asked.
  const take = (ids: Fragment) =>
    sql<ClaimedRow>`update recipients set next_attempt_at = ${now + leaseMs}, lease_owner = ${owner}
      where ${pg ? sql`id = any(array(${ids}))` : sql`id in (${ids})`}
      returning ${sql.join(CLAIM_COLUMNS.map((c) => sql.ref(c)))}`
      .execute(db)
      .then((r) => r.rows);

  const categories = [...new Set(["notice", ...(options.priorityCategories ?? [])])];
  const cutoff = idFloor(now - PRIORITY_WINDOW_MS);
  rows.push(
    ...(await take(sql`select r.id from messages m join recipients r on r.message_id = m.id
      where m.tenant_id in (${sql.join(due)}) and m.category in (${sql.join(categories)}) and m.id >= ${cutoff}
        and r.next_attempt_at <= ${now}
      order by r.next_attempt_at limit ${limit}${pg ? sql` for update of r skip locked` : sql``}`)),
  );

  // Round-robin, then a second round for what tenants with little due mail left over.
  const rotation = options.rotation ?? 0;
  let tenants = [...due.slice(rotation % due.length), ...due.slice(0, rotation % due.length)];
  for (let pass = 0; pass < 2 && tenants.length > 0; pass++) {
    const room = limit - rows.length;
    if (room <= 0) break;
    const served = tenants.slice(0, room);
    const shares = served.map((_, i) => Math.floor(room / served.length) + (i < room % served.length ? 1 : 0));
    const got = await take(pg ? pgShares(served, shares, now) : sqliteShares(served, shares, now));
    rows.push(...got);
    const counts = new Map<string, number>();
    for (const r of got) counts.set(r.tenant_id, (counts.get(r.tenant_id) ?? 0) + 1);
    // Only tenants that used their whole share may have more.
    tenants = served.filter((t, i) => (counts.get(t) ?? 0) >= (shares[i] ?? 0));
  }
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

type Fragment = ReturnType<typeof sql>;

/**
 * Tenants with a due row, in id order: a skip scan that steps from one tenant's outbox rows to
 * the next tenant's through `recipients_tenant_due`, then one index probe per tenant.
 */
async function dueTenants(db: Database["db"] | Tx, now: number): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive t(id) as (
      select min(tenant_id) from recipients where next_attempt_at is not null
      union all
      select (select min(tenant_id) from recipients where next_attempt_at is not null and tenant_id > t.id)
      from t where t.id is not null
    )
    select t.id from t
    where t.id is not null
      and exists (select 1 from recipients r where r.tenant_id = t.id and r.next_attempt_at <= ${now})`.execute(db);
  return result.rows.map((r) => r.id);
}

/** PostgreSQL: each tenant's oldest due rows up to its share, in one statement (lateral joins). */
function pgShares(tenants: readonly string[], shares: readonly number[], now: number): Fragment {
  return sql`select x.id from unnest(${tenants}::text[], ${shares}::int[]) as t(id, share)
    cross join lateral (
      select id from recipients
      where tenant_id = t.id and next_attempt_at <= ${now}
      order by next_attempt_at limit t.share
      for update skip locked
    ) x`;
}

/** SQLite: the same as one UNION ALL of per-tenant index range scans (SQLite has no lateral join). */
function sqliteShares(tenants: readonly string[], shares: readonly number[], now: number): Fragment {
  return sql.join(
    tenants.map(
      (t, i) => sql`select id from (select id from recipients
        where tenant_id = ${t} and next_attempt_at <= ${now} order by next_attempt_at limit ${shares[i] ?? 0})`,
    ),
    sql` union all `,
  );
}

/** The smallest id (ULID) made at `at`: message ids compare by time with it. */
export function idFloor(at: number): string {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let time = Math.max(0, Math.floor(at));
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = alphabet[time % 32] + out;
    time = Math.floor(time / 32);
  }
  return `${out}0000000000000000`;
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
