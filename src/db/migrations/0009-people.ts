import type { Kysely, Migration } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";
import { newId } from "../ids.js";

/**
 * People who sign in (docs/console.md): a person per email address, their memberships (the
 * existing `users` rows, now linked to a person), server-side sessions, single-use links
 * (sign-in, password reset, invitation; only a hash stored), the shared rate-limit counters,
 * the audit trail, who created each API key and when it was last used, package prices, and a
 * tenant's pending time zone change.
 */
export function peopleMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("people")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.notNull())
        // Lower-cased address: unique across Postbag.
        .addColumn("email_key", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        // `scrypt$N$r$p$salt$hash`, or null before the person chose one.
        .addColumn("password_hash", "text")
        .addColumn("password_changed_at", t.time)
        .addColumn("operator", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("last_sign_in_at", t.time)
        .execute();
      await db.schema.alterTable("users").addColumn("person_id", "text").execute();
      await db.schema.createIndex("users_person").on("users").columns(["person_id"]).execute();
      await db.schema
        .createTable("sessions")
        // SHA-256 of the cookie's value: a leaked table signs nobody in.
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("person_id", "text", (c) => c.notNull())
        .addColumn("active_tenant_id", "text")
        .addColumn("csrf_token", "text", (c) => c.notNull())
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("last_seen_at", t.time, (c) => c.notNull())
        .addColumn("expires_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_person").on("sessions").columns(["person_id"]).execute();
      await db.schema
        .createTable("auth_links")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        // `sign_in`, `password_reset` or `invitation`.
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("person_id", "text", (c) => c.notNull())
        .addColumn("tenant_id", "text")
        .addColumn("role", "text")
        .addColumn("created_at", t.time, (c) => c.notNull())
        .addColumn("expires_at", t.time, (c) => c.notNull())
        .addColumn("used_at", t.time)
        .execute();
      await db.schema.createIndex("auth_links_person").on("auth_links").columns(["person_id", "kind"]).execute();
      await db.schema
        .createTable("rate_limits")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("count", "integer", (c) => c.notNull())
        .addColumn("reset_at", t.time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("audit_events")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text")
        .addColumn("at", t.time, (c) => c.notNull())
        // `person` or `key`.
        .addColumn("actor_kind", "text", (c) => c.notNull())
        .addColumn("actor_id", "text", (c) => c.notNull())
        .addColumn("actor_name", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target", "text")
        // Plain text, one line.
        .addColumn("detail", "text")
        .execute();
      await db.schema.createIndex("audit_events_tenant").on("audit_events").columns(["tenant_id", "id"]).execute();
      await db.schema.alterTable("api_keys").addColumn("created_by_kind", "text").execute();
      await db.schema.alterTable("api_keys").addColumn("created_by_id", "text").execute();
      await db.schema.alterTable("api_keys").addColumn("created_by_name", "text").execute();
      await db.schema.alterTable("api_keys").addColumn("last_used_at", t.time).execute();
      // In minor units (cents): 2500 with `EUR` is 25.00 EUR.
      await db.schema.alterTable("packages").addColumn("price_minor", "integer").execute();
      await db.schema.alterTable("packages").addColumn("price_currency", "text").execute();
      await db.schema.alterTable("tenants").addColumn("pending_timezone", "text").execute();
      await db.schema.alterTable("tenants").addColumn("timezone_effective_from", t.time).execute();

      // Every existing user with an address becomes (or joins) the person with that address;
      // the users row stays as the membership, so credit mail and /v1/users are unchanged.
      const users = await db
        .selectFrom("users")
        .select(["id", "email", "name", "created_at"])
        .where("email", "is not", null)
        .orderBy("id")
        .execute();
      const byKey = new Map<string, string>();
      for (const u of users as { id: string; email: string; name: string; created_at: number }[]) {
        const key = u.email.toLowerCase();
        let personId = byKey.get(key);
        if (!personId) {
          personId = newId(Number(u.created_at));
          byKey.set(key, personId);
          await db
            .insertInto("people")
            .values({
              id: personId,
              email: u.email,
              email_key: key,
              name: u.name,
              password_hash: null,
              password_changed_at: null,
              operator: 0,
              created_at: Number(u.created_at),
              last_sign_in_at: null,
            })
            .execute();
        }
        await db.updateTable("users").set({ person_id: personId }).where("id", "=", u.id).execute();
      }
    },
  };
}
