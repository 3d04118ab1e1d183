import { DateTime } from "luxon";
import { Type } from "typebox";
import type { Db } from "../db/database.js";
import { jsonCodec } from "../db/json-codec.js";
import { type Category, categories } from "../email/categories.js";
import { lowCreditRecipientsColumn } from "../tenants/users.js";

export const overLimitPolicies = ["soft", "hard", "grace"] as const;
export type OverLimitPolicy = (typeof overLimitPolicies)[number];

/** The operator's credit rules for every tenant (one JSON row in operator_settings). */
export interface OperatorCreditSettings {
  readonly defaultAllowance: number;
  /** Categories that never count (default: password resets for staff accounts). */
  readonly exemptCategories: readonly Category[];
  /** Categories that are never held, whatever the policy (default: both password resets). */
  readonly criticalCategories: readonly Category[];
  readonly defaultPolicy: OverLimitPolicy;
  /** With the `grace` policy: days over the limit before counted mail is held. */
  readonly defaultGraceDays: number;
}

export const defaultOperatorCreditSettings: OperatorCreditSettings = {
  defaultAllowance: 3000,
  exemptCategories: ["password_reset_system"],
  criticalCategories: ["password_reset_system", "password_reset_parent"],
  defaultPolicy: "soft",
  defaultGraceDays: 7,
};

const KEY = "credits";

const CategorySchema = Type.Enum(categories);

/**
 * `operator_settings.value` of the `credits` row: the operator's credit rules (any left out take
 * their defaults), checked on every read (see db/json-codec.ts).
 */
export const operatorCreditSettingsColumn = jsonCodec(
  "operator_settings.value (credits)",
  Type.Partial(
    Type.Object({
      defaultAllowance: Type.Number(),
      exemptCategories: Type.Array(CategorySchema),
      criticalCategories: Type.Array(CategorySchema),
      defaultPolicy: Type.Enum(overLimitPolicies),
      defaultGraceDays: Type.Number(),
    }),
  ),
);

export async function getOperatorCreditSettings(db: Db): Promise<OperatorCreditSettings> {
  const row = await db.selectFrom("operator_settings").select("value").where("key", "=", KEY).executeTakeFirst();
  if (!row) return defaultOperatorCreditSettings;
  return { ...defaultOperatorCreditSettings, ...operatorCreditSettingsColumn.decode(row.value) };
}

export async function putOperatorCreditSettings(
  db: Db,
  now: number,
  patch: Partial<OperatorCreditSettings>,
): Promise<OperatorCreditSettings> {
  const next = { ...(await getOperatorCreditSettings(db)), ...patch };
  const value = operatorCreditSettingsColumn.encode({
    ...next,
    exemptCategories: [...next.exemptCategories],
    criticalCategories: [...next.criticalCategories],
  });
  await db
    .insertInto("operator_settings")
    .values({ key: KEY, value, updated_at: now })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: now }))
    .execute();
  return next;
}

/** One tenant's effective credit rules: its overrides over the operator's defaults. */
export interface TenantCreditRules {
  readonly tenantId: string;
  readonly timezone: string;
  /** False for tenants on their own mail account: never metered. */
  readonly metered: boolean;
  readonly monthlyAllowance: number;
  readonly policy: OverLimitPolicy;
  readonly graceDays: number;
  readonly exempt: ReadonlySet<string>;
  readonly critical: ReadonlySet<string>;
  /** User ids and addresses that get low-credit alerts besides the administrators. */
  readonly lowCreditRecipients: readonly string[];
}

export async function tenantCreditRules(
  db: Db,
  tenantId: string,
  operator?: OperatorCreditSettings,
): Promise<TenantCreditRules | undefined> {
  return (await tenantCreditRulesFor(db, [tenantId], operator)).get(tenantId);
}

/** `tenantCreditRules` for several tenants in one query (a claimed batch); unknown tenants are left out. */
export async function tenantCreditRulesFor(
  db: Db,
  tenantIds: readonly string[],
  operator?: OperatorCreditSettings,
): Promise<Map<string, TenantCreditRules>> {
  const out = new Map<string, TenantCreditRules>();
  if (tenantIds.length === 0) return out;
  const rows = await db
    .selectFrom("tenants")
    .leftJoin("credit_settings", "credit_settings.tenant_id", "tenants.id")
    .select([
      "tenants.id",
      "tenants.timezone",
      "tenants.sending_mode",
      "credit_settings.monthly_allowance",
      "credit_settings.over_limit_policy",
      "credit_settings.grace_days",
      "credit_settings.low_credit_recipients",
    ])
    .where("tenants.id", "in", [...new Set(tenantIds)])
    .execute();
  if (rows.length === 0) return out;
  const op = operator ?? (await getOperatorCreditSettings(db));
  for (const row of rows)
    out.set(row.id, {
      tenantId: row.id,
      timezone: row.timezone,
      metered: row.sending_mode === "relay",
      monthlyAllowance: row.monthly_allowance ?? op.defaultAllowance,
      policy: (row.over_limit_policy as OverLimitPolicy | null) ?? op.defaultPolicy,
      graceDays: row.grace_days ?? op.defaultGraceDays,
      exempt: new Set(op.exemptCategories),
      critical: new Set(op.criticalCategories),
      lowCreditRecipients: lowCreditRecipientsColumn.decode(row.low_credit_recipients ?? "[]"),
    });
  return out;
}

/** A calendar month in the tenant's time zone. */
export interface Period {
  /** `YYYY-MM`. */
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The month containing `at`, in `zone`. Luxon does the calendar arithmetic in the zone, so a
 * month that starts or ends next to a daylight-saving change still starts at local midnight.
 */
export function periodAt(at: number, zone: string): Period {
  const local = DateTime.fromMillis(at, { zone }).startOf("month");
  return { key: local.toFormat("yyyy-MM"), start: local.toMillis(), end: local.plus({ months: 1 }).toMillis() };
}

/** The period named `key` (`YYYY-MM`) in `zone`, or undefined for a malformed key. */
export function periodByKey(key: string, zone: string): Period | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  if (!m) return undefined;
  const local = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone });
  if (!local.isValid) return undefined;
  return { key, start: local.toMillis(), end: local.plus({ months: 1 }).toMillis() };
}
