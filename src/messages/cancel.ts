import type { Database } from "../db/database.js";
import { cancelWaiting } from "./recipient-state.js";

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
 * Stops a message (docs/own-account.md: held mail "can be stopped"): every recipient still waiting and not
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
    const cancelled = await cancelWaiting(tx, tenantId, messageId, now);
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
