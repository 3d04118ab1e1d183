import type { Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { FailureReason } from "../email/failure-reasons.js";
import { canMoveAfterDelivery, isRecipientStatus, type RecipientStatus } from "../email/statuses.js";
import { suppress } from "./suppressions.js";
import { enqueueStatusEvents, type StatusEvent } from "./webhook-events.js";

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
 * address for the tenant; each status change is queued for the tenant's webhooks. Recipients
 * are looked up with their tenant, so an event can never touch another tenant's mail.
 */
export async function applyLateEvents(tx: Tx, events: readonly LateEvent[]): Promise<LateEventResult> {
  const moved = new Set<string>();
  const found = new Set<string>();
  const webhook: StatusEvent[] = [];
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
    const update = await tx
      .updateTable("recipients")
      .set({
        status: e.status,
        updated_at: e.at,
        ...(e.status === "opened" && row.opened_at === null ? { opened_at: e.at } : {}),
        ...(e.smtpCode !== undefined ? { last_smtp_code: e.smtpCode } : {}),
        ...(e.enhancedCode !== undefined ? { last_enhanced_code: e.enhancedCode } : {}),
        ...(e.text !== undefined ? { last_smtp_text: e.text?.slice(0, 1000) ?? null } : {}),
        ...(e.reason !== undefined ? { last_reason: e.reason } : {}),
      })
      .where("id", "=", row.id)
      .where("tenant_id", "=", e.tenantId)
      // Compare-and-set: a concurrent change since the read wins, this one is only an event.
      .where("status", "=", row.status)
      .executeTakeFirst();
    if (Number(update.numUpdatedRows) === 0) continue;
    moved.add(row.id);
    webhook.push({
      tenantId: e.tenantId,
      messageId: row.message_id,
      recipientId: row.id,
      email: row.email,
      status: e.status,
      at: e.at,
      smtpCode: e.smtpCode ?? null,
      enhancedCode: e.enhancedCode ?? null,
      detail: e.text ?? null,
      reason: e.reason ?? null,
    });
  }
  await enqueueStatusEvents(tx, webhook);
  return { moved, found };
}
