import { type Kysely, type Migration, sql } from "kysely";

/**
 * Fair claims (`delivery/outbox.ts`): the outbox indexed by tenant, so the claim finds the
 * tenants with due mail by skipping from one tenant to the next, and reads each tenant's
 * oldest due rows with one range scan. Partial like `recipients_due`: only rows with work left.
 */
export function fairClaimsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex("recipients_tenant_due")
        .on("recipients")
        .columns(["tenant_id", "next_attempt_at"])
        .where(sql.ref("next_attempt_at"), "is not", null)
        .execute();
    },
  };
}
