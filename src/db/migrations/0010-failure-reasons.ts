import type { Kysely, Migration } from "kysely";
import type { Dialect } from "../database.js";

/**
 * Why a delivery failed, from the closed list in `email/failure-reasons.ts` (`user_unknown`,
 * `mailbox_full`, `sender_rejected`, …): on each event of a recipient's history, and the latest
 * one on the recipient. Null where nothing failed, and on rows from before this migration.
 */
export function failureReasonsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("events").addColumn("reason", "text").execute();
      await db.schema.alterTable("recipients").addColumn("last_reason", "text").execute();
    },
  };
}
