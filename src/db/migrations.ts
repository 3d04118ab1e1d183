import { type Migration, type MigrationResultSet, Migrator } from "kysely";
import type { Database, Dialect } from "./database.js";
import { initialMigration } from "./migrations/0001-initial.js";
import { creditsMigration } from "./migrations/0002-credits.js";
import { audienceMigration } from "./migrations/0003-audience.js";
import { announcementsMigration } from "./migrations/0004-announcements.js";
import { trackingMigration } from "./migrations/0005-tracking.js";
import { ownAccountMigration } from "./migrations/0006-own-account.js";
import { mailboxesMigration } from "./migrations/0007-mailboxes.js";
import { holdReasonMigration } from "./migrations/0008-hold-reason.js";
import { peopleMigration } from "./migrations/0009-people.js";
import { failureReasonsMigration } from "./migrations/0010-failure-reasons.js";
import { waitingIndexMigration } from "./migrations/0011-waiting-index.js";
import { sendingDomainsMigration } from "./migrations/0012-sending-domains.js";
import { jobLeasesMigration } from "./migrations/0013-job-leases.js";
import { fairClaimsMigration } from "./migrations/0014-fair-claims.js";
import { resendsMigration } from "./migrations/0016-resends.js";
import { audienceErasureMigration } from "./migrations/0017-audience-erasure.js";
import { accountConnectMigration } from "./migrations/0018-account-connect.js";
import { suspensionMigration } from "./migrations/0019-suspension.js";
import { contactAddressFixMigration } from "./migrations/0020-contact-address-fix.js";

/**
 * Migrations are code, listed in order, and run at start-up (`serve`, `worker`) and by
 * `npx postbag migrate`. Each one is written once for both dialects; only column types differ.
 * One file per migration in `migrations/`; the names below are what `kysely_migration` records,
 * so they never change (every migration is listed in docs/architecture.md).
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    "0001_initial": initialMigration(dialect),
    "0002_credits": creditsMigration(dialect),
    "0003_audience": audienceMigration(dialect),
    "0004_announcements": announcementsMigration(dialect),
    "0005_tracking": trackingMigration(dialect),
    "0006_own_account": ownAccountMigration(dialect),
    "0007_mailboxes": mailboxesMigration(dialect),
    "0008_hold_reason": holdReasonMigration(dialect),
    "0009_people": peopleMigration(dialect),
    "0010_failure_reasons": failureReasonsMigration(dialect),
    "0011_waiting_index": waitingIndexMigration(),
    "0012_sending_domains": sendingDomainsMigration(dialect),
    "0013_job_leases": jobLeasesMigration(dialect),
    "0014_fair_claims": fairClaimsMigration(),
    "0016_resends": resendsMigration(dialect),
    "0017_audience_erasure": audienceErasureMigration(dialect),
    "0018_account_connect": accountConnectMigration(dialect),
    "0019_suspension": suspensionMigration(dialect),
    "0020_contact_address_fix": contactAddressFixMigration(),
  };
}

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** Brings the schema up to date. Safe to run from several processes at once on PostgreSQL. */
export async function migrate(database: Database): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations(database.dialect) },
    // Numbers are handed out to work in progress, so one may land after a higher one was applied
    // (0011 after 0014): it still runs, once.
    allowUnorderedMigrations: true,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new MigrationError(`database migration failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}
