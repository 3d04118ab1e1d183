import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";

/**
 * Puts a tenant's mail held for lack of credit back in the outbox, oldest first (its next
 * attempt is its acceptance time, and the outbox claims by next attempt). Metering decides
 * again when each is claimed, so if the new credit runs out part of the way, the rest is held
 * again. Called after credit arrives (purchase, allocation, adjustment, a policy change) and
 * by the scheduler, which also covers the start of a new month.
 */
export async function releaseHeld(database: Database, tenantId: string, now: number, limit?: number): Promise<number> {
  return database.db.transaction().execute(async (tx) => {
    // Held rows were never charged; clearing the charge lets metering charge them afresh. Only
    // the rows this statement moved get an event, so two releases at once never double them.
    // The retry lifetime starts again now: time spent held is not time spent retrying.
    let q = tx
      .updateTable("recipients")
      .set((eb) => ({
        status: "queued",
        next_attempt_at: eb.ref("created_at"),
        retry_from: now,
        charge: null,
        updated_at: now,
      }))
      .where("tenant_id", "=", tenantId)
      .where("status", "=", "held_no_credit");
    if (limit !== undefined) {
      // Oldest first, and no more than the credit can pay for: the rest would only be held again.
      q = q.where("id", "in", (eb) =>
        eb
          .selectFrom("recipients")
          .select("id")
          .where("tenant_id", "=", tenantId)
          .where("status", "=", "held_no_credit")
          .orderBy("created_at")
          .orderBy("id")
          .limit(limit),
      );
    }
    const released = await q.returning(["id", "message_id", "attempts"]).execute();
    for (let i = 0; i < released.length; i += 500) {
      await tx
        .insertInto("events")
        .values(
          released.slice(i, i + 500).map((r) => ({
            id: newId(now),
            tenant_id: tenantId,
            message_id: r.message_id,
            recipient_id: r.id,
            at: now,
            status: "queued",
            attempt: r.attempts,
            smtp_code: null,
            enhanced_code: null,
            smtp_text: "released: credit is available",
          })),
        )
        .execute();
    }
    return released.length;
  });
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
