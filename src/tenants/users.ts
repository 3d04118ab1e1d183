import type { Selectable } from "kysely";
import type { Db } from "../db/database.js";
import { isId, newId } from "../db/ids.js";
import { stringList } from "../db/json-codec.js";
import type { UserTable } from "../db/tables.js";
import { checkEmail } from "../email/address.js";
import { ApiError } from "../errors/api-error.js";
import { type TenantRole, tenantRoles } from "./tenants.js";

/** `tenant_credit_settings.low_credit_recipients`: user ids (here: the lowest layer that reads it). */
export const lowCreditRecipientsColumn = stringList("tenant_credit_settings.low_credit_recipients");

/**
 * A person at a tenant (a school's office staff, its administrators). Users are not API keys:
 * they are who Postbag writes to about the tenant. Administrators with an email address get
 * the credit alerts, reminders and the daily usage email.
 */
export interface User {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly email: string | null;
  readonly role: TenantRole;
  readonly createdAt: number;
}

export interface CreateUserInput {
  readonly name: string;
  readonly email?: string | null | undefined;
  readonly role: TenantRole;
}

const MAX_NAME = 200;

function toUser(row: Selectable<UserTable>): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    email: row.email,
    role: row.role as TenantRole,
    createdAt: row.created_at,
  };
}

export async function createUser(db: Db, tenantId: string, input: CreateUserInput, now: number): Promise<User> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > MAX_NAME || /\p{Cc}/u.test(name)) {
    throw new ApiError("invalid_request", `user name must be 1-${MAX_NAME} characters without control characters`);
  }
  if (!(tenantRoles as readonly string[]).includes(input.role)) {
    throw new ApiError("invalid_request", `role must be one of ${tenantRoles.join(", ")}`);
  }
  let email: string | null = null;
  if (input.email !== undefined && input.email !== null) {
    const checked = checkEmail(input.email);
    if (!checked.ok)
      throw new ApiError("invalid_address", checked.message, [{ path: "/email", message: checked.message }]);
    email = checked.email;
  }
  // A user with an address is a membership of the person with that address (docs/console.md).
  let personId: string | null = null;
  if (email !== null) {
    const key = email.toLowerCase();
    const found = await db.selectFrom("people").select("id").where("email_key", "=", key).executeTakeFirst();
    personId = found?.id ?? newId(now);
    if (!found) {
      await db
        .insertInto("people")
        .values({
          id: personId,
          email,
          email_key: key,
          name,
          password_hash: null,
          password_changed_at: null,
          operator: 0,
          created_at: now,
          last_sign_in_at: null,
        })
        .onConflict((oc) => oc.column("email_key").doNothing())
        .execute();
      personId =
        (await db.selectFrom("people").select("id").where("email_key", "=", key).executeTakeFirst())?.id ?? null;
    }
  }
  const row = {
    id: newId(now),
    tenant_id: tenantId,
    name,
    email,
    role: input.role,
    created_at: now,
    person_id: personId,
  };
  await db.insertInto("users").values(row).execute();
  return toUser(row);
}

/** A tenant's users, oldest first, `limit` after the cursor id. */
export async function listUsers(db: Db, tenantId: string, after: string | undefined, limit: number): Promise<User[]> {
  let q = db.selectFrom("users").selectAll().where("tenant_id", "=", tenantId).orderBy("id").limit(limit);
  if (after) q = q.where("id", ">", after);
  return (await q.execute()).map(toUser);
}

/**
 * Deletes a user of the tenant; false when the tenant has no such user. The user also leaves
 * the tenant's low-credit recipients in the same transaction, so that list never names a user
 * who is gone (and can be saved back as it is shown).
 */
export async function deleteUser(db: Db, tenantId: string, userId: string): Promise<boolean> {
  if (!isId(userId)) return false;
  return db.transaction().execute(async (tx) => {
    const deleted = await tx
      .deleteFrom("users")
      .where("tenant_id", "=", tenantId)
      .where("id", "=", userId)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) return false;
    const settings = await tx
      .selectFrom("credit_settings")
      .select("low_credit_recipients")
      .where("tenant_id", "=", tenantId)
      .executeTakeFirst();
    const list = lowCreditRecipientsColumn.decode(settings?.low_credit_recipients ?? "[]");
    if (list.includes(userId)) {
      await tx
        .updateTable("credit_settings")
        .set({ low_credit_recipients: lowCreditRecipientsColumn.encode(list.filter((entry) => entry !== userId)) })
        .where("tenant_id", "=", tenantId)
        .execute();
    }
    return true;
  });
}

/** Which of `ids` are users of the tenant (ids of other tenants' users are not). */
export async function existingUserIds(db: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  const wanted = ids.filter(isId);
  if (wanted.length === 0) return new Set();
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("id", "in", wanted)
    .execute();
  return new Set(rows.map((r) => r.id));
}
