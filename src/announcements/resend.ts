import type { Database } from "../db/database.js";
import { isValidEmail } from "../email/address.js";
import type { RecipientStatus } from "../email/statuses.js";
import { ApiError } from "../errors/api-error.js";
import { newRecipient, type Replacement, replaceForResend } from "../messages/recipient-state.js";
import { suppressedAmong, suppressionKey } from "../messages/suppressions.js";
import type { Clock } from "../time/clock.js";

/** The statuses "resend to all failed recipients" picks: nothing reached the contact. */
export const FAILED_STATUSES: readonly RecipientStatus[] = ["email_missing", "hard_bounce", "soft_bounce", "rejected"];

/** Most recipients one resend names. */
export const MAX_RESEND_IDS = 1_000;

export interface ResendRequest {
  /** Deliveries (recipient ids) of this announcement to resend. */
  readonly recipientIds?: readonly string[] | undefined;
  /** Every recipient whose latest delivery failed (`FAILED_STATUSES`). */
  readonly failed?: boolean | undefined;
  /** Resend named recipients whose latest delivery is `sent` or `opened` too. */
  readonly includeSent?: boolean | undefined;
}

/**
 * Why a named recipient was not resent: `already_sent` (sent or opened, and `includeSent` not
 * given), `waiting` (still queued, held or waiting for a digest: it has not failed), `final`
 * (opted out, reported as spam or cancelled: resending would not change that), `replaced` (a
 * later delivery exists: resend that one), `no_address` (the contact still has no usable
 * address), `suppressed` (the address is suppressed: an administrator resets it first), `busy`
 * (a worker is trying its retry right now).
 */
export type SkipReason = "already_sent" | "waiting" | "final" | "replaced" | "no_address" | "suppressed" | "busy";

export interface ResendResult {
  readonly deliveries: readonly {
    readonly recipientId: string;
    readonly resendOf: string;
    readonly email: string;
    readonly status: RecipientStatus;
  }[];
  readonly skipped: readonly { readonly recipientId: string; readonly status: string; readonly reason: SkipReason }[];
}

interface Candidate {
  readonly id: string;
  readonly status: string;
  readonly email: string;
  readonly name: string | null;
  readonly kind: string;
  readonly contact_id: string | null;
  readonly subject_ids: string | null;
  readonly replaced_at: number | null;
  readonly lease_owner: string | null;
  readonly contact_email: string | null;
  readonly contact_name: string | null;
}

/**
 * Resends one announcement (its template message `messageId`) to some of its recipients: each
 * becomes a new delivery to the contact's address as it is now, linked to the one it replaces,
 * queued like any email (screened, charged, retried). Built as the fan-out builds recipients
 * (`newRecipient`), written through the recipient state machine (`replaceForResend`) in one
 * transaction. Another tenant's or another announcement's recipient id is `not_found`.
 */
export async function resendAnnouncement(
  database: Database,
  clock: Clock,
  tenantId: string,
  messageId: string,
  request: ResendRequest,
): Promise<ResendResult> {
  const ids = [...new Set(request.recipientIds ?? [])];
  if (ids.length === 0 && request.failed !== true) {
    throw new ApiError(
      "invalid_request",
      "name the recipients to resend (recipientIds) or ask for all failed ones (failed: true)",
    );
  }
  return database.db.transaction().execute(async (tx) => {
    const now = clock.now();
    const base = tx
      .selectFrom("recipients as r")
      .leftJoin("contacts as c", (join) => join.onRef("c.id", "=", "r.contact_id").on("c.tenant_id", "=", tenantId))
      .select([
        "r.id",
        "r.status",
        "r.email",
        "r.name",
        "r.kind",
        "r.contact_id",
        "r.subject_ids",
        "r.replaced_at",
        "r.lease_owner",
        "c.email as contact_email",
        "c.name as contact_name",
      ])
      .where("r.tenant_id", "=", tenantId)
      .where("r.message_id", "=", messageId);
    const candidates = new Map<string, Candidate>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const row of await base.where("r.id", "in", ids.slice(i, i + 500)).execute()) candidates.set(row.id, row);
    }
    const missing = ids.find((id) => !candidates.has(id));
    if (missing !== undefined) {
      throw new ApiError("not_found", `no recipient ${missing.slice(0, 40)} of this announcement`);
    }
    if (request.failed === true) {
      const failed = await base.where("r.status", "in", FAILED_STATUSES).where("r.replaced_at", "is", null).execute();
      for (const row of failed) candidates.set(row.id, row);
    }

    const skipped: { recipientId: string; status: string; reason: SkipReason }[] = [];
    const skip = (c: Candidate, reason: SkipReason) => skipped.push({ recipientId: c.id, status: c.status, reason });
    // A row's contact decides the address now (it may have been corrected); mail without a
    // contact keeps the address it had.
    const addressOf = (c: Candidate) => (c.contact_id !== null ? (c.contact_email ?? c.email) : c.email);
    const eligible: Candidate[] = [];
    for (const c of candidates.values()) {
      const status = c.status as RecipientStatus;
      if (c.replaced_at !== null) skip(c, "replaced");
      else if (status === "sent" || status === "opened") {
        if (request.includeSent === true) eligible.push(c);
        else skip(c, "already_sent");
      } else if (!FAILED_STATUSES.includes(status)) {
        skip(c, ["queued", "held_no_credit", "pending_digest"].includes(status) ? "waiting" : "final");
      } else if (c.lease_owner !== null) skip(c, "busy");
      else if (!isValidEmail(addressOf(c))) skip(c, "no_address");
      else eligible.push(c);
    }
    const suppressed = await suppressedAmong(tx, tenantId, eligible.map(addressOf));
    const replacements: Replacement[] = [];
    for (const c of eligible) {
      if (suppressed.has(suppressionKey(addressOf(c)))) {
        skip(c, "suppressed");
        continue;
      }
      const planned = newRecipient({
        tenantId,
        messageId,
        email: addressOf(c),
        name: c.contact_id !== null ? (c.contact_name ?? c.name) : c.name,
        kind: c.kind,
        at: now,
        contactId: c.contact_id,
        subjectIds: c.subject_ids,
        resendOf: c.id,
        eventText: `resend of ${c.id}`,
      });
      replacements.push({ originalId: c.id, ...planned });
    }
    const written = await replaceForResend(tx, tenantId, replacements, now);
    const done = new Set(written.map((r) => r.originalId));
    for (const r of replacements) {
      const c = candidates.get(r.originalId);
      if (c && !done.has(r.originalId)) skip(c, "busy");
    }
    return {
      deliveries: written.map((r) => ({
        recipientId: r.recipient.id,
        resendOf: r.originalId,
        email: r.recipient.email ?? "",
        status: r.recipient.status as RecipientStatus,
      })),
      skipped: skipped.sort((a, b) => a.recipientId.localeCompare(b.recipientId)),
    };
  });
}
