/**
 * Every recipient has exactly one current status from this set, and a history of events.
 * `queued` is the only status the outbox still works on besides `soft_bounce` (retrying) and
 * `held_no_credit` (waiting for credit); the others are where a recipient ends up, though a
 * later event may still move it on (a sent message gets opened, bounces or is reported).
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
] as const;

export type RecipientStatus = (typeof recipientStatuses)[number];

export function isRecipientStatus(value: string): value is RecipientStatus {
  return (recipientStatuses as readonly string[]).includes(value);
}
