import type { Db, Tx } from "../db/database.js";

/** How an opt-out was made: the unsubscribe page, an RFC 8058 one-click POST, or the API. */
export type OptOutSource = "link" | "one_click" | "api";

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
