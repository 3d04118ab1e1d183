import { type Kysely, type Migration, sql } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * The settings wizard's connect and test (docs/own-account.md):
 * - `oauth_authorizations`: one row per OAuth2 Connect (authorization-code flow with PKCE),
 *   keyed by a hash of its `state`, bound to the tenant, the person and the draft, with the
 *   sealed PKCE verifier; single use (`used_at`) and expiring.
 * - `account_tests`: fingerprints of account steps that passed Test connection; Finish refuses an
 *   own-account draft whose account step is not among them.
 * - `tenants.open_received_attachments`: whether people may open attachments of received mail.
 */
export function accountConnectMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("oauth_authorizations")
        // SHA-256 of the state sent to the provider, hex: the state itself is never stored.
        .addColumn("state_hash", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        // Who clicked Connect (`person:<id>`, or `key:<id>` for an API key), and the draft version then.
        .addColumn("started_by", "text", (c) => c.notNull())
        .addColumn("draft_version", "integer", (c) => c.notNull())
        .addColumn("provider", "text", (c) => c.notNull())
        .addColumn("redirect_uri", "text", (c) => c.notNull())
        // Sealed PKCE code verifier.
        .addColumn("code_verifier", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("expires_at", t.time, (c) => c.notNull())
        .addColumn("used_at", t.time)
        .execute();
      await db.schema
        .createIndex("oauth_authorizations_tenant")
        .on("oauth_authorizations")
        .columns(["tenant_id", "created_at"])
        .execute();
      await db.schema
        .createTable("account_tests")
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        // HMAC of the account step's values (servers, logins, secrets, sender address).
        .addColumn("fingerprint", "text", (c) => c.notNull())
        .addColumn("passed_at", t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint("account_tests_pk", ["tenant_id", "fingerprint"])
        .execute();
      await db.schema
        .alterTable("tenants")
        .addColumn("open_received_attachments", "integer", (c) => c.notNull().defaultTo(sql`1`))
        .execute();
    },
  };
}
