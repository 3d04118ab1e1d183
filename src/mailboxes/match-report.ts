import type { Tx } from "../db/database.js";
import { messageFromRef, recipientFromRef, recipientFromReturnPath } from "../delivery/return-path.js";
import type { RecipientStatus } from "../email/statuses.js";
import type { LateEvent } from "../messages/status-change.js";
import type { Classification, ClassifiedRecipient } from "./classify-bounce.js";
import { clean } from "./inbound-parse.js";

/**
 * Finds the recipient rows a bounce, delay or complaint is about, through signed data only:
 *
 * 1. the VERP return path `b+<recipient id>-<sig>@…` the report was sent to (X-Original-To,
 *    Delivered-To, Envelope-To, To, …) or that it quotes as the original's envelope sender —
 *    the only way relay mail is matched;
 * 2. for mail sent through a tenant's own account (no VERP possible), the `X-Postbag-Ref` header
 *    quoted back in the returned headers, signed per recipient and naming its tenant: it matches
 *    that one recipient, within that tenant only (in the operator's mailbox too);
 * 3. an old per-message reference (mail sent before references were per recipient), honoured
 *    only when its message has a single recipient.
 *
 * Addresses in the report's text (Final-Recipient, …) never widen a match: they only pick the
 * report's line about the recipient the signed data names. So one recipient who forges a DSN
 * quoting their own copy can touch nobody but themselves. A quoted Message-ID alone is never
 * trusted. In a tenant's mailbox only that tenant's recipients can match, so a bounce about
 * another tenant's mail (forwarded, misdirected or forged) touches nothing.
 */
export interface ReportMatch {
  readonly tenantId: string;
  readonly messageId: string;
  readonly recipientId: string;
  readonly contactId: string | null;
  readonly email: string;
  /** What the report says about this recipient (null: a complaint naming no address). */
  readonly verdict: ClassifiedRecipient | null;
}

const MAX_CANDIDATES = 30;

export async function matchReport(
  tx: Tx,
  options: {
    /** The mailbox's tenant; null for the operator's bounce mailbox (any tenant's VERP address). */
    readonly tenantId: string | null;
    readonly secretKey: string;
    readonly classification: Classification;
    /** Addresses from the report's own envelope headers. */
    readonly envelopeAddresses: readonly string[];
  },
): Promise<ReportMatch[]> {
  const { classification: c, tenantId, secretKey } = options;
  const candidates = [...options.envelopeAddresses, c.returnPath, c.originalReturnPath]
    .filter((a): a is string => typeof a === "string")
    .slice(0, MAX_CANDIDATES);
  for (const address of candidates) {
    const recipientId = recipientFromReturnPath(secretKey, address);
    if (!recipientId) continue;
    let query = tx
      .selectFrom("recipients")
      .select(["id", "tenant_id", "message_id", "email", "contact_id"])
      .where("id", "=", recipientId);
    if (tenantId !== null) query = query.where("tenant_id", "=", tenantId);
    const row = await query.executeTakeFirst();
    if (!row) continue;
    return [
      {
        tenantId: row.tenant_id,
        messageId: row.message_id,
        recipientId: row.id,
        contactId: row.contact_id,
        email: row.email,
        verdict: pickVerdict(c.recipients, row.email),
      },
    ];
  }

  if (!c.originalRef) return [];
  const named = recipientFromRef(secretKey, c.originalRef);
  if (named) {
    if (tenantId !== null && named.tenantId !== tenantId) return [];
    const row = await tx
      .selectFrom("recipients")
      .select(["id", "tenant_id", "message_id", "email", "contact_id"])
      .where("tenant_id", "=", named.tenantId)
      .where("id", "=", named.recipientId)
      .executeTakeFirst();
    if (!row) return [];
    return [
      {
        tenantId: row.tenant_id,
        messageId: row.message_id,
        recipientId: row.id,
        contactId: row.contact_id,
        email: row.email,
        verdict: pickVerdict(c.recipients, row.email),
      },
    ];
  }

  const messageId = messageFromRef(secretKey, c.originalRef);
  if (!messageId) return [];
  let messageQuery = tx.selectFrom("messages").select(["id", "tenant_id"]).where("id", "=", messageId);
  if (tenantId !== null) messageQuery = messageQuery.where("tenant_id", "=", tenantId);
  const message = await messageQuery.executeTakeFirst();
  if (!message) return [];
  // An old reference names only the message: with more than one recipient, nothing says which
  // one the report is about (the report's own text is anyone's to write), so it matches nothing.
  const rows = await tx
    .selectFrom("recipients")
    .select(["id", "email", "contact_id"])
    .where("tenant_id", "=", message.tenant_id)
    .where("message_id", "=", message.id)
    .limit(2)
    .execute();
  const only = rows[0];
  if (rows.length !== 1 || !only) return [];
  const base = { tenantId: message.tenant_id, messageId: message.id, recipientId: only.id, contactId: only.contact_id };
  const verdict = c.recipients.find((r) => sameAddress(r.email, only.email));
  if (verdict) return [{ ...base, email: only.email, verdict }];
  // A complaint whose address the provider redacted still names the message, and its only recipient.
  if (c.kind === "complaint") return [{ ...base, email: only.email, verdict: null }];
  return [];
}

/** The report's line about `email`; with VERP one envelope had one recipient, so a lone line is it. */
function pickVerdict(list: readonly ClassifiedRecipient[], email: string): ClassifiedRecipient | null {
  return list.find((r) => sameAddress(r.email, email)) ?? list[0] ?? null;
}

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The status changes a matched report asks for: bounce per the classifier, delay → soft, complaint → spam. */
export function lateEventsFor(kind: Classification["kind"], matches: readonly ReportMatch[], at: number): LateEvent[] {
  const events: LateEvent[] = [];
  for (const m of matches) {
    let status: RecipientStatus;
    // ARF opt-out: an unsubscribe request, not a spam report.
    if (kind === "complaint") status = m.verdict?.status === "opted_out" ? "opted_out" : "spam";
    else if (kind === "delay") status = "soft_bounce";
    else if (kind === "bounce" && m.verdict) status = m.verdict.status;
    else continue;
    events.push({
      tenantId: m.tenantId,
      recipientId: m.recipientId,
      status,
      at,
      smtpCode: m.verdict?.smtpCode ?? null,
      enhancedCode: m.verdict?.enhancedCode ?? null,
      text:
        clean(m.verdict?.diagnostic, 1000) ??
        (status === "opted_out"
          ? "unsubscribe request (feedback report)"
          : kind === "complaint"
            ? "marked as spam (feedback report)"
            : null),
      reason: m.verdict?.reason ?? null,
    });
  }
  return events;
}
