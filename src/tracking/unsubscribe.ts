import {
  type DigestChoice,
  digestOf,
  isOptOutCategory,
  optIn,
  optOut,
  optOutCategories,
  setDigest,
} from "../audience/preferences.js";
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
  /** The contact opted out of this link's category. */
  readonly optedOut: boolean;
  /** Every category the contact opted out of. */
  readonly optOuts: readonly string[];
  readonly digest: DigestChoice;
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
    .select(["id", "digest", "digest_time", "digest_weekday"])
    .where("id", "=", row.contactId)
    .where("tenant_id", "=", link.tenantId)
    .executeTakeFirst();
  if (!contact) return { ok: false, problem: "no_contact" };
  if (!isOptOutCategory(row.category)) return { ok: false, problem: "not_optional" };
  const optOuts = await db
    .selectFrom("contact_opt_outs")
    .select("category")
    .where("tenant_id", "=", link.tenantId)
    .where("contact_id", "=", contact.id)
    .orderBy("category")
    .execute();
  return {
    ok: true,
    target: {
      tenantId: link.tenantId,
      tenantName: row.name,
      recipientId: row.recipientId,
      contactId: contact.id,
      category: row.category,
      optedOut: optOuts.some((o) => o.category === row.category),
      optOuts: optOuts.map((o) => o.category),
      digest: digestOf(contact),
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

/**
 * What a parent may choose on the preference page: unsubscribe from the link's category, from
 * all optional mail, take a daily or weekly digest instead (when the tenant offers it), or get
 * each email as it is sent again.
 */
export const pageChoices = ["unsubscribe", "unsubscribe_all", "daily", "weekly", "each"] as const;
export type PageChoice = (typeof pageChoices)[number];

export function isPageChoice(value: string): value is PageChoice {
  return (pageChoices as readonly string[]).includes(value);
}

/**
 * Applies a choice made on the page, in one transaction. A digest (or each email again) opts the
 * contact back in to the link's category and to digests: choosing to get the mail gathered is
 * choosing to get it. A digest keeps the time (and day) the contact already has, if any; otherwise
 * it takes the tenant's defaults (`digest-offer.ts`). Answers the contact's digest afterwards.
 */
export async function applyPageChoice(
  db: Db,
  target: UnsubscribeTarget,
  choice: PageChoice,
  defaults: { readonly time: string; readonly weekday: number },
  at: number,
): Promise<DigestChoice> {
  const { tenantId, contactId } = target;
  return db.transaction().execute(async (tx) => {
    if (choice === "unsubscribe" || choice === "unsubscribe_all") {
      const categories = choice === "unsubscribe" ? [target.category] : optOutCategories;
      for (const category of categories) await optOut(tx, { tenantId, contactId, category, source: "link", at });
      return target.digest;
    }
    for (const category of new Set([target.category, "digest"])) await optIn(tx, tenantId, contactId, category);
    const current = target.digest;
    const digest: DigestChoice =
      choice === "each"
        ? { mode: "none", time: null, weekday: null }
        : {
            mode: choice,
            time: current.time ?? defaults.time,
            weekday: choice === "weekly" ? (current.weekday ?? defaults.weekday) : null,
          };
    await setDigest(tx, tenantId, contactId, digest);
    return digest;
  });
}
