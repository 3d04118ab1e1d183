import { createHash, randomBytes } from "node:crypto";
import type { Selectable } from "kysely";
import type { Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { AuthLinkTable } from "../db/tables.js";

/**
 * Single-use links: sign-in (15 minutes), password reset (15 minutes) and invitation (7 days).
 * The token travels only in the link (after `#`, so it never reaches a server log); the
 * database keeps its SHA-256. A link is spent only by a POST (`redeemLink`), never by opening it.
 */
export type LinkKind = "sign_in" | "password_reset" | "invitation";

export const LINK_LIFETIME_MS: Readonly<Record<LinkKind, number>> = {
  sign_in: 15 * 60_000,
  password_reset: 15 * 60_000,
  invitation: 7 * 24 * 3_600_000,
};

/** The console page each link opens; the page shows a button that POSTs the token. */
export const LINK_PAGE: Readonly<Record<LinkKind, string>> = {
  sign_in: "/sign-in/link",
  password_reset: "/reset-password",
  invitation: "/invitation",
};

export type AuthLink = Selectable<AuthLinkTable>;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function linkUrl(publicUrl: string, kind: LinkKind, token: string): string {
  return `${publicUrl}${LINK_PAGE[kind]}#token=${token}`;
}

export interface NewLink {
  readonly kind: LinkKind;
  readonly personId: string;
  readonly tenantId?: string | null;
  readonly role?: string | null;
}

/** Creates a link; answers the token (shown once) and when it expires. */
export async function createLink(
  tx: Tx | Db,
  link: NewLink,
  now: number,
): Promise<{ token: string; expiresAt: number }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = now + LINK_LIFETIME_MS[link.kind];
  await tx
    .insertInto("auth_links")
    .values({
      id: newId(now),
      token_hash: hashToken(token),
      kind: link.kind,
      person_id: link.personId,
      tenant_id: link.tenantId ?? null,
      role: link.role ?? null,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
    })
    .execute();
  return { token, expiresAt };
}

/** The live (unused, unexpired) link of this kind, without spending it. */
export async function peekLink(db: Db | Tx, kind: LinkKind, token: string, now: number): Promise<AuthLink | undefined> {
  if (!TOKEN.test(token)) return undefined;
  return db
    .selectFrom("auth_links")
    .selectAll()
    .where("token_hash", "=", hashToken(token))
    .where("kind", "=", kind)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
}

/**
 * Spends a link: exactly one caller gets it (a compare-and-set on `used_at`), in the caller's
 * transaction so the change it allows commits with it. Undefined: bad, used or expired.
 */
export async function redeemLink(tx: Tx, kind: LinkKind, token: string, now: number): Promise<AuthLink | undefined> {
  const link = await peekLink(tx, kind, token, now);
  if (!link) return undefined;
  const spent = await tx
    .updateTable("auth_links")
    .set({ used_at: now })
    .where("id", "=", link.id)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(spent.numUpdatedRows) === 1 ? { ...link, used_at: now } : undefined;
}
