import { type Kysely, type Migration, sql } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * Inbound mail read from mailboxes (a tenant's own account, the operator's bounce mailbox):
 * where each poller got to, and every message stored once with its attachments.
 */
export function mailboxesMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("mailbox_states")
        // `tenant:<id>` or `operator`.
        .addColumn("mailbox_key", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text")
        // `imap` or `pop3`.
        .addColumn("protocol", "text", (c) => c.notNull())
        .addColumn("uidvalidity", "text")
        .addColumn("last_uid", "integer")
        // Bumped by "reset mailbox counter".
        .addColumn("generation", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("reset_at", t.time)
        // A poller holds the mailbox until then, so two never read it at once.
        .addColumn("lease_until", t.time)
        .addColumn("lease_owner", "text")
        .addColumn("last_poll_at", t.time)
        .addColumn("next_poll_at", t.time)
        .addColumn("last_error", "text")
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("inbound_messages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text")
        .addColumn("mailbox_key", "text", (c) => c.notNull())
        // `imap:<uidvalidity>:<uid>` or `pop3:<uidl>`: the message's identity in its mailbox.
        .addColumn("source_key", "text", (c) => c.notNull())
        .addColumn("message_id_header", "text")
        .addColumn("raw_sha256", "text", (c) => c.notNull())
        .addColumn("from_address", "text")
        .addColumn("from_name", "text")
        .addColumn("subject", "text")
        .addColumn("sent_at", t.time)
        .addColumn("received_at", t.time, (c) => c.notNull())
        .addColumn("text_body", "text")
        .addColumn("html_body", "text")
        // `reply`, `bounce`, `delay`, `complaint`, `auto_reply` or `other`.
        .addColumn("kind", "text", (c) => c.notNull())
        // What it answers: our message and recipient (and so the contact), when known.
        .addColumn("message_id", "text")
        .addColumn("recipient_id", "text")
        .addColumn("contact_id", "text")
        .addColumn("size_bytes", "integer", (c) => c.notNull())
        .addColumn("attachment_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("raw", t.blob)
        .execute();
      await db.schema
        .createIndex("inbound_messages_source")
        .on("inbound_messages")
        .columns(["mailbox_key", "source_key"])
        .unique()
        .execute();
      await db.schema
        .createIndex("inbound_messages_message_id")
        .on("inbound_messages")
        .columns(["mailbox_key", "message_id_header"])
        .where(sql.ref("message_id_header"), "is not", null)
        .execute();
      await db.schema
        .createIndex("inbound_messages_digest")
        .on("inbound_messages")
        .columns(["mailbox_key", "raw_sha256"])
        .execute();
      await db.schema
        .createIndex("inbound_messages_tenant")
        .on("inbound_messages")
        .columns(["tenant_id", "id"])
        .execute();
      await db.schema
        .createTable("inbound_attachments")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text")
        .addColumn("inbound_id", "text", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("filename", "text", (c) => c.notNull())
        .addColumn("content_type", "text", (c) => c.notNull())
        .addColumn("size_bytes", "integer", (c) => c.notNull())
        .addColumn("content", t.blob, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("inbound_attachments_message")
        .on("inbound_attachments")
        .columns(["inbound_id", "position"])
        .execute();
      // Replies are matched to what they answer by our Message-ID header.
      await db.schema.createIndex("messages_message_id_header").on("messages").columns(["message_id_header"]).execute();
    },
  };
}
