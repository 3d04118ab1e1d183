import { type Kysely, type Migration, sql } from "kysely";

/**
 * The queue-depth metric (`delivery/queue-stats.ts`, `queueDepth`) counts the recipients the
 * outbox still works on, by status, and those leased. Without an index that meant reading every
 * recipient ever sent. This partial index holds only waiting rows (statuses `queued`,
 * `soft_bounce`, `held_no_credit`, `pending_digest`) with their lease owner, so the count reads
 * the index alone, and its size follows the outbox, not the history.
 */
export function waitingIndexMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex("recipients_waiting")
        .on("recipients")
        .columns(["status", "lease_owner"])
        .where(sql.ref("status"), "in", [
          sql.lit("queued"),
          sql.lit("soft_bounce"),
          sql.lit("held_no_credit"),
          sql.lit("pending_digest"),
        ])
        .execute();
    },
  };
}
