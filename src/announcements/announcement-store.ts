import { sql } from "kysely";
import type { Database } from "../db/database.js";
import type { AnnouncementRow } from "../db/tables.js";
import { ApiError } from "../errors/api-error.js";
import type { Clock } from "../time/clock.js";

/** An announcement with what its template says (subject, category, attachments). */
export interface AnnouncementDetail {
  readonly announcement: AnnouncementRow;
  readonly subject: string;
  readonly category: string;
  readonly text: string | null;
  readonly html: string | null;
  readonly attachments: readonly { filename: string; content_type: string; size_bytes: number }[];
}

const announcementColumns = [
  "a.id",
  "a.tenant_id",
  "a.message_id",
  "a.state",
  "a.essential",
  "a.consolidate",
  "a.use_signature",
  "a.audience",
  "a.merge_data",
  "a.send_at",
  "a.created_by",
  "a.created_at",
  "a.fanout_cursor",
  "a.fanout_lease_until",
  "a.fanned_out_at",
  "a.cancelled_at",
  "a.recipient_count",
] as const;

/** One announcement of one tenant; another tenant's id is simply not found. */
export async function getAnnouncement(
  database: Database,
  tenantId: string,
  id: string,
): Promise<AnnouncementDetail | undefined> {
  const { db } = database;
  const row = await db
    .selectFrom("announcements as a")
    .innerJoin("messages as m", "m.id", "a.message_id")
    .select([...announcementColumns, "m.subject", "m.category", "m.text_body", "m.html_body"])
    .where("a.tenant_id", "=", tenantId)
    .where("m.tenant_id", "=", tenantId)
    .where("a.id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const attachments = await db
    .selectFrom("attachments")
    .select(["filename", "content_type", "size_bytes"])
    .where("tenant_id", "=", tenantId)
    .where("message_id", "=", row.message_id)
    .orderBy("position")
    .execute();
  const { subject, category, text_body, html_body, ...announcement } = row;
  return { announcement, subject, category, text: text_body, html: html_body, attachments };
}

/** LIKE pattern for "contains", with the pattern characters of the search escaped. */
export function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A tenant's announcements, newest first, `limit` after the id `before`; `search` matches part
 * of the subject (any case), `states` keeps those in these states.
 */
export async function listAnnouncements(
  database: Database,
  tenantId: string,
  page: {
    before?: string | undefined;
    limit: number;
    search?: string | undefined;
    states?: readonly string[] | undefined;
  },
): Promise<Array<{ announcement: AnnouncementRow; subject: string; category: string }>> {
  let q = database.db
    .selectFrom("announcements as a")
    .innerJoin("messages as m", "m.id", "a.message_id")
    .select([...announcementColumns, "m.subject", "m.category"])
    .where("a.tenant_id", "=", tenantId)
    .where("m.tenant_id", "=", tenantId);
  if (page.before) q = q.where("a.id", "<", page.before);
  if (page.states?.length) q = q.where("a.state", "in", [...page.states]);
  if (page.search) {
    q = q.where(sql<boolean>`lower(${sql.ref("m.subject")}) like ${containsPattern(page.search)} escape '\\'`);
  }
  const rows = await q.orderBy("a.id", "desc").limit(page.limit).execute();
  return rows.map(({ subject, category, ...announcement }) => ({ announcement, subject, category }));
}

/**
 * Cancels an announcement whose fan-out has not begun. Cancelling twice is harmless; once the
 * fan-out has started (recipients are being queued) it is a conflict: the mail already queued
 * is on its way. Undefined when the tenant has no such announcement.
 */
export async function cancelAnnouncement(
  database: Database,
  clock: Clock,
  tenantId: string,
  id: string,
): Promise<AnnouncementRow | undefined> {
  const now = clock.now();
  // One conditional UPDATE: the fan-out's start makes the same state check, so exactly one wins.
  await database.db
    .updateTable("announcements")
    .set({ state: "cancelled", cancelled_at: now, fanout_lease_until: null })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .where("state", "=", "scheduled")
    .execute();
  const row = await database.db
    .selectFrom("announcements")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.state !== "cancelled") {
    throw new ApiError(
      "conflict",
      row.state === "sent"
        ? "this announcement has already been sent to its recipients; it can no longer be cancelled"
        : "this announcement's recipients are already being queued for delivery; it can no longer be cancelled",
    );
  }
  return row;
}
