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

/** Who did something, for the audit and for "created by": a person (signed in) or an API key. */
export interface Actor {
  readonly kind: "person" | "key";
  readonly id: string;
  readonly name: string;
}

/**
 * Who is calling: an operator (key or operator person, no tenant) or a tenant with its role
 * (a tenant key, or a person acting for their session's active tenant). `keyId` names the
 * caller in older records: the key's id, or `person:<id>` for a signed-in person.
 */
export type Principal =
  | { readonly kind: "operator"; readonly keyId: string; readonly actor: Actor }
  | {
      readonly kind: "tenant";
      readonly keyId: string;
      readonly tenantId: string;
      readonly role: TenantRole;
      readonly actor: Actor;
    };

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
    pending_timezone: null,
    timezone_effective_from: null,
    open_received_attachments: 1,
    suspended_at: null,
    suspended_note: null,
  };
  await db.insertInto("tenants").values(tenant).execute();
  return tenant;
}

export async function findTenant(db: Db, tenantId: string): Promise<Tenant | undefined> {
  if (!isId(tenantId)) return undefined;
  return db.selectFrom("tenants").selectAll().where("id", "=", tenantId).executeTakeFirst();
}

/** Renames a tenant (the operator's console); undefined when there is no such tenant. */
export async function renameTenant(db: Db, tenantId: string, name: string): Promise<Tenant | undefined> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200 || /[\p{Cc}]/u.test(trimmed)) {
    throw new ApiError("invalid_request", "tenant name must be 1-200 characters without control characters");
  }
  if (tenantId === POSTBAG_TENANT_ID || !(await findTenant(db, tenantId))) return undefined;
  await db.updateTable("tenants").set({ name: trimmed }).where("id", "=", tenantId).execute();
  return findTenant(db, tenantId);
}

/**
 * Refuses a suspended tenant's keys and people (403 `tenant_suspended`, docs/security.md):
 * read on every request, so a suspension takes effect from the next request in every process.
 */
export async function assertNotSuspended(db: Db, tenantId: string): Promise<void> {
  const row = await db.selectFrom("tenants").select("suspended_at").where("id", "=", tenantId).executeTakeFirst();
  if (row && row.suspended_at !== null) {
    throw new ApiError("tenant_suspended", "this school's account is suspended; contact the operator of this Postbag");
  }
}

/**
 * The tenant Postbag's own account mail (sign-in links, invitations, password resets) is filed
 * under: no key or person can act for it, so no tenant's API ever shows that mail.
 */
export const POSTBAG_TENANT_ID = "00000000000000000000000000";

export async function listTenants(db: Db, after: string | undefined, limit: number): Promise<Tenant[]> {
  let q = db.selectFrom("tenants").selectAll().where("id", "!=", POSTBAG_TENANT_ID).orderBy("id").limit(limit);
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
  readonly createdBy?: Actor | undefined;
}

export async function createApiKey(db: Db, clock: Clock, input: CreateKeyInput): Promise<CreatedKey> {
  if ((input.tenantId === null) !== (input.role === "operator")) {
    throw new ApiError("invalid_request", "operator keys have no tenant; tenant keys need one");
  }
  if (input.tenantId === POSTBAG_TENANT_ID) throw new ApiError("not_found", `no tenant ${input.tenantId}`);
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
      created_by_kind: input.createdBy?.kind ?? null,
      created_by_id: input.createdBy?.id ?? null,
      created_by_name: input.createdBy?.name ?? null,
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
export async function authenticateKey(
  db: Db,
  presented: string,
): Promise<{ principal: Principal; lastUsedAt: number | null } | undefined> {
  const m = KEY_SHAPE.exec(presented);
  if (!m?.[1] || !m[2]) return undefined;
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "tenant_id", "role", "name", "secret_hash", "revoked_at", "last_used_at"])
    .where("id", "=", m[1])
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return undefined;
  const expected = Buffer.from(row.secret_hash, "hex");
  const actual = Buffer.from(hashSecret(m[2]), "hex");
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const actor: Actor = { kind: "key", id: row.id, name: row.name };
  const lastUsedAt = row.last_used_at;
  if (row.role === "operator") return { principal: { kind: "operator", keyId: row.id, actor }, lastUsedAt };
  if (row.tenant_id === null || !(tenantRoles as readonly string[]).includes(row.role)) return undefined;
  return {
    principal: { kind: "tenant", keyId: row.id, tenantId: row.tenant_id, role: row.role as TenantRole, actor },
    lastUsedAt,
  };
}

const LAST_USED_EVERY_MS = 60_000;

/**
 * Records that a key was used, at most once a minute per key (across processes too: the row
 * is written only when its recorded time is a minute old), never on every request.
 */
export async function touchKey(db: Db, keyId: string, lastUsedAt: number | null, now: number): Promise<void> {
  if (lastUsedAt !== null && now - lastUsedAt < LAST_USED_EVERY_MS) return;
  await db
    .updateTable("api_keys")
    .set({ last_used_at: now })
    .where("id", "=", keyId)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", now - LAST_USED_EVERY_MS)]))
    .execute();
}

export interface KeyView {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly tenantId: string | null;
  readonly createdBy: Actor | null;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

function toKeyView(row: {
  id: string;
  name: string;
  role: string;
  tenant_id: string | null;
  created_by_kind: string | null;
  created_by_id: string | null;
  created_by_name: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}): KeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    tenantId: row.tenant_id,
    createdBy:
      row.created_by_kind && row.created_by_id
        ? {
            kind: row.created_by_kind === "person" ? "person" : "key",
            id: row.created_by_id,
            name: row.created_by_name ?? "",
          }
        : null,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

const KEY_COLUMNS = [
  "id",
  "name",
  "role",
  "tenant_id",
  "created_by_kind",
  "created_by_id",
  "created_by_name",
  "created_at",
  "last_used_at",
  "revoked_at",
] as const;

/** A tenant's keys, newest first, revoked ones included (with when). */
export async function listKeys(
  db: Db,
  tenantId: string,
  before: string | undefined,
  limit: number,
): Promise<KeyView[]> {
  let q = db.selectFrom("api_keys").select(KEY_COLUMNS).where("tenant_id", "=", tenantId);
  if (before) q = q.where("id", "<", before);
  return (await q.orderBy("id", "desc").limit(limit).execute()).map(toKeyView);
}

export async function findKey(db: Db, keyId: string): Promise<KeyView | undefined> {
  if (!isId(keyId)) return undefined;
  const row = await db.selectFrom("api_keys").select(KEY_COLUMNS).where("id", "=", keyId).executeTakeFirst();
  return row ? toKeyView(row) : undefined;
}

/**
 * Revokes a key (of the tenant, or any key when `tenantId` is "any"): refused from the next
 * request on in every process, since each request reads the key's row. Undefined: no such key.
 * Revoking a revoked key changes nothing and answers it as it is.
 */
export async function revokeKey(
  db: Db,
  scope: { readonly tenantId: string } | "any",
  keyId: string,
  now: number,
): Promise<KeyView | undefined> {
  const key = await findKey(db, keyId);
  if (!key || (scope !== "any" && key.tenantId !== scope.tenantId)) return undefined;
  if (key.revokedAt !== null) return key;
  await db
    .updateTable("api_keys")
    .set({ revoked_at: now })
    .where("id", "=", keyId)
    .where("revoked_at", "is", null)
    .execute();
  return { ...key, revokedAt: now };
}
