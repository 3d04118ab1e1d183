import { sql } from "kysely";
import type { Database, Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import { internalCategories } from "../email/categories.js";
import { holdForNoCredit, recordCharge, refundCharges } from "../messages/recipient-state.js";
import { type Charge, parseCharge } from "../messages/refunds.js";
import { creditAlertRecipients, type NoticeSender, prepareNotice, queueNotice } from "./notices.js";
import {
  getOperatorCreditSettings,
  type Period,
  periodAt,
  type TenantCreditRules,
  tenantCreditRules,
} from "./settings.js";

export { type Charge, parseCharge, refundCharges };

/** A request whose row is still due and uncharged, with its status (`queued` or `soft_bounce`). */
type UnmeteredRow = MeterRequest & { readonly status: string };

export interface MeterRequest {
  readonly recipientId: string;
  readonly tenantId: string;
  readonly messageId: string;
  readonly category: string;
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

/**
 * Meters a claimed batch before anything is sent, in one transaction: each counted recipient
 * is charged to purchased credit, else to the month's allowance, else (over the limit) sent
 * anyway or held as the policy says. Critical categories are never held. Tenants are locked
 * one at a time (their period row), so concurrent workers cannot overspend a hard limit, and
 * the ledger row, the counters and the recipient's charge are written together.
 */
export async function meterBatch(
  database: Database,
  requests: readonly MeterRequest[],
  now: number,
  sender: NoticeSender,
  /** Run inside this transaction (the worker's claim) instead of one of its own. */
  inTransaction?: Tx,
): Promise<MeterResult> {
  const charges = new Map<string, Charge>();
  const held = new Set<string>();
  if (requests.length === 0) return { charges, held };
  const byTenant = new Map<string, MeterRequest[]>();
  for (const r of requests) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r]);

  const meter = async (tx: Tx) => {
    const operator = await getOperatorCreditSettings(tx);
    // Always lock tenants in the same order: two workers can then never wait on each other.
    for (const tenantId of [...byTenant.keys()].sort()) {
      const rules = await tenantCreditRules(tx, tenantId, operator);
      const list = byTenant.get(tenantId) ?? [];
      if (!rules) continue;
      await meterTenant(tx, database.dialect, rules, list, now, sender, charges, held);
    }
  };
  if (inTransaction) await meter(inTransaction);
  else await database.db.transaction().execute(meter);
  return { charges, held };
}

async function meterTenant(
  tx: Tx,
  dialect: Database["dialect"],
  rules: TenantCreditRules,
  requests: readonly MeterRequest[],
  now: number,
  sender: NoticeSender,
  charges: Map<string, Charge>,
  held: Set<string>,
): Promise<void> {
  const isCounted = (r: MeterRequest) =>
    rules.metered && !rules.exempt.has(r.category) && !(internalCategories as ReadonlySet<string>).has(r.category);
  const period = periodAt(now, rules.timezone);
  // Locked before the rows are read again, so two meterings of one row cannot interleave.
  const row = requests.some(isCounted) ? await lockPeriod(tx, dialect, rules.tenantId, period.key) : undefined;
  const live = await stillUnmetered(tx, rules.tenantId, requests, held);
  const counted = live.filter(isCounted);
  const uncounted = live.filter((r) => !isCounted(r));
  for (const r of uncounted) charges.set(r.recipientId, "uncounted");

  if (row && counted.length > 0) {
    const grants = (await activeGrants(tx, rules.tenantId, now)).map((g) => ({ ...g, used: 0 }));
    let total = row.counted;
    let overAt = row.over_at;
    const ledger = [];
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
        const inGrace = rules.policy === "grace" && now < overAt + rules.graceDays * DAY;
        if (rules.policy === "soft" || inGrace || rules.critical.has(r.category)) charge = `over:${period.key}`;
      }
      if (!charge) {
        heldNow.push(r);
        continue;
      }
      total++;
      charges.set(r.recipientId, charge);
      ledger.push({
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
    if (ledger.length > 0) await tx.insertInto("credit_ledger").values(ledger).execute();
    for (const g of grants.filter((g) => g.used > 0)) {
      await tx
        .updateTable("credit_grants")
        .set((eb) => ({ remaining: eb("remaining", "-", g.used) }))
        .where("id", "=", g.id)
        .execute();
    }
    await tx
      .updateTable("credit_periods")
      .set((eb) => ({ counted: eb("counted", "+", ledger.length), over_at: overAt }))
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
        sender,
        rules.tenantId,
        now,
        prepareNotice(
          sender,
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

  // Few distinct charges per batch (one period, a grant or two): one UPDATE for each.
  const byCharge = new Map<Charge, string[]>();
  for (const r of live) {
    const charge = charges.get(r.recipientId);
    if (charge) byCharge.set(charge, [...(byCharge.get(charge) ?? []), r.recipientId]);
  }
  for (const [charge, ids] of byCharge) await recordCharge(tx, rules.tenantId, charge, ids);
}

/**
 * The requests whose rows are still due and uncharged. A worker that stalled past its lease
 * between its claim and its metering may bring rows another worker has since claimed, charged,
 * sent or held: those are left as they are and marked not to be sent by this worker, so a
 * stale metering can neither charge a recipient twice nor hold mail that already went out.
 */
async function stillUnmetered(
  tx: Tx,
  tenantId: string,
  requests: readonly MeterRequest[],
  held: Set<string>,
): Promise<UnmeteredRow[]> {
  const ids = requests.map((r) => r.recipientId);
  const live = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await tx
      .selectFrom("recipients")
      .select(["id", "status"])
      .where("tenant_id", "=", tenantId)
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
