import type { Database, Db } from "../db/database.js";
import { checkEmail } from "../email/address.js";
import { type Category, isCategory } from "../email/categories.js";
import { ApiError, type ErrorDetail } from "../errors/api-error.js";
import { findTenant } from "../tenants/tenants.js";
import { existingUserIds, lowCreditRecipientsColumn } from "../tenants/users.js";
import { releaseHeld, tenantsWithHeldMail } from "./held.js";
import {
  type OperatorCreditSettings,
  type OverLimitPolicy,
  overLimitPolicies,
  putOperatorCreditSettings,
  tenantCreditRules,
} from "./settings.js";

export const MAX_ALLOWANCE = 10_000_000;
export const MAX_GRACE_DAYS = 365;
export const MAX_LOW_CREDIT_RECIPIENTS = 50;

/** What a tenant overrides of the operator's defaults; null means "the default". */
export interface TenantCreditOverrides {
  readonly monthlyAllowance: number | null;
  readonly overLimitPolicy: OverLimitPolicy | null;
  readonly graceDays: number | null;
  readonly lowCreditRecipients: readonly string[];
}

/** The overrides and what applies once the operator's defaults fill the gaps. */
export interface TenantCreditSettings extends TenantCreditOverrides {
  readonly tenantId: string;
  readonly effective: {
    readonly monthlyAllowance: number;
    readonly overLimitPolicy: OverLimitPolicy;
    readonly graceDays: number;
  };
}

/** A change: an absent field is kept, null clears the override. */
export interface TenantCreditPatch {
  readonly monthlyAllowance?: number | null | undefined;
  readonly overLimitPolicy?: OverLimitPolicy | null | undefined;
  readonly graceDays?: number | null | undefined;
  readonly lowCreditRecipients?: readonly string[] | null | undefined;
}

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ApiError("invalid_request", `${name} must be a whole number from 0 to ${max}`);
  }
}

/**
 * Checks a low-credit recipient list: each entry is a user id of this tenant or an email
 * address. Returns it normalised (addresses with their domain lower-cased) without duplicates.
 */
export async function checkLowCreditRecipients(
  db: Db,
  tenantId: string,
  entries: readonly string[],
): Promise<string[]> {
  if (entries.length > MAX_LOW_CREDIT_RECIPIENTS) {
    throw new ApiError("invalid_request", `at most ${MAX_LOW_CREDIT_RECIPIENTS} low-credit recipients`);
  }
  const users = await existingUserIds(
    db,
    tenantId,
    entries.filter((e) => !e.includes("@")),
  );
  const out = new Map<string, string>();
  const bad: ErrorDetail[] = [];
  let code: "invalid_address" | "invalid_request" = "invalid_request";
  for (const [i, entry] of entries.entries()) {
    if (entry.includes("@")) {
      const checked = checkEmail(entry);
      if (checked.ok) {
        // The first spelling of an address is kept; a repeat differing only in case is dropped.
        if (!out.has(checked.email.toLowerCase())) out.set(checked.email.toLowerCase(), checked.email);
      } else {
        code = "invalid_address";
        bad.push({ path: `/${i}`, message: checked.message });
      }
    } else if (users.has(entry)) {
      out.set(entry, entry);
    } else {
      bad.push({ path: `/${i}`, message: `${JSON.stringify(entry.slice(0, 40))} is not a user of this tenant` });
    }
  }
  const first = bad[0];
  if (first) throw new ApiError(bad.length > 1 ? "invalid_request" : code, first.message, bad);
  return [...out.values()];
}

export async function getTenantCreditSettings(db: Db, tenantId: string): Promise<TenantCreditSettings | undefined> {
  const rules = await tenantCreditRules(db, tenantId);
  if (!rules) return undefined;
  const row = await db.selectFrom("credit_settings").selectAll().where("tenant_id", "=", tenantId).executeTakeFirst();
  return {
    tenantId,
    monthlyAllowance: row?.monthly_allowance ?? null,
    overLimitPolicy: (row?.over_limit_policy as OverLimitPolicy | null | undefined) ?? null,
    graceDays: row?.grace_days ?? null,
    lowCreditRecipients: rules.lowCreditRecipients,
    effective: { monthlyAllowance: rules.monthlyAllowance, overLimitPolicy: rules.policy, graceDays: rules.graceDays },
  };
}

/**
 * Changes a tenant's overrides, then puts its held mail back in the outbox: a higher allowance
 * or a softer policy may let it go (metering decides again for each, so nothing is overspent).
 * Not found: undefined.
 */
export async function updateTenantCreditSettings(
  database: Database,
  tenantId: string,
  patch: TenantCreditPatch,
  now: number,
): Promise<TenantCreditSettings | undefined> {
  const { db } = database;
  if (!(await findTenant(db, tenantId))) return undefined;
  if (typeof patch.monthlyAllowance === "number") checkCount("monthlyAllowance", patch.monthlyAllowance, MAX_ALLOWANCE);
  if (typeof patch.graceDays === "number") checkCount("graceDays", patch.graceDays, MAX_GRACE_DAYS);
  if (patch.overLimitPolicy && !overLimitPolicies.includes(patch.overLimitPolicy)) {
    throw new ApiError("invalid_request", `overLimitPolicy must be one of ${overLimitPolicies.join(", ")}`);
  }
  const recipients =
    patch.lowCreditRecipients === undefined
      ? undefined
      : lowCreditRecipientsColumn.encode(await checkLowCreditRecipients(db, tenantId, patch.lowCreditRecipients ?? []));

  const changes = {
    ...(patch.monthlyAllowance !== undefined ? { monthly_allowance: patch.monthlyAllowance } : {}),
    ...(patch.overLimitPolicy !== undefined ? { over_limit_policy: patch.overLimitPolicy } : {}),
    ...(patch.graceDays !== undefined ? { grace_days: patch.graceDays } : {}),
    ...(recipients !== undefined ? { low_credit_recipients: recipients } : {}),
    updated_at: now,
  };
  await db
    .insertInto("credit_settings")
    .values({
      tenant_id: tenantId,
      monthly_allowance: null,
      over_limit_policy: null,
      grace_days: null,
      low_credit_recipients: "[]",
      ...changes,
    })
    .onConflict((oc) => oc.column("tenant_id").doUpdateSet(changes))
    .execute();
  await releaseHeld(database, tenantId, now);
  return getTenantCreditSettings(db, tenantId);
}

/** A change to the operator's settings; absent fields are kept. */
export interface OperatorCreditPatch {
  readonly defaultAllowance?: number | undefined;
  readonly exemptCategories?: readonly string[] | undefined;
  readonly criticalCategories?: readonly string[] | undefined;
  readonly defaultPolicy?: OverLimitPolicy | undefined;
  readonly defaultGraceDays?: number | undefined;
}

function checkCategories(name: string, values: readonly string[] | undefined): Category[] | undefined {
  if (values === undefined) return undefined;
  const unknown = values.find((v) => !isCategory(v));
  if (unknown !== undefined) {
    throw new ApiError("unknown_category", `${name}: ${JSON.stringify(unknown.slice(0, 40))} is not a category`);
  }
  return [...new Set(values as Category[])];
}

/**
 * Changes the operator's defaults, then releases held mail everywhere: a higher default
 * allowance, a softer default policy or a new critical category may let it go.
 */
export async function updateOperatorCreditSettings(
  database: Database,
  patch: OperatorCreditPatch,
  now: number,
): Promise<OperatorCreditSettings> {
  if (patch.defaultAllowance !== undefined) checkCount("defaultAllowance", patch.defaultAllowance, MAX_ALLOWANCE);
  if (patch.defaultGraceDays !== undefined) checkCount("defaultGraceDays", patch.defaultGraceDays, MAX_GRACE_DAYS);
  if (patch.defaultPolicy !== undefined && !overLimitPolicies.includes(patch.defaultPolicy)) {
    throw new ApiError("invalid_request", `defaultPolicy must be one of ${overLimitPolicies.join(", ")}`);
  }
  const exempt = checkCategories("exemptCategories", patch.exemptCategories);
  const critical = checkCategories("criticalCategories", patch.criticalCategories);
  const next = await putOperatorCreditSettings(database.db, now, {
    ...(patch.defaultAllowance !== undefined ? { defaultAllowance: patch.defaultAllowance } : {}),
    ...(patch.defaultPolicy !== undefined ? { defaultPolicy: patch.defaultPolicy } : {}),
    ...(patch.defaultGraceDays !== undefined ? { defaultGraceDays: patch.defaultGraceDays } : {}),
    ...(exempt ? { exemptCategories: exempt } : {}),
    ...(critical ? { criticalCategories: critical } : {}),
  });
  for (const tenantId of await tenantsWithHeldMail(database)) await releaseHeld(database, tenantId, now);
  return next;
}
