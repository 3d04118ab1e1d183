import { sql } from "kysely";
import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import { loadRecipientData, loadTenantSettings, messageContext } from "../delivery/mail-context.js";
import { recipientCopy } from "../delivery/recipient-copy.js";
import { quote } from "../email/address.js";
import { ApiError } from "../errors/api-error.js";
import type { PreparedMessage, PrepareLimits } from "../messages/prepare.js";
import { subjectIdsColumn } from "../messages/recipient-state.js";
import type { Clock } from "../time/clock.js";
import type { LinkContext } from "../tracking/links.js";
import { type AnnouncementInput, checkAnnouncement, resolveAudience } from "./compose.js";
import { audienceSelects, contactCopies } from "./fanout.js";

/** Which recipient to preview, by the tenant's external ids; default: the contact with the most subjects. */
export interface PreviewChoice {
  readonly contact?: string | undefined;
  /** Without consolidation a contact gets one email per subject: which one (default: the first). */
  readonly subject?: string | undefined;
}

export interface AnnouncementPreview {
  readonly recipient: {
    readonly contact: { readonly externalId: string; readonly name: string; readonly email: string | null };
    /** The subjects this email is about (several: a consolidated email's sections). */
    readonly subjects: ReadonlyArray<{ readonly externalId: string; readonly name: string }>;
    /** How many emails this contact gets from the announcement. */
    readonly emails: number;
  };
  readonly from: { readonly email: string; readonly name: string | null };
  readonly subject: string;
  readonly text: string | null;
  readonly html: string | null;
  /** The checked template (attachments, Reply-To, headers), for a test copy. */
  readonly template: PreparedMessage;
}

export interface PreviewOptions {
  readonly limits: PrepareLimits;
  readonly links: LinkContext;
}

interface ChosenRow {
  contact_id: string;
  subjects: number | string;
}

/**
 * One recipient's email of an announcement that is not stored: the body is checked as compose
 * checks it, the audience resolved by the fan-out's own queries, the recipient's emails split by
 * the fan-out's own rule (`contactCopies`), and the copy made by delivery's own function
 * (`recipientCopy`): merge fields, consolidated sections, signature, unsubscribe footer. The
 * signed links name no recipient row (none exists): they open a page saying the link is not
 * valid, so a preview or a test copy can never opt anyone out. The open pixel is left out.
 */
export async function previewAnnouncement(
  database: Database,
  clock: Clock,
  tenantId: string,
  input: AnnouncementInput,
  choice: PreviewChoice,
  options: PreviewOptions,
): Promise<AnnouncementPreview> {
  const { db } = database;
  const now = clock.now();
  const { category, prepared } = await checkAnnouncement(database, now, tenantId, input, options.limits);
  const { audience } = await resolveAudience(database, tenantId, input.audience);
  const [first, ...more] = audienceSelects(db, database.dialect, tenantId, audience);
  if (!first) throw new ApiError("invalid_request", "the audience is empty", [{ path: "/audience", message: "empty" }]);
  const aud = more.reduce((q, next) => q.unionAll(next), first);

  let wanted: string | null = null;
  if (choice.contact !== undefined) {
    const found = await db
      .selectFrom("contacts")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("external_id", "=", choice.contact)
      .executeTakeFirst();
    wanted = found?.id ?? null;
    if (!found) throw notInAudience("/recipient/contact", `no contact ${quote(choice.contact.slice(0, 80))}`);
  }
  const chosen = (
    await sql<ChosenRow>`
      with aud as ${aud}
      select contact_id, count(distinct nullif(subject_id, '')) as subjects
      from aud
      where ${wanted === null ? sql`1 = 1` : sql`contact_id = ${wanted}`}
      group by contact_id
      order by subjects desc, contact_id
      limit 1
    `.execute(db)
  ).rows[0];
  if (!chosen) {
    if (choice.contact !== undefined) {
      throw notInAudience(
        "/recipient/contact",
        `contact ${quote(choice.contact.slice(0, 80))} is not in this audience`,
      );
    }
    throw new ApiError("invalid_request", "the audience reaches no contact: nothing to preview", [
      { path: "/audience", message: "reaches no contact" },
    ]);
  }
  // In the fan-out's order: by subject id.
  const subjectIds = (
    await sql<{ subject_id: string }>`
      with aud as ${aud}
      select distinct subject_id from aud
      where contact_id = ${chosen.contact_id} and subject_id <> ''
      order by subject_id
    `.execute(db)
  ).rows.map((r) => r.subject_id);
  const copies = contactCopies(subjectIds, input.consolidate);
  let copy = copies[0] ?? [];
  if (choice.subject !== undefined) {
    const subject = await db
      .selectFrom("subjects")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("external_id", "=", choice.subject)
      .executeTakeFirst();
    const match = subject ? copies.find((c) => c.includes(subject.id)) : undefined;
    if (!match) {
      throw notInAudience(
        "/recipient/subject",
        `subject ${quote(choice.subject.slice(0, 80))} is not one this contact is reached through`,
      );
    }
    copy = match;
  }

  const placeholder = newId(now);
  const data = (
    await loadRecipientData(db, [
      {
        id: placeholder,
        tenantId,
        contactId: chosen.contact_id,
        subjectIds: subjectIdsColumn.encode(copy),
      },
    ])
  ).get(placeholder);
  const contact = await db
    .selectFrom("contacts")
    .select(["external_id", "name", "email"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", chosen.contact_id)
    .executeTakeFirstOrThrow();
  const tenant = (await loadTenantSettings(db, [tenantId])).get(tenantId);
  const context = messageContext(
    tenant,
    { source: "announcement" },
    { useSignature: input.useSignature === true, value: input.mergeData ?? {} },
  );
  const { content } = recipientCopy({
    message: {
      subject: prepared.subject,
      text_body: prepared.text,
      html_body: prepared.html,
      source: "announcement",
      essential: input.essential ? 1 : 0,
      category,
    },
    context,
    data,
    links: options.links,
    tenantId,
    recipientId: placeholder,
    now,
    pixel: false,
  });
  return {
    recipient: {
      contact: { externalId: contact.external_id, name: contact.name, email: contact.email || null },
      subjects: (data?.subjects ?? []).map((s) => ({ externalId: s.externalId, name: s.name })),
      emails: copies.length,
    },
    from: prepared.from,
    subject: content.subject,
    text: content.text,
    html: content.html,
    template: prepared,
  };
}

function notInAudience(path: string, message: string): ApiError {
  return new ApiError("invalid_request", message, [{ path, message }]);
}
