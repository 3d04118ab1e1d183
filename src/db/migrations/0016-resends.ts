import { type Kysely, type Migration, sql } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * Resending an announcement to a recipient (`POST /v1/announcements/:id/resend`) adds a new
 * delivery instead of rewriting the old one: `resend_of` is the delivery it replaces, and
 * `replaced_at` marks the replaced one, so reports count each original recipient once, by its
 * latest delivery (`replaced_at is null`), and the history keeps both.
 */
export function resendsMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("recipients").addColumn("resend_of", "text").execute();
      await db.schema.alterTable("recipients").addColumn("replaced_at", t.time).execute();
      await db.schema
        .createIndex("recipients_resend_of")
        .on("recipients")
        .columns(["resend_of"])
        .where(sql.ref("resend_of"), "is not", null)
        .execute();
    },
  };
}
