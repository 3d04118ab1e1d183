import { DateTime } from "luxon";
import type { Db } from "../db/database.js";
import { ApiError } from "../errors/api-error.js";
import { findTenant, isValidTimezone } from "../tenants/tenants.js";

/**
 * A tenant's time zone changes from its next credit period (docs/credits.md): the new zone is
 * kept as pending until the 1st of next month at local midnight in the current zone, then it
 * becomes the zone (applied by `applyDueTimezones`, run by the housekeeping job, and on read).
 */
export interface TenantView {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly pendingTimezone: string | null;
  readonly timezoneEffectiveFrom: string | null;
}

export async function applyDueTimezones(db: Db, now: number): Promise<void> {
  const due = await db
    .selectFrom("tenants")
    .select(["id", "pending_timezone"])
    .where("pending_timezone", "is not", null)
    .where("timezone_effective_from", "<=", now)
    .execute();
  for (const t of due) {
    if (!t.pending_timezone) continue;
    await db
      .updateTable("tenants")
      .set({ timezone: t.pending_timezone, pending_timezone: null, timezone_effective_from: null })
      .where("id", "=", t.id)
      .where("pending_timezone", "=", t.pending_timezone)
      .execute();
  }
}

export async function tenantView(db: Db, tenantId: string, now: number): Promise<TenantView> {
  await applyDueTimezones(db, now);
  const t = await findTenant(db, tenantId);
  if (!t) throw new ApiError("not_found", "no such tenant");
  return {
    id: t.id,
    name: t.name,
    timezone: t.timezone,
    pendingTimezone: t.pending_timezone,
    timezoneEffectiveFrom:
      t.timezone_effective_from === null ? null : new Date(Number(t.timezone_effective_from)).toISOString(),
  };
}

/** Schedules a time zone change for the start of the next period; the current zone cancels it. */
export async function changeTimezone(db: Db, tenantId: string, timezone: string, now: number): Promise<TenantView> {
  if (!isValidTimezone(timezone)) {
    throw new ApiError("invalid_request", `${JSON.stringify(timezone.slice(0, 60))} is not an IANA time zone`);
  }
  const current = await tenantView(db, tenantId, now);
  if (timezone === current.timezone) {
    await db
      .updateTable("tenants")
      .set({ pending_timezone: null, timezone_effective_from: null })
      .where("id", "=", tenantId)
      .execute();
  } else {
    const from = DateTime.fromMillis(now, { zone: current.timezone }).startOf("month").plus({ months: 1 });
    await db
      .updateTable("tenants")
      .set({ pending_timezone: timezone, timezone_effective_from: from.toMillis() })
      .where("id", "=", tenantId)
      .execute();
  }
  return tenantView(db, tenantId, now);
}
