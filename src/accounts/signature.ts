import { escapeHtml } from "../messages/html.js";
import type { SignatureSettings } from "./account-settings.js";

export interface MessageBodies {
  readonly text: string | null;
  readonly html: string | null;
}

/**
 * The bodies with the tenant's signature added (seed 002: one signature per tenant, added to
 * every email when enabled). The text part gets the usenet separator `-- ` (mail clients fold
 * what follows it away); the HTML part gets the sanitised HTML signature, or the text one
 * escaped, before `</body>` when there is one. A part the message does not have is not created.
 */
export function withSignature(bodies: MessageBodies, signature: SignatureSettings): MessageBodies {
  if (!signature.enabled || (!signature.text && !signature.html)) return bodies;
  const text =
    bodies.text === null || !signature.text
      ? bodies.text
      : `${bodies.text.replace(/\s+$/, "")}\n\n-- \n${signature.text}`;
  let html = bodies.html;
  if (html !== null) {
    const block = signature.html ?? escapeHtml(signature.text ?? "").replace(/\r?\n/g, "<br>\n");
    const insert = `<div class="postbag-signature"><br>${block}</div>`;
    const end = html.search(/<\/body\s*>/i);
    html = end >= 0 ? `${html.slice(0, end)}${insert}${html.slice(end)}` : `${html}${insert}`;
  }
  return { text, html };
}
