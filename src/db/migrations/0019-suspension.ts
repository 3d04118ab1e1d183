import type { Kysely, Migration } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * The operator's console (docs/console.md): suspending a tenant, and the notices the operator
 * sends a tenant's administrators.
 *
 * - `tenants.suspended_at` (null: not suspended), `suspended_note`: who suspended it and why.
 * - `recipients.suspended_due_at` / `suspended_hold_reason`: a waiting row's due time and hold
 *   reason before the suspension held it (`hold_reason = 'suspended'`), put back on resume.
 * - `operator_notices`: every notice the operator sent a tenant (the Contact action), newest
 *   first per tenant.
 */
export function suspensionMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("tenants").addColumn("suspended_at", t.time).execute();
      await db.schema.alterTable("tenants").addColumn("suspended_note", "text").execute();
      await db.schema.alterTable("recipients").addColumn("suspended_due_at", t.time).execute();
      await db.schema.alterTable("recipients").addColumn("suspended_hold_reason", "text").execute();
      await db.schema
        .createTable("operator_notices")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("at", t.time, (c) => c.notNull())
        .addColumn("template", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("recipients", "integer", (c) => c.notNull())
        .addColumn("sent_by", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("operator_notices_tenant")
        .on("operator_notices")
        .columns(["tenant_id", "id"])
        .execute();
    },
  };
}
