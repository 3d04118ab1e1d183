/**
 * Every recipient has exactly one current status from this set, and a history of events.
 * `queued` is the only status the outbox still works on besides `soft_bounce` (retrying) and
 * `held_no_credit` (waiting for credit); the others are where a recipient ends up, though a
 * later event may still move it on (a sent message gets opened, bounces or is reported).
 * `cancelled`: stopped by the tenant while held before sending (own mail account); never sent.
 */
export const recipientStatuses = [
  "queued",
  "sent",
  "opened",
  "soft_bounce",
  "rejected",
  "hard_bounce",
  "spam",
  "email_missing",
  "opted_out",
  "pending_digest",
  "held_no_credit",
  "cancelled",
] as const;

export type RecipientStatus = (typeof recipientStatuses)[number];

export function isRecipientStatus(value: string): value is RecipientStatus {
  return (recipientStatuses as readonly string[]).includes(value);
}

/** Statuses the outbox still works on (the row has a `next_attempt_at`, or waits for credit/digest). */
export const waitingStatuses: readonly RecipientStatus[] = [
  "queued",
  "soft_bounce",
  "held_no_credit",
  "pending_digest",
];

/**
 * How far along a recipient is, for events that arrive after delivery (DSNs, complaints, opens):
 * a status only ever moves to a higher rank, so an open after a hard bounce, or a delay report
 * after an open, is kept as an event and leaves the status alone. Statuses decided without
 * sending (`email_missing`, `opted_out`, `cancelled`) are final.
 */
const RANK: Record<RecipientStatus, number> = {
  queued: 0,
  held_no_credit: 0,
  pending_digest: 0,
  sent: 1,
  soft_bounce: 2,
  opened: 3,
  rejected: 4,
  hard_bounce: 4,
  spam: 5,
  email_missing: 9,
  opted_out: 9,
  cancelled: 9,
};

/** True if a late event may move a recipient from `from` to `to`. */
export function canMoveAfterDelivery(from: RecipientStatus, to: RecipientStatus): boolean {
  if (RANK[from] === 9 || RANK[from] === 0) return false;
  return RANK[to] > RANK[from];
}
