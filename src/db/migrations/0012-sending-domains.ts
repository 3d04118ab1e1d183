import { type Kysely, type Migration, sql } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * Sending domains (a tenant's own domain with its DKIM key), the tenant's sender settings, and
 * the MIME of messages submitted over SMTP (kept as submitted).
 */
export function sendingDomainsMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("sending_domains")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        // Lower-case, no trailing dot.
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("selector", "text", (c) => c.notNull())
        // PKCS#8 PEM sealed with secret-box under `dkim:<tenant>:<domain id>`; never returned.
        .addColumn("private_key", "text", (c) => c.notNull())
        // Base64 SPKI DER: the `p=` of the DKIM record.
        .addColumn("public_key", "text", (c) => c.notNull())
        // `pending`, `verified` or `failed`.
        .addColumn("status", "text", (c) => c.notNull())
        // JSON: the records as last checked (`{type, name, value, status, found}`).
        .addColumn("records", "text", (c) => c.notNull())
        .addColumn("verified_at", t.time)
        .addColumn("checked_at", t.time)
        .addColumn("created_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("sending_domains_tenant_domain")
        .on("sending_domains")
        .columns(["tenant_id", "domain"])
        .unique()
        .execute();
      // One tenant at a time may have a domain verified: the index settles two verifying at once.
      await db.schema
        .createIndex("sending_domains_verified")
        .on("sending_domains")
        .column("domain")
        .unique()
        .where(sql.ref("status"), "=", "verified")
        .execute();
      await db.schema
        .createTable("sender_settings")
        .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
        .addColumn("generic_address", "text")
        .addColumn("from_name", "text")
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      // SMTP submission keeps the client's MIME (minus Bcc and X-Postbag-*); null for API mail.
      await db.schema.alterTable("messages").addColumn("raw_mime", t.blob).execute();
    },
  };
}
