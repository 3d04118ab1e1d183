import type { Database, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { NewMessage } from "../db/tables.js";
import { personalise, type Template } from "../delivery/personalise.js";
import { escapeHtml } from "../email/html.js";
import { singleLine } from "../messages/merge-fields.js";
import { headerRecipientsColumn, mergeDataColumn, messageHeadersColumn } from "../messages/message-columns.js";
import { insertRecipients, newRecipient } from "../messages/recipient-state.js";
import type { Clock } from "../time/clock.js";
import type { ScheduledJob } from "./scheduler.js";

export interface DigestSettings {
  /** Domain of the digest emails' Message-IDs (`POSTBAG_SENDER_DOMAIN`). */
  readonly senderDomain: string;
}

/** Contacts whose digest is taken per run; the rest wait for the next minute. */
const CONTACTS_PER_RUN = 500;

/** Every minute: each contact's due `pending_digest` mail goes out as one digest email. */
export function digestJob(database: Database, clock: Clock, settings: DigestSettings): ScheduledJob {
  return {
    name: "digests",
    pattern: "30 * * * * *",
    async run() {
      await sendDueDigests(database, clock.now(), settings);
    },
  };
}

/**
 * Creates one digest email for each contact with digest items due at `now`: a message with
 * `source = 'digest'` and category `digest` (counted like announcements: one credit for the
 * digest, none for the items), one recipient row for the contact, and the items marked with
 * `digest_message_id`. The items' own rows stay `pending_digest` until the digest email reaches
 * a final status, and then take that status (`delivery/outbox.ts`).
 *
 * Safe with several schedulers: items are taken with a conditional update (`digest_message_id
 * is null`) in the transaction that writes the digest, so an item is in exactly one digest.
 * Returns the ids of the digest messages created.
 */
export async function sendDueDigests(database: Database, now: number, settings: DigestSettings): Promise<string[]> {
  const due = await database.db
    .selectFrom("digest_items")
    .select(["tenant_id", "contact_id"])
    .distinct()
    .where("digest_message_id", "is", null)
    .where("due_at", "<=", now)
    .orderBy("tenant_id")
    .orderBy("contact_id")
    .limit(CONTACTS_PER_RUN)
    .execute();
  const created: string[] = [];
  for (const { tenant_id: tenantId, contact_id: contactId } of due) {
    const id = await database.db.transaction().execute((tx) => createDigest(tx, tenantId, contactId, now, settings));
    if (id) created.push(id);
  }
  return created;
}

interface Item {
  readonly subject: string;
  readonly text: string | null;
  readonly html: string | null;
}

async function createDigest(
  tx: Tx,
  tenantId: string,
  contactId: string,
  now: number,
  settings: DigestSettings,
): Promise<string | null> {
  const digestId = newId(now);
  const taken = await tx
    .updateTable("digest_items")
    .set({ digest_message_id: digestId })
    .where("tenant_id", "=", tenantId)
    .where("contact_id", "=", contactId)
    .where("digest_message_id", "is", null)
    .where("due_at", "<=", now)
    .returning(["recipient_id", "message_id"])
    .execute();
  if (taken.length === 0) return null;
  // Items whose row left `pending_digest` meanwhile (cancelled with their announcement) are
  // taken but not listed.
  const rows = await tx
    .selectFrom("recipients")
    .select(["id", "message_id", "subject_ids"])
    .where("tenant_id", "=", tenantId)
    .where(
      "id",
      "in",
      taken.map((t) => t.recipient_id),
    )
    .where("status", "=", "pending_digest")
    .orderBy("id")
    .execute();
  if (rows.length === 0) return null;
  const messageIds = [...new Set(rows.map((r) => r.message_id))];
  const subjectIds = [...new Set(rows.flatMap((r) => parseIds(r.subject_ids)))];
  // One after another: a transaction is one connection.
  const tenant = await tx.selectFrom("tenants").select(["name"]).where("id", "=", tenantId).executeTakeFirst();
  const contact = await tx
    .selectFrom("contacts")
    .select(["name", "email", "digest"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", contactId)
    .executeTakeFirst();
  const messages = await tx
    .selectFrom("messages")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "in", messageIds)
    .execute();
  const announcements = await tx
    .selectFrom("announcements")
    .select(["message_id", "merge_data"])
    .where("tenant_id", "=", tenantId)
    .where("message_id", "in", messageIds)
    .execute();
  const subjects =
    subjectIds.length === 0
      ? []
      : await tx
          .selectFrom("subjects")
          .select(["id", "external_id", "name"])
          .where("tenant_id", "=", tenantId)
          .where("id", "in", subjectIds)
          .execute();
  const files = await tx
    .selectFrom("attachments")
    .select(["message_id", "filename", "content_type", "size_bytes", "content"])
    .where("tenant_id", "=", tenantId)
    .where("message_id", "in", messageIds)
    .orderBy("message_id")
    .orderBy("position")
    .execute();
  const messageById = new Map(messages.map((m) => [m.id, m]));
  const mergeData = new Map(announcements.map((a) => [a.message_id, mergeDataColumn.decode(a.merge_data)]));
  const subjectById = new Map(subjects.map((s) => [s.id, s]));
  const items: Item[] = [];
  for (const r of rows) {
    const m = messageById.get(r.message_id);
    if (!m) continue;
    const fields = mergeData.get(m.id) ?? {};
    const rendered = personalise({
      template: { subject: m.subject, text: m.text_body, html: m.html_body },
      merge: true,
      contact: contact ? { name: contact.name, email: contact.email } : null,
      subjects: parseIds(r.subject_ids).flatMap((id) => {
        const s = subjectById.get(id);
        return s ? [{ name: s.name, fields: fields[s.external_id] ?? {} }] : [];
      }),
      signature: null,
      unsubscribeUrl: null,
      category: m.category,
      tenantName: tenant?.name ?? "",
      pixelUrl: null,
    });
    items.push(rendered);
  }
  // The sender of the newest item: the digest comes from the same address as the mail it lists.
  const latest = messageById.get(rows[rows.length - 1]?.message_id ?? "") ?? messages[0];
  if (!latest || items.length === 0) return null;

  const tenantName = tenant?.name ?? "";
  const period = contact?.digest === "weekly" ? "weekly" : "daily";
  const content = digestContent(tenantName, period, items);
  const email = contact?.email ?? "";
  const attachments = files.map((f, position) => ({
    id: newId(now),
    tenant_id: tenantId,
    message_id: digestId,
    position,
    filename: f.filename,
    content_type: f.content_type,
    size_bytes: f.size_bytes,
    content: f.content,
  }));
  const message: NewMessage = {
    id: digestId,
    tenant_id: tenantId,
    category: "digest",
    source: "digest",
    from_address: latest.from_address,
    from_name: latest.from_name,
    reply_to: latest.reply_to,
    subject: content.subject,
    text_body: content.text,
    html_body: content.html,
    header_recipients: headerRecipientsColumn.encode({
      to: email ? [{ email, name: contact?.name ?? null }] : [],
      cc: [],
    }),
    headers: messageHeadersColumn.encode({}),
    message_id_header: `<${digestId}@${settings.senderDomain}>`,
    idempotency_key: null,
    request_hash: null,
    size_bytes:
      Buffer.byteLength(content.text ?? "") +
      Buffer.byteLength(content.html ?? "") +
      attachments.reduce((sum, a) => sum + a.size_bytes, 0),
    attachment_count: attachments.length,
    created_at: now,
    essential: 0,
  };
  const planned = newRecipient({
    tenantId,
    messageId: digestId,
    // A contact without an address is screened to `email_missing` by the worker, and the items
    // follow it there.
    email,
    name: contact?.name ?? null,
    kind: "to",
    at: now,
    contactId,
    subjectIds: "[]",
    eventText: `digest of ${items.length} ${items.length === 1 ? "message" : "messages"}`,
  });
  await tx.insertInto("messages").values(message).execute();
  await insertRecipients(tx, [planned.recipient], [planned.event]);
  for (const a of attachments) await tx.insertInto("attachments").values(a).execute();
  return digestId;
}

function parseIds(json: string | null): string[] {
  if (!json) return [];
  try {
    const ids: unknown = JSON.parse(json);
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

const RULE = "=".repeat(40);

/**
 * The digest itself: a short heading, then each message under a numbered heading with its own
 * subject line, oldest first. HTML when any item has HTML (text-only items shown with their
 * line breaks), text always (HTML-only items reduced to their text).
 */
export function digestContent(tenantName: string, period: "daily" | "weekly", items: readonly Item[]): Template {
  const count = `${items.length} ${items.length === 1 ? "message" : "messages"}`;
  const name = singleLine(tenantName);
  const subject = `Your ${period} digest from ${name}: ${count}`;
  const intro = `Your ${period} digest from ${name}: ${count}, oldest first.`;
  const text = [
    intro,
    ...items.map((item, i) =>
      [
        "",
        RULE,
        `${i + 1} of ${items.length}: ${item.subject}`,
        RULE,
        "",
        (item.text ?? htmlToText(item.html ?? "")).trim(),
      ].join("\n"),
    ),
  ].join("\n");
  const anyHtml = items.some((i) => i.html !== null);
  const html = anyHtml
    ? [
        `<p style="margin:0 0 16px;padding:12px;background:#f3f4f6;border-radius:6px">${escapeHtml(intro)}</p>`,
        ...items.map(
          (item, i) =>
            `<div style="border-top:3px solid #4b5563;margin:24px 0 0;padding-top:8px">` +
            `<h2 style="font-size:18px;line-height:1.3;margin:0 0 12px">${i + 1} of ${items.length}: ${escapeHtml(item.subject)}</h2>` +
            `<div>${item.html !== null ? bodyOf(item.html) : `<div style="white-space:pre-line">${escapeHtml(item.text ?? "")}</div>`}</div></div>`,
        ),
      ].join("\n")
    : null;
  return { subject, text, html };
}

function bodyOf(html: string): string {
  return /<body[^>]*>([\s\S]*?)<\/body\s*>/i.exec(html)?.[1] ?? html;
}

/** A plain reading of sanitised HTML, for the text part of a digest. */
function htmlToText(html: string): string {
  return bodyOf(html)
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li|\/tr)\b[^>]*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n");
}
