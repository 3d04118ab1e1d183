/*
 * A recipient's charge. It lives below `credits/` because giving credit back is a side effect of
 * a recipient's status change (`refundCharges` in `recipient-state.ts`; see docs/architecture.md,
 * "Layers"): the code that moves a recipient's status may not import `credits/`, above it.
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
