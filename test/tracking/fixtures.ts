import type { Db } from "../../src/db/database.js";
import { newId } from "../../src/db/ids.js";

/**
 * Rows written directly, as the audience and announcement parts will: a contact, a message and
 * its recipient row (what unsubscribe links and open pixels name).
 */
export interface TestRecipient {
  readonly recipientId: string;
  readonly messageId: string;
  readonly contactId: string | null;
  readonly email: string;
}

export async function insertContact(
  db: Db,
  tenantId: string,
  at: number,
  email = "parent@example.test",
): Promise<string> {
  const id = newId(at);
  await db
    .insertInto("contacts")
    .values({
      id,
      tenant_id: tenantId,
      external_id: `ext-${id}`,
      name: "A Parent",
      email,
      email_given: null,
      email_problem: null,
      digest: "none",
      digest_time: null,
      digest_weekday: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

export async function insertRecipient(
  db: Db,
  tenantId: string,
  options: {
    readonly at: number;
    readonly contactId?: string | null;
    readonly category?: string;
    readonly status?: string;
    readonly sentAt?: number | null;
    readonly email?: string;
  },
): Promise<TestRecipient> {
  const { at } = options;
  const messageId = newId(at);
  const email = options.email ?? "parent@example.test";
  await db
    .insertInto("messages")
    .values({
      id: messageId,
      tenant_id: tenantId,
      category: options.category ?? "announcement",
      source: "api",
      from_address: "office@school.test",
      from_name: null,
      reply_to: null,
      subject: "Trip on Friday",
      text_body: "Packed lunches please.",
      html_body: null,
      header_recipients: JSON.stringify({ to: [{ address: email }], cc: [] }),
      headers: "{}",
      message_id_header: `<${messageId}@postbag.test>`,
      idempotency_key: null,
      request_hash: null,
      size_bytes: 100,
      attachment_count: 0,
      created_at: at,
    })
    .execute();
  const recipientId = newId(at);
  const status = options.status ?? "sent";
  await db
    .insertInto("recipients")
    .values({
      id: recipientId,
      tenant_id: tenantId,
      message_id: messageId,
      email,
      name: null,
      kind: "to",
      status,
      attempts: 1,
      next_attempt_at: null,
      lease_owner: null,
      last_smtp_code: 250,
      last_enhanced_code: null,
      last_smtp_text: null,
      charge: null,
      sent_at: options.sentAt === undefined ? at : options.sentAt,
      retry_from: null,
      created_at: at,
      updated_at: at,
      contact_id: options.contactId ?? null,
      subject_ids: null,
      opened_at: null,
    })
    .execute();
  return { recipientId, messageId, contactId: options.contactId ?? null, email };
}

export async function optOutsOf(db: Db, tenantId: string) {
  return db
    .selectFrom("contact_opt_outs")
    .select(["contact_id", "category", "source", "at"])
    .where("tenant_id", "=", tenantId)
    .execute();
}
