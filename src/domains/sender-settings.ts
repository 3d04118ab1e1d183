import { loadAccount } from "../accounts/account-settings.js";
import type { Db } from "../db/database.js";
import { checkDisplayName, checkEmail, isValidEmail } from "../email/address.js";
import { ApiError } from "../errors/api-error.js";
import type { SenderRules } from "../messages/prepare.js";

/** `PUT /v1/settings/sender`: the tenant's generic address and From name. */
export interface SenderSettings {
  readonly genericAddress: string | null;
  readonly fromName: string | null;
}

export async function getSenderSettings(db: Db, tenantId: string): Promise<SenderSettings> {
  const row = await db
    .selectFrom("sender_settings")
    .select(["generic_address", "from_name"])
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  return { genericAddress: row?.generic_address ?? null, fromName: row?.from_name ?? null };
}

/**
 * Saves the generic address (any address the school reads: it is the From once its domain is
 * verified, the Reply-To of `noreply@` mail until then) and the From display name.
 */
export async function saveSenderSettings(
  db: Db,
  tenantId: string,
  input: { genericAddress?: string | null | undefined; fromName?: string | null | undefined },
  now: number,
): Promise<SenderSettings> {
  let genericAddress: string | null = null;
  if (input.genericAddress) {
    const r = checkEmail(input.genericAddress);
    if (!r.ok) throw new ApiError("invalid_address", r.message, [{ path: "/genericAddress", message: r.message }]);
    genericAddress = r.email;
  }
  let fromName: string | null = null;
  if (input.fromName) {
    const r = checkDisplayName(input.fromName);
    if (!r.ok) {
      throw new ApiError(r.problem === "control_characters" ? "header_injection" : "invalid_request", r.message, [
        { path: "/fromName", message: r.message },
      ]);
    }
    fromName = r.name === "" ? null : r.name;
  }
  const values = { generic_address: genericAddress, from_name: fromName, updated_at: now };
  await db
    .insertInto("sender_settings")
    .values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column("tenant_id").doUpdateSet(values))
    .execute();
  return { genericAddress, fromName };
}

/**
 * Everything `prepareMessage` needs to decide a From for the tenant: its verified domains, its
 * sender settings and, for an own-account tenant, the account's domain. One query (every
 * `POST /v1/messages` reads it), plus the account for an own-account tenant.
 */
export async function loadSenderRules(db: Db, secretKey: string, tenantId: string): Promise<SenderRules> {
  // One row per verified domain (one row with a null domain when there is none).
  const rows = await db
    .selectFrom("tenants")
    .leftJoin("sender_settings", "sender_settings.tenant_id", "tenants.id")
    .leftJoin("sending_domains", (join) =>
      join.onRef("sending_domains.tenant_id", "=", "tenants.id").on("sending_domains.status", "=", "verified"),
    )
    .select([
      "tenants.sending_mode",
      "sender_settings.generic_address",
      "sender_settings.from_name",
      "sending_domains.domain",
    ])
    .where("tenants.id", "=", tenantId)
    .execute();
  const tenant = rows[0];
  const domains = new Set(rows.flatMap((r) => (r.domain === null ? [] : [r.domain])));
  const settings: SenderSettings = {
    genericAddress: tenant?.generic_address ?? null,
    fromName: tenant?.from_name ?? null,
  };
  let accountDomain: string | null = null;
  if (tenant?.sending_mode === "own_account") {
    const account = await loadAccount(db, secretKey, tenantId);
    const address = [account?.settings.fromAddress, account?.settings.smtp?.auth.user].find(
      (c): c is string => !!c && isValidEmail(c),
    );
    if (address) accountDomain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  }
  return { verifiedDomains: domains, accountDomain, ...settings };
}
