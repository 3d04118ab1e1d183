import type { Selectable } from "kysely";
import type { Db, Tx } from "../db/database.js";
import type { ContactTable } from "../db/tables.js";
import type { Category } from "../email/categories.js";

/**
 * How an opt-out was made: the unsubscribe page, an RFC 8058 one-click POST, the API, or a
 * mailbox provider's feedback report of type `opt-out` (an unsubscribe request, not a complaint).
 */
export type OptOutSource = "link" | "one_click" | "api" | "feedback_report";

/**
 * Opts a contact out of one category. Idempotent: opting out twice keeps the first record.
 * Returns true if this call made the change.
 */
export async function optOut(
  db: Db | Tx,
  entry: {
    readonly tenantId: string;
    readonly contactId: string;
    readonly category: string;
    readonly source: OptOutSource;
    readonly at: number;
  },
): Promise<boolean> {
  const result = await db
    .insertInto("contact_opt_outs")
    .values({
      tenant_id: entry.tenantId,
      contact_id: entry.contactId,
      category: entry.category,
      source: entry.source,
      at: entry.at,
    })
    .onConflict((oc) => oc.columns(["contact_id", "category"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Opts a contact back in to a category. Returns true if they had opted out. */
export async function optIn(db: Db | Tx, tenantId: string, contactId: string, category: string): Promise<boolean> {
  const result = await db
    .deleteFrom("contact_opt_outs")
    .where("tenant_id", "=", tenantId)
    .where("contact_id", "=", contactId)
    .where("category", "=", category)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The categories each of `contactIds` opted out of. */
export async function optOutsOf(
  db: Db | Tx,
  tenantId: string,
  contactIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (let i = 0; i < contactIds.length; i += 500) {
    const rows = await db
      .selectFrom("contact_opt_outs")
      .select(["contact_id", "category"])
      .where("tenant_id", "=", tenantId)
      .where("contact_id", "in", contactIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.contact_id, (out.get(r.contact_id) ?? new Set()).add(r.category));
  }
  return out;
}

/**
 * The categories a contact may opt out of: mail that carries List-Unsubscribe. Transactional
 * mail (invitations, password resets, alerts) and Postbag's own notices are always delivered.
 */
export const optOutCategories = ["announcement", "scheduled", "digest"] as const satisfies readonly Category[];

const OPT_OUT_CATEGORIES: ReadonlySet<string> = new Set(optOutCategories);

/** True for mail a contact may opt out of (and so carries an unsubscribe link). */
export function isOptOutCategory(category: string): boolean {
  return OPT_OUT_CATEGORIES.has(category);
}

export const digestModes = ["none", "daily", "weekly"] as const;
export type DigestMode = (typeof digestModes)[number];

/** A contact's digest choice: the time is `HH:MM` in the tenant's zone; weekday 1 = Monday. */
export interface DigestChoice {
  readonly mode: DigestMode;
  readonly time: string | null;
  readonly weekday: number | null;
}

export interface OptOutRecord {
  readonly category: string;
  readonly source: OptOutSource;
  readonly at: number;
}

export interface Preferences {
  readonly optOuts: readonly OptOutRecord[];
  readonly digest: DigestChoice;
}

const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

function isDigestMode(value: string): value is DigestMode {
  return (digestModes as readonly string[]).includes(value);
}

/** The digest columns of a contact row, read defensively (an unknown mode reads as none). */
export function digestOf(
  row: Pick<Selectable<ContactTable>, "digest" | "digest_time" | "digest_weekday">,
): DigestChoice {
  const mode = isDigestMode(row.digest) ? row.digest : "none";
  return {
    mode,
    time: mode === "none" ? null : row.digest_time,
    weekday: mode === "weekly" && row.digest_weekday !== null ? Number(row.digest_weekday) : null,
  };
}

/**
 * Checks a digest choice: daily needs a time, weekly a time and a weekday, none neither.
 * A problem is a value (its message), not an exception.
 */
export function checkDigest(input: {
  readonly mode: string;
  readonly time?: string | undefined;
  readonly weekday?: number | undefined;
}): { ok: true; digest: DigestChoice } | { ok: false; message: string } {
  const { mode, time, weekday } = input;
  if (!isDigestMode(mode)) return { ok: false, message: `digest.mode must be one of ${digestModes.join(", ")}` };
  if (mode === "none") {
    if (time !== undefined || weekday !== undefined) {
      return { ok: false, message: "digest.time and digest.weekday go only with a daily or weekly digest" };
    }
    return { ok: true, digest: { mode, time: null, weekday: null } };
  }
  if (time === undefined) return { ok: false, message: `a ${mode} digest needs digest.time (HH:MM)` };
  if (!TIME.test(time)) return { ok: false, message: "digest.time must be HH:MM, 00:00 to 23:59" };
  if (mode === "daily") {
    if (weekday !== undefined) return { ok: false, message: "digest.weekday goes only with a weekly digest" };
    return { ok: true, digest: { mode, time, weekday: null } };
  }
  if (weekday === undefined) return { ok: false, message: "a weekly digest needs digest.weekday (1 = Monday … 7)" };
  if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7) {
    return { ok: false, message: "digest.weekday must be 1 (Monday) to 7 (Sunday)" };
  }
  return { ok: true, digest: { mode, time, weekday } };
}

/** A contact's opt-outs (by category) and digest choice. */
export async function preferencesOf(
  db: Db | Tx,
  tenantId: string,
  contactId: string,
): Promise<Preferences | undefined> {
  const contact = await db
    .selectFrom("contacts")
    .select(["digest", "digest_time", "digest_weekday"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", contactId)
    .executeTakeFirst();
  if (!contact) return undefined;
  const rows = await db
    .selectFrom("contact_opt_outs")
    .select(["category", "source", "at"])
    .where("tenant_id", "=", tenantId)
    .where("contact_id", "=", contactId)
    .orderBy("category")
    .execute();
  return {
    optOuts: rows.map((r) => ({ category: r.category, source: r.source as OptOutSource, at: Number(r.at) })),
    digest: digestOf(contact),
  };
}

/**
 * Sets a contact's preferences through the API. `optOuts` is the whole set: categories left out
 * are opted back in, ones kept keep their original record (when and how they were made).
 * Returns false when the tenant has no such contact.
 */
export async function setPreferences(
  db: Db,
  tenantId: string,
  contactId: string,
  change: { readonly optOuts?: readonly string[] | undefined; readonly digest?: DigestChoice | undefined },
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const exists = await tx
      .selectFrom("contacts")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("id", "=", contactId)
      .executeTakeFirst();
    if (!exists) return false;
    if (change.optOuts !== undefined) {
      const wanted = new Set(change.optOuts);
      const current = await optOutsOf(tx, tenantId, [contactId]);
      for (const category of current.get(contactId) ?? []) {
        if (!wanted.has(category)) await optIn(tx, tenantId, contactId, category);
      }
      for (const category of wanted) await optOut(tx, { tenantId, contactId, category, source: "api", at: now });
    }
    if (change.digest !== undefined) await setDigest(tx, tenantId, contactId, change.digest);
    return true;
  });
}

/** Sets a contact's digest choice (already checked by `checkDigest`). */
export async function setDigest(db: Db | Tx, tenantId: string, contactId: string, digest: DigestChoice): Promise<void> {
  await db
    .updateTable("contacts")
    .set({ digest: digest.mode, digest_time: digest.time, digest_weekday: digest.weekday })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", contactId)
    .execute();
}
