import type { Tx } from "../db/database.js";
import { isId } from "../db/ids.js";
import type { InboundLink } from "./inbound-store.js";

/**
 * Links a reply to the message it answers: the first of its In-Reply-To / References
 * Message-IDs that is one of this tenant's messages, then the sender's address among that
 * message's recipients (which gives the recipient row and, for announcements, the contact).
 * Each copy of an announcement has a Message-ID naming its recipient row (`<recipient id@domain>`,
 * `delivery/worker.ts`), so an answer that names none of the tenant's messages is looked up as
 * one of the tenant's recipients too. Only the tenant's own messages and recipients are looked
 * at; a Message-ID of another tenant's links nothing.
 */
export async function linkReply(
  tx: Tx,
  tenantId: string,
  answers: readonly string[],
  fromAddress: string | null,
): Promise<InboundLink | null> {
  if (answers.length === 0) return null;
  const byCopy = await linkCopy(tx, tenantId, answers);
  if (byCopy) return byCopy;
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

/** An answer to one copy of an announcement: its Message-ID's local part is the recipient id. */
async function linkCopy(tx: Tx, tenantId: string, answers: readonly string[]): Promise<InboundLink | null> {
  const ids = answers
    .map((a) => /^<([0-9A-Za-z]{26})@[^>]+>$/.exec(a)?.[1])
    .filter((id): id is string => !!id && isId(id));
  if (ids.length === 0) return null;
  const rows = await tx
    .selectFrom("recipients")
    .select(["id", "message_id", "contact_id"])
    .where("tenant_id", "=", tenantId)
    .where("id", "in", ids)
    .execute();
  // In-Reply-To first, then the newest reference.
  const row = ids.map((id) => rows.find((r) => r.id === id)).find((r) => r !== undefined);
  return row ? { messageId: row.message_id, recipientId: row.id, contactId: row.contact_id } : null;
}
