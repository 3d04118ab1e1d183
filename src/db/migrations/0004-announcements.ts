import { type Kysely, type Migration, sql } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * Announcements: a template message written once, fanned out to one recipient row per email
 * (per contact when consolidated, per contact and subject otherwise) and rendered per recipient
 * at delivery. Digests gather a contact's non-essential mail into one email.
 */
export function announcementsMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("announcements")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        // The template: subject, bodies (with merge fields), category, attachments.
        .addColumn("message_id", "text", (c) => c.notNull())
        // `scheduled`, `sending` (fan-out under way), `sent` (fanned out), `cancelled`.
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("essential", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("consolidate", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("use_signature", "integer", (c) => c.notNull().defaultTo(0))
        // JSON: `{ contacts?, subjects?, subjectGroups? }` as given (external ids, group names).
        .addColumn("audience", "text", (c) => c.notNull())
        // JSON: per-subject merge fields, `{ <subject external id>: { field: value } }`.
        .addColumn("merge_data", "text", (c) => c.notNull().defaultTo("{}"))
        .addColumn("send_at", t.time, (c) => c.notNull())
        .addColumn("created_by", "text")
        .addColumn("created_at", t.time, (c) => c.notNull())
        // Fan-out is resumable: the last contact id done, and whose worker holds it until when.
        .addColumn("fanout_cursor", "text")
        .addColumn("fanout_lease_until", t.time)
        .addColumn("fanned_out_at", t.time)
        .addColumn("cancelled_at", t.time)
        .addColumn("recipient_count", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      // The audience resolved once, when the fan-out starts: one row per (contact, subject) it
      // reaches, subject_id '' for a contact addressed directly. Written by one INSERT … SELECT in
      // the database, read back a few thousand contacts at a time in contact order and deleted as
      // each chunk is fanned out, so the audience never sits in a process's memory and a sync
      // running during the fan-out cannot make a contact appear twice.
      await db.schema
        .createTable("announcement_audience")
        .addColumn("announcement_id", "text", (c) => c.notNull())
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("contact_id", "text", (c) => c.notNull())
        .addColumn("subject_id", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("announcement_audience_pk", ["announcement_id", "contact_id", "subject_id"])
        .execute();
      await db.schema.createIndex("announcements_tenant").on("announcements").columns(["tenant_id", "id"]).execute();
      await db.schema.createIndex("announcements_due").on("announcements").columns(["state", "send_at"]).execute();
      await db.schema.createIndex("announcements_message").on("announcements").columns(["message_id"]).execute();
      // A message marked Essential reaches contacts who opted out of its category.
      await db.schema
        .alterTable("messages")
        .addColumn("essential", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      // Per-recipient rendering: who the email is for and which subjects' sections it carries.
      await db.schema.alterTable("recipients").addColumn("contact_id", "text").execute();
      // JSON array of subject ids (one, or several when consolidated); null for plain mail.
      await db.schema.alterTable("recipients").addColumn("subject_ids", "text").execute();
      await db.schema
        .createIndex("recipients_message_status")
        .on("recipients")
        .columns(["message_id", "status", "id"])
        .execute();
      await db.schema
        .createIndex("recipients_contact")
        .on("recipients")
        .columns(["tenant_id", "contact_id"])
        .where(sql.ref("contact_id"), "is not", null)
        .execute();
      await db.schema
        .createTable("digest_items")
        .addColumn("recipient_id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("contact_id", "text", (c) => c.notNull())
        .addColumn("message_id", "text", (c) => c.notNull())
        // When the contact's digest that carries this item is due.
        .addColumn("due_at", t.time, (c) => c.notNull())
        // The digest email that carried it; null while waiting.
        .addColumn("digest_message_id", "text")
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("digest_items_due")
        .on("digest_items")
        .columns(["due_at", "tenant_id", "contact_id"])
        .where(sql.ref("digest_message_id"), "is", null)
        .execute();
    },
  };
}
