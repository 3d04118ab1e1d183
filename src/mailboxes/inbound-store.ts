import { sql } from "kysely";
import type { Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { InboundAttachmentRow, InboundMessageRow } from "../db/tables.js";
import type { InboundAttachment } from "./inbound-parse.js";
import type { MailboxRef } from "./mailbox-state.js";

/** `reply`, `bounce`, `delay`, `complaint`, `auto_reply` or `other`. */
export const inboundKinds = ["reply", "bounce", "delay", "complaint", "auto_reply", "other"] as const;
export type InboundKindStored = (typeof inboundKinds)[number];

/** Mail written by machines rather than people: reports about our mail and out-of-office answers. */
export const automaticKinds: readonly InboundKindStored[] = ["bounce", "delay", "complaint", "auto_reply"];

export interface NewInbound {
  readonly sourceKey: string;
  readonly messageIdHeader: string | null;
  readonly rawSha256: string;
  readonly fromAddress: string | null;
  readonly fromName: string | null;
  readonly subject: string | null;
  readonly sentAt: number | null;
  readonly receivedAt: number;
  readonly textBody: string | null;
  readonly htmlBody: string | null;
  readonly kind: InboundKindStored;
  readonly link: InboundLink | null;
  readonly raw: Buffer;
  readonly attachments: readonly InboundAttachment[];
}

/** What an inbound message answers or reports on: our message, and the recipient row and contact. */
export interface InboundLink {
  readonly messageId: string;
  readonly recipientId: string | null;
  readonly contactId: string | null;
}

function tenantOp(tenantId: string | null): "=" | "is" {
  return tenantId === null ? "is" : "=";
}

/** Which of `sourceKeys` this mailbox has stored already. */
export async function storedSourceKeys(db: Db, ref: MailboxRef, sourceKeys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < sourceKeys.length; i += 500) {
    const chunk = sourceKeys.slice(i, i + 500);
    const rows = await db
      .selectFrom("inbound_messages")
      .select("source_key")
      .where("mailbox_key", "=", ref.key)
      .where("tenant_id", tenantOp(ref.tenantId), ref.tenantId)
      .where("source_key", "in", chunk)
      .execute();
    for (const r of rows) found.add(r.source_key);
  }
  return found;
}

/**
 * The message already stored from this mailbox under another identity: same Message-ID, or
 * (for a message without one) the same bytes. A message re-imported after a reset, a
 * UIDVALIDITY change or a protocol switch is found here.
 */
export async function findReimport(
  tx: Tx,
  ref: MailboxRef,
  message: { sourceKey: string; messageIdHeader: string | null; rawSha256: string },
): Promise<string | undefined> {
  const bySource = await tx
    .selectFrom("inbound_messages")
    .select("id")
    .where("mailbox_key", "=", ref.key)
    .where("source_key", "=", message.sourceKey)
    .executeTakeFirst();
  if (bySource) return bySource.id;
  const query = tx.selectFrom("inbound_messages").select("id").where("mailbox_key", "=", ref.key);
  const row = message.messageIdHeader
    ? await query.where("message_id_header", "=", message.messageIdHeader).executeTakeFirst()
    : await query.where("raw_sha256", "=", message.rawSha256).executeTakeFirst();
  return row?.id;
}

/** Inserts one inbound message with its attachments, in the caller's transaction. */
export async function insertInbound(tx: Tx, ref: MailboxRef, message: NewInbound): Promise<string> {
  const id = newId(message.receivedAt);
  await tx
    .insertInto("inbound_messages")
    .values({
      id,
      tenant_id: ref.tenantId,
      mailbox_key: ref.key,
      source_key: message.sourceKey,
      message_id_header: message.messageIdHeader,
      raw_sha256: message.rawSha256,
      from_address: message.fromAddress,
      from_name: message.fromName,
      subject: message.subject,
      sent_at: message.sentAt,
      received_at: message.receivedAt,
      text_body: message.textBody,
      html_body: message.htmlBody,
      kind: message.kind,
      message_id: message.link?.messageId ?? null,
      recipient_id: message.link?.recipientId ?? null,
      contact_id: message.link?.contactId ?? null,
      size_bytes: message.raw.length,
      attachment_count: message.attachments.length,
      raw: message.raw,
    })
    .execute();
  let position = 0;
  for (const a of message.attachments) {
    position++;
    await tx
      .insertInto("inbound_attachments")
      .values({
        id: newId(message.receivedAt),
        tenant_id: ref.tenantId,
        inbound_id: id,
        position,
        filename: a.filename,
        content_type: a.contentType,
        size_bytes: a.content.length,
        content: a.content,
      })
      .execute();
  }
  return id;
}

export type InboundSummary = Omit<InboundMessageRow, "raw" | "text_body" | "html_body">;

const summaryColumns = [
  "id",
  "tenant_id",
  "mailbox_key",
  "source_key",
  "message_id_header",
  "raw_sha256",
  "from_address",
  "from_name",
  "subject",
  "sent_at",
  "received_at",
  "kind",
  "message_id",
  "recipient_id",
  "contact_id",
  "size_bytes",
  "attachment_count",
] as const;

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A tenant's inbox, newest first: filtered by kind, searched in sender, subject and text. */
export async function listInbound(
  db: Db,
  tenantId: string,
  options: {
    kind?: InboundKindStored | undefined;
    /** false: leave out `automaticKinds`; true: only those; undefined: everything. */
    automatic?: boolean | undefined;
    search?: string | undefined;
    before?: string | undefined;
    limit: number;
  },
): Promise<InboundSummary[]> {
  let query = db
    .selectFrom("inbound_messages")
    .select(summaryColumns)
    .where("tenant_id", "=", tenantId)
    .orderBy("id", "desc")
    .limit(options.limit);
  if (options.kind) query = query.where("kind", "=", options.kind);
  if (options.automatic !== undefined) {
    query = query.where("kind", options.automatic ? "in" : "not in", automaticKinds);
  }
  if (options.before) query = query.where("id", "<", options.before);
  if (options.search) {
    const pattern = likePattern(options.search);
    query = query.where((eb) =>
      eb.or(
        (["from_address", "from_name", "subject", "text_body"] as const).map(
          (column) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`,
        ),
      ),
    );
  }
  return query.execute();
}

export interface InboundDetail {
  readonly message: Omit<InboundMessageRow, "raw">;
  readonly attachments: readonly Omit<InboundAttachmentRow, "content">[];
}

/** One inbound message of the tenant's, without its raw bytes; undefined for another tenant's. */
export async function getInbound(db: Db, tenantId: string, id: string): Promise<InboundDetail | undefined> {
  const message = await db
    .selectFrom("inbound_messages")
    .select([...summaryColumns, "text_body", "html_body"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!message) return undefined;
  const attachments = await db
    .selectFrom("inbound_attachments")
    .select(["id", "tenant_id", "inbound_id", "position", "filename", "content_type", "size_bytes"])
    .where("tenant_id", "=", tenantId)
    .where("inbound_id", "=", id)
    .orderBy("position")
    .execute();
  return { message, attachments };
}

export async function getInboundAttachment(
  db: Db,
  tenantId: string,
  inboundId: string,
  position: number,
): Promise<InboundAttachmentRow | undefined> {
  return db
    .selectFrom("inbound_attachments")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("inbound_id", "=", inboundId)
    .where("position", "=", position)
    .executeTakeFirst();
}
