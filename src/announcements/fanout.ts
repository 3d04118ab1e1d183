import { type SelectQueryBuilder, sql } from "kysely";
import type { Database, Db, Dialect, Tx } from "../db/database.js";
import { isAnyOf } from "../db/rows-table.js";
import type { NewEvent, NewRecipient, Tables } from "../db/tables.js";
import { audienceColumn } from "../messages/message-columns.js";
import { insertRecipients, newRecipient, subjectIdsColumn } from "../messages/recipient-state.js";
import type { Clock } from "../time/clock.js";
import type { AudienceInput } from "./compose.js";

export interface FanoutOptions {
  /** Contacts per transaction. */
  readonly chunkContacts?: number;
  /** How long a fan-out holds an announcement before another scheduler may take it over. */
  readonly leaseMs?: number;
  /** Stop after this many chunks, leaving the lease to expire (tests: a crash mid-way). */
  readonly maxChunks?: number;
  /**
   * Stop at the next chunk boundary (process shutdown): the lease is given back, so another
   * scheduler continues from the cursor at once instead of after the lease.
   */
  readonly signal?: AbortSignal;
  /** Called (and awaited) after each committed chunk that added recipients (wakes an idle delivery worker). */
  readonly onChunk?: (recipients: number) => void | Promise<void>;
}

/**
 * What became of one call: `sent` (fanned out completely), `cancelled` (cancelled before the
 * fan-out began), `busy` (another fan-out holds it, or it is not due or not there), `lost` (another
 * fan-out took over after this one's lease ran out), `interrupted` (stopped by `maxChunks` or
 * `signal`).
 */
export type FanoutOutcome = "sent" | "cancelled" | "busy" | "lost" | "interrupted";

export const DEFAULT_CHUNK_CONTACTS = 2_000;
export const DEFAULT_FANOUT_LEASE_MS = 60_000;
// Both dialects cap bound parameters per statement (SQLite 32766); recipient rows have ~20 columns.
const INSERT_ROWS = 1_000;

/** The fan-out moved on without us: roll back this chunk's transaction. */
class LeaseLost extends Error {}

/**
 * Fans one announcement out to its recipients, streaming: the audience is resolved once in the
 * database (`announcement_audience`), then taken a few thousand contacts at a time in contact
 * order, each chunk in one transaction that also records how far it got (`fanout_cursor`). The
 * cursor is compared and set at the start of each chunk, so if two fan-outs ever ran at once
 * (a lease that expired under a slow one), the second would fail that check and roll back
 * instead of adding recipients twice; after a crash the next run continues from the cursor.
 * A cancelled announcement never starts: the start checks the state under the lease.
 */
export async function fanOutAnnouncement(
  database: Database,
  clock: Clock,
  tenantId: string,
  announcementId: string,
  options: FanoutOptions = {},
): Promise<FanoutOutcome> {
  const chunkContacts = options.chunkContacts ?? DEFAULT_CHUNK_CONTACTS;
  const leaseMs = options.leaseMs ?? DEFAULT_FANOUT_LEASE_MS;
  const { db } = database;
  const now = clock.now();
  const claimed = await db
    .updateTable("announcements")
    .set({ fanout_lease_until: now + leaseMs })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", announcementId)
    .where("state", "in", ["scheduled", "sending"])
    .where("send_at", "<=", now)
    .where((eb) => eb.or([eb("fanout_lease_until", "is", null), eb("fanout_lease_until", "<", now)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return "busy";

  const announcement = await db
    .selectFrom("announcements")
    .select(["state", "fanout_cursor", "consolidate", "audience", "message_id"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", announcementId)
    .executeTakeFirstOrThrow();
  let cursor = announcement.fanout_cursor;
  if (announcement.state === "scheduled") {
    const started = await startFanout(database, clock, tenantId, announcementId, leaseMs, announcement.audience);
    if (!started) return "cancelled";
    cursor = "";
  }
  if (cursor === null) return "lost";

  const consolidate = announcement.consolidate === 1;
  for (let chunk = 0; ; chunk++) {
    if (options.maxChunks !== undefined && chunk >= options.maxChunks) return "interrupted";
    if (options.signal?.aborted) {
      await db
        .updateTable("announcements")
        .set({ fanout_lease_until: null })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", announcementId)
        .where("state", "=", "sending")
        .where("fanout_cursor", "=", cursor)
        .execute();
      return "interrupted";
    }
    let result: { next: string; added: number; done: boolean };
    try {
      const from = cursor;
      result = await db.transaction().execute((tx) =>
        fanOutChunk(tx, clock.now(), {
          tenantId,
          announcementId,
          messageId: announcement.message_id,
          cursor: from,
          consolidate,
          chunkContacts,
          leaseMs,
        }),
      );
    } catch (err) {
      if (err instanceof LeaseLost) return "lost";
      throw err;
    }
    if (result.added > 0) await options.onChunk?.(result.added);
    if (result.done) return "sent";
    cursor = result.next;
  }
}

/**
 * Moves a scheduled announcement to `sending` and writes its audience, in one transaction:
 * false when it is no longer scheduled (cancelled meanwhile).
 */
async function startFanout(
  database: Database,
  clock: Clock,
  tenantId: string,
  announcementId: string,
  leaseMs: number,
  audienceJson: string,
): Promise<boolean> {
  const audience: AudienceInput = audienceColumn.decode(audienceJson);
  return database.db.transaction().execute(async (tx) => {
    const now = clock.now();
    const moved = await tx
      .updateTable("announcements")
      .set({ state: "sending", fanout_cursor: "", fanout_lease_until: now + leaseMs })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", announcementId)
      .where("state", "=", "scheduled")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return false;
    await writeAudience(tx, database.dialect, tenantId, announcementId, audience);
    return true;
  });
}

/** One kind of audience entry as `(contact_id, subject_id)` rows. */
// biome-ignore lint/suspicious/noExplicitAny: each kind selects from its own tables; only the row shape matters.
export type AudienceSelect = SelectQueryBuilder<Tables, any, { contact_id: string; subject_id: string }>;

/**
 * The audience as rows `(contact_id, subject_id)`, resolved in the database, never through this
 * process: contacts named directly (subject ''), and the contacts who receive mail about each
 * subject named directly or through a group. Each list travels as one parameter (`isAnyOf`: both
 * dialects cap bound parameters per statement), so each kind is one statement whatever its size.
 * Repeats (a subject named twice, a subject in two groups) are left to the caller. The fan-out
 * writes these rows; the estimate (`estimate.ts`) counts them without writing.
 */
export function audienceSelects(
  db: Db | Tx,
  dialect: Dialect,
  tenantId: string,
  audience: AudienceInput,
): AudienceSelect[] {
  const selects: AudienceSelect[] = [];
  if (audience.contacts?.length) {
    selects.push(
      db
        .selectFrom("contacts")
        .select(["id as contact_id", sql<string>`''`.as("subject_id")])
        .where("tenant_id", "=", tenantId)
        .where(isAnyOf(dialect, "external_id", audience.contacts)),
    );
  }
  if (audience.subjects?.length) {
    selects.push(
      db
        .selectFrom("contact_subjects as cs")
        .innerJoin("subjects as s", "s.id", "cs.subject_id")
        .select(["cs.contact_id", "cs.subject_id"])
        .where("s.tenant_id", "=", tenantId)
        .where("cs.tenant_id", "=", tenantId)
        .where("cs.receives_mail", "=", 1)
        .where(isAnyOf(dialect, "s.external_id", audience.subjects)),
    );
  }
  if (audience.subjectGroups?.length) {
    selects.push(
      db
        .selectFrom("contact_subjects as cs")
        .innerJoin("subject_groups as g", "g.subject_id", "cs.subject_id")
        .select(["cs.contact_id", "cs.subject_id"])
        .where("g.tenant_id", "=", tenantId)
        .where("cs.tenant_id", "=", tenantId)
        .where("cs.receives_mail", "=", 1)
        .where(isAnyOf(dialect, "g.name", audience.subjectGroups)),
    );
  }
  return selects;
}

/** Writes the audience's rows (`audienceSelects`); the primary key drops repeats. */
async function writeAudience(
  tx: Tx,
  dialect: Dialect,
  tenantId: string,
  announcementId: string,
  audience: AudienceInput,
) {
  const announcement = sql<string>`cast(${announcementId} as text)`;
  const tenant = sql<string>`cast(${tenantId} as text)`;
  for (const source of audienceSelects(tx, dialect, tenantId, audience)) {
    await tx
      .insertInto("announcement_audience")
      .columns(["announcement_id", "tenant_id", "contact_id", "subject_id"])
      .expression(
        tx
          .selectFrom(source.as("src"))
          .select([announcement.as("a"), tenant.as("t"), "src.contact_id", "src.subject_id"])
          // SQLite reads `ON CONFLICT` after a bare FROM as a join constraint: a WHERE ends the FROM.
          .where(sql<boolean>`1 = 1`),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/**
 * The emails one contact gets, as the subjects each is about: one for a contact named directly
 * (no subject), one covering every subject when consolidating, else one per subject. The
 * fan-out writes these; the preview renders one of them.
 */
export function contactCopies(subjects: readonly string[], consolidate: boolean): string[][] {
  if (subjects.length === 0) return [[]];
  return consolidate ? [[...subjects]] : subjects.map((s) => [s]);
}

interface ChunkInput {
  readonly tenantId: string;
  readonly announcementId: string;
  readonly messageId: string;
  readonly cursor: string;
  readonly consolidate: boolean;
  readonly chunkContacts: number;
  readonly leaseMs: number;
}

/**
 * One chunk: the next `chunkContacts` contacts after the cursor become recipient rows (one per
 * contact when consolidating, else one per contact and subject; a contact named directly and
 * also through a subject gets only the subject's), with their first events. The audience rows
 * done are deleted and the cursor moves, all in the caller's transaction.
 */
async function fanOutChunk(
  tx: Tx,
  now: number,
  c: ChunkInput,
): Promise<{ next: string; added: number; done: boolean }> {
  // Compare-and-set first: it also locks the announcement row (PostgreSQL) until this commits.
  const held = await tx
    .updateTable("announcements")
    .set({ fanout_lease_until: now + c.leaseMs })
    .where("tenant_id", "=", c.tenantId)
    .where("id", "=", c.announcementId)
    .where("state", "=", "sending")
    .where("fanout_cursor", "=", c.cursor)
    .executeTakeFirst();
  if (Number(held.numUpdatedRows) !== 1) throw new LeaseLost();

  const contacts = await tx
    .selectFrom("announcement_audience")
    .select("contact_id")
    .distinct()
    .where("announcement_id", "=", c.announcementId)
    .where("contact_id", ">", c.cursor)
    .orderBy("contact_id")
    .limit(c.chunkContacts)
    .execute();
  const last = contacts[contacts.length - 1]?.contact_id;
  const done = contacts.length < c.chunkContacts;
  let added = 0;
  if (last !== undefined) {
    const rows = await tx
      .selectFrom("announcement_audience as a")
      .innerJoin("contacts as c", "c.id", "a.contact_id")
      .select(["a.contact_id", "a.subject_id", "c.email", "c.name"])
      .where("a.announcement_id", "=", c.announcementId)
      .where("c.tenant_id", "=", c.tenantId)
      .where("a.contact_id", ">", c.cursor)
      .where("a.contact_id", "<=", last)
      .orderBy("a.contact_id")
      .orderBy("a.subject_id")
      .execute();
    const recipients: NewRecipient[] = [];
    const events: NewEvent[] = [];
    const add = (contactId: string, email: string | null, name: string, subjectIds: readonly string[]) => {
      const planned = newRecipient({
        tenantId: c.tenantId,
        messageId: c.messageId,
        // '' when the contact has no usable address: delivery records it as email_missing.
        email: email ?? "",
        name,
        kind: "to",
        at: now,
        contactId,
        subjectIds: subjectIdsColumn.encode([...subjectIds]),
      });
      recipients.push(planned.recipient);
      events.push(planned.event);
    };
    // Rows come grouped by contact (ordered), subject '' first: gather one contact at a time.
    let i = 0;
    while (i < rows.length) {
      const first = rows[i];
      if (!first) break;
      const subjects: string[] = [];
      let j = i;
      for (; j < rows.length && rows[j]?.contact_id === first.contact_id; j++) {
        const s = rows[j]?.subject_id;
        if (s) subjects.push(s);
      }
      for (const copy of contactCopies(subjects, c.consolidate)) add(first.contact_id, first.email, first.name, copy);
      i = j;
    }
    for (let k = 0; k < recipients.length; k += INSERT_ROWS) {
      await insertRecipients(tx, recipients.slice(k, k + INSERT_ROWS), events.slice(k, k + INSERT_ROWS));
    }
    added = recipients.length;
    await tx
      .deleteFrom("announcement_audience")
      .where("announcement_id", "=", c.announcementId)
      .where("contact_id", "<=", last)
      .execute();
  }
  const next = last ?? c.cursor;
  await tx
    .updateTable("announcements")
    .set((eb) => ({
      fanout_cursor: next,
      recipient_count: eb("recipient_count", "+", added),
      ...(done ? { state: "sent", fanned_out_at: now, fanout_lease_until: null } : {}),
    }))
    .where("tenant_id", "=", c.tenantId)
    .where("id", "=", c.announcementId)
    .execute();
  if (done) {
    // Contacts deleted since the audience was written leave rows the join skipped.
    await tx.deleteFrom("announcement_audience").where("announcement_id", "=", c.announcementId).execute();
  }
  return { next, added, done };
}

/** Announcements whose time has come and that no fan-out holds, oldest first. */
export async function dueAnnouncements(
  database: Database,
  now: number,
  limit = 20,
): Promise<{ tenantId: string; id: string }[]> {
  const rows = await database.db
    .selectFrom("announcements")
    .select(["tenant_id", "id"])
    .where("state", "in", ["scheduled", "sending"])
    .where("send_at", "<=", now)
    .where((eb) => eb.or([eb("fanout_lease_until", "is", null), eb("fanout_lease_until", "<", now)]))
    .orderBy("send_at")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
}

/**
 * Fans out every due announcement (several schedulers may run this at once: each announcement
 * is claimed by its lease). Returns how many were completed by this call.
 */
export async function runDueFanouts(database: Database, clock: Clock, options: FanoutOptions = {}): Promise<number> {
  let completed = 0;
  for (const due of await dueAnnouncements(database, clock.now())) {
    if ((await fanOutAnnouncement(database, clock, due.tenantId, due.id, options)) === "sent") completed++;
  }
  return completed;
}
