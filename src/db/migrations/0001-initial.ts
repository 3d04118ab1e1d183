import { type Kysely, type Migration, sql } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * The first schema: tenant groups, tenants, API keys, messages (with their attachments), recipients
 * (the outbox: one row per recipient) and their events.
 */
export function initialMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("tenant_groups")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("tenants")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("timezone", "text", (c) => c.notNull())
        .addColumn("sending_mode", "text", (c) => c.notNull().defaultTo("relay"))
        .addColumn("group_id", "text", (c) => c.references("tenant_groups.id"))
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("api_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.references("tenants.id"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("secret_hash", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("revoked_at", t.time)
        .execute();
      await db.schema
        .createTable("messages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("category", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("from_address", "text", (c) => c.notNull())
        .addColumn("from_name", "text")
        .addColumn("reply_to", "text")
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("text_body", "text")
        .addColumn("html_body", "text")
        .addColumn("header_recipients", "text", (c) => c.notNull())
        .addColumn("headers", "text", (c) => c.notNull())
        .addColumn("message_id_header", "text", (c) => c.notNull())
        .addColumn("idempotency_key", "text")
        .addColumn("request_hash", "text")
        .addColumn("size_bytes", "integer", (c) => c.notNull())
        .addColumn("attachment_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      // Unique per tenant; NULL keys never conflict on either dialect.
      await db.schema
        .createIndex("messages_idempotency")
        .on("messages")
        .columns(["tenant_id", "idempotency_key"])
        .unique()
        .execute();
      await db.schema.createIndex("messages_tenant_id").on("messages").columns(["tenant_id", "id"]).execute();
      await db.schema
        .createIndex("messages_tenant_category")
        .on("messages")
        .columns(["tenant_id", "category", "id"])
        .execute();
      await db.schema
        .createTable("attachments")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("message_id", "text", (c) => c.notNull().references("messages.id"))
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("filename", "text", (c) => c.notNull())
        .addColumn("content_type", "text", (c) => c.notNull())
        .addColumn("size_bytes", "integer", (c) => c.notNull())
        .addColumn("content", t.blob, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("attachments_message").on("attachments").columns(["message_id"]).execute();
      await db.schema
        .createTable("recipients")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("message_id", "text", (c) => c.notNull().references("messages.id"))
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("name", "text")
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", t.time)
        .addColumn("lease_owner", "text")
        .addColumn("last_smtp_code", "integer")
        .addColumn("last_enhanced_code", "text")
        .addColumn("last_smtp_text", "text")
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      // The outbox: only rows with work left are indexed, so the claim scan stays small.
      await db.schema
        .createIndex("recipients_due")
        .on("recipients")
        .columns(["next_attempt_at"])
        .where(sql.ref("next_attempt_at"), "is not", null)
        .execute();
      await db.schema.createIndex("recipients_message").on("recipients").columns(["message_id"]).execute();
      await db.schema
        .createIndex("recipients_tenant_status")
        .on("recipients")
        .columns(["tenant_id", "status", "message_id"])
        .execute();
      await db.schema
        .createTable("events")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("message_id", "text", (c) => c.notNull())
        .addColumn("recipient_id", "text", (c) => c.notNull())
        .addColumn("at", t.time, (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("smtp_code", "integer")
        .addColumn("enhanced_code", "text")
        .addColumn("smtp_text", "text")
        .execute();
      await db.schema.createIndex("events_message").on("events").columns(["message_id", "id"]).execute();
      await db.schema
        .createTable("sandbox_messages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text")
        .addColumn("recipient_id", "text")
        .addColumn("received_at", t.time, (c) => c.notNull())
        .addColumn("mail_from", "text", (c) => c.notNull())
        .addColumn("rcpt_to", "text", (c) => c.notNull())
        .addColumn("subject", "text")
        .addColumn("message_id_header", "text")
        .addColumn("size_bytes", "integer", (c) => c.notNull())
        .addColumn("raw", t.blob, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("sandbox_messages_tenant")
        .on("sandbox_messages")
        .columns(["tenant_id", "id"])
        .execute();
    },
  };
}
