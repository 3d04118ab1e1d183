import { type Kysely, type Migration, sql } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * Credits (built-in service metering): operator settings, per-tenant credit settings, users
 * (administrators get credit alerts), the package catalogue, credit grants (purchased or
 * allocated credit with what remains of it), calendar-month periods and the ledger.
 */
export function creditsMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
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
