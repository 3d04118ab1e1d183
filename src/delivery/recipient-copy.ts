import { isOptOutCategory } from "../audience/preferences.js";
import type { MessageRow } from "../db/tables.js";
import { type LinkContext, openPixelUrl, unsubscribeUrl } from "../tracking/links.js";
import { type MessageContext, PERSONAL_SOURCES, type RecipientData } from "./mail-context.js";
import { personalise, type Template } from "./personalise.js";

/** The parts of a stored (or about to be stored) message a recipient's copy is made from. */
export type CopySource = Pick<MessageRow, "subject" | "text_body" | "html_body" | "source" | "essential" | "category">;

export interface RecipientCopyInput {
  readonly message: CopySource;
  readonly context: MessageContext;
  readonly data: RecipientData | undefined;
  readonly links: LinkContext;
  readonly tenantId: string;
  /** The recipient row the signed links name. */
  readonly recipientId: string;
  readonly now: number;
  /** Add the open pixel when the tenant tracks opens (false: previews and test copies, which no open should count). */
  readonly pixel: boolean;
}

export interface RecipientCopy {
  readonly content: Template;
  /** Headers the copy adds (`List-Unsubscribe`, RFC 8058). */
  readonly headers: Record<string, string>;
  /** Whether the copy is addressed to its contact (announcements, digests). */
  readonly forContact: boolean;
}

/**
 * One recipient's copy of a personal message: merge fields and sections for its contact and
 * subjects (announcements), the signature, the unsubscribe link and its headers (non-essential
 * announcements and digests of a category a contact can opt out of) and the open pixel. The
 * delivery worker renders every announcement copy with it, and the announcement preview shows
 * what it answers, so a preview is the mail as sent.
 */
export function recipientCopy(input: RecipientCopyInput): RecipientCopy {
  const { message, context, data, links, tenantId, recipientId, now } = input;
  const forContact = PERSONAL_SOURCES.has(message.source);
  // Only categories the unsubscribe endpoint accepts: a link to transactional mail (an alert
  // announcement, say) would promise an opt-out that POST /u/<token> refuses with 409.
  const unsubscribe =
    forContact && message.essential !== 1 && isOptOutCategory(message.category)
      ? unsubscribeUrl(links, tenantId, recipientId, now)
      : null;
  const pixel =
    input.pixel && message.html_body !== null && context.trackOpens
      ? openPixelUrl(links, tenantId, recipientId, now)
      : null;
  const content = personalise({
    template: { subject: message.subject, text: message.text_body, html: message.html_body },
    merge: message.source === "announcement",
    contact: data?.contact ?? null,
    subjects: (data?.subjects ?? []).map((s) => ({ name: s.name, fields: context.mergeData[s.externalId] ?? {} })),
    signature: context.signature,
    unsubscribeUrl: unsubscribe,
    category: message.category,
    tenantName: context.tenantName,
    pixelUrl: pixel,
  });
  const headers: Record<string, string> = unsubscribe
    ? // RFC 8058: an https URL that takes a one-click POST, and the header saying so.
      { "List-Unsubscribe": `<${unsubscribe}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
    : {};
  return { content, headers, forContact };
}
