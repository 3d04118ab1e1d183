import type { Tx } from "../db/database.js";
import { newId } from "../db/ids.js";

/*
 * A recipient's charge and its refund. They live below `credits/` because giving credit back is
 * a side effect of a recipient's status change (see docs/architecture.md, "Layers"): the code that
 * moves a recipient's status may not import `credits/`, which sits above it.
 */

/**
 * What a recipient was charged, kept on its row so that it is charged once and refunded once:
 * `uncounted`, `allowance:<period>`, `over:<period>` (sent past the limit under a soft policy),
 * `grant:<period>:<grantId>` (purchased or allocated credit), or `refunded:<charge>`.
 */
export type Charge = string;

/** Parses a counted charge back into its parts; undefined for `uncounted` and refunds. */
export function parseCharge(
  charge: string | null,
): { kind: "allowance" | "over" | "grant"; period: string; grantId: string | null } | undefined {
  if (!charge) return undefined;
  const [kind, period, grantId] = charge.split(":");
  if ((kind === "allowance" || kind === "over" || kind === "grant") && period) {
    return { kind, period, grantId: grantId ?? null };
  }
  return undefined;
}

/**
 * Gives back the credit of a recipient that will never be sent (hard bounce, rejection,
 * given up): one `refund` ledger row, the counter or the grant restored, and the charge marked
 * refunded, so a recipient is refunded at most once.
 */
export async function refundCharges(
  tx: Tx,
  refunds: readonly { readonly recipientId: string; readonly tenantId: string; readonly charge: string }[],
  now: number,
): Promise<void> {
  for (const r of refunds) {
    const parsed = parseCharge(r.charge);
    if (!parsed) continue;
    const marked = await tx
      .updateTable("recipients")
      .set({ charge: `refunded:${r.charge}` })
      .where("id", "=", r.recipientId)
      .where("tenant_id", "=", r.tenantId)
      .where("charge", "=", r.charge)
      .executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0) continue;
    await tx
      .insertInto("credit_ledger")
      .values({
        id: newId(now),
        tenant_id: r.tenantId,
        group_id: null,
        at: now,
        period: parsed.period,
        kind: "refund",
        amount: 1,
        grant_id: parsed.grantId,
        recipient_id: r.recipientId,
        actor: null,
        note: "not delivered",
      })
      .execute();
    await tx
      .updateTable("credit_periods")
      .set((eb) => ({ counted: eb("counted", "-", 1) }))
      .where("tenant_id", "=", r.tenantId)
      .where("period", "=", parsed.period)
      .execute();
    if (parsed.grantId) {
      await tx
        .updateTable("credit_grants")
        .set((eb) => ({ remaining: eb("remaining", "+", 1) }))
        .where("id", "=", parsed.grantId)
        .execute();
    }
  }
}
