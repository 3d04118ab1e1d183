import type { Tx } from "../db/database.js";
import type { InboundLink } from "./inbound-store.js";

/**
 * Links a reply to the message it answers: the first of its In-Reply-To / References
 * Message-IDs that is one of this tenant's messages, then the sender's address among that
 * message's recipients (which gives the recipient row and, for announcements, the contact).
 * Only the tenant's own messages are looked at; a Message-ID of another tenant's links nothing.
 */
export async function linkReply(
  tx: Tx,
  tenantId: string,
  answers: readonly string[],
  fromAddress: string | null,
): Promise<InboundLink | null> {
  if (answers.length === 0) return null;
  const found = await tx
    .selectFrom("messages")
    .select(["id", "message_id_header"])
    .where("tenant_id", "=", tenantId)
    .where("message_id_header", "in", [...answers])
    .execute();
  if (found.length === 0) return null;
  // In-Reply-To first, then the newest reference.
  const byHeader = new Map(found.map((m) => [m.message_id_header, m.id]));
  const messageId = answers.map((a) => byHeader.get(a)).find((id): id is string => id !== undefined);
  if (!messageId) return null;
  if (!fromAddress) return { messageId, recipientId: null, contactId: null };
  const recipients = await tx
    .selectFrom("recipients")
    .select(["id", "email", "contact_id"])
    .where("tenant_id", "=", tenantId)
    .where("message_id", "=", messageId)
    .execute();
  const sender = fromAddress.trim().toLowerCase();
  const recipient = recipients.find((r) => r.email.trim().toLowerCase() === sender);
  return { messageId, recipientId: recipient?.id ?? null, contactId: recipient?.contact_id ?? null };
}
