import { sql } from "kysely";
import type { Db } from "../db/database.js";
import { stringList } from "../db/json-codec.js";
import type { SubjectTable } from "../db/tables.js";
import { likePattern } from "./contacts.js";

/** A subject (for a school, a student) and the groups it belongs to, such as year and class. */
export interface Subject {
  readonly id: string;
  readonly externalId: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SubjectQuery {
  /** Only subjects in this group (exact name). */
  readonly group?: string | undefined;
  /** Part of the name or the external id, case-insensitive. */
  readonly search?: string | undefined;
  /** The id of the last subject of the previous page. */
  readonly after?: string | undefined;
  readonly limit: number;
}

/** `subjects.groups`: the group names a subject belongs to. */
export const subjectGroupsColumn = stringList("subjects.groups");

function groupsOf(text: string): string[] {
  return subjectGroupsColumn.decode(text);
}

function subjectOf(row: SubjectTable): Subject {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    groups: groupsOf(row.groups),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A tenant's subjects in creation order, one page at a time. */
export async function listSubjects(db: Db, tenantId: string, query: SubjectQuery): Promise<Subject[]> {
  let q = db.selectFrom("subjects").selectAll("subjects").where("subjects.tenant_id", "=", tenantId);
  if (query.group !== undefined) {
    const group = query.group;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("subject_groups as g")
          .select("g.subject_id")
          .where("g.tenant_id", "=", tenantId)
          .where("g.name", "=", group)
          .whereRef("g.subject_id", "=", "subjects.id"),
      ),
    );
  }
  if (query.search !== undefined && query.search !== "") {
    const pattern = likePattern(query.search);
    q = q.where((eb) =>
      eb.or([
        eb(sql`lower(subjects.name)`, "like", sql`${pattern} escape '\\'`),
        eb(sql`lower(subjects.external_id)`, "like", sql`${pattern} escape '\\'`),
      ]),
    );
  }
  if (query.after !== undefined) q = q.where("subjects.id", ">", query.after);
  const rows = await q.orderBy("subjects.id").limit(query.limit).execute();
  return rows.map(subjectOf);
}

/** One subject by the tenant's external id. */
export async function findSubject(db: Db, tenantId: string, externalId: string): Promise<Subject | undefined> {
  const row = await db
    .selectFrom("subjects")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  return row ? subjectOf(row) : undefined;
}

export interface SubjectGroup {
  readonly name: string;
  readonly subjectCount: number;
}

/** A tenant's group names in the database's order, with how many subjects each holds. */
export async function listSubjectGroups(
  db: Db,
  tenantId: string,
  query: { readonly after?: string | undefined; readonly limit: number },
): Promise<SubjectGroup[]> {
  let q = db
    .selectFrom("subject_groups")
    .select((eb) => ["name", eb.fn.countAll<number | string>().as("n")])
    .where("tenant_id", "=", tenantId);
  if (query.after !== undefined) q = q.where("name", ">", query.after);
  const rows = await q.groupBy("name").orderBy("name").limit(query.limit).execute();
  return rows.map((r) => ({ name: r.name, subjectCount: Number(r.n) }));
}

/** A subject's link to one contact. */
export interface SubjectLink {
  readonly contactExternalId: string;
  readonly contactName: string;
  readonly relationship: string | null;
  readonly receivesMail: boolean;
}

/** The contacts a subject is linked to, by contact name. */
export async function linksOfSubject(db: Db, tenantId: string, subjectId: string): Promise<SubjectLink[]> {
  const rows = await db
    .selectFrom("contact_subjects as l")
    .innerJoin("contacts as c", (j) => j.onRef("c.id", "=", "l.contact_id").onRef("c.tenant_id", "=", "l.tenant_id"))
    .select(["c.external_id", "c.name", "l.relationship", "l.receives_mail"])
    .where("l.tenant_id", "=", tenantId)
    .where("l.subject_id", "=", subjectId)
    .orderBy("c.name")
    .orderBy("c.external_id")
    .execute();
  return rows.map((r) => ({
    contactExternalId: r.external_id,
    contactName: r.name,
    relationship: r.relationship,
    receivesMail: Number(r.receives_mail) === 1,
  }));
}
