import { createHash } from "node:crypto";
import { isOptOutCategory, optOut } from "../audience/preferences.js";
import type { Tx } from "../db/database.js";
import { applyLateEvents, type LateEvent } from "../messages/status-change.js";
import { type Classification, classifyInbound } from "./classify-bounce.js";
import { type ParsedInbound, parseInbound } from "./inbound-parse.js";
import { findReimport, type InboundKindStored, type InboundLink, insertInbound } from "./inbound-store.js";
import { linkReply } from "./link-reply.js";
import type { MailboxRef } from "./mailbox-state.js";
import { lateEventsFor, matchReport } from "./match-report.js";

/** A fetched message, read and classified (outside any transaction: this is the slow part). */
export interface ReadMessage {
  readonly sourceKey: string;
  readonly raw: Buffer;
  readonly rawSha256: string;
  readonly parsed: ParsedInbound;
  readonly classification: Classification;
}

export async function readMessage(sourceKey: string, raw: Buffer, maxBytes: number): Promise<ReadMessage> {
  const [parsed, classification] = await Promise.all([
    parseInbound(raw),
    classifyInbound(raw, { maxBytes: Math.max(maxBytes, 1) }),
  ]);
  return {
    sourceKey,
    raw,
    rawSha256: createHash("sha256").update(raw).digest("hex"),
    parsed,
    classification,
  };
}

/**
 * What is left of a message the database would not take as read (a value one dialect refuses,
 * say): its identity and raw bytes, stored as `other`, so one bad message never blocks the
 * mailbox and can still be looked at.
 */
export function degraded(message: ReadMessage): ReadMessage {
  return {
    ...message,
    parsed: {
      messageIdHeader: null,
      fromAddress: null,
      fromName: null,
      subject: null,
      sentAt: null,
      textBody: null,
      htmlBody: null,
      answers: [],
      envelopeAddresses: [],
      attachments: [],
      problem: "stored without its content: the database refused what was read from it",
    },
    classification: { kind: "none", recipients: [] },
  };
}

export type ImportResult =
  | {
      readonly stored: true;
      readonly id: string;
      readonly kind: InboundKindStored;
      readonly link: InboundLink | null;
      /** Recipients whose status moved because of this report. */
      readonly moved: number;
    }
  | { readonly stored: false; readonly duplicateOf: string };

/**
 * Stores one message in the caller's transaction (the same one that saves the mailbox
 * position), as named steps: recognise a re-import → classify → link (reply or report) →
 * insert → apply the report's status changes. Each step only ever looks at the mailbox's own
 * tenant's data, except that the operator's bounce mailbox (no tenant) matches VERP addresses
 * of any tenant, which the signature makes safe.
 */
export async function importMessage(
  tx: Tx,
  ref: MailboxRef,
  message: ReadMessage,
  options: { readonly secretKey: string; readonly now: number },
): Promise<ImportResult> {
  const { parsed, classification: c } = message;
  const duplicateOf = await findReimport(tx, ref, {
    sourceKey: message.sourceKey,
    messageIdHeader: parsed.messageIdHeader,
    rawSha256: message.rawSha256,
  });
  if (duplicateOf) return { stored: false, duplicateOf };

  let kind: InboundKindStored;
  let link: InboundLink | null = null;
  let moved = 0;
  if (c.kind === "bounce" || c.kind === "delay" || c.kind === "complaint") {
    kind = c.kind;
    const matches = await matchReport(tx, {
      tenantId: ref.tenantId,
      secretKey: options.secretKey,
      classification: c,
      envelopeAddresses: parsed.envelopeAddresses,
    });
    const first = matches[0];
    if (first) link = { messageId: first.messageId, recipientId: first.recipientId, contactId: first.contactId };
    const events = lateEventsFor(c.kind, matches, options.now);
    if (events.length > 0) moved = (await applyLateEvents(tx, events)).moved.size;
    await optOutFromReports(tx, events);
  } else {
    // Auto-replies are linked like replies (they answer our message), but never count as bounces.
    link = ref.tenantId === null ? null : await linkReply(tx, ref.tenantId, parsed.answers, parsed.fromAddress);
    kind = c.kind === "auto_reply" ? "auto_reply" : link ? "reply" : "other";
  }

  const id = await insertInbound(tx, ref, {
    sourceKey: message.sourceKey,
    messageIdHeader: parsed.messageIdHeader,
    rawSha256: message.rawSha256,
    fromAddress: parsed.fromAddress,
    fromName: parsed.fromName,
    subject: parsed.subject,
    sentAt: parsed.sentAt,
    receivedAt: options.now,
    textBody: parsed.textBody,
    htmlBody: parsed.htmlBody,
    kind,
    link,
    raw: message.raw,
    attachments: parsed.attachments,
  });
  return { stored: true, id, kind, link, moved };
}

/**
 * An ARF `opt-out` report is an unsubscribe request: the contact is opted out of the reported
 * message's category (when it has one that can be opted out of), never reported as spam.
 */
export async function optOutFromReports(tx: Tx, events: readonly LateEvent[]): Promise<void> {
  for (const e of events) {
    if (e.status !== "opted_out") continue;
    const row = await tx
      .selectFrom("recipients as r")
      .innerJoin("messages as m", "m.id", "r.message_id")
      .select(["r.contact_id", "m.category"])
      .where("r.id", "=", e.recipientId)
      .where("r.tenant_id", "=", e.tenantId)
      .where("m.tenant_id", "=", e.tenantId)
      .executeTakeFirst();
    if (!row?.contact_id || !isOptOutCategory(row.category)) continue;
    await optOut(tx, {
      tenantId: e.tenantId,
      contactId: row.contact_id,
      category: row.category,
      source: "feedback_report",
      at: e.at,
    });
  }
}
