import { sql } from "kysely";
import type { Database, Tx } from "../db/database.js";
import type { RecipientRow } from "../db/tables.js";
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
  const take = (ids: Fragment): Promise<ClaimedRow[]> =>
    db
      .updateTable("recipients")
      .set({ next_attempt_at: now + leaseMs, lease_owner: owner })
      .where(pg ? sql<boolean>`id = any(array(${ids}))` : sql<boolean>`id in (${ids})`)
      .returning([...CLAIM_COLUMNS])
      .execute();

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
