import { Type } from "typebox";
import { deleteSubject } from "../../audience/erasure.js";
import { findSubject, linksOfSubject, listSubjectGroups, listSubjects, type Subject } from "../../audience/subjects.js";
import { MAX_EXTERNAL_ID_CHARS, MAX_GROUP_CHARS } from "../../audience/sync-rows.js";
import { recordAudit } from "../../auth/audit.js";
import { ApiError } from "../../errors/api-error.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, Nullable, Page, PageQuery } from "../schemas.js";
import { erasers } from "./audience-contacts.js";
import { actorOf } from "./people.js";

const iso = (ms: number) => new Date(ms).toISOString();

const SubjectSchema = Type.Object({
  externalId: Type.String(),
  name: Type.String(),
  groups: Type.Array(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

const SubjectDetail = Type.Object({
  ...SubjectSchema.properties,
  links: Type.Array(
    Type.Object({
      contactExternalId: Type.String(),
      contactName: Type.String(),
      relationship: Nullable(Type.String()),
      receivesMail: Type.Boolean(),
    }),
  ),
});

const ExternalIdParams = Type.Object({ externalId: Type.String({ minLength: 1, maxLength: MAX_EXTERNAL_ID_CHARS }) });

const GroupSchema = Type.Object({ name: Type.String(), subjectCount: Type.Integer({ minimum: 1 }) });

function subjectView(s: Subject) {
  return {
    externalId: s.externalId,
    name: s.name,
    groups: [...s.groups],
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

// Groups page by name, so their cursor carries the last name rather than an id.
function groupCursor(name: string): string {
  return Buffer.from(`g1:${name}`).toString("base64url");
}

function decodeGroupCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith("g1:") || text.length < 4) {
    throw new ApiError("invalid_cursor", "cursor is not one this API gave out");
  }
  return text.slice(3);
}

const readers = { access: { auth: "tenant", roles: ["system", "staff", "administrator"] } } as const;

/** Subjects (students) by group, and the groups with their sizes. */
export function registerAudienceSubjectRoutes(app: App, { database, clock }: AppDeps): void {
  const db = database.db;

  app.get(
    "/v1/subjects",
    {
      config: readers,
      schema: {
        tags: ["audience"],
        summary: "The tenant's subjects (students), oldest first, optionally in one group",
        querystring: Type.Object(
          {
            ...PageQuery,
            group: Type.Optional(
              Type.String({ minLength: 1, maxLength: MAX_GROUP_CHARS, description: "Exact group name" }),
            ),
            search: Type.Optional(
              Type.String({ maxLength: 200, description: "Part of the name or external id, any case" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(SubjectSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const rows = await listSubjects(db, tenantId, {
        group: q.group,
        search: q.search,
        after: decodeCursor(q.cursor),
        limit,
      });
      return { items: rows.map(subjectView), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.get(
    "/v1/subjects/:externalId",
    {
      config: readers,
      schema: {
        tags: ["audience"],
        summary: "One subject by external id, with the contacts linked to it",
        params: ExternalIdParams,
        response: { 200: SubjectDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { externalId } = request.params;
      const subject = await findSubject(db, tenantId, externalId);
      if (!subject) throw new ApiError("not_found", `no subject ${JSON.stringify(externalId.slice(0, 100))}`);
      return { ...subjectView(subject), links: await linksOfSubject(db, tenantId, subject.id) };
    },
  );

  app.delete(
    "/v1/subjects/:externalId",
    {
      config: erasers,
      schema: {
        tags: ["audience"],
        summary: "Delete a subject (a student who left, a GDPR request)",
        description:
          "The subject, their groups and links to contacts are deleted (the contacts stay); mail still waiting " +
          "leaves out the parts about them. A tombstone keeps a later sync from recreating them: that row gets " +
          'the error `deleted` unless it says `"restore": true`. Administrators and system keys only.',
        params: ExternalIdParams,
        response: {
          200: Type.Object({ externalId: Type.String(), deleted: Type.Literal(true) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { externalId } = request.params;
      const now = clock.now();
      const deleted = await db.transaction().execute(async (tx) => {
        const id = await deleteSubject(tx, tenantId, externalId, now);
        if (id === undefined) return false;
        await recordAudit(
          tx,
          { tenantId, actor: actorOf(request), action: "subject.deleted", target: externalId, detail: null },
          now,
        );
        return true;
      });
      if (!deleted) throw new ApiError("not_found", `no subject ${JSON.stringify(externalId.slice(0, 100))}`);
      return { externalId, deleted: true as const };
    },
  );

  app.get(
    "/v1/subject-groups",
    {
      config: readers,
      schema: {
        tags: ["audience"],
        summary: "The tenant's subject groups (year, class, …) with how many subjects each has",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(GroupSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listSubjectGroups(db, tenantId, { after: decodeGroupCursor(request.query.cursor), limit });
      const last = rows[rows.length - 1];
      return { items: rows, nextCursor: rows.length === limit && last ? groupCursor(last.name) : null };
    },
  );
}
