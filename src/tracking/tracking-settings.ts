import type { Db, Tx } from "../db/database.js";

/** A tenant's tracking choices. Open tracking is on unless the tenant turned it off. */
export interface TrackingSettings {
  readonly trackOpens: boolean;
}

export const DEFAULT_TRACKING_SETTINGS: TrackingSettings = { trackOpens: true };

export async function loadTrackingSettings(db: Db | Tx, tenantId: string): Promise<TrackingSettings> {
  const row = await db
    .selectFrom("tracking_settings")
    .select("track_opens")
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  return row ? { trackOpens: row.track_opens === 1 } : DEFAULT_TRACKING_SETTINGS;
}

export async function saveTrackingSettings(
  db: Db | Tx,
  tenantId: string,
  settings: TrackingSettings,
  at: number,
): Promise<TrackingSettings> {
  const track_opens = settings.trackOpens ? 1 : 0;
  await db
    .insertInto("tracking_settings")
    .values({ tenant_id: tenantId, track_opens, updated_at: at })
    .onConflict((oc) => oc.column("tenant_id").doUpdateSet({ track_opens, updated_at: at }))
    .execute();
  return { trackOpens: settings.trackOpens };
}
