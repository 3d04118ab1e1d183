import { sql } from "kysely";
import type { Db } from "../db/database.js";
import { newId } from "../db/ids.js";
import { suppressionKey } from "../messages/suppressions.js";

/**
 * What a tenant sees and does with its suppression list: page through it, and reset an address
 * (send to it again), which is always audited with who, when, why and what the suppression was.
 */
export interface Suppression {
  readonly email: string;
  readonly reason: string;
  readonly detail: string | null;
  readonly recipientId: string | null;
  readonly createdAt: number;
}

export interface SuppressionReset {
  readonly id: string;
  readonly email: string;
  readonly reason: string;
  readonly suppressedAt: number;
  readonly resetBy: string;
  readonly note: string;
  readonly at: number;
}

/** LIKE pattern for a substring, with LIKE's own characters taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A page of the tenant's suppressions in address order, after the address `after`. `search`
 * keeps addresses containing it (case-insensitive: addresses are stored lower-cased).
 */
export async function listSuppressions(
  db: Db,
  tenantId: string,
  options: { readonly after?: string | undefined; readonly search?: string | undefined; readonly limit: number },
): Promise<Suppression[]> {
  let q = db
    .selectFrom("suppressions")
    .select(["email", "reason", "detail", "recipient_id", "created_at"])
    .where("tenant_id", "=", tenantId)
    .orderBy("email")
    .limit(options.limit);
  if (options.after !== undefined) q = q.where("email", ">", options.after);
  if (options.search) q = q.where(sql<boolean>`email like ${containing(options.search.toLowerCase())} escape '\\'`);
  const rows = await q.execute();
  return rows.map((r) => ({
    email: r.email,
    reason: r.reason,
    detail: r.detail,
    recipientId: r.recipient_id,
    createdAt: r.created_at,
  }));
}

/**
 * Removes an address from the tenant's suppressions and records the reset, in one transaction.
 * Undefined when the address is not suppressed for this tenant (including another tenant's).
 */
export async function resetSuppression(
  db: Db,
  tenantId: string,
  input: { readonly email: string; readonly resetBy: string; readonly note: string; readonly at: number },
): Promise<SuppressionReset | undefined> {
  const email = suppressionKey(input.email);
  if (email === "") return undefined;
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom("suppressions")
      .select(["reason", "created_at"])
      .where("tenant_id", "=", tenantId)
      .where("email", "=", email)
      .executeTakeFirst();
    if (!row) return undefined;
    const deleted = await tx
      .deleteFrom("suppressions")
      .where("tenant_id", "=", tenantId)
      .where("email", "=", email)
      .executeTakeFirst();
    // Two resets at once: only the one that deleted the row records it.
    if (Number(deleted.numDeletedRows) === 0) return undefined;
    const reset: SuppressionReset = {
      id: newId(input.at),
      email,
      reason: row.reason,
      suppressedAt: row.created_at,
      resetBy: input.resetBy,
      note: input.note,
      at: input.at,
    };
    await tx
      .insertInto("suppression_resets")
      .values({
        id: reset.id,
        tenant_id: tenantId,
        email,
        reason: reset.reason,
        suppressed_at: reset.suppressedAt,
        reset_by: reset.resetBy,
        note: reset.note,
        at: reset.at,
      })
      .execute();
    return reset;
  });
}

/** The tenant's reset log, newest first, before the id `before`. */
export async function listSuppressionResets(
  db: Db,
  tenantId: string,
  options: { readonly before?: string | undefined; readonly limit: number },
): Promise<SuppressionReset[]> {
  let q = db
    .selectFrom("suppression_resets")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .orderBy("id", "desc")
    .limit(options.limit);
  if (options.before !== undefined) q = q.where("id", "<", options.before);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    reason: r.reason,
    suppressedAt: r.suppressed_at,
    resetBy: r.reset_by,
    note: r.note,
    at: r.at,
  }));
}
