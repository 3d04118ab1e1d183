import { isOptOutCategory, optOut } from "../audience/preferences.js";
import type { Db } from "../db/database.js";
import { isId } from "../db/ids.js";
import { readLink, UNSUBSCRIBE_PURPOSE } from "./links.js";

/**
 * Unsubscribing through an email's signed link. The link names one recipient row; that row's
 * contact and its message's category say who opts out of what, so a link can never speak for
 * another contact, category or tenant.
 */

// Only categories a contact can opt out of (`isOptOutCategory`, one list for delivery and this
// route) carry an unsubscribe link. Transactional mail (invitations, password resets, alerts)
// and Postbag's own notices are sent because someone asked or must know: a link to one is refused.

/** How the page names each kind of mail. */
const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  announcement: "announcements",
  scheduled: "scheduled messages",
  digest: "digest emails",
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? category.replace(/_/g, " ");
}

export interface UnsubscribeTarget {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly recipientId: string;
  readonly contactId: string;
  readonly category: string;
  readonly optedOut: boolean;
}

/**
 * Why a link does not lead to an opt-out: `invalid` (tampered, malformed, another purpose),
 * `expired`, `not_found` (no such recipient for the tenant the link names), `no_contact` (mail
 * sent to a plain address, not to a contact), `not_optional` (transactional mail).
 */
export type UnsubscribeProblem = "invalid" | "expired" | "not_found" | "no_contact" | "not_optional";

export type UnsubscribeLookup =
  | { readonly ok: true; readonly target: UnsubscribeTarget }
  | { readonly ok: false; readonly problem: UnsubscribeProblem };

/** Reads an unsubscribe token and finds what it would opt out of. Changes nothing. */
export async function findUnsubscribeTarget(
  db: Db,
  secretKey: string,
  token: string,
  now: number,
): Promise<UnsubscribeLookup> {
  const link = readLink(secretKey, token, UNSUBSCRIBE_PURPOSE, now);
  if (!link.ok) return { ok: false, problem: link.reason === "expired" ? "expired" : "invalid" };
  if (!isId(link.recipientId) || !isId(link.tenantId)) return { ok: false, problem: "not_found" };
  const row = await db
    .selectFrom("recipients")
    .innerJoin("messages", (j) =>
      j.onRef("messages.id", "=", "recipients.message_id").onRef("messages.tenant_id", "=", "recipients.tenant_id"),
    )
    .innerJoin("tenants", "tenants.id", "recipients.tenant_id")
    .select(["recipients.id as recipientId", "recipients.contact_id as contactId", "messages.category", "tenants.name"])
    .where("recipients.id", "=", link.recipientId)
    .where("recipients.tenant_id", "=", link.tenantId)
    .executeTakeFirst();
  if (!row) return { ok: false, problem: "not_found" };
  if (row.contactId === null) return { ok: false, problem: "no_contact" };
  const contact = await db
    .selectFrom("contacts")
    .select("id")
    .where("id", "=", row.contactId)
    .where("tenant_id", "=", link.tenantId)
    .executeTakeFirst();
  if (!contact) return { ok: false, problem: "no_contact" };
  if (!isOptOutCategory(row.category)) return { ok: false, problem: "not_optional" };
  const existing = await db
    .selectFrom("contact_opt_outs")
    .select("category")
    .where("tenant_id", "=", link.tenantId)
    .where("contact_id", "=", contact.id)
    .where("category", "=", row.category)
    .executeTakeFirst();
  return {
    ok: true,
    target: {
      tenantId: link.tenantId,
      tenantName: row.name,
      recipientId: row.recipientId,
      contactId: contact.id,
      category: row.category,
      optedOut: existing !== undefined,
    },
  };
}

/** Opts the target's contact out of its category. Idempotent; true if this call made the change. */
export function unsubscribe(
  db: Db,
  target: UnsubscribeTarget,
  source: "link" | "one_click",
  at: number,
): Promise<boolean> {
  return optOut(db, {
    tenantId: target.tenantId,
    contactId: target.contactId,
    category: target.category,
    source,
    at,
  });
}
