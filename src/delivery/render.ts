import MailComposer from "nodemailer/lib/mail-composer";
import type { MessageRow } from "../db/tables.js";

export interface RenderAttachment {
  readonly filename: string;
  readonly content_type: string;
  readonly content: Buffer;
}

interface StoredAddress {
  email: string;
  name: string | null;
}

function formatted(list: readonly StoredAddress[]): Array<{ address: string; name: string }> {
  return list.map((a) => ({ address: a.email, name: a.name ?? "" }));
}

/**
 * Renders a stored message to RFC 5322 MIME once; every recipient of the message gets the same
 * bytes (To/Cc as composed, Bcc never shown) with its own envelope. Nodemailer encodes
 * non-ASCII headers (RFC 2047) and folds long lines; values were checked for CR/LF on accept.
 */
export async function renderMessage(message: MessageRow, attachments: readonly RenderAttachment[]): Promise<Buffer> {
  const shown = JSON.parse(message.header_recipients) as { to: StoredAddress[]; cc: StoredAddress[] };
  const replyTo = message.reply_to ? (JSON.parse(message.reply_to) as StoredAddress) : null;
  const composer = new MailComposer({
    from: { address: message.from_address, name: message.from_name ?? "" },
    // A message whose only recipients are Bcc (or missing) still needs a To header.
    to: shown.to.length > 0 ? formatted(shown.to) : "undisclosed-recipients:;",
    cc: formatted(shown.cc),
    ...(replyTo ? { replyTo: { address: replyTo.email, name: replyTo.name ?? "" } } : {}),
    subject: message.subject,
    ...(message.text_body !== null ? { text: message.text_body } : {}),
    ...(message.html_body !== null ? { html: message.html_body } : {}),
    messageId: message.message_id_header,
    date: new Date(message.created_at),
    headers: JSON.parse(message.headers) as Record<string, string>,
    attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content })),
    // Content is always inline data: never let a value be read as a file path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
