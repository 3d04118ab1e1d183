import type { Database } from "../../src/db/database.js";
import { newId } from "../../src/db/ids.js";
import type { Clock } from "../../src/time/clock.js";
import { SENDER_DOMAIN } from "../support/delivery.js";

/**
 * Rows an announcement leaves for delivery, written directly (the fan-out is tested on its own):
 * contacts, subjects, a template message with an `announcements` row, and recipient rows.
 */
export async function insertContact(
  database: Database,
  clock: Clock,
  tenantId: string,
  c: { name: string; email: string | null; digest?: string; digestTime?: string; digestWeekday?: number },
): Promise<string> {
  const id = newId(clock.now());
  await database.db
    .insertInto("contacts")
    .values({
      id,
      tenant_id: tenantId,
      external_id: `c-${id}`,
      name: c.name,
      email: c.email,
      email_given: null,
      email_problem: null,
      digest: c.digest ?? "none",
      digest_time: c.digestTime ?? null,
      digest_weekday: c.digestWeekday ?? null,
      created_at: clock.now(),
      updated_at: clock.now(),
    })
    .execute();
  return id;
}

export async function insertSubject(
  database: Database,
  clock: Clock,
  tenantId: string,
  name: string,
): Promise<{ id: string; externalId: string }> {
  const id = newId(clock.now());
  const externalId = `s-${name.toLowerCase()}-${id.slice(-6)}`;
  await database.db
    .insertInto("subjects")
    .values({
      id,
      tenant_id: tenantId,
      external_id: externalId,
      name,
      groups: "[]",
      created_at: clock.now(),
      updated_at: clock.now(),
    })
    .execute();
  return { id, externalId };
}

export interface AnnouncementInput {
  subject: string;
  text?: string | null;
  html?: string | null;
  category?: string;
  essential?: boolean;
  useSignature?: boolean;
  consolidate?: boolean;
  mergeData?: Record<string, Record<string, string>>;
  recipients: Array<{ contactId: string; email: string; subjectIds?: string[] }>;
}

/** A template message (`source = 'announcement'`), its announcement and one queued row per recipient. */
export async function insertAnnouncement(
  database: Database,
  clock: Clock,
  tenantId: string,
  a: AnnouncementInput,
): Promise<{ messageId: string; recipientIds: string[] }> {
  const now = clock.now();
  const messageId = newId(now);
  await database.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("messages")
      .values({
        id: messageId,
        tenant_id: tenantId,
        category: a.category ?? "announcement",
        source: "announcement",
        from_address: `office@${SENDER_DOMAIN}`,
        from_name: "School office",
        reply_to: null,
        subject: a.subject,
        text_body: a.text === undefined ? "Hello {{contact.name}}" : a.text,
        html_body: a.html ?? null,
        header_recipients: JSON.stringify({ to: [], cc: [] }),
        headers: "{}",
        message_id_header: `<${messageId}@${SENDER_DOMAIN}>`,
        idempotency_key: null,
        request_hash: null,
        size_bytes: 1000,
        attachment_count: 0,
        created_at: now,
        essential: a.essential ? 1 : 0,
      })
      .execute();
    await tx
      .insertInto("announcements")
      .values({
        id: newId(now),
        tenant_id: tenantId,
        message_id: messageId,
        state: "sent",
        essential: a.essential ? 1 : 0,
        consolidate: a.consolidate ? 1 : 0,
        use_signature: a.useSignature ? 1 : 0,
        audience: "{}",
        merge_data: JSON.stringify(a.mergeData ?? {}),
        send_at: now,
        created_by: null,
        created_at: now,
        fanout_cursor: null,
        fanout_lease_until: null,
        fanned_out_at: now,
        cancelled_at: null,
        recipient_count: a.recipients.length,
      })
      .execute();
  });
  const recipientIds: string[] = [];
  for (const r of a.recipients) {
    const id = newId(now);
    recipientIds.push(id);
    await database.db
      .insertInto("recipients")
      .values({
        id,
        tenant_id: tenantId,
        message_id: messageId,
        email: r.email,
        name: null,
        kind: "to",
        status: "queued",
        attempts: 0,
        next_attempt_at: now,
        lease_owner: null,
        last_smtp_code: null,
        last_enhanced_code: null,
        last_smtp_text: null,
        charge: null,
        sent_at: null,
        retry_from: null,
        created_at: now,
        updated_at: now,
        contact_id: r.contactId,
        subject_ids: JSON.stringify(r.subjectIds ?? []),
        opened_at: null,
      })
      .execute();
  }
  return { messageId, recipientIds };
}

/** Registers an active webhook endpoint for every event (the secret is not used here). */
export async function insertWebhookEndpoint(database: Database, clock: Clock, tenantId: string): Promise<string> {
  const id = newId(clock.now());
  await database.db
    .insertInto("webhook_endpoints")
    .values({
      id,
      tenant_id: tenantId,
      url: "https://hooks.example.test/postbag",
      secret: "sealed-not-used",
      events: JSON.stringify(["*"]),
      description: null,
      active: 1,
      created_at: clock.now(),
      updated_at: clock.now(),
    })
    .execute();
  return id;
}
