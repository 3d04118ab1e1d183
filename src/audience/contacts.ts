import { type Selectable, sql } from "kysely";
import type { Db } from "../db/database.js";
import type { ContactTable } from "../db/tables.js";
import { type DigestChoice, digestOf } from "./preferences.js";

/** A contact as stored: the usable address, or what was given and why it is not usable. */
export interface Contact {
  readonly id: string;
  readonly externalId: string;
  readonly name: string;
  readonly email: string | null;
  readonly emailGiven: string | null;
  readonly emailProblem: string | null;
  /** The address was corrected in Postbag and the school's system still gives the old one. */
  readonly emailFixed: boolean;
  readonly digest: DigestChoice;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A contact's link to one subject. */
export interface ContactLink {
  readonly subjectExternalId: string;
  readonly subjectName: string;
  readonly relationship: string | null;
  readonly receivesMail: boolean;
}

export interface ContactQuery {
  /** Part of the name or the address (given or usable), case-insensitive. */
  readonly search?: string | undefined;
  /** true: only contacts without a usable address; false: only those with one. */
  readonly emailMissing?: boolean | undefined;
  /** The id of the last contact of the previous page. */
  readonly after?: string | undefined;
  readonly limit: number;
}

function contactOf(row: Selectable<ContactTable>): Contact {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    email: row.email,
    emailGiven: row.email_given,
    emailProblem: row.email_problem,
    emailFixed: row.email_fixed_from !== null,
    digest: digestOf(row),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** `%` and `_` are LIKE wildcards; a search for "50%" means the text "50%". */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A tenant's contacts in creation order (ids are time-sortable), one page at a time. */
export async function listContacts(db: Db, tenantId: string, query: ContactQuery): Promise<Contact[]> {
  let q = db.selectFrom("contacts").selectAll().where("tenant_id", "=", tenantId);
  if (query.after !== undefined) q = q.where("id", ">", query.after);
  if (query.emailMissing === true) q = q.where("email", "is", null);
  if (query.emailMissing === false) q = q.where("email", "is not", null);
  if (query.search !== undefined && query.search !== "") {
    const pattern = likePattern(query.search);
    q = q.where((eb) =>
      eb.or([
        eb(sql`lower(name)`, "like", sql`${pattern} escape '\\'`),
        eb(sql`lower(email)`, "like", sql`${pattern} escape '\\'`),
        eb(sql`lower(email_given)`, "like", sql`${pattern} escape '\\'`),
      ]),
    );
  }
  const rows = await q.orderBy("id").limit(query.limit).execute();
  return rows.map(contactOf);
}

/** One contact by the tenant's external id. */
export async function findContact(db: Db, tenantId: string, externalId: string): Promise<Contact | undefined> {
  const row = await db
    .selectFrom("contacts")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  return row ? contactOf(row) : undefined;
}

/** The subjects a contact is linked to, by subject name. */
export async function linksOfContact(db: Db, tenantId: string, contactId: string): Promise<ContactLink[]> {
  const rows = await db
    .selectFrom("contact_subjects as l")
    .innerJoin("subjects as s", (j) => j.onRef("s.id", "=", "l.subject_id").onRef("s.tenant_id", "=", "l.tenant_id"))
    .select(["s.external_id", "s.name", "l.relationship", "l.receives_mail"])
    .where("l.tenant_id", "=", tenantId)
    .where("l.contact_id", "=", contactId)
    .orderBy("s.name")
    .orderBy("s.external_id")
    .execute();
  return rows.map((r) => ({
    subjectExternalId: r.external_id,
    subjectName: r.name,
    relationship: r.relationship,
    receivesMail: Number(r.receives_mail) === 1,
  }));
}

/**
 * Corrects a contact's address in Postbag (an office fixing a typo before a resend). The school's
 * system may still send the old value: `email_fixed_from` remembers what it last gave, so a sync
 * giving the same keeps the correction and one giving something new wins (`audience-sync.ts`).
 * `email` must already have passed `checkEmail`. Answers false when there is no such contact.
 */
export async function correctContactEmail(
  db: Db,
  tenantId: string,
  externalId: string,
  email: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("contacts")
    .set((eb) => ({
      email,
      email_given: null,
      email_problem: null,
      email_fixed_from: eb.fn.coalesce("email_fixed_from", "email", "email_given", sql.lit("")),
      updated_at: now,
    }))
    .where("tenant_id", "=", tenantId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
