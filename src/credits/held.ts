import type { Database } from "../db/database.js";
import { releaseNoCreditHold } from "../messages/recipient-state.js";

/**
 * Puts a tenant's mail held for lack of credit back in the outbox, oldest first (its next
 * attempt is its acceptance time, and the outbox claims by next attempt). Metering decides
 * again when each is claimed, so if the new credit runs out part of the way, the rest is held
 * again. Called after credit arrives (purchase, allocation, adjustment, a policy change) and
 * by the scheduler, which also covers the start of a new month.
 */
export async function releaseHeld(database: Database, tenantId: string, now: number, limit?: number): Promise<number> {
  // Held rows were never charged; the release clears the charge so metering charges them afresh,
  // and the retry lifetime starts again now: time spent held is not time spent retrying.
  return database.db.transaction().execute((tx) => releaseNoCreditHold(tx, tenantId, now, limit));
}

/** Tenants with held mail, for the scheduler's release sweep. */
export async function tenantsWithHeldMail(database: Database): Promise<string[]> {
  const rows = await database.db
    .selectFrom("recipients")
    .select("tenant_id")
    .where("status", "=", "held_no_credit")
    .groupBy("tenant_id")
    .execute();
  return rows.map((r) => r.tenant_id);
}
