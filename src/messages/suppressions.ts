import type { Db, Tx } from "../db/database.js";

/** Why an address is suppressed for a tenant. */
export type SuppressionReason = "hard_bounce" | "spam";

/** Suppressions are per tenant and per address, compared lower-cased. */
export function suppressionKey(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Suppresses addresses (a hard bounce, a spam complaint). An address already suppressed keeps
 * its first reason and time; a complaint is stronger than a bounce and replaces it.
 */
export async function suppress(
  tx: Tx | Db,
  entries: ReadonlyArray<{
    readonly tenantId: string;
    readonly email: string;
    readonly reason: SuppressionReason;
    readonly detail: string | null;
    readonly recipientId: string | null;
    readonly at: number;
  }>,
): Promise<void> {
  for (const e of entries) {
    const email = suppressionKey(e.email);
    if (email === "") continue;
    await tx
      .insertInto("suppressions")
      .values({
        tenant_id: e.tenantId,
        email,
        reason: e.reason,
        detail: e.detail?.slice(0, 1000) ?? null,
        recipient_id: e.recipientId,
        created_at: e.at,
      })
      .onConflict((oc) =>
        oc
          .columns(["tenant_id", "email"])
          .doUpdateSet({ reason: "spam", detail: e.detail?.slice(0, 1000) ?? null, recipient_id: e.recipientId })
          .where("suppressions.reason", "<>", "spam")
          .where((eb) => eb.val(e.reason), "=", "spam"),
      )
      .execute();
  }
}

/** Of `emails`, those suppressed for the tenant (lower-cased), with why. */
export async function suppressedAmong(
  db: Db | Tx,
  tenantId: string,
  emails: readonly string[],
): Promise<Map<string, SuppressionReason>> {
  const keys = [...new Set(emails.map(suppressionKey).filter((e) => e !== ""))];
  const out = new Map<string, SuppressionReason>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom("suppressions")
      .select(["email", "reason"])
      .where("tenant_id", "=", tenantId)
      .where("email", "in", keys.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.email, r.reason as SuppressionReason);
  }
  return out;
}
