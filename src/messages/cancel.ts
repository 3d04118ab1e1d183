import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { RecipientStatus } from "../email/statuses.js";
import { refundCharges } from "./refunds.js";
import { enqueueStatusEvents } from "./webhook-events.js";

/** Statuses a recipient can still be cancelled from: accepted, never handed to a server. */
const CANCELLABLE: readonly RecipientStatus[] = ["queued", "held_no_credit", "pending_digest"];

export interface CancelledRecipient {
  readonly id: string;
  readonly email: string | null;
}

export interface UncancelledRecipient extends CancelledRecipient {
  readonly status: string;
  /** `sending` (a worker holds it right now), or `status` (already sent, bounced, retrying…). */
  readonly reason: "sending" | "status";
}

export type CancelOutcome =
  | { readonly found: false }
  | {
      readonly found: true;
      readonly cancelled: readonly CancelledRecipient[];
      /** Already cancelled before this request. */
      readonly alreadyCancelled: readonly CancelledRecipient[];
      readonly notCancelled: readonly UncancelledRecipient[];
    };

/**
 * Stops a message (seed 002: held mail "can be stopped"): every recipient still waiting and not
 * leased by a worker becomes `cancelled`, final, with an event (and a webhook event), its credit
 * refunded if it had been charged. A worker's claim and this UPDATE exclude each other: a row is
 * either leased (and then not cancelled here) or cancelled (`next_attempt_at` null: never claimed).
 * Another tenant's message is not found.
 */
export async function cancelMessage(
  database: Database,
  tenantId: string,
  messageId: string,
  now: number,
): Promise<CancelOutcome> {
  return database.db.transaction().execute(async (tx) => {
    const message = await tx
      .selectFrom("messages")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("id", "=", messageId)
      .executeTakeFirst();
    if (!message) return { found: false } as const;
    const cancelled = await tx
      .updateTable("recipients")
      .set({ status: "cancelled", next_attempt_at: null, updated_at: now, last_smtp_text: "cancelled by the sender" })
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", messageId)
      .where("status", "in", CANCELLABLE)
      .where("lease_owner", "is", null)
      .returning(["id", "email", "charge"])
      .execute();
    if (cancelled.length > 0) {
      await tx
        .insertInto("events")
        .values(
          cancelled.map((r) => ({
            id: newId(now),
            tenant_id: tenantId,
            message_id: messageId,
            recipient_id: r.id,
            at: now,
            status: "cancelled",
            attempt: 0,
            smtp_code: null,
            enhanced_code: null,
            smtp_text: "cancelled by the sender",
          })),
        )
        .execute();
      // Own-account mail is never charged; this is for anything that was (belt and braces).
      await refundCharges(
        tx,
        cancelled
          .filter((r) => r.charge !== null)
          .map((r) => ({ recipientId: r.id, tenantId, charge: r.charge ?? "" })),
        now,
      );
      await enqueueStatusEvents(
        tx,
        cancelled.map((r) => ({
          tenantId,
          messageId,
          recipientId: r.id,
          email: r.email,
          status: "cancelled" as const,
          at: now,
          detail: "cancelled by the sender",
        })),
      );
    }
    const done = new Set(cancelled.map((r) => r.id));
    const rest = await tx
      .selectFrom("recipients")
      .select(["id", "email", "status", "lease_owner"])
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", messageId)
      .orderBy("id")
      .execute();
    const left = rest.filter((r) => !done.has(r.id));
    const view = (r: { id: string; email: string }) => ({ id: r.id, email: r.email || null });
    return {
      found: true,
      cancelled: cancelled.map(view),
      alreadyCancelled: left.filter((r) => r.status === "cancelled").map(view),
      notCancelled: left
        .filter((r) => r.status !== "cancelled")
        .map((r) => ({
          ...view(r),
          status: r.status,
          reason: r.lease_owner !== null ? ("sending" as const) : ("status" as const),
        })),
    } as const;
  });
}
