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
  const found = await suppressedFor(
    db,
    emails.map((email) => ({ tenantId, email })),
  );
  return new Map([...found].map(([key, reason]) => [key.slice(tenantId.length + 1), reason]));
}

/**
 * Of these (tenant, address) pairs, those suppressed, keyed `<tenant id> <address lower-cased>`:
 * one query per 500 addresses whatever the number of tenants (a claimed batch mixes them).
 */
export async function suppressedFor(
  db: Db | Tx,
  entries: ReadonlyArray<{ readonly tenantId: string; readonly email: string }>,
): Promise<Map<string, SuppressionReason>> {
  const wanted = new Set<string>();
  const tenants = new Set<string>();
  for (const e of entries) {
    const email = suppressionKey(e.email);
    if (email === "") continue;
    wanted.add(`${e.tenantId} ${email}`);
    tenants.add(e.tenantId);
  }
  const keys = [...new Set([...wanted].map((k) => k.slice(k.indexOf(" ") + 1)))];
  const out = new Map<string, SuppressionReason>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom("suppressions")
      .select(["tenant_id", "email", "reason"])
      .where("tenant_id", "in", [...tenants])
      .where("email", "in", keys.slice(i, i + 500))
      .execute();
    // The query may return a pair nobody asked about (tenant A's address under tenant B).
    for (const r of rows) {
      const key = `${r.tenant_id} ${r.email}`;
      if (wanted.has(key)) out.set(key, r.reason as SuppressionReason);
    }
  }
  return out;
}
