import { type Kysely, type Migration, sql } from "kysely";
import type { Dialect } from "../database.js";

/**
 * Why a recipient waits, as a value instead of prose (see docs/architecture.md, "Recipient
 * states"): `no_credit` (status `held_no_credit`), `hold_time` (an own account's "hold each email
 * N minutes"), `revoked_sign_in` (the own account's OAuth2 sign-in was revoked). Null: not held.
 * Rows held before this migration are marked from their status and from the sentence that used
 * to stand for a revoked sign-in.
 */
export function holdReasonMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("recipients").addColumn("hold_reason", "text").execute();
      await sql`update recipients set hold_reason = 'no_credit' where status = 'held_no_credit'`.execute(db);
      await sql`update recipients set hold_reason = 'revoked_sign_in'
        where next_attempt_at is not null and last_smtp_text =
          'held: the mail account''s sign-in was revoked; waiting for the account to be connected again'`.execute(db);
    },
  };
}
