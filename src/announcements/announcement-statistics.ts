import { sql } from "kysely";
import type { Database } from "../db/database.js";
import { type FailureReason, isFailureReason } from "../email/failure-reasons.js";
import { isRecipientStatus, type RecipientStatus, recipientStatuses } from "../email/statuses.js";
import { subjectIdsColumn } from "../messages/recipient-state.js";
import { suppressedAmong, suppressionKey } from "../messages/suppressions.js";
import { containsPattern } from "./announcement-store.js";

export interface AnnouncementStats {
  /** Every status, zeros included. */
  readonly counts: Readonly<Record<RecipientStatus, number>>;
  readonly total: number;
  /** Accepted by the recipient's server: sent, opened, or reported as spam after arriving. */
  readonly delivered: number;
  /** Still queued longer than the delayed threshold after they were queued. */
  readonly delayed: number;
  /** delivered ÷ total (0 when there are no recipients). */
  readonly deliveryRate: number;
  /** opened ÷ delivered (0 when nothing was delivered). */
  readonly openRate: number;
  /** Recorded opens that look automated (privacy proxies, scanners), not counted as reading. */
  readonly automatedOpens: number;
  /** Recipients with at least one open that does not look automated. */
  readonly humanOpens: number;
  /** Opens that do not look automated, per hour (start of the hour, ms), oldest first; hours without opens left out. */
  readonly opensByHour: readonly { readonly hour: number; readonly opens: number }[];
}

const HOUR = 3_600_000;

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** Counts per status and the rates, for one announcement's template message. */
export async function announcementStats(
  database: Database,
  tenantId: string,
  messageId: string,
  now: number,
  delayedAfterMs: number,
): Promise<AnnouncementStats> {
  const { db } = database;
  const cutoff = now - delayedAfterMs;
  const rows = await db
    .selectFrom("recipients")
    .select((eb) => [
      "status",
      eb.fn.countAll<number | string>().as("n"),
      sql<number | string | null>`sum(case when ${sql.ref("created_at")} < ${cutoff} then 1 else 0 end)`.as("old"),
    ])
    .where("tenant_id", "=", tenantId)
    .where("message_id", "=", messageId)
    // Each recipient once, by its latest delivery (a resend replaces the one before).
    .where("replaced_at", "is", null)
    .groupBy("status")
    .execute();
  const counts = Object.fromEntries(recipientStatuses.map((s) => [s, 0])) as Record<RecipientStatus, number>;
  let delayed = 0;
  for (const r of rows) {
    if (r.status in counts) counts[r.status as RecipientStatus] = Number(r.n);
    if (r.status === "queued") delayed = Number(r.old ?? 0);
  }
  const opens = await db
    .selectFrom("opens as o")
    .innerJoin("recipients as r", "r.id", "o.recipient_id")
    .select((eb) => [
      sql<number | string | null>`sum(case when ${sql.ref("o.automated")} = 1 then 1 else 0 end)`.as("automated"),
      eb.fn
        .count<number | string>(sql`case when ${sql.ref("o.automated")} = 0 then ${sql.ref("o.recipient_id")} end`)
        .distinct()
        .as("human"),
    ])
    .where("o.tenant_id", "=", tenantId)
    .where("r.tenant_id", "=", tenantId)
    .where("r.message_id", "=", messageId)
    .where("r.replaced_at", "is", null)
    .executeTakeFirst();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const delivered = counts.sent + counts.opened + counts.spam;
  return {
    counts,
    total,
    delivered,
    delayed,
    deliveryRate: total === 0 ? 0 : round(delivered / total),
    openRate: delivered === 0 ? 0 : round(counts.opened / delivered),
    automatedOpens: Number(opens?.automated ?? 0),
    humanOpens: Number(opens?.human ?? 0),
    opensByHour: await opensByHour(database, tenantId, messageId),
  };
}

/** Opens not automated, counted per hour in the database (every delivery of the announcement). */
async function opensByHour(database: Database, tenantId: string, messageId: string) {
  // Integer division on both dialects: both columns are integers.
  const hour = sql<number | string>`${sql.ref("o.at")} / ${sql.lit(HOUR)}`;
  const rows = await database.db
    .selectFrom("opens as o")
    .innerJoin("recipients as r", "r.id", "o.recipient_id")
    .select((eb) => [hour.as("h"), eb.fn.countAll<number | string>().as("n")])
    .where("o.tenant_id", "=", tenantId)
    .where("r.tenant_id", "=", tenantId)
    .where("r.message_id", "=", messageId)
    .where("o.automated", "=", 0)
    .groupBy(hour)
    .orderBy(hour)
    .limit(24 * 60)
    .execute();
  return rows.map((r) => ({ hour: Number(r.h) * HOUR, opens: Number(r.n) }));
}

export interface RecipientFilter {
  readonly status?: RecipientStatus | undefined;
  /** Part of the address or the contact's name, any case. */
  readonly search?: string | undefined;
  /** Recipient id of the last row of the previous page. */
  readonly after?: string | undefined;
  /** Every delivery, replaced ones too (default: each recipient's latest delivery only). */
  readonly allDeliveries?: boolean | undefined;
  readonly limit: number;
}

export interface AnnouncementRecipient {
  readonly recipientId: string;
  readonly email: string;
  readonly contactExternalId: string | null;
  readonly contactName: string | null;
  /** The email was for a contact the tenant deleted since: their name and address are erased. */
  readonly contactDeleted: boolean;
  /** Names of the subjects this email is about. */
  readonly subjects: readonly string[];
  readonly status: RecipientStatus;
  readonly updatedAt: number;
  readonly sentAt: number | null;
  readonly openedAt: number | null;
  readonly lastSmtpCode: number | null;
  readonly lastText: string | null;
  /** Why the last failure happened (email/failure-reasons.ts); null if none. */
  readonly reason: FailureReason | null;
  /** The delivery this one resends, and how that one ended; null for a first delivery. */
  readonly resendOf: string | null;
  readonly previousStatus: RecipientStatus | null;
  /** When a resend replaced this delivery; null while it is the latest. */
  readonly replacedAt: number | null;
  /** The address is on the tenant's suppression list. */
  readonly suppressed: boolean;
}

/** A page of one announcement's recipients in id order, filtered by status and search. */
export async function listAnnouncementRecipients(
  database: Database,
  tenantId: string,
  messageId: string,
  filter: RecipientFilter,
): Promise<AnnouncementRecipient[]> {
  const { db } = database;
  let q = db
    .selectFrom("recipients as r")
    .leftJoin("contacts as c", (join) => join.onRef("c.id", "=", "r.contact_id").on("c.tenant_id", "=", tenantId))
    .leftJoin("recipients as p", (join) => join.onRef("p.id", "=", "r.resend_of").on("p.tenant_id", "=", tenantId))
    .select([
      "r.id",
      "r.resend_of",
      "r.replaced_at",
      "p.status as previous_status",
      "r.email",
      "r.status",
      "r.updated_at",
      "r.sent_at",
      "r.opened_at",
      "r.last_smtp_code",
      "r.last_smtp_text",
      "r.last_reason",
      "r.subject_ids",
      "r.contact_id",
      "c.external_id",
      "c.name",
    ])
    .where("r.tenant_id", "=", tenantId)
    .where("r.message_id", "=", messageId);
  if (!filter.allDeliveries) q = q.where("r.replaced_at", "is", null);
  if (filter.status) q = q.where("r.status", "=", filter.status);
  if (filter.after) q = q.where("r.id", ">", filter.after);
  if (filter.search) {
    const pattern = containsPattern(filter.search);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`lower(${sql.ref("r.email")}) like ${pattern} escape '\\'`,
        sql<boolean>`lower(${sql.ref("c.name")}) like ${pattern} escape '\\'`,
        sql<boolean>`lower(${sql.ref("c.external_id")}) like ${pattern} escape '\\'`,
      ]),
    );
  }
  const rows = await q.orderBy("r.id").limit(filter.limit).execute();
  const subjectIds = new Set<string>();
  const parsed = rows.map((r) => {
    const ids = r.subject_ids ? subjectIdsColumn.decode(r.subject_ids) : [];
    for (const id of ids) subjectIds.add(id);
    return ids;
  });
  const names = new Map<string, string>();
  const wanted = [...subjectIds];
  for (let i = 0; i < wanted.length; i += 1_000) {
    const found = await db
      .selectFrom("subjects")
      .select(["id", "name"])
      .where("tenant_id", "=", tenantId)
      .where("id", "in", wanted.slice(i, i + 1_000))
      .execute();
    for (const s of found) names.set(s.id, s.name);
  }
  const suppressed = await suppressedAmong(
    db,
    tenantId,
    rows.map((r) => r.email),
  );
  return rows.map((r, i) => ({
    recipientId: r.id,
    email: r.email,
    contactExternalId: r.external_id,
    contactName: r.name,
    contactDeleted: r.contact_id !== null && r.external_id === null,
    subjects: (parsed[i] ?? []).map((id) => names.get(id) ?? "(deleted)"),
    status: r.status as RecipientStatus,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
    openedAt: r.opened_at,
    lastSmtpCode: r.last_smtp_code,
    lastText: r.last_smtp_text,
    reason: isFailureReason(r.last_reason) ? r.last_reason : null,
    resendOf: r.resend_of,
    previousStatus: r.previous_status !== null && isRecipientStatus(r.previous_status) ? r.previous_status : null,
    replacedAt: r.replaced_at,
    suppressed: suppressed.has(suppressionKey(r.email)),
  }));
}

/** Every recipient matching `filter`, a page at a time (for the CSV export). */
export async function* eachAnnouncementRecipient(
  database: Database,
  tenantId: string,
  messageId: string,
  filter: Omit<RecipientFilter, "after" | "limit">,
  pageSize = 1_000,
): AsyncGenerator<AnnouncementRecipient> {
  let after: string | undefined;
  for (;;) {
    const page = await listAnnouncementRecipients(database, tenantId, messageId, { ...filter, after, limit: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]?.recipientId;
  }
}
