import type { Db, Tx } from "../db/database.js";
import { isId, newId } from "../db/ids.js";
import type { PersonTable } from "../db/tables.js";
import { checkEmail } from "../email/address.js";
import { ApiError } from "../errors/api-error.js";
import { deleteUser } from "../tenants/users.js";

/**
 * People who sign in. A person has one email address (unique across Postbag, compared
 * lower-cased) and a membership in each tenant they work for, with a role there. A membership
 * is a `users` row linked to the person, so who gets credit mail (administrators with an
 * address) and `/v1/users` work as before. Operator people belong to no tenant.
 */
export const memberRoles = ["administrator", "staff"] as const;
export type MemberRole = (typeof memberRoles)[number];

export type Person = Omit<PersonTable, "password_hash"> & { readonly password_hash: string | null };

export interface Membership {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly role: MemberRole;
  readonly timezone: string;
}

const MAX_NAME = 200;

export function checkPersonName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME || /\p{Cc}/u.test(trimmed)) {
    throw new ApiError("invalid_request", `name must be at most ${MAX_NAME} characters without control characters`);
  }
  return trimmed;
}

/** The address as stored and its unique key; 400 invalid_address when it is not one. */
export function personEmail(email: string): { email: string; key: string } {
  const checked = checkEmail(email);
  if (!checked.ok)
    throw new ApiError("invalid_address", checked.message, [{ path: "/email", message: checked.message }]);
  return { email: checked.email, key: checked.email.toLowerCase() };
}

export async function findPersonByEmail(db: Db | Tx, email: string): Promise<Person | undefined> {
  const checked = checkEmail(email);
  if (!checked.ok) return undefined;
  return db.selectFrom("people").selectAll().where("email_key", "=", checked.email.toLowerCase()).executeTakeFirst();
}

export async function findPerson(db: Db | Tx, personId: string): Promise<Person | undefined> {
  if (!isId(personId)) return undefined;
  return db.selectFrom("people").selectAll().where("id", "=", personId).executeTakeFirst();
}

/** The person with this address, created (without a password) when there is none. */
export async function ensurePerson(
  tx: Tx | Db,
  input: { readonly email: string; readonly name?: string | undefined; readonly operator?: boolean },
  now: number,
): Promise<Person> {
  const { email, key } = personEmail(input.email);
  const name = checkPersonName(input.name ?? "");
  const found = await tx.selectFrom("people").selectAll().where("email_key", "=", key).executeTakeFirst();
  if (found) {
    if (input.operator && found.operator !== 1) {
      await tx.updateTable("people").set({ operator: 1 }).where("id", "=", found.id).execute();
      return { ...found, operator: 1 };
    }
    return found;
  }
  const person = {
    id: newId(now),
    email,
    email_key: key,
    name,
    password_hash: null,
    password_changed_at: null,
    operator: input.operator ? 1 : 0,
    created_at: now,
    last_sign_in_at: null,
  };
  await tx
    .insertInto("people")
    .values(person)
    .onConflict((oc) => oc.column("email_key").doNothing())
    .execute();
  // A concurrent insert of the same address won: use that person.
  return (await tx.selectFrom("people").selectAll().where("email_key", "=", key).executeTakeFirstOrThrow()) as Person;
}

const rank = (role: string) => (role === "administrator" ? 2 : role === "staff" ? 1 : 0);

/** Where the person works: one entry per tenant, the highest role if they have several rows. */
export async function membershipsOf(db: Db | Tx, personId: string): Promise<Membership[]> {
  const rows = await db
    .selectFrom("users")
    .innerJoin("tenants", "tenants.id", "users.tenant_id")
    .select(["users.tenant_id", "users.role", "tenants.name", "tenants.timezone"])
    .where("users.person_id", "=", personId)
    .where("users.role", "in", [...memberRoles])
    .orderBy("tenants.name")
    .orderBy("users.tenant_id")
    .execute();
  const byTenant = new Map<string, Membership>();
  for (const r of rows) {
    const seen = byTenant.get(r.tenant_id);
    if (seen && rank(seen.role) >= rank(r.role)) continue;
    byTenant.set(r.tenant_id, {
      tenantId: r.tenant_id,
      tenantName: r.name,
      role: r.role as MemberRole,
      timezone: r.timezone,
    });
  }
  return [...byTenant.values()];
}

/** The person's role in one tenant, or undefined when they are not a member. */
export async function roleIn(db: Db | Tx, personId: string, tenantId: string): Promise<MemberRole | undefined> {
  const rows = await db
    .selectFrom("users")
    .select("role")
    .where("person_id", "=", personId)
    .where("tenant_id", "=", tenantId)
    .where("role", "in", [...memberRoles])
    .execute();
  let best: MemberRole | undefined;
  for (const r of rows) if (!best || rank(r.role) > rank(best)) best = r.role as MemberRole;
  return best;
}

/** Makes the person a member of the tenant with `role` (changing the role if they already are). */
export async function addMembership(tx: Tx | Db, tenantId: string, person: Person, role: MemberRole, now: number) {
  const existing = await tx
    .selectFrom("users")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("person_id", "=", person.id)
    .execute();
  if (existing.length > 0) {
    await tx
      .updateTable("users")
      .set({ role })
      .where("tenant_id", "=", tenantId)
      .where("person_id", "=", person.id)
      .execute();
    return;
  }
  await tx
    .insertInto("users")
    .values({
      id: newId(now),
      tenant_id: tenantId,
      name: person.name || person.email,
      email: person.email,
      role,
      created_at: now,
      person_id: person.id,
    })
    .execute();
}

export interface PersonInTenant {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly lastSignInAt: number | null;
  readonly invitedPending: boolean;
}

/** The tenant's people (members with a person), by name. */
export async function listPeople(db: Db, tenantId: string, now: number): Promise<PersonInTenant[]> {
  const rows = await db
    .selectFrom("users")
    .innerJoin("people", "people.id", "users.person_id")
    .select([
      "people.id",
      "people.email",
      "people.name",
      "people.password_hash",
      "people.last_sign_in_at",
      "users.role",
    ])
    .where("users.tenant_id", "=", tenantId)
    .where("users.role", "in", [...memberRoles])
    .orderBy("people.email_key")
    .execute();
  const pending = new Set(
    (
      await db
        .selectFrom("auth_links")
        .select("person_id")
        .where("kind", "=", "invitation")
        .where("tenant_id", "=", tenantId)
        .where("used_at", "is", null)
        .where("expires_at", ">", now)
        .execute()
    ).map((r) => r.person_id),
  );
  const byPerson = new Map<string, PersonInTenant>();
  for (const r of rows) {
    const seen = byPerson.get(r.id);
    if (seen && rank(seen.role) >= rank(r.role)) continue;
    byPerson.set(r.id, {
      id: r.id,
      email: r.email,
      name: r.name,
      role: r.role as MemberRole,
      lastSignInAt: r.last_sign_in_at === null ? null : Number(r.last_sign_in_at),
      invitedPending: r.password_hash === null && pending.has(r.id),
    });
  }
  return [...byPerson.values()];
}

/** Changes a member's role; false when the person is not a member of the tenant. */
export async function setMemberRole(db: Db, tenantId: string, personId: string, role: MemberRole): Promise<boolean> {
  if (!isId(personId)) return false;
  const updated = await db
    .updateTable("users")
    .set({ role })
    .where("tenant_id", "=", tenantId)
    .where("person_id", "=", personId)
    .where("role", "in", [...memberRoles])
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/**
 * Removes a person from a tenant: their memberships go (and with them their place among the
 * low-credit recipients), their unused invitations to it are spent, and every session of
 * theirs ends at once. Optionally the tenant's keys they created are revoked. False when the
 * person is not a member.
 */
export async function removeMember(
  db: Db,
  tenantId: string,
  personId: string,
  options: { readonly revokeKeys: boolean; readonly now: number },
): Promise<{ removed: boolean; revokedKeys: string[] }> {
  if (!isId(personId)) return { removed: false, revokedKeys: [] };
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("person_id", "=", personId)
    .execute();
  if (rows.length === 0) return { removed: false, revokedKeys: [] };
  for (const r of rows) await deleteUser(db, tenantId, r.id);
  await db
    .updateTable("auth_links")
    .set({ used_at: options.now })
    .where("person_id", "=", personId)
    .where("tenant_id", "=", tenantId)
    .where("used_at", "is", null)
    .execute();
  await db.deleteFrom("sessions").where("person_id", "=", personId).execute();
  let revokedKeys: string[] = [];
  if (options.revokeKeys) {
    const keys = await db
      .selectFrom("api_keys")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("created_by_kind", "=", "person")
      .where("created_by_id", "=", personId)
      .where("revoked_at", "is", null)
      .execute();
    revokedKeys = keys.map((k) => k.id);
    if (revokedKeys.length > 0) {
      await db.updateTable("api_keys").set({ revoked_at: options.now }).where("id", "in", revokedKeys).execute();
    }
  }
  return { removed: true, revokedKeys };
}
