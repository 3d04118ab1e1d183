import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { IANAZone } from "luxon";
import type { Db } from "../db/database.js";
import { isId, newId } from "../db/ids.js";
import type { Tenant } from "../db/tables.js";
import { ApiError } from "../errors/api-error.js";
import type { Clock } from "../time/clock.js";

export const tenantRoles = ["system", "staff", "administrator"] as const;
export type TenantRole = (typeof tenantRoles)[number];
export type Role = TenantRole | "operator";

/** Who is calling: an operator key (no tenant) or a tenant key with its role. */
export type Principal =
  | { readonly kind: "operator"; readonly keyId: string }
  | { readonly kind: "tenant"; readonly keyId: string; readonly tenantId: string; readonly role: TenantRole };

export const DEFAULT_TIMEZONE = "Europe/London";

export function isValidTimezone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export interface CreateTenantInput {
  readonly name: string;
  readonly timezone?: string | undefined;
}

export async function createTenant(db: Db, clock: Clock, input: CreateTenantInput): Promise<Tenant> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200 || /[\p{Cc}]/u.test(name)) {
    throw new ApiError("invalid_request", "tenant name must be 1-200 characters without control characters");
  }
  const timezone = input.timezone ?? DEFAULT_TIMEZONE;
  if (!isValidTimezone(timezone)) {
    throw new ApiError("invalid_request", `${JSON.stringify(timezone)} is not an IANA time zone`);
  }
  const tenant: Tenant = {
    id: newId(clock.now()),
    name,
    timezone,
    sending_mode: "relay",
    group_id: null,
    created_at: clock.now(),
  };
  await db.insertInto("tenants").values(tenant).execute();
  return tenant;
}

export async function findTenant(db: Db, tenantId: string): Promise<Tenant | undefined> {
  if (!isId(tenantId)) return undefined;
  return db.selectFrom("tenants").selectAll().where("id", "=", tenantId).executeTakeFirst();
}

export async function listTenants(db: Db, after: string | undefined, limit: number): Promise<Tenant[]> {
  let q = db.selectFrom("tenants").selectAll().orderBy("id").limit(limit);
  if (after) q = q.where("id", ">", after);
  return q.execute();
}

const KEY_PREFIX = "pb";

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export interface CreatedKey {
  readonly id: string;
  /** The whole key, shown once: `pb_<id>_<secret>`. Only a hash of the secret is stored. */
  readonly key: string;
  readonly role: Role;
  readonly tenantId: string | null;
}

export interface CreateKeyInput {
  /** Null for an operator key. */
  readonly tenantId: string | null;
  readonly role: Role;
  readonly name?: string | undefined;
}

export async function createApiKey(db: Db, clock: Clock, input: CreateKeyInput): Promise<CreatedKey> {
  if ((input.tenantId === null) !== (input.role === "operator")) {
    throw new ApiError("invalid_request", "operator keys have no tenant; tenant keys need one");
  }
  if (input.tenantId !== null && !(await findTenant(db, input.tenantId))) {
    throw new ApiError("not_found", `no tenant ${input.tenantId.slice(0, 40)}`);
  }
  const name = (input.name ?? (input.role === "operator" ? "operator" : input.role)).trim();
  if (name.length === 0 || name.length > 200 || /[\p{Cc}]/u.test(name)) {
    throw new ApiError("invalid_request", "key name must be 1-200 characters without control characters");
  }
  const id = newId(clock.now());
  const secret = randomBytes(24).toString("base64url");
  await db
    .insertInto("api_keys")
    .values({
      id,
      tenant_id: input.tenantId,
      role: input.role,
      name,
      secret_hash: hashSecret(secret),
      created_at: clock.now(),
      revoked_at: null,
    })
    .execute();
  return { id, key: `${KEY_PREFIX}_${id}_${secret}`, role: input.role, tenantId: input.tenantId };
}

export async function hasOperatorKey(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom("api_keys")
    .select("id")
    .where("role", "=", "operator")
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}

const KEY_SHAPE = /^pb_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{32})$/;

/**
 * Resolves a presented key to its principal, or undefined for anything that is not a live key.
 * The secret is compared in constant time against the stored hash.
 */
export async function authenticateKey(db: Db, presented: string): Promise<Principal | undefined> {
  const m = KEY_SHAPE.exec(presented);
  if (!m?.[1] || !m[2]) return undefined;
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "tenant_id", "role", "secret_hash", "revoked_at"])
    .where("id", "=", m[1])
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return undefined;
  const expected = Buffer.from(row.secret_hash, "hex");
  const actual = Buffer.from(hashSecret(m[2]), "hex");
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  if (row.role === "operator") return { kind: "operator", keyId: row.id };
  if (row.tenant_id === null || !(tenantRoles as readonly string[]).includes(row.role)) return undefined;
  return { kind: "tenant", keyId: row.id, tenantId: row.tenant_id, role: row.role as TenantRole };
}
