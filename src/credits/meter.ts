import { type Insertable, sql } from "kysely";
import type { Database, Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { CreditLedgerTable } from "../db/tables.js";
import { internalCategories } from "../email/categories.js";
import { holdForNoCredit, recordCharge, refundCharges } from "../messages/recipient-state.js";
import { type Charge, parseCharge } from "../messages/refunds.js";
import { creditAlertRecipients, type NoticeSender, prepareNotice, queueNotice } from "./notices.js";
import {
  type OperatorCreditSettings,
  type Period,
  periodAt,
  type TenantCreditRules,
  tenantCreditRules,
  tenantCreditRulesFor,
} from "./settings.js";

export { type Charge, parseCharge, refundCharges };

/** A request whose row is still due and uncharged, with its status (`queued` or `soft_bounce`). */
type UnmeteredRow = MeterRequest & { readonly status: string };

export interface MeterRequest {
  readonly recipientId: string;
  readonly tenantId: string;
  readonly messageId: string;
  readonly category: string;
  /** The row's status as claimed (`queued` or `soft_bounce`); needed with `MeterOptions.claimed`. */
  readonly status?: string;
}

export interface MeterResult {
  readonly charges: ReadonlyMap<string, Charge>;
  /**
   * Recipients not to be sent: held for lack of credit (status `held_no_credit`), or (after a
   * stall past the lease) already taken on by another worker since this one claimed them.
   */
  readonly held: ReadonlySet<string>;
}

const DAY = 86_400_000;

/** The credit a tenant has now, under the rules of docs/credits.md (packages are not stacked). */
export interface Availability {
  readonly period: Period;
  readonly counted: number;
  readonly grantBalance: number;
  /**
   * What can still be sent: purchased credit first; then what is left of the month's allowance
   * after all counted mail this month, never below zero.
   */
  readonly available: number;
  readonly state: "ok" | "low" | "over";
}

export function availability(period: Period, allowance: number, counted: number, grantBalance: number): Availability {
  const available = grantBalance + Math.max(0, allowance - counted - grantBalance);
  // 90% of what the tenant can send this period: what it has sent plus what it still can.
  const capacity = counted + available;
  const state = available === 0 ? "over" : counted >= 0.9 * capacity ? "low" : "ok";
  return { period, counted, grantBalance, available, state };
}

/** Whether mail of `category` is charged at all (metered tenant, not exempt, not Postbag's own). */
export function chargesCategory(rules: TenantCreditRules, category: string): boolean {
  return rules.metered && !rules.exempt.has(category) && !(internalCategories as ReadonlySet<string>).has(category);
}

/**
 * Whether counted mail beyond what is available still goes out (charged over the limit) rather
 * than being held: the soft policy, a grace period still running since the tenant first went
 * over (`overAt`), or a critical category.
 */
export function sendsOverLimit(rules: TenantCreditRules, category: string, overAt: number, now: number): boolean {
  const inGrace = rules.policy === "grace" && now < overAt + rules.graceDays * DAY;
  return rules.policy === "soft" || inGrace || rules.critical.has(category);
}

/** Creates the tenant's period row if needed, and (PostgreSQL) locks it for this transaction. */
export async function lockPeriod(tx: Tx, dialect: Database["dialect"], tenantId: string, period: string) {
  await tx
    .insertInto("credit_periods")
    .values({ tenant_id: tenantId, period, counted: 0, low_alert_at: null, over_at: null, last_reminder_at: null })
    .onConflict((oc) => oc.columns(["tenant_id", "period"]).doNothing())
    .execute();
  // SQLite transactions already hold the database's single write lock (begin immediate).
  let q = tx.selectFrom("credit_periods").selectAll().where("tenant_id", "=", tenantId).where("period", "=", period);
  if (dialect === "postgres") q = q.forUpdate();
  return q.executeTakeFirstOrThrow();
}

/** Unexpired credit the tenant holds, soonest to expire first (spent in that order). */
export async function activeGrants(db: Db, tenantId: string, now: number) {
  return unexpiredGrants(db, { tenantId }, now);
}

/**
 * Unexpired credit with something left, soonest to expire first: a tenant's, or a group's
 * bundle (grants held by the group and no tenant yet).
 */
export async function unexpiredGrants(
  db: Db,
  owner: { readonly tenantId: string } | { readonly groupId: string },
  now: number,
) {
  const q = db.selectFrom("credit_grants").select(["id", "remaining", "expires_at"]);
  return (
    "tenantId" in owner
      ? q.where("tenant_id", "=", owner.tenantId)
      : q.where("group_id", "=", owner.groupId).where("tenant_id", "is", null)
  )
    .where("remaining", ">", 0)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
    .orderBy(sql`coalesce(expires_at, 9007199254740991)`)
    .orderBy("id")
    .execute();
}

/** What the caller of `meterBatch` already knows, so the batch does not read it again. */
export interface MeterOptions {
  /** The operator's settings (the worker keeps them for a few seconds). */
  readonly operator?: OperatorCreditSettings;
  /** The batch's tenants' rules, read once per claim by the worker. */
  readonly rules?: ReadonlyMap<string, TenantCreditRules>;
  /**
   * The rows were claimed in this same transaction and each request carries its status: they
   * are locked (PostgreSQL) or under the write lock (SQLite) since the claim, so they are still
   * due and uncharged and are not read again.
   */
  readonly claimed?: boolean;
}

/**
 * Meters a claimed batch before anything is sent, in one transaction: each counted recipient
 * is charged to purchased credit, else to the month's allowance, else (over the limit) sent
 * anyway or held as the policy says. Critical categories are never held. The tenants' period
 * rows are locked first, in tenant order (so concurrent workers cannot overspend a hard limit
 * and never wait on each other), and the ledger rows, the counters and the recipients' charges
 * are written together. One query per kind for the whole batch, whatever its tenants, except
 * each tenant's counter update.
 */
export async function meterBatch(
  database: Database,
  requests: readonly MeterRequest[],
  now: number,
  sender: NoticeSender,
  /** Run inside this transaction (the worker's claim) instead of one of its own. */
  inTransaction?: Tx,
  options: MeterOptions = {},
): Promise<MeterResult> {
  const charges = new Map<string, Charge>();
  const held = new Set<string>();
  if (requests.length === 0) return { charges, held };
  const byTenant = new Map<string, MeterRequest[]>();
  for (const r of requests) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r]);

  const meter = async (tx: Tx) => {
    const tenantIds = [...byTenant.keys()].sort();
    const rules = options.rules ?? (await tenantCreditRulesFor(tx, tenantIds, options.operator));
    // Always lock tenants in the same order: two workers can then never wait on each other.
    const plans = tenantIds.flatMap((tenantId) => {
      const r = rules.get(tenantId);
      return r ? [{ rules: r, requests: byTenant.get(tenantId) ?? [], period: periodAt(now, r.timezone) }] : [];
    });
    const locked = await lockPeriods(
      tx,
      database.dialect,
      plans
        .filter((p) => p.requests.some((r) => chargesCategory(p.rules, r.category)))
        .map((p) => ({ tenantId: p.rules.tenantId, period: p.period.key })),
    );
    // Read again after the locks, so two meterings of one row cannot interleave.
    const known = requests.filter((r) => rules.has(r.tenantId));
    const live = options.claimed
      ? known.map((r) => ({ ...r, status: r.status ?? "queued" }))
      : await stillUnmetered(tx, known, held);
    const liveByTenant = new Map<string, UnmeteredRow[]>();
    for (const r of live) liveByTenant.set(r.tenantId, [...(liveByTenant.get(r.tenantId) ?? []), r]);
    const countedTenants = plans
      .filter((p) => locked.has(p.rules.tenantId))
      .filter((p) => (liveByTenant.get(p.rules.tenantId) ?? []).some((r) => chargesCategory(p.rules, r.category)))
      .map((p) => p.rules.tenantId);
    const grants = await grantsOf(tx, countedTenants, now);
    const ledger: NewLedgerRow[] = [];
    for (const plan of plans) {
      await meterTenant(tx, {
        rules: plan.rules,
        period: plan.period,
        live: liveByTenant.get(plan.rules.tenantId) ?? [],
        row: locked.get(plan.rules.tenantId),
        grants: grants.get(plan.rules.tenantId) ?? [],
        now,
        sender,
        charges,
        held,
        ledger,
      });
    }
    for (let i = 0; i < ledger.length; i += 500)
      await tx
        .insertInto("credit_ledger")
        .values(ledger.slice(i, i + 500))
        .execute();
    // Few distinct charges per batch (one period, a grant or two): one UPDATE for each.
    const byCharge = new Map<Charge, { tenants: Set<string>; ids: string[] }>();
    for (const r of live) {
      const charge = charges.get(r.recipientId);
      if (!charge) continue;
      const entry = byCharge.get(charge) ?? { tenants: new Set<string>(), ids: [] };
      entry.tenants.add(r.tenantId);
      entry.ids.push(r.recipientId);
      byCharge.set(charge, entry);
    }
    for (const [charge, { tenants, ids }] of byCharge) await recordCharge(tx, [...tenants], charge, ids);
  };
  if (inTransaction) await meter(inTransaction);
  else await database.db.transaction().execute(meter);
  return { charges, held };
}

type NewLedgerRow = Insertable<CreditLedgerTable>;
type PeriodRow = Awaited<ReturnType<typeof lockPeriod>>;
type GrantRow = Awaited<ReturnType<typeof unexpiredGrants>>[number];

/**
 * Locks the period rows of these (tenant, period) pairs, in tenant order, creating those that do
 * not exist yet. Usually one statement; the first batch of a tenant's month creates its row
 * tenant by tenant (`lockPeriod`), which keeps the same order.
 */
async function lockPeriods(
  tx: Tx,
  dialect: Database["dialect"],
  pairs: readonly { readonly tenantId: string; readonly period: string }[],
): Promise<Map<string, PeriodRow>> {
  const out = new Map<string, PeriodRow>();
  if (pairs.length === 0) return out;
  const sorted = [...pairs].sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  let q = tx
    .selectFrom("credit_periods")
    .selectAll()
    .where(sql<boolean>`(tenant_id, period) in (${sql.join(sorted.map((p) => sql`(${p.tenantId}, ${p.period})`))})`)
    .orderBy("tenant_id");
  // SQLite transactions already hold the database's single write lock (begin immediate).
  if (dialect === "postgres") q = q.forUpdate();
  const found = await q.execute();
  if (found.length === sorted.length) {
    for (const row of found) out.set(row.tenant_id, row);
    return out;
  }
  for (const p of sorted) out.set(p.tenantId, await lockPeriod(tx, dialect, p.tenantId, p.period));
  return out;
}

/** Unexpired credit with something left of each tenant, soonest to expire first: one query. */
async function grantsOf(tx: Tx, tenantIds: readonly string[], now: number): Promise<Map<string, GrantRow[]>> {
  const out = new Map<string, GrantRow[]>();
  if (tenantIds.length === 0) return out;
  const rows = await tx
    .selectFrom("credit_grants")
    .select(["id", "tenant_id", "remaining", "expires_at"])
    .where("tenant_id", "in", tenantIds)
    .where("remaining", ">", 0)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
    .orderBy(sql`coalesce(expires_at, 9007199254740991)`)
    .orderBy("id")
    .execute();
  for (const { tenant_id, ...g } of rows) {
    if (tenant_id !== null) out.set(tenant_id, [...(out.get(tenant_id) ?? []), g]);
  }
  return out;
}

/** One tenant's share of a batch: charges and holds decided, counters and grants written. */
async function meterTenant(
  tx: Tx,
  m: {
    readonly rules: TenantCreditRules;
    readonly period: Period;
    readonly live: readonly UnmeteredRow[];
    /** The locked period row; undefined when the tenant has no counted mail in the batch. */
    readonly row: PeriodRow | undefined;
    readonly grants: readonly GrantRow[];
    readonly now: number;
    readonly sender: NoticeSender;
    readonly charges: Map<string, Charge>;
    readonly held: Set<string>;
    /** Ledger rows to insert (for the whole batch at once). */
    readonly ledger: NewLedgerRow[];
  },
): Promise<void> {
  const { rules, period, row, now, charges, held } = m;
  const isCounted = (r: MeterRequest) => chargesCategory(rules, r.category);
  const counted = m.live.filter(isCounted);
  for (const r of m.live) if (!isCounted(r)) charges.set(r.recipientId, "uncounted");
  if (!row || counted.length === 0) return;

  const grants = m.grants.map((g) => ({ ...g, used: 0 }));
  let total = row.counted;
  let overAt = row.over_at;
  let charged = 0;
  const heldNow: UnmeteredRow[] = [];
  for (const r of counted) {
    const grant = grants.find((g) => g.remaining - g.used > 0);
    let charge: Charge | undefined;
    if (grant) {
      grant.used++;
      charge = `grant:${period.key}:${grant.id}`;
    } else if (total < rules.monthlyAllowance) {
      charge = `allowance:${period.key}`;
    } else {
      overAt ??= now;
      if (sendsOverLimit(rules, r.category, overAt, now)) charge = `over:${period.key}`;
    }
    if (!charge) {
      heldNow.push(r);
      continue;
    }
    total++;
    charged++;
    charges.set(r.recipientId, charge);
    m.ledger.push({
      id: newId(now),
      tenant_id: rules.tenantId,
      group_id: null,
      at: now,
      period: period.key,
      kind: charge.startsWith("grant:")
        ? "package_use"
        : charge.startsWith("over:")
          ? "over_limit_use"
          : "allowance_use",
      amount: -1,
      grant_id: charge.startsWith("grant:") ? (grant?.id ?? null) : null,
      recipient_id: r.recipientId,
      actor: null,
      note: null,
    });
  }
  for (const g of grants.filter((g) => g.used > 0)) {
    await tx
      .updateTable("credit_grants")
      .set((eb) => ({ remaining: eb("remaining", "-", g.used) }))
      .where("id", "=", g.id)
      .execute();
  }
  await tx
    .updateTable("credit_periods")
    .set((eb) => ({ counted: eb("counted", "+", charged), over_at: overAt }))
    .where("tenant_id", "=", rules.tenantId)
    .where("period", "=", period.key)
    .execute();
  await holdForNoCredit(tx, rules.tenantId, heldNow, now);
  for (const r of heldNow) held.add(r.recipientId);

  const grantBalance = grants.reduce((sum, g) => sum + g.remaining - g.used, 0);
  const after = availability(period, rules.monthlyAllowance, total, grantBalance);
  if (after.state !== "ok" && row.low_alert_at === null) {
    await tx
      .updateTable("credit_periods")
      .set({ low_alert_at: now })
      .where("tenant_id", "=", rules.tenantId)
      .where("period", "=", period.key)
      .execute();
    const to = await creditAlertRecipients(tx, rules);
    await queueNotice(
      tx,
      m.sender,
      rules.tenantId,
      now,
      prepareNotice(
        m.sender,
        to,
        "Your email credit is running low",
        [
          `You have used ${total} of the email credit you can send this month (${period.key}).`,
          `${after.available} ${after.available === 1 ? "email" : "emails"} can still be sent before the limit.`,
          "",
          "Buy more credit from the Communication overview to keep sending without interruption.",
        ].join("\n"),
      ),
    );
  }
}

/**
 * The requests whose rows are still due and uncharged. A worker that stalled past its lease
 * between its claim and its metering may bring rows another worker has since claimed, charged,
 * sent or held: those are left as they are and marked not to be sent by this worker, so a
 * stale metering can neither charge a recipient twice nor hold mail that already went out.
 */
async function stillUnmetered(tx: Tx, requests: readonly MeterRequest[], held: Set<string>): Promise<UnmeteredRow[]> {
  const ids = requests.map((r) => r.recipientId);
  const tenants = [...new Set(requests.map((r) => r.tenantId))];
  const live = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await tx
      .selectFrom("recipients")
      .select(["id", "status"])
      .where("tenant_id", "in", tenants)
      .where("id", "in", ids.slice(i, i + 500))
      // soft_bounce too: a retry of mail that failed before metering existed is metered then.
      .where("status", "in", ["queued", "soft_bounce"])
      .where("charge", "is", null)
      .execute();
    for (const r of rows) live.set(r.id, r.status);
  }
  for (const id of ids) if (!live.has(id)) held.add(id);
  return requests.flatMap((r) => {
    const status = live.get(r.recipientId);
    return status === undefined ? [] : [{ ...r, status }];
  });
}

/** The tenant's credit now (for `GET /v1/credits` and alerts). */
export async function currentAvailability(
  database: Database,
  tenantId: string,
  now: number,
): Promise<Availability | undefined> {
  const rules = await tenantCreditRules(database.db, tenantId);
  if (!rules) return undefined;
  const period = periodAt(now, rules.timezone);
  const row = await database.db
    .selectFrom("credit_periods")
    .select("counted")
    .where("tenant_id", "=", tenantId)
    .where("period", "=", period.key)
    .executeTakeFirst();
  const grants = await activeGrants(database.db, tenantId, now);
  return availability(
    period,
    rules.monthlyAllowance,
    row?.counted ?? 0,
    grants.reduce((s, g) => s + g.remaining, 0),
  );
}
