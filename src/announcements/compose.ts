import { sql } from "kysely";
import { loadAttachmentPolicy } from "../accounts/account-settings.js";
import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import { missingFrom } from "../db/rows-table.js";
import type { AnnouncementRow } from "../db/tables.js";
import { quote } from "../email/address.js";
import { isCategory } from "../email/categories.js";
import { sanitizeAnnouncementHtml } from "../email/html-sanitiser.js";
import { ApiError, type ErrorDetail } from "../errors/api-error.js";
import { audienceColumn, mergeDataColumn } from "../messages/message-columns.js";
import { insertPlanned, planMessage } from "../messages/message-store.js";
import { type AttachmentInput, type PrepareLimits, prepareMessage } from "../messages/prepare.js";
import type { Clock } from "../time/clock.js";
import { mergeFieldProblems } from "./merge-field-syntax.js";

/** Who an announcement goes to, in the tenant's own terms (external ids, group names). */
export interface AudienceInput {
  readonly contacts?: readonly string[] | undefined;
  readonly subjects?: readonly string[] | undefined;
  readonly subjectGroups?: readonly string[] | undefined;
}

export interface AnnouncementInput {
  readonly subject: string;
  readonly text?: string | undefined;
  readonly html?: string | undefined;
  readonly audience: AudienceInput;
  readonly consolidate: boolean;
  readonly essential: boolean;
  readonly category?: string | undefined;
  /** ISO 8601; default now. */
  readonly sendAt?: string | undefined;
  readonly attachments?: readonly AttachmentInput[] | undefined;
  readonly useSignature?: boolean | undefined;
  /** `{ <subject external id>: { field: value } }` for `{{subject.<field>}}`. */
  readonly mergeData?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
}

/** Audience entries that matched nothing of the tenant's (reported, not stored). */
export interface UnresolvedAudience {
  readonly contacts: readonly string[];
  readonly subjects: readonly string[];
  readonly subjectGroups: readonly string[];
}

export interface ComposeOptions {
  readonly limits: PrepareLimits;
  readonly messageIdDomain: string;
  /** The API key that wrote it, for the record. */
  readonly createdBy: string | null;
}

/** How far ahead an announcement may be scheduled, and how late a "now" may arrive. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3_600_000;
export const PAST_TOLERANCE_MS = 60_000;
/** Entries per audience list; a school's whole roll fits many times over. */
export const MAX_AUDIENCE_ENTRIES = 200_000;
const MAX_GROUPS = 1_000;
const MERGE_FIELD_NAME = /^[A-Za-z0-9_]{1,64}$/;
const MAX_MERGE_VALUE = 2_000;
// Categories an announcement may not claim: Postbag's own notices and digests, and password
// resets (free or never held, so they must be one person's reset link, not a bulk mailing).
const NOT_FOR_ANNOUNCEMENTS: ReadonlySet<string> = new Set([
  "notice",
  "digest",
  "password_reset_parent",
  "password_reset_system",
]);

function normalisedList(values: readonly string[] | undefined, max: number, path: string): string[] {
  const list = [...new Set(values ?? [])];
  if (list.length > max) throw new ApiError("invalid_request", `${path}: at most ${max} entries`);
  return list;
}

function checkSendAt(sendAt: string | undefined, now: number): number {
  if (sendAt === undefined) return now;
  const at = Date.parse(sendAt);
  if (!Number.isFinite(at)) {
    throw new ApiError("invalid_request", "sendAt must be an ISO 8601 date-time", [
      { path: "/sendAt", message: "not a date-time" },
    ]);
  }
  if (at < now - PAST_TOLERANCE_MS) {
    throw new ApiError("invalid_request", `sendAt ${sendAt} is in the past; leave it out to send now`, [
      { path: "/sendAt", message: "in the past" },
    ]);
  }
  if (at > now + MAX_SCHEDULE_AHEAD_MS) {
    throw new ApiError("invalid_request", "sendAt is more than a year ahead", [
      { path: "/sendAt", message: "too far ahead" },
    ]);
  }
  return Math.max(at, now);
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x1f || code === 0x7f) return true;
  }
  return false;
}

function checkMergeData(mergeData: AnnouncementInput["mergeData"]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const [subject, fields] of Object.entries(mergeData ?? {})) {
    for (const [field, value] of Object.entries(fields)) {
      const path = `/mergeData/${subject.slice(0, 80)}/${field.slice(0, 80)}`;
      if (!MERGE_FIELD_NAME.test(field)) {
        problems.push({
          path,
          message: `merge field name ${quote(field.slice(0, 80))}: letters, digits and underscore only`,
        });
      } else if (value.length > MAX_MERGE_VALUE) {
        problems.push({ path, message: `merge value longer than ${MAX_MERGE_VALUE} characters` });
        // Values may land in the Subject header: no CR, LF or other control characters.
      } else if (hasControlCharacter(value)) {
        problems.push({ path, message: "merge values may not contain control characters (CR, LF, …)" });
      }
    }
  }
  return problems;
}

/**
 * The entries of `wanted` that match none of the tenant's rows: one statement whatever the
 * list's length (a list of 100,000 subject ids used to take 100 statements of 1,000).
 */
async function missing(
  database: Database,
  tenantId: string,
  wanted: readonly string[],
  table: "contacts" | "subjects" | "subject_groups",
): Promise<Set<string>> {
  if (wanted.length === 0) return new Set();
  const column = table === "subject_groups" ? "name" : "external_id";
  const { rows } = await missingFrom(
    database.dialect,
    wanted,
    (entry) =>
      sql`select 1 from ${sql.table(table)} t where t.tenant_id = ${tenantId} and ${sql.ref(`t.${column}`)} = ${entry}`,
  ).execute(database.db);
  return new Set(rows.map((r) => r.v));
}

/**
 * Checks an audience against the tenant's data: entries that match nothing are reported. An
 * audience in which nothing at all matches is refused (it would send to no one, almost surely
 * a mistake such as ids from another system); otherwise the unmatched ones are only reported,
 * since the tenant's sync may lag behind the system the ids came from.
 */
export async function resolveAudience(
  database: Database,
  tenantId: string,
  audience: AudienceInput,
): Promise<{ audience: Required<{ [K in keyof AudienceInput]: string[] }>; unresolved: UnresolvedAudience }> {
  const contacts = normalisedList(audience.contacts, MAX_AUDIENCE_ENTRIES, "/audience/contacts");
  const subjects = normalisedList(audience.subjects, MAX_AUDIENCE_ENTRIES, "/audience/subjects");
  const subjectGroups = normalisedList(audience.subjectGroups, MAX_GROUPS, "/audience/subjectGroups");
  if (contacts.length + subjects.length + subjectGroups.length === 0) {
    throw new ApiError("invalid_request", "the audience is empty: name contacts, subjects or subjectGroups", [
      { path: "/audience", message: "empty" },
    ]);
  }
  const [missingContacts, missingSubjects, missingGroups] = [
    await missing(database, tenantId, contacts, "contacts"),
    await missing(database, tenantId, subjects, "subjects"),
    await missing(database, tenantId, subjectGroups, "subject_groups"),
  ];
  const unresolved = {
    contacts: contacts.filter((c) => missingContacts.has(c)),
    subjects: subjects.filter((s) => missingSubjects.has(s)),
    subjectGroups: subjectGroups.filter((g) => missingGroups.has(g)),
  };
  const found =
    contacts.length -
    missingContacts.size +
    subjects.length -
    missingSubjects.size +
    subjectGroups.length -
    missingGroups.size;
  if (found === 0) {
    const details: ErrorDetail[] = [
      ...unresolved.contacts
        .slice(0, 10)
        .map((c) => ({ path: "/audience/contacts", message: `unknown contact ${quote(c)}` })),
      ...unresolved.subjects
        .slice(0, 10)
        .map((s) => ({ path: "/audience/subjects", message: `unknown subject ${quote(s)}` })),
      ...unresolved.subjectGroups
        .slice(0, 10)
        .map((g) => ({ path: "/audience/subjectGroups", message: `unknown subject group ${quote(g)}` })),
    ];
    throw new ApiError(
      "invalid_request",
      "nothing in the audience matches this tenant's contacts, subjects or groups",
      details,
    );
  }
  return { audience: { contacts, subjects, subjectGroups }, unresolved };
}

/**
 * Validates and stores an announcement: its template message (merge fields checked, HTML
 * sanitised, attachments as for any message) and its row, state `scheduled`. The fan-out
 * (`fanout.ts`) turns it into recipients once `send_at` has come.
 */
export async function composeAnnouncement(
  database: Database,
  clock: Clock,
  tenantId: string,
  input: AnnouncementInput,
  options: ComposeOptions,
): Promise<{ announcement: AnnouncementRow; unresolved: UnresolvedAudience }> {
  const now = clock.now();
  const { sendAt, prepared } = await checkAnnouncement(database, now, tenantId, input, options.limits);
  const { audience, unresolved } = await resolveAudience(database, tenantId, input.audience);

  const planned = planMessage(tenantId, { ...prepared, recipients: [] }, now, options.messageIdDomain, "announcement");
  const row: AnnouncementRow = {
    id: newId(now),
    tenant_id: tenantId,
    message_id: planned.message.id,
    state: "scheduled",
    essential: input.essential ? 1 : 0,
    consolidate: input.consolidate ? 1 : 0,
    use_signature: input.useSignature ? 1 : 0,
    audience: audienceColumn.encode({
      ...(audience.contacts ? { contacts: [...audience.contacts] } : {}),
      ...(audience.subjects ? { subjects: [...audience.subjects] } : {}),
      ...(audience.subjectGroups ? { subjectGroups: [...audience.subjectGroups] } : {}),
    }),
    merge_data: mergeDataColumn.encode(
      Object.fromEntries(Object.entries(input.mergeData ?? {}).map(([subject, fields]) => [subject, { ...fields }])),
    ),
    send_at: sendAt,
    created_by: options.createdBy,
    created_at: now,
    fanout_cursor: null,
    fanout_lease_until: null,
    fanned_out_at: null,
    cancelled_at: null,
    recipient_count: 0,
  };
  await database.db.transaction().execute(async (tx) => {
    await insertPlanned(tx, [planned]);
    if (input.essential) {
      await tx.updateTable("messages").set({ essential: 1 }).where("id", "=", planned.message.id).execute();
    }
    await tx.insertInto("announcements").values(row).execute();
  });
  return { announcement: row, unresolved };
}

/**
 * The checks of an announcement's content, shared by compose and estimate: category, sendAt,
 * merge fields, sanitised HTML, and the template through the same checks as any message.
 */
export async function checkAnnouncement(
  database: Database,
  now: number,
  tenantId: string,
  input: AnnouncementInput,
  limits: PrepareLimits,
) {
  const category = input.category ?? "announcement";
  if (!isCategory(category) || NOT_FOR_ANNOUNCEMENTS.has(category)) {
    throw new ApiError(
      "unknown_category",
      `category ${quote(category.slice(0, 80))} cannot be used for an announcement: use announcement, invitation, alert or scheduled`,
    );
  }
  const sendAt = checkSendAt(input.sendAt, now);
  const problems = [
    ...mergeFieldProblems(input.subject, "/subject"),
    ...(input.text === undefined ? [] : mergeFieldProblems(input.text, "/text")),
    ...(input.html === undefined ? [] : mergeFieldProblems(input.html, "/html")),
    ...checkMergeData(input.mergeData),
  ];
  if (problems.length > 0) throw new ApiError("invalid_request", problems[0]?.message ?? "invalid", problems);

  const html = input.html === undefined ? undefined : sanitizeAnnouncementHtml(input.html);
  if (html !== undefined && html.trim() === "" && input.text === undefined) {
    throw new ApiError("invalid_request", "html has nothing left after removing scripts and other active content", [
      { path: "/html", message: "empty after sanitising" },
    ]);
  }
  // The template goes through the same checks as any message (subject header, bodies, size,
  // attachments, From). It has no recipients of its own: a placeholder without an address
  // satisfies prepareMessage and is dropped; the fan-out adds the real ones. Attachments follow
  // the tenant's own-account policy, as for a single message.
  const attachmentPolicy = input.attachments?.length ? await loadAttachmentPolicy(database.db, tenantId) : null;
  const prepared = prepareMessage(
    {
      to: [{ email: null }],
      subject: input.subject,
      text: input.text,
      html: html === "" ? undefined : html,
      category,
      attachments: input.attachments ? [...input.attachments] : undefined,
    },
    undefined,
    { ...limits, attachmentPolicy },
  );
  return { category, sendAt, prepared };
}
