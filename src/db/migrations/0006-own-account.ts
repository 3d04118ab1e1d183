import type { Kysely, Migration } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * A tenant's own mail account (docs/own-account.md): the live settings and the wizard's draft, each saved
 * whole (secrets encrypted apart from the rest), OAuth2 access tokens, the tenant's signature,
 * and the send gate that paces delivery across every worker.
 */
export function ownAccountMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      for (const table of ["account_settings", "account_drafts"]) {
        await db.schema
          .createTable(table)
          .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
          // JSON without secrets.
          .addColumn("settings", "text", (c) => c.notNull())
          // AES-256-GCM sealed JSON of the secrets (passwords, client secret, refresh token).
          .addColumn("secrets", "text")
          // Bumped on every save, so caches (transport pools, tokens) know they are stale.
          .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
          .addColumn("updated_at", t.time, (c) => c.notNull())
          .addColumn("updated_by", "text")
          .execute();
      }
      await db.schema
        .createTable("oauth_tokens")
        .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
        // The account settings version the token belongs to.
        .addColumn("settings_version", "integer", (c) => c.notNull())
        // Sealed access token, and (if the provider rotated it) the newest refresh token.
        .addColumn("access_token", "text")
        .addColumn("refresh_token", "text")
        .addColumn("expires_at", t.time)
        // Set when the provider refused the refresh token (revoked): the tenant's mail is held.
        .addColumn("revoked_at", t.time)
        .addColumn("revoked_reason", "text")
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("tenant_signatures")
        .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
        .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("text", "text")
        .addColumn("html", "text")
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("send_gates")
        .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
        // The earliest moment the tenant's next email may go out.
        .addColumn("next_at", t.time, (c) => c.notNull())
        .execute();
    },
  };
}
