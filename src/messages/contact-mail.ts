import type { Db } from "../db/database.js";
import type { RecipientStatus } from "../email/statuses.js";
import { type SuppressionReason, suppressionKey } from "./suppressions.js";

/** One email sent (or meant) for a contact, as their profile lists it. */
export interface ContactMail {
  readonly recipientId: string;
  readonly messageId: string;
  readonly subject: string;
  readonly category: string;
  readonly status: RecipientStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastText: string | null;
}

/** A contact's most recent mail, newest first (index `recipients_contact`). */
export async function recentMailOfContact(
  db: Db,
  tenantId: string,
  contactId: string,
  limit: number,
): Promise<ContactMail[]> {
  const rows = await db
    .selectFrom("recipients as r")
    .innerJoin("messages as m", (j) => j.onRef("m.id", "=", "r.message_id").onRef("m.tenant_id", "=", "r.tenant_id"))
    .select([
      "r.id",
      "r.message_id",
      "m.subject",
      "m.category",
      "r.status",
      "r.created_at",
      "r.updated_at",
      "r.last_smtp_text",
    ])
    .where("r.tenant_id", "=", tenantId)
    .where("r.contact_id", "=", contactId)
    .orderBy("r.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    recipientId: r.id,
    messageId: r.message_id,
    subject: r.subject,
    category: r.category,
    status: r.status as RecipientStatus,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lastText: r.last_smtp_text,
  }));
}

/** Whether the tenant suppressed `email`, why and since when; undefined when it did not. */
export async function suppressionOf(
  db: Db,
  tenantId: string,
  email: string,
): Promise<{ reason: SuppressionReason; at: number } | undefined> {
  const row = await db
    .selectFrom("suppressions")
    .select(["reason", "created_at"])
    .where("tenant_id", "=", tenantId)
    .where("email", "=", suppressionKey(email))
    .executeTakeFirst();
  return row ? { reason: row.reason as SuppressionReason, at: Number(row.created_at) } : undefined;
}
