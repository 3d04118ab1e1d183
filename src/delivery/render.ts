import MailComposer from "nodemailer/lib/mail-composer";
import type { MessageRow } from "../db/tables.js";
import {
  headerRecipientsColumn,
  messageHeadersColumn,
  replyToColumn,
  type StoredAddress,
} from "../messages/message-columns.js";

export interface RenderAttachment {
  readonly filename: string;
  readonly content_type: string;
  readonly content: Buffer;
}

function formatted(list: readonly StoredAddress[]): Array<{ address: string; name: string }> {
  return list.map((a) => ({ address: a.email, name: a.name ?? "" }));
}

/** What a recipient's copy changes from the stored message (per-recipient rendering). */
export interface RenderOptions {
  /** Added to the stored headers (e.g. `X-Postbag-Ref`, `List-Unsubscribe`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Subject and bodies instead of the stored ones (merge fields filled in, footer added). */
  readonly content?: { readonly subject: string; readonly text: string | null; readonly html: string | null };
  /** The To header instead of the composed one (an announcement names its one contact). */
  readonly to?: { readonly address: string; readonly name: string };
  /** A Message-ID of this copy's own (two copies to one mailbox must not share one). */
  readonly messageId?: string;
}

/**
 * Renders a stored message to RFC 5322 MIME. Plain mail is rendered once and every recipient of
 * the message gets the same bytes (To/Cc as composed, Bcc never shown) with its own envelope;
 * mail with per-recipient content passes `options`. Nodemailer encodes non-ASCII headers
 * (RFC 2047) and folds long lines; values were checked for CR/LF on accept.
 */
export async function renderMessage(
  message: MessageRow,
  attachments: readonly RenderAttachment[],
  options: RenderOptions = {},
): Promise<Buffer> {
  const shown = headerRecipientsColumn.decode(message.header_recipients);
  const replyTo = message.reply_to ? replyToColumn.decode(message.reply_to) : null;
  const content = options.content ?? { subject: message.subject, text: message.text_body, html: message.html_body };
  const composer = new MailComposer({
    from: { address: message.from_address, name: message.from_name ?? "" },
    // A message whose only recipients are Bcc (or missing) still needs a To header.
    to: options.to ?? (shown.to.length > 0 ? formatted(shown.to) : "undisclosed-recipients:;"),
    cc: options.to ? [] : formatted(shown.cc),
    ...(replyTo ? { replyTo: { address: replyTo.email, name: replyTo.name ?? "" } } : {}),
    subject: content.subject,
    ...(content.text !== null ? { text: content.text } : {}),
    ...(content.html !== null ? { html: content.html } : {}),
    messageId: options.messageId ?? message.message_id_header,
    date: new Date(message.created_at),
    headers: withHeaders(messageHeadersColumn.decode(message.headers), options.headers),
    attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content })),
    // Content is always inline data: never let a value be read as a file path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

/**
 * The stored headers plus Postbag's own. A stored header with the name of one of Postbag's, in
 * any case, or any stored `X-Postbag-*` header (accepting refuses them, older rows may hold one),
 * is dropped rather than sent: a bounce quoting the headers must find only what Postbag signed.
 */
function withHeaders(
  stored: Record<string, string>,
  added: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const ours = new Set(Object.keys(added ?? {}).map((k) => k.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(stored)) {
    const name = k.toLowerCase();
    if (!ours.has(name) && !name.startsWith("x-postbag-")) out[k] = v;
  }
  return { ...out, ...added };
}
