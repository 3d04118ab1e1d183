import type { Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { FailureReason } from "../email/failure-reasons.js";
import { canMoveAfterDelivery, isRecipientStatus, type RecipientStatus } from "../email/statuses.js";
import { moveAfterDelivery } from "./recipient-state.js";
import { suppress } from "./suppressions.js";

/** Something learnt about a recipient after delivery: a DSN, an ARF complaint, an open. */
export interface LateEvent {
  readonly tenantId: string;
  readonly recipientId: string;
  readonly status: RecipientStatus;
  readonly at: number;
  readonly smtpCode?: number | null;
  readonly enhancedCode?: string | null;
  readonly text?: string | null;
  /** Why it failed (email/failure-reasons.ts), kept on the event and the recipient. */
  readonly reason?: FailureReason | null;
}

export interface LateEventResult {
  /** Recipients whose status moved. */
  readonly moved: ReadonlySet<string>;
  /** Recipients found (events recorded); an unknown or other tenant's recipient is skipped. */
  readonly found: ReadonlySet<string>;
}

/**
 * Applies events that arrive after delivery, in the caller's transaction. Every event is kept
 * in the recipient's history; the status moves only forwards (see `canMoveAfterDelivery`), so a
 * late or repeated event never undoes a stronger one. Hard bounces and complaints suppress the
 * address for the tenant; the status move itself (and its webhook event) is `moveAfterDelivery`
 * of the recipient state machine. Recipients
 * are looked up with their tenant, so an event can never touch another tenant's mail.
 */
export async function applyLateEvents(tx: Tx, events: readonly LateEvent[]): Promise<LateEventResult> {
  const moved = new Set<string>();
  const found = new Set<string>();
  for (const e of events) {
    const row = await tx
      .selectFrom("recipients")
      .select(["id", "message_id", "email", "status", "attempts", "opened_at"])
      .where("id", "=", e.recipientId)
      .where("tenant_id", "=", e.tenantId)
      .executeTakeFirst();
    if (!row || !isRecipientStatus(row.status)) continue;
    found.add(row.id);
    await tx
      .insertInto("events")
      .values({
        id: newId(e.at),
        tenant_id: e.tenantId,
        message_id: row.message_id,
        recipient_id: row.id,
        at: e.at,
        status: e.status,
        attempt: row.attempts,
        smtp_code: e.smtpCode ?? null,
        enhanced_code: e.enhancedCode ?? null,
        smtp_text: e.text?.slice(0, 1000) ?? null,
        reason: e.reason ?? null,
      })
      .execute();
    // An unsubscribe request (ARF opt-out) is kept in the history only: the status and the
    // address are left alone (it is not a complaint); the caller opts the contact out.
    if (e.status === "opted_out") continue;
    if (e.status === "hard_bounce" || e.status === "spam") {
      await suppress(tx, [
        {
          tenantId: e.tenantId,
          email: row.email,
          reason: e.status,
          detail: e.text ?? null,
          recipientId: row.id,
          at: e.at,
        },
      ]);
    }
    if (!canMoveAfterDelivery(row.status, e.status)) continue;
    const didMove = await moveAfterDelivery(tx, {
      tenantId: e.tenantId,
      recipientId: row.id,
      messageId: row.message_id,
      email: row.email,
      from: row.status,
      to: e.status,
      at: e.at,
      firstOpen: e.status === "opened" && row.opened_at === null,
      ...(e.smtpCode !== undefined ? { smtpCode: e.smtpCode } : {}),
      ...(e.enhancedCode !== undefined ? { enhancedCode: e.enhancedCode } : {}),
      ...(e.text !== undefined ? { text: e.text } : {}),
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
    });
    if (didMove) moved.add(row.id);
  }
  return { moved, found };
}
