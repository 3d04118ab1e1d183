import type { Db, Tx } from "../db/database.js";

/**
 * Deleting a contact or a subject (a leaver, a GDPR request). The row goes with everything about
 * the person the audience holds (links, groups, opt-outs), and a tombstone keeps the external id
 * alone, so that the next sync from the school's system does not recreate them: such a row is
 * refused with `deleted` unless it says `"restore": true` (`audience-sync.ts`). What was sent to
 * them is another layer's business: the caller erases their recipient rows in the same
 * transaction (`messages/recipient-state.ts`), so reports keep the counts without the person.
 * Suppressions are not touched: they protect the address, not the person.
 */

export type TombstoneKind = "contact" | "subject";

async function bury(tx: Tx, tenantId: string, kind: TombstoneKind, externalId: string, now: number): Promise<void> {
  await tx
    .insertInto("audience_tombstones")
    .values({ tenant_id: tenantId, kind, external_id: externalId, deleted_at: now })
    .onConflict((oc) => oc.columns(["tenant_id", "kind", "external_id"]).doUpdateSet({ deleted_at: now }))
    .execute();
}

/**
 * Deletes a contact by external id inside `tx`. Answers the contact's internal id (for the
 * caller's erasure of its mail), or undefined when the tenant has no such contact.
 */
export async function deleteContact(
  tx: Tx,
  tenantId: string,
  externalId: string,
  now: number,
): Promise<string | undefined> {
  const row = await tx
    .selectFrom("contacts")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  if (!row) return undefined;
  await tx.deleteFrom("contact_opt_outs").where("tenant_id", "=", tenantId).where("contact_id", "=", row.id).execute();
  await tx.deleteFrom("contact_subjects").where("tenant_id", "=", tenantId).where("contact_id", "=", row.id).execute();
  // An announcement being fanned out right now skips them.
  await tx
    .deleteFrom("announcement_audience")
    .where("tenant_id", "=", tenantId)
    .where("contact_id", "=", row.id)
    .execute();
  await tx.deleteFrom("contacts").where("tenant_id", "=", tenantId).where("id", "=", row.id).execute();
  await bury(tx, tenantId, "contact", externalId, now);
  return row.id;
}

/**
 * Deletes a subject (a student) by external id inside `tx`: its groups and its links to contacts
 * go too; the contacts stay. Mail still waiting drops the sections about them. Answers the
 * subject's internal id, or undefined when the tenant has no such subject.
 */
export async function deleteSubject(
  tx: Tx,
  tenantId: string,
  externalId: string,
  now: number,
): Promise<string | undefined> {
  const row = await tx
    .selectFrom("subjects")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  if (!row) return undefined;
  await tx.deleteFrom("subject_groups").where("tenant_id", "=", tenantId).where("subject_id", "=", row.id).execute();
  await tx.deleteFrom("contact_subjects").where("tenant_id", "=", tenantId).where("subject_id", "=", row.id).execute();
  await tx
    .deleteFrom("announcement_audience")
    .where("tenant_id", "=", tenantId)
    .where("subject_id", "=", row.id)
    .execute();
  await tx.deleteFrom("subjects").where("tenant_id", "=", tenantId).where("id", "=", row.id).execute();
  await bury(tx, tenantId, "subject", externalId, now);
  return row.id;
}

/** Which of `externalIds` of `kind` the tenant deleted. */
export async function tombstonesOf(
  db: Db | Tx,
  tenantId: string,
  kind: TombstoneKind,
  externalIds: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < externalIds.length; i += 500) {
    const rows = await db
      .selectFrom("audience_tombstones")
      .select("external_id")
      .where("tenant_id", "=", tenantId)
      .where("kind", "=", kind)
      .where("external_id", "in", externalIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.external_id);
  }
  return out;
}

/** Lifts tombstones inside `tx`: the rows were restored by a sync. */
export async function liftTombstones(
  tx: Tx,
  tenantId: string,
  kind: TombstoneKind,
  externalIds: readonly string[],
): Promise<void> {
  for (let i = 0; i < externalIds.length; i += 500) {
    await tx
      .deleteFrom("audience_tombstones")
      .where("tenant_id", "=", tenantId)
      .where("kind", "=", kind)
      .where("external_id", "in", externalIds.slice(i, i + 500))
      .execute();
  }
}
