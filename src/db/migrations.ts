import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from "kysely";
import { columnTypes } from "./column-types.js";
import type { Database, Dialect } from "./database.js";
import { audienceMigration } from "./migrations/0003-audience.js";
import { announcementsMigration } from "./migrations/0004-announcements.js";
import { trackingMigration } from "./migrations/0005-tracking.js";
import { ownAccountMigration } from "./migrations/0006-own-account.js";
import { mailboxesMigration } from "./migrations/0007-mailboxes.js";
import { peopleMigration } from "./migrations/0009-people.js";

/**
 * Migrations are code, listed in order, and run at start-up (`serve`, `worker`) and by
 * `npx postbag migrate`. Each one is written once for both dialects; only column types differ.
 */
const types = columnTypes;

function initial(dialect: Dialect): Migration {
  const t = types(dialect);
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

/**
 * Credits (built-in service metering): operator settings, per-tenant credit settings, users
 * (administrators get credit alerts), the package catalogue, credit grants (purchased or
 * allocated credit with what remains of it), calendar-month periods and the ledger.
 */
function credits(dialect: Dialect): Migration {
  const t = types(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("operator_settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("credit_settings")
        .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
        .addColumn("monthly_allowance", "integer")
        .addColumn("over_limit_policy", "text")
        .addColumn("grace_days", "integer")
        .addColumn("low_credit_recipients", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("email", "text")
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("users_tenant").on("users").columns(["tenant_id", "role"]).execute();
      await db.schema
        .createTable("packages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("credits", "integer", (c) => c.notNull())
        .addColumn("expires_in_days", "integer")
        .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("credit_grants")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.references("tenants.id"))
        .addColumn("group_id", "text", (c) => c.references("tenant_groups.id"))
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("package_id", "text")
        .addColumn("credits", "integer", (c) => c.notNull())
        // Every deduction runs under the tenant's period lock; the check catches any that would not.
        .addColumn("remaining", "integer", (c) => c.notNull().check(sql`remaining >= 0`))
        .addColumn("expires_at", t.time)
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("created_by", "text")
        // A purchase retried with the same Idempotency-Key is recorded once.
        .addColumn("idempotency_key", "text")
        .execute();
      await db.schema
        .createIndex("credit_grants_idempotency")
        .on("credit_grants")
        .columns(["tenant_id", "idempotency_key"])
        .unique()
        .execute();
      await db.schema.createIndex("credit_grants_tenant").on("credit_grants").columns(["tenant_id", "id"]).execute();
      await db.schema.createIndex("credit_grants_group").on("credit_grants").columns(["group_id", "id"]).execute();
      await db.schema
        .createTable("credit_periods")
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("period", "text", (c) => c.notNull())
        .addColumn("counted", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("low_alert_at", t.time)
        .addColumn("over_at", t.time)
        .addColumn("last_reminder_at", t.time)
        .addPrimaryKeyConstraint("credit_periods_pk", ["tenant_id", "period"])
        .execute();
      // The operator's reports read one month across all tenants.
      await db.schema
        .createIndex("credit_periods_period")
        .on("credit_periods")
        .columns(["period", "tenant_id"])
        .execute();
      await db.schema
        .createTable("credit_ledger")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text")
        .addColumn("group_id", "text")
        .addColumn("at", t.time, (c) => c.notNull())
        .addColumn("period", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("amount", "integer", (c) => c.notNull())
        .addColumn("grant_id", "text")
        .addColumn("recipient_id", "text")
        .addColumn("actor", "text")
        .addColumn("note", "text")
        .execute();
      await db.schema.createIndex("credit_ledger_tenant").on("credit_ledger").columns(["tenant_id", "id"]).execute();
      await db.schema.createIndex("credit_ledger_group").on("credit_ledger").columns(["group_id", "id"]).execute();
      await db.schema.createIndex("credit_ledger_grant").on("credit_ledger").columns(["grant_id"]).execute();
      // A recipient is charged at most once and refunded at most once, whatever retries or
      // crashes happen: the database refuses a second row of either kind.
      await db.schema
        .createIndex("credit_ledger_recipient")
        .on("credit_ledger")
        .columns(["recipient_id", "kind"])
        .unique()
        .execute();
      await db.schema
        .createTable("daily_usage_runs")
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("local_date", "text", (c) => c.notNull())
        .addColumn("at", t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint("daily_usage_runs_pk", ["tenant_id", "local_date"])
        .execute();
      // What a recipient was charged: null until its first attempt, then `uncounted`,
      // `allowance:<period>`, `over:<period>`, `grant:<period>:<grant id>` or
      // `refunded:<charge>` (see credits/meter.ts). And when it was sent, for reports.
      await db.schema.alterTable("recipients").addColumn("charge", "text").execute();
      await db.schema.alterTable("recipients").addColumn("sent_at", t.time).execute();
      // When the retry lifetime starts: acceptance, or the moment held mail was released.
      await db.schema.alterTable("recipients").addColumn("retry_from", t.time).execute();
      await db.schema
        .createIndex("recipients_tenant_sent")
        .on("recipients")
        .columns(["tenant_id", "sent_at"])
        .where(sql.ref("sent_at"), "is not", null)
        .execute();
    },
  };
}

function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    "0001_initial": initial(dialect),
    "0002_credits": credits(dialect),
    "0003_audience": audienceMigration(dialect),
    "0004_announcements": announcementsMigration(dialect),
    "0005_tracking": trackingMigration(dialect),
    "0006_own_account": ownAccountMigration(dialect),
    "0007_mailboxes": mailboxesMigration(dialect),
    "0009_people": peopleMigration(dialect),
  };
}

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** Brings the schema up to date. Safe to run from several processes at once on PostgreSQL. */
export async function migrate(database: Database): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations(database.dialect) },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new MigrationError(`database migration failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}
