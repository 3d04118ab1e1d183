import { type Kysely, type Migration, sql } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/** Suppressions (and their audited resets), opens, tenant settings for tracking, webhooks out. */
export function trackingMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("suppressions")
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        // Lower-cased address.
        .addColumn("email", "text", (c) => c.notNull())
        // `hard_bounce` or `spam`.
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("detail", "text")
        .addColumn("recipient_id", "text")
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint("suppressions_pk", ["tenant_id", "email"])
        .execute();
      await db.schema
        .createTable("suppression_resets")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("suppressed_at", t.time, (c) => c.notNull())
        // Who reset it (API key id) and why.
        .addColumn("reset_by", "text", (c) => c.notNull())
        .addColumn("note", "text", (c) => c.notNull())
        .addColumn("at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("suppression_resets_tenant")
        .on("suppression_resets")
        .columns(["tenant_id", "id"])
        .execute();
      await db.schema
        .createTable("opens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("recipient_id", "text", (c) => c.notNull())
        .addColumn("at", t.time, (c) => c.notNull())
        .addColumn("automated", "integer", (c) => c.notNull())
        // Why it looks automated (`proxy`, `prefetch`, `scanner`), or null. No IP address is kept.
        .addColumn("automated_reason", "text")
        .addColumn("user_agent", "text")
        .execute();
      await db.schema.createIndex("opens_recipient").on("opens").columns(["recipient_id", "at"]).execute();
      await db.schema.alterTable("recipients").addColumn("opened_at", t.time).execute();
      await db.schema
        .createTable("tracking_settings")
        .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
        .addColumn("track_opens", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("webhook_endpoints")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("url", "text", (c) => c.notNull())
        // The signing secret (`whsec_…`), encrypted with the service's secret key.
        .addColumn("secret", "text", (c) => c.notNull())
        // JSON array of event types, or `["*"]`.
        .addColumn("events", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("webhook_endpoints_tenant")
        .on("webhook_endpoints")
        .columns(["tenant_id", "id"])
        .execute();
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("endpoint_id", "text", (c) => c.notNull())
        .addColumn("event_type", "text", (c) => c.notNull())
        // The JSON body sent, fixed when the event happened.
        .addColumn("payload", "text", (c) => c.notNull())
        // `pending`, `delivered`, `failed` (gave up).
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        // Due time while pending (also the lease while an attempt runs); null once final.
        .addColumn("next_attempt_at", t.time)
        .addColumn("lease_owner", "text")
        .addColumn("last_status", "integer")
        .addColumn("last_error", "text")
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("delivered_at", t.time)
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_due")
        .on("webhook_deliveries")
        .columns(["next_attempt_at"])
        .where(sql.ref("next_attempt_at"), "is not", null)
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_endpoint")
        .on("webhook_deliveries")
        .columns(["tenant_id", "endpoint_id", "id"])
        .execute();
    },
  };
}
