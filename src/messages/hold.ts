import { decodeAccountSettings } from "../accounts/account-settings.js";
import type { Tx } from "../db/database.js";
import type { HoldReason } from "./recipient-state.js";

/** The part of a planned message (`planMessage`) the hold changes. */
interface HoldablePlan {
  readonly message: { readonly tenant_id: string };
  readonly recipients: ReadonlyArray<{ next_attempt_at?: number | null; hold_reason?: string | null }>;
}

/**
 * "Hold each email N minutes, during which it can be stopped" (docs/own-account.md): for tenants that send
 * through their own account with `holdMinutes > 0`, accepted recipients become due only at
 * acceptance + hold, and until then `POST /v1/messages/:id/cancel` can stop them. Applied to the
 * planned rows before they are written, in the accepting transaction: one query per batch.
 */
export async function applyHold(tx: Tx, planned: readonly HoldablePlan[], now: number): Promise<void> {
  const tenantIds = [...new Set(planned.map((p) => p.message.tenant_id))];
  if (tenantIds.length === 0) return;
  const rows = await tx
    .selectFrom("account_settings")
    .innerJoin("tenants", "tenants.id", "account_settings.tenant_id")
    .select(["account_settings.tenant_id", "account_settings.settings"])
    .where("account_settings.tenant_id", "in", tenantIds)
    .where("tenants.sending_mode", "=", "own_account")
    .execute();
  if (rows.length === 0) return;
  const holdMs = new Map<string, number>();
  for (const row of rows) {
    const minutes = decodeAccountSettings(row.settings).schedule.holdMinutes;
    if (minutes > 0) holdMs.set(row.tenant_id, minutes * 60_000);
  }
  for (const p of planned) {
    const hold = holdMs.get(p.message.tenant_id);
    if (hold === undefined) continue;
    for (const r of p.recipients) {
      if (r.next_attempt_at === null || r.next_attempt_at === undefined) continue;
      r.next_attempt_at = now + hold;
      r.hold_reason = "hold_time" satisfies HoldReason;
    }
  }
}
