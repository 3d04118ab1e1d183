import type { Kysely, Migration } from "kysely";

/**
 * A contact's address corrected in Postbag (`PATCH /v1/contacts/:externalId`): `email_fixed_from`
 * keeps what the school's system last gave (the usable address, or the unusable text, or "" for
 * none), so that a later sync giving the same keeps the correction, and a sync giving something
 * new (the school fixed it at the source) wins again.
 */
export function contactAddressFixMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("contacts").addColumn("email_fixed_from", "text").execute();
    },
  };
}
