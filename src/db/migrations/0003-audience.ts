import type { Kysely, Migration } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * The audience a tenant writes to: contacts (parents, clients), subjects (students), the links
 * between them, and each contact's preferences (opt-outs per category, digest choice). The
 * tenant's own system is the source of truth, so rows are keyed by the tenant's external ids.
 */
export function audienceMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("contacts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        // The usable address (lower-cased domain), or null when there is none.
        .addColumn("email", "text")
        // What was given when it was not usable (kept, so the school can see and fix it).
        .addColumn("email_given", "text")
        .addColumn("email_problem", "text")
        // `none`, `daily` or `weekly`; the time is `HH:MM` in the tenant's zone; weekday 1 = Monday.
        .addColumn("digest", "text", (c) => c.notNull().defaultTo("none"))
        .addColumn("digest_time", "text")
        .addColumn("digest_weekday", "integer")
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("contacts_external")
        .on("contacts")
        .columns(["tenant_id", "external_id"])
        .unique()
        .execute();
      await db.schema.createIndex("contacts_email").on("contacts").columns(["tenant_id", "email"]).execute();
      // Lists page through a tenant's rows in id (creation) order.
      await db.schema.createIndex("contacts_tenant_id").on("contacts").columns(["tenant_id", "id"]).execute();
      await db.schema
        .createTable("subjects")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        /** JSON array of group names (year, class), as given. */
        .addColumn("groups", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("subjects_external")
        .on("subjects")
        .columns(["tenant_id", "external_id"])
        .unique()
        .execute();
      await db.schema.createIndex("subjects_tenant_id").on("subjects").columns(["tenant_id", "id"]).execute();
      // One row per (subject, group), so an audience by group is an index lookup.
      await db.schema
        .createTable("subject_groups")
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("subject_id", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("subject_groups_pk", ["subject_id", "name"])
        .execute();
      await db.schema
        .createIndex("subject_groups_name")
        .on("subject_groups")
        .columns(["tenant_id", "name", "subject_id"])
        .execute();
      await db.schema
        .createTable("contact_subjects")
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("contact_id", "text", (c) => c.notNull())
        .addColumn("subject_id", "text", (c) => c.notNull())
        .addColumn("relationship", "text")
        .addColumn("receives_mail", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint("contact_subjects_pk", ["contact_id", "subject_id"])
        .execute();
      await db.schema
        .createIndex("contact_subjects_subject")
        .on("contact_subjects")
        .columns(["tenant_id", "subject_id", "contact_id"])
        .execute();
      await db.schema
        .createTable("contact_opt_outs")
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("contact_id", "text", (c) => c.notNull())
        .addColumn("category", "text", (c) => c.notNull())
        // `link` (the unsubscribe page), `one_click` (RFC 8058 POST), `api`.
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("at", t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint("contact_opt_outs_pk", ["contact_id", "category"])
        .execute();
      await db.schema
        .createIndex("contact_opt_outs_tenant")
        .on("contact_opt_outs")
        .columns(["tenant_id", "contact_id"])
        .execute();
    },
  };
}
