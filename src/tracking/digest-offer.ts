import type { Db, Tx } from "../db/database.js";

/**
 * Whether the recipient's own preference page (the unsubscribe link) offers a daily or weekly
 * digest instead of unsubscribing, and the time and day such a digest gets. These defaults apply
 * only to choices made on that page, when they are made: digest times already chosen for a
 * contact (by the contact, or by the school through the API) stay as they are.
 */
export interface DigestOffer {
  readonly offer: boolean;
  /** `HH:MM` in the tenant's time zone. */
  readonly defaultTime: string;
  /** 1 = Monday … 7 = Sunday, for a weekly digest. */
  readonly defaultWeekday: number;
}

export const DEFAULT_DIGEST_OFFER: DigestOffer = { offer: true, defaultTime: "08:00", defaultWeekday: 5 };

export async function loadDigestOffer(db: Db | Tx, tenantId: string): Promise<DigestOffer> {
  const row = await db
    .selectFrom("digest_offer_settings")
    .select(["offer", "default_time", "default_weekday"])
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  return row
    ? { offer: Number(row.offer) === 1, defaultTime: row.default_time, defaultWeekday: Number(row.default_weekday) }
    : DEFAULT_DIGEST_OFFER;
}

/** Saves the tenant's offer; the caller has checked the time (`HH:MM`) and weekday (1–7). */
export async function saveDigestOffer(db: Db | Tx, tenantId: string, offer: DigestOffer, at: number) {
  const values = {
    offer: offer.offer ? 1 : 0,
    default_time: offer.defaultTime,
    default_weekday: offer.defaultWeekday,
    updated_at: at,
  };
  await db
    .insertInto("digest_offer_settings")
    .values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column("tenant_id").doUpdateSet(values))
    .execute();
  return offer;
}
