import type { Selectable } from "kysely";
import { DateTime } from "luxon";
import type { Database, Db, Tx } from "../db/database.js";
import { isId, newId } from "../db/ids.js";
import type { CreditLedgerTable, PackageTable } from "../db/tables.js";
import { ApiError } from "../errors/api-error.js";
import { DEFAULT_TIMEZONE } from "../tenants/tenants.js";
import { releaseHeld } from "./held.js";
import { activeGrants, lockPeriod, unexpiredGrants } from "./meter.js";
import { periodAt } from "./settings.js";

/**
 * Credit that arrives from outside metering: packages bought from the operator's catalogue,
 * the operator's adjustments, and groups (a trust's pooled bundle, allocated to its tenants).
 * Each operation is one transaction that writes the grant rows and ledger rows explaining
 * every credit that moved; credit that arrives for a tenant then releases its held mail.
 */

/** The most credits one request may move, and the longest a package may last. */
export const MAX_CREDITS = 10_000_000;
export const MAX_EXPIRY_DAYS = 3650;
const MAX_NAME = 200;
const MAX_NOTE = 500;

function checkCredits(name: string, credits: number, allowNegative = false): void {
  const min = allowNegative ? -MAX_CREDITS : 1;
  if (!Number.isInteger(credits) || credits < min || credits > MAX_CREDITS || credits === 0) {
    throw new ApiError(
      "invalid_request",
      allowNegative
        ? `${name} must be a non-zero whole number from -${MAX_CREDITS} to ${MAX_CREDITS}`
        : `${name} must be a whole number from 1 to ${MAX_CREDITS}`,
    );
  }
}

function checkText(name: string, value: string, max: number): string {
  const text = value.trim();
  if (text.length === 0 || text.length > max || /\p{Cc}/u.test(text)) {
    throw new ApiError("invalid_request", `${name} must be 1-${max} characters without control characters`);
  }
  return text;
}

/** The outcome of releasing held mail after credit arrived: a failure is left to the scheduler's sweep. */
export type Release = { readonly released: number } | { readonly failed: unknown };

/**
 * Runs after the credit's transaction committed. The credit is already the tenant's, so an
 * error here must not make the caller think the purchase failed (and buy again): it is
 * returned, and the scheduler's release sweep puts the mail back later.
 */
async function release(database: Database, tenantId: string, now: number): Promise<Release> {
  try {
    return { released: await releaseHeld(database, tenantId, now) };
  } catch (err) {
    return { failed: err };
  }
}

async function tenantZone(db: Db, tenantId: string): Promise<string> {
  const row = isId(tenantId)
    ? await db.selectFrom("tenants").select("timezone").where("id", "=", tenantId).executeTakeFirst()
    : undefined;
  if (!row) throw new ApiError("not_found", `no tenant ${tenantId.slice(0, 40)}`);
  return row.timezone;
}

// ---------------------------------------------------------------- packages

export interface CreditPackage {
  readonly id: string;
  readonly name: string;
  readonly credits: number;
  readonly expiresInDays: number | null;
  readonly active: boolean;
  readonly createdAt: number;
  /** What the operator charges for it, set by the operator; null when not priced. */
  readonly price: PackagePrice | null;
}

export interface PackagePrice {
  /** In the currency's major unit, at most two decimals: 25.5 is 25.50. */
  readonly amount: number;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
}

function toPackage(row: Selectable<PackageTable>): CreditPackage {
  return {
    id: row.id,
    name: row.name,
    credits: row.credits,
    expiresInDays: row.expires_in_days,
    active: row.active === 1,
    createdAt: row.created_at,
    price:
      row.price_minor === null || row.price_currency === null
        ? null
        : { amount: Number(row.price_minor) / 100, currency: row.price_currency },
  };
}

/** A price as stored: minor units and currency; 400 when it is not a price. */
function checkPrice(price: PackagePrice | null | undefined): {
  price_minor: number | null;
  price_currency: string | null;
} {
  if (price === null || price === undefined) return { price_minor: null, price_currency: null };
  const minor = Math.round(price.amount * 100);
  if (
    !Number.isFinite(price.amount) ||
    price.amount < 0 ||
    Math.abs(minor - price.amount * 100) > 1e-6 ||
    minor > 1e12
  ) {
    throw new ApiError("invalid_request", "price amount must be 0 or more with at most two decimals");
  }
  if (!/^[A-Z]{3}$/.test(price.currency)) {
    throw new ApiError("invalid_request", "price currency must be an ISO 4217 code such as EUR or GBP");
  }
  return { price_minor: minor, price_currency: price.currency };
}

/** Sets or clears a package's price. Undefined: no such package. */
export async function setPackagePrice(
  db: Db,
  packageId: string,
  price: PackagePrice | null,
): Promise<CreditPackage | undefined> {
  if (!isId(packageId)) return undefined;
  const stored = checkPrice(price);
  await db.updateTable("packages").set(stored).where("id", "=", packageId).execute();
  const row = await db.selectFrom("packages").selectAll().where("id", "=", packageId).executeTakeFirst();
  return row ? toPackage(row) : undefined;
}

export interface CreatePackageInput {
  readonly name: string;
  readonly credits: number;
  /** Days from purchase until what is left of it expires; absent: it never does. */
  readonly expiresInDays?: number | null | undefined;
  readonly price?: PackagePrice | null | undefined;
}

export async function createPackage(db: Db, input: CreatePackageInput, now: number): Promise<CreditPackage> {
  const name = checkText("name", input.name, MAX_NAME);
  checkCredits("credits", input.credits);
  const days = input.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRY_DAYS)) {
    throw new ApiError("invalid_request", `expiresInDays must be a whole number from 1 to ${MAX_EXPIRY_DAYS}`);
  }
  const row = {
    id: newId(now),
    name,
    credits: input.credits,
    expires_in_days: days,
    active: 1,
    created_at: now,
    ...checkPrice(input.price),
  };
  await db.insertInto("packages").values(row).execute();
  return toPackage(row);
}

/** The catalogue, oldest first; tenants see only what they can buy (`activeOnly`). */
export async function listPackages(
  db: Db,
  options: { readonly activeOnly: boolean; readonly after?: string | undefined; readonly limit: number },
): Promise<CreditPackage[]> {
  let q = db.selectFrom("packages").selectAll().orderBy("id").limit(options.limit);
  if (options.activeOnly) q = q.where("active", "=", 1);
  if (options.after) q = q.where("id", ">", options.after);
  return (await q.execute()).map(toPackage);
}

/** Takes a package off sale; what tenants already bought is theirs. Undefined: no such package. */
export async function deactivatePackage(db: Db, packageId: string): Promise<CreditPackage | undefined> {
  if (!isId(packageId)) return undefined;
  await db.updateTable("packages").set({ active: 0 }).where("id", "=", packageId).execute();
  const row = await db.selectFrom("packages").selectAll().where("id", "=", packageId).executeTakeFirst();
  return row ? toPackage(row) : undefined;
}

export interface GrantResult {
  /** Null when a retried purchase (same Idempotency-Key) found the one already made. */
  readonly grantId: string | null;
  readonly release: Release;
}

/**
 * A tenant administrator buys a package (payment is outside Postbag): a grant of its credits,
 * expiring `expiresInDays` calendar days later in the tenant's zone, and a `package_purchase`
 * ledger row naming who bought it.
 */
export async function purchasePackage(
  database: Database,
  tenantId: string,
  packageId: string,
  actorKeyId: string,
  now: number,
  idempotencyKey?: string,
): Promise<GrantResult> {
  const grantId = await database.db.transaction().execute(async (tx) => {
    if (idempotencyKey !== undefined) {
      const earlier = await tx
        .selectFrom("credit_grants")
        .select(["id", "package_id"])
        .where("tenant_id", "=", tenantId)
        .where("idempotency_key", "=", idempotencyKey)
        .executeTakeFirst();
      if (earlier && earlier.package_id !== packageId) {
        throw new ApiError("idempotency_conflict", "this Idempotency-Key was already used for another package");
      }
      // The same purchase again (a retried request): it is not bought twice.
      if (earlier) return null;
    }
    const zone = await tenantZone(tx, tenantId);
    const pkg = isId(packageId)
      ? await tx
          .selectFrom("packages")
          .selectAll()
          .where("id", "=", packageId)
          .where("active", "=", 1)
          .executeTakeFirst()
      : undefined;
    if (!pkg) throw new ApiError("not_found", `no package ${packageId.slice(0, 40)} on sale`);
    const id = newId(now);
    const expiresAt =
      pkg.expires_in_days === null
        ? null
        : DateTime.fromMillis(now, { zone }).plus({ days: pkg.expires_in_days }).toMillis();
    await insertGrant(tx, now, {
      id,
      tenantId,
      source: "package",
      packageId: pkg.id,
      credits: pkg.credits,
      expiresAt,
      createdBy: actorKeyId,
      idempotencyKey: idempotencyKey ?? null,
    });
    await insertLedger(
      tx,
      [
        {
          tenant_id: tenantId,
          group_id: null,
          period: periodAt(now, zone).key,
          kind: "package_purchase",
          amount: pkg.credits,
          grant_id: id,
          actor: actorKeyId,
          note: `bought package ${JSON.stringify(pkg.name)}${expiresAt === null ? "" : `, expires ${new Date(expiresAt).toISOString()}`}`,
        },
      ],
      now,
    );
    return id;
  });
  if (grantId === null) return { grantId: null, release: { released: 0 } };
  return { grantId, release: await release(database, tenantId, now) };
}

/** A new pot of credit, all of it still to spend. */
async function insertGrant(
  tx: Tx,
  now: number,
  grant: {
    readonly id: string;
    readonly tenantId?: string;
    readonly groupId?: string;
    readonly source: "package" | "adjustment" | "group" | "group_bundle";
    readonly packageId?: string;
    readonly credits: number;
    readonly expiresAt?: number | null;
    readonly createdBy: string;
    readonly idempotencyKey?: string | null;
  },
): Promise<void> {
  await tx
    .insertInto("credit_grants")
    .values({
      id: grant.id,
      tenant_id: grant.tenantId ?? null,
      group_id: grant.groupId ?? null,
      source: grant.source,
      package_id: grant.packageId ?? null,
      credits: grant.credits,
      remaining: grant.credits,
      expires_at: grant.expiresAt ?? null,
      created_at: now,
      created_by: grant.createdBy,
      idempotency_key: grant.idempotencyKey ?? null,
    })
    .execute();
}

async function insertLedger(
  tx: Tx,
  rows: readonly Omit<CreditLedgerTable, "id" | "at" | "recipient_id">[],
  now: number,
): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto("credit_ledger")
    .values(rows.map((r) => ({ ...r, id: newId(now), at: now, recipient_id: null })))
    .execute();
}

// ---------------------------------------------------------------- adjustments

export interface AdjustmentResult {
  /** The grant a positive adjustment created; null for a negative one. */
  readonly grantId: string | null;
  /** The grants a negative adjustment took from, with how much from each. */
  readonly taken: readonly { readonly grantId: string; readonly credits: number }[];
  readonly release: Release | null;
}

/**
 * The operator gives or takes credit. Giving creates a grant (source `adjustment`, no expiry);
 * taking comes out of the tenant's unexpired grants, soonest to expire first, and never below
 * zero (409 conflict): the month's free allowance is a rule, not a balance to take from. One
 * `adjustment` ledger row per grant touched, each with the operator's note.
 */
export async function adjustCredits(
  database: Database,
  tenantId: string,
  credits: number,
  note: string,
  actorKeyId: string,
  now: number,
): Promise<AdjustmentResult> {
  checkCredits("credits", credits, true);
  const why = checkText("note", note, MAX_NOTE);
  const result = await database.db.transaction().execute(async (tx) => {
    const zone = await tenantZone(tx, tenantId);
    const period = periodAt(now, zone).key;
    if (credits > 0) {
      const grantId = newId(now);
      await insertGrant(tx, now, { id: grantId, tenantId, source: "adjustment", credits, createdBy: actorKeyId });
      await insertLedger(
        tx,
        [
          {
            tenant_id: tenantId,
            group_id: null,
            period,
            kind: "adjustment",
            amount: credits,
            grant_id: grantId,
            actor: actorKeyId,
            note: why,
          },
        ],
        now,
      );
      return { grantId, taken: [] };
    }
    // Metering spends grants under the lock on the tenant's period row; taking the same lock
    // means a batch being metered cannot spend the credit this takes away (or the reverse).
    await lockPeriod(tx, database.dialect, tenantId, period);
    const taken = await takeFromGrants(tx, await activeGrants(tx, tenantId, now), -credits, "the tenant");
    await insertLedger(
      tx,
      taken.map((t) => ({
        tenant_id: tenantId,
        group_id: null,
        period,
        kind: "adjustment",
        amount: -t.credits,
        grant_id: t.grantId,
        actor: actorKeyId,
        note: why,
      })),
      now,
    );
    return { grantId: null, taken };
  });
  return { ...result, release: credits > 0 ? await release(database, tenantId, now) : null };
}

/**
 * Takes `amount` from `grants` in the order given. The update only applies while the grant
 * still holds what is taken, so even a caller without a lock could never drive one negative.
 */
async function takeFromGrants(
  tx: Tx,
  grants: readonly { readonly id: string; readonly remaining: number }[],
  amount: number,
  holder: string,
): Promise<{ grantId: string; credits: number }[]> {
  const total = grants.reduce((s, g) => s + g.remaining, 0);
  if (total < amount) {
    throw new ApiError("conflict", `${holder} holds ${total} credits; cannot take ${amount}`);
  }
  const taken: { grantId: string; credits: number }[] = [];
  let left = amount;
  for (const g of grants) {
    if (left === 0) break;
    const take = Math.min(left, g.remaining);
    const updated = await tx
      .updateTable("credit_grants")
      .set((eb) => ({ remaining: eb("remaining", "-", take) }))
      .where("id", "=", g.id)
      .where("remaining", ">=", take)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      throw new ApiError("conflict", `${holder}'s credit changed while it was being taken; try again`);
    }
    taken.push({ grantId: g.id, credits: take });
    left -= take;
  }
  return taken;
}

// ---------------------------------------------------------------- groups

export interface Group {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

export async function createGroup(db: Db, name: string, now: number): Promise<Group> {
  const row = { id: newId(now), name: checkText("name", name, MAX_NAME), created_at: now };
  await db.insertInto("tenant_groups").values(row).execute();
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export async function listGroups(db: Db, after: string | undefined, limit: number): Promise<Group[]> {
  let q = db.selectFrom("tenant_groups").selectAll().orderBy("id").limit(limit);
  if (after) q = q.where("id", ">", after);
  return (await q.execute()).map((g) => ({ id: g.id, name: g.name, createdAt: g.created_at }));
}

/**
 * Locks the group's row (PostgreSQL; SQLite transactions already hold the write lock), so two
 * allocations or top-ups of one group take turns. Not found: 404.
 */
async function lockGroup(tx: Tx, dialect: Database["dialect"], groupId: string) {
  if (!isId(groupId)) throw new ApiError("not_found", `no group ${groupId.slice(0, 40)}`);
  let q = tx.selectFrom("tenant_groups").selectAll().where("id", "=", groupId);
  if (dialect === "postgres") q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new ApiError("not_found", `no group ${groupId.slice(0, 40)}`);
  return row;
}

/** Puts a tenant in a group, or (null) takes it out; credit it was allocated stays its own. */
export async function setTenantGroup(db: Db, tenantId: string, groupId: string | null): Promise<void> {
  await tenantZone(db, tenantId);
  if (groupId !== null) {
    const group = isId(groupId)
      ? await db.selectFrom("tenant_groups").select("id").where("id", "=", groupId).executeTakeFirst()
      : undefined;
    if (!group) throw new ApiError("not_found", `no group ${groupId.slice(0, 40)}`);
  }
  await db.updateTable("tenants").set({ group_id: groupId }).where("id", "=", tenantId).execute();
}

/**
 * Group rows of the ledger belong to no tenant, so no tenant's zone; their period is the
 * month in Postbag's default zone.
 */
const groupPeriod = (now: number) => periodAt(now, DEFAULT_TIMEZONE).key;

/** Credit bought for a group as a whole (a bundle grant), to be allocated to its tenants. */
export async function topUpGroup(
  database: Database,
  groupId: string,
  credits: number,
  note: string,
  actorKeyId: string,
  now: number,
): Promise<{ grantId: string }> {
  checkCredits("credits", credits);
  const why = checkText("note", note, MAX_NOTE);
  return database.db.transaction().execute(async (tx) => {
    await lockGroup(tx, database.dialect, groupId);
    const grantId = newId(now);
    await insertGrant(tx, now, { id: grantId, groupId, source: "group_bundle", credits, createdBy: actorKeyId });
    await insertLedger(
      tx,
      [
        {
          tenant_id: null,
          group_id: groupId,
          period: groupPeriod(now),
          kind: "group_bundle",
          amount: credits,
          grant_id: grantId,
          actor: actorKeyId,
          note: why,
        },
      ],
      now,
    );
    return { grantId };
  });
}

/**
 * Moves credit from a group's bundle to one of its tenants: the bundle grants go down (never
 * below zero: 409), the tenant gets a grant (source `group`), and the ledger shows both sides
 * as `group_allocation` rows (the group's with no tenant, the tenant's with the group).
 */
export async function allocateFromGroup(
  database: Database,
  groupId: string,
  tenantId: string,
  credits: number,
  note: string | undefined,
  actorKeyId: string,
  now: number,
): Promise<GrantResult> {
  checkCredits("credits", credits);
  const why = note === undefined ? null : checkText("note", note, MAX_NOTE);
  const grantId = await database.db.transaction().execute(async (tx) => {
    await lockGroup(tx, database.dialect, groupId);
    const tenant = isId(tenantId)
      ? await tx
          .selectFrom("tenants")
          .select(["id", "timezone", "group_id"])
          .where("id", "=", tenantId)
          .executeTakeFirst()
      : undefined;
    if (!tenant) throw new ApiError("not_found", `no tenant ${tenantId.slice(0, 40)}`);
    if (tenant.group_id !== groupId) {
      throw new ApiError("conflict", `tenant ${tenantId} is not in group ${groupId}`);
    }
    const taken = await takeFromGrants(tx, await unexpiredGrants(tx, { groupId }, now), credits, "the group's bundle");
    const id = newId(now);
    await insertGrant(tx, now, { id, tenantId, groupId, source: "group", credits, createdBy: actorKeyId });
    await insertLedger(
      tx,
      [
        ...taken.map((t) => ({
          tenant_id: null,
          group_id: groupId,
          period: groupPeriod(now),
          kind: "group_allocation",
          amount: -t.credits,
          grant_id: t.grantId,
          actor: actorKeyId,
          note: `to tenant ${tenantId}${why ? `: ${why}` : ""}`,
        })),
        {
          tenant_id: tenantId,
          group_id: groupId,
          period: periodAt(now, tenant.timezone).key,
          kind: "group_allocation",
          amount: credits,
          grant_id: id,
          actor: actorKeyId,
          note: why ?? "allocated from the group's bundle",
        },
      ],
      now,
    );
    return id;
  });
  return { grantId, release: await release(database, tenantId, now) };
}

export interface GroupDetail extends Group {
  /** Unexpired bundle credit not yet allocated. */
  readonly bundleBalance: number;
  /** Tenants in the group now, with all credit ever allocated to each from this group. */
  readonly tenants: readonly { readonly id: string; readonly name: string; readonly allocated: number }[];
  /** The newest allocations (at most 100), newest first. */
  readonly allocations: readonly {
    readonly id: string;
    readonly at: number;
    readonly tenantId: string;
    readonly credits: number;
    readonly grantId: string | null;
    readonly note: string | null;
  }[];
}

export async function getGroup(db: Db, groupId: string, now: number): Promise<GroupDetail | undefined> {
  if (!isId(groupId)) return undefined;
  const group = await db.selectFrom("tenant_groups").selectAll().where("id", "=", groupId).executeTakeFirst();
  if (!group) return undefined;
  const bundle = await unexpiredGrants(db, { groupId }, now);
  const members = await db
    .selectFrom("tenants")
    .select(["id", "name"])
    .where("group_id", "=", groupId)
    .orderBy("id")
    .execute();
  const totals = await db
    .selectFrom("credit_ledger")
    .select(["tenant_id", (eb) => eb.fn.sum<number | string>("amount").as("allocated")])
    .where("group_id", "=", groupId)
    .where("kind", "=", "group_allocation")
    .where("tenant_id", "is not", null)
    .groupBy("tenant_id")
    .execute();
  const allocated = new Map(totals.map((r) => [r.tenant_id, Number(r.allocated)]));
  const rows = await db
    .selectFrom("credit_ledger")
    .select(["id", "at", "tenant_id", "amount", "grant_id", "note"])
    .where("group_id", "=", groupId)
    .where("kind", "=", "group_allocation")
    .where("tenant_id", "is not", null)
    .orderBy("id", "desc")
    .limit(100)
    .execute();
  return {
    id: group.id,
    name: group.name,
    createdAt: group.created_at,
    bundleBalance: bundle.reduce((s, g) => s + g.remaining, 0),
    tenants: members.map((m) => ({ id: m.id, name: m.name, allocated: allocated.get(m.id) ?? 0 })),
    allocations: rows.map((r) => ({
      id: r.id,
      at: r.at,
      tenantId: r.tenant_id ?? "",
      credits: r.amount,
      grantId: r.grant_id,
      note: r.note,
    })),
  };
}

// ---------------------------------------------------------------- the tenant's ledger

export interface LedgerEntry {
  readonly id: string;
  readonly at: number;
  readonly period: string;
  readonly kind: string;
  readonly amount: number;
  readonly grantId: string | null;
  readonly recipientId: string | null;
  readonly actor: string | null;
  readonly note: string | null;
}

/** The tenant's ledger, newest first, `limit` rows before the cursor id, optionally one period. */
export async function listLedger(
  db: Db,
  tenantId: string,
  options: { readonly before?: string | undefined; readonly period?: string | undefined; readonly limit: number },
): Promise<LedgerEntry[]> {
  let q = db
    .selectFrom("credit_ledger")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .orderBy("id", "desc")
    .limit(options.limit);
  if (options.before) q = q.where("id", "<", options.before);
  if (options.period) q = q.where("period", "=", options.period);
  return (await q.execute()).map(ledgerEntry);
}

/**
 * A group's own ledger, newest first: its bundle's top-ups (`group_bundle`, positive) and what
 * each allocation took from it (`group_allocation`, negative, the note naming the tenant).
 */
export async function listGroupLedger(
  db: Db,
  groupId: string,
  options: { readonly before?: string | undefined; readonly limit: number },
): Promise<LedgerEntry[]> {
  let q = db
    .selectFrom("credit_ledger")
    .selectAll()
    .where("group_id", "=", groupId)
    .where("tenant_id", "is", null)
    .orderBy("id", "desc")
    .limit(options.limit);
  if (options.before) q = q.where("id", "<", options.before);
  return (await q.execute()).map(ledgerEntry);
}

function ledgerEntry(r: Selectable<CreditLedgerTable>): LedgerEntry {
  return {
    id: r.id,
    at: r.at,
    period: r.period,
    kind: r.kind,
    amount: r.amount,
    grantId: r.grant_id,
    recipientId: r.recipient_id,
    actor: r.actor,
    note: r.note,
  };
}
