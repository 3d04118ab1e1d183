import { createHash, randomBytes } from "node:crypto";
import type { Selectable } from "kysely";
import type { Db, Tx } from "../db/database.js";
import type { SessionTable } from "../db/tables.js";
import { membershipsOf, type Person } from "./people.js";

/**
 * Server-side sessions. The cookie carries a random id; the table keeps its SHA-256, the
 * person, the active tenant and the CSRF token. A session ends at its absolute expiry, after
 * `idleMs` without a request, on sign out, and for every session of a person whose password
 * changes or who is removed.
 */
export const SESSION_COOKIE = "postbag_session";

export interface SessionSettings {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

export type SessionRow = Selectable<SessionTable>;

/** `last_seen_at` is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

function sessionKey(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export async function createSession(
  tx: Tx | Db,
  personId: string,
  activeTenantId: string | null,
  now: number,
  settings: SessionSettings,
): Promise<{ cookie: string; session: SessionRow }> {
  const cookie = randomBytes(32).toString("base64url");
  const session = {
    id: sessionKey(cookie),
    person_id: personId,
    active_tenant_id: activeTenantId,
    csrf_token: randomBytes(24).toString("base64url"),
    created_at: now,
    last_seen_at: now,
    expires_at: now + settings.absoluteMs,
  };
  await tx.insertInto("sessions").values(session).execute();
  return { cookie, session };
}

/** The live session behind a cookie value with its person, or undefined. */
export async function findSession(
  db: Db,
  cookie: string | undefined,
  now: number,
  settings: SessionSettings,
): Promise<{ session: SessionRow; person: Person } | undefined> {
  if (!cookie || !COOKIE_VALUE.test(cookie)) return undefined;
  const id = sessionKey(cookie);
  const row = await db
    .selectFrom("sessions")
    .innerJoin("people", "people.id", "sessions.person_id")
    .select([
      "sessions.id",
      "sessions.person_id",
      "sessions.active_tenant_id",
      "sessions.csrf_token",
      "sessions.created_at",
      "sessions.last_seen_at",
      "sessions.expires_at",
      "people.email",
      "people.email_key",
      "people.name",
      "people.password_hash",
      "people.password_changed_at",
      "people.operator",
      "people.created_at as person_created_at",
      "people.last_sign_in_at",
    ])
    .where("sessions.id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const lastSeen = Number(row.last_seen_at);
  if (Number(row.expires_at) <= now || lastSeen + settings.idleMs <= now) {
    await db.deleteFrom("sessions").where("id", "=", id).execute();
    return undefined;
  }
  if (now - lastSeen >= TOUCH_EVERY_MS) {
    await db.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", id).execute();
  }
  return {
    session: {
      id: row.id,
      person_id: row.person_id,
      active_tenant_id: row.active_tenant_id,
      csrf_token: row.csrf_token,
      created_at: Number(row.created_at),
      last_seen_at: lastSeen,
      expires_at: Number(row.expires_at),
    },
    person: {
      id: row.person_id,
      email: row.email,
      email_key: row.email_key,
      name: row.name,
      password_hash: row.password_hash,
      password_changed_at: row.password_changed_at,
      operator: Number(row.operator),
      created_at: Number(row.person_created_at),
      last_sign_in_at: row.last_sign_in_at,
    },
  };
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

/** Ends every session of the person, except `keep` when given. */
export async function endSessionsOf(db: Db | Tx, personId: string, keep?: string): Promise<void> {
  let q = db.deleteFrom("sessions").where("person_id", "=", personId);
  if (keep) q = q.where("id", "!=", keep);
  await q.execute();
}

export async function setActiveTenant(db: Db, sessionId: string, tenantId: string | null): Promise<void> {
  await db.updateTable("sessions").set({ active_tenant_id: tenantId }).where("id", "=", sessionId).execute();
}

/** The `Session` the console reads (docs/console.md). */
export async function sessionView(db: Db | Tx, session: SessionRow, person: Person) {
  const memberships = await membershipsOf(db, person.id);
  const active =
    session.active_tenant_id && memberships.some((m) => m.tenantId === session.active_tenant_id)
      ? session.active_tenant_id
      : null;
  return {
    person: { id: person.id, email: person.email, name: person.name },
    operator: person.operator === 1,
    memberships,
    activeTenantId: active,
    csrfToken: session.csrf_token,
    expiresAt: new Date(session.expires_at).toISOString(),
  };
}

/** Expired sessions and links, removed by the housekeeping job. */
export async function purgeExpired(db: Db, now: number, settings: SessionSettings): Promise<void> {
  await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", now - settings.idleMs)]))
    .execute();
  await db
    .deleteFrom("auth_links")
    .where("expires_at", "<=", now - 24 * 3_600_000)
    .execute();
  await db.deleteFrom("rate_limits").where("reset_at", "<=", now).execute();
}
