import type { Kysely, Migration } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * Deleting a contact or a student (`DELETE /v1/contacts/:externalId`, `/v1/subjects/:externalId`)
 * leaves a tombstone: the external id alone, so that a later sync from the school's system does
 * not bring the person back unless its row says `"restore": true`. And the tenant's choices for
 * the recipient's own preference page: whether it offers a digest, and at what time and day.
 */
export function audienceErasureMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("audience_tombstones")
        .addColumn("tenant_id", "text", (c) => c.notNull())
        // `contact` or `subject`.
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("deleted_at", t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint("audience_tombstones_pk", ["tenant_id", "kind", "external_id"])
        .execute();
      await db.schema
        .createTable("digest_offer_settings")
        .addColumn("tenant_id", "text", (c) => c.primaryKey())
        // 1: the preference page offers a daily or weekly digest; 0: it offers only unsubscribing.
        .addColumn("offer", "integer", (c) => c.notNull())
        // `HH:MM` in the tenant's zone and 1 = Monday … 7, for digests chosen on that page.
        .addColumn("default_time", "text", (c) => c.notNull())
        .addColumn("default_weekday", "integer", (c) => c.notNull())
        .addColumn("updated_at", t.time, (c) => c.notNull())
        .execute();
    },
  };
}
