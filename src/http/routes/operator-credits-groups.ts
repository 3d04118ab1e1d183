import { Type } from "typebox";
import {
  allocateFromGroup,
  createGroup,
  type Group,
  getGroup,
  listGroupLedger,
  listGroups,
  MAX_CREDITS,
  setTenantGroup,
  topUpGroup,
} from "../../credits/grants.js";
import { ApiError } from "../../errors/api-error.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import type { App, AppDeps } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams, Nullable, Page, PageQuery } from "../schemas.js";
import { LedgerEntrySchema } from "./credits-balance.js";

const iso = (ms: number) => new Date(ms).toISOString();
const Credits = Type.Integer({ minimum: 1, maximum: MAX_CREDITS });
const Note = Type.String({ minLength: 1, maxLength: 500 });
const Id = Type.String({ minLength: 1, maxLength: 100 });

const GroupSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
});

const GroupDetailSchema = Type.Object({
  ...GroupSchema.properties,
  bundleBalance: Type.Integer({ description: "Bundle credit not yet allocated" }),
  tenants: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      allocated: Type.Integer({ description: "All credit allocated to it from this group" }),
    }),
  ),
  allocations: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Type.String({ format: "date-time" }),
      tenantId: Type.String(),
      credits: Type.Integer(),
      grantId: Nullable(Type.String()),
      note: Nullable(Type.String()),
    }),
    { description: "The newest 100 allocations, newest first" },
  ),
});

const groupView = (g: Group) => ({ id: g.id, name: g.name, createdAt: iso(g.createdAt) });

/** Groups (trusts) of tenants: a pooled bundle of credit, allocated to the group's tenants. */
export function registerOperatorCreditGroupRoutes(app: App, { database, clock }: AppDeps): void {
  const operator = { access: { auth: "operator" } } as const;
  const detail = async (id: string) => {
    const g = await getGroup(database.db, id, clock.now());
    if (!g) throw new ApiError("not_found", `no group ${id.slice(0, 40)}`);
    return {
      ...groupView(g),
      bundleBalance: g.bundleBalance,
      tenants: [...g.tenants],
      allocations: g.allocations.map((a) => ({ ...a, at: iso(a.at) })),
    };
  };

  app.post(
    "/v1/operator/groups",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Create a group of tenants",
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 201: GroupSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(groupView(await createGroup(database.db, request.body.name, clock.now()))),
  );

  app.get(
    "/v1/operator/groups",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "All groups, oldest first",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(GroupSchema), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listGroups(database.db, decodeCursor(request.query.cursor), limit);
      return { items: rows.map(groupView), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.get(
    "/v1/operator/groups/:id",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "A group: its bundle balance, its tenants and its allocations",
        params: IdParams,
        response: { 200: GroupDetailSchema, ...errorResponses },
      },
    },
    async (request) => detail(request.params.id),
  );

  app.put(
    "/v1/operator/tenants/:id/group",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Put a tenant in a group, or take it out (null)",
        params: IdParams,
        body: Type.Object({ groupId: Nullable(Id) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ tenantId: Type.String(), groupId: Nullable(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await setTenantGroup(database.db, request.params.id, request.body.groupId);
      return { tenantId: request.params.id, groupId: request.body.groupId };
    },
  );

  app.post(
    "/v1/operator/groups/:id/top-ups",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Add credit to a group's bundle",
        params: IdParams,
        body: Type.Object({ credits: Credits, note: Note }, { additionalProperties: false }),
        response: { 201: GroupDetailSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { credits, note } = request.body;
      await topUpGroup(database, request.params.id, credits, note, request.principal?.keyId ?? "", clock.now());
      return reply.code(201).send(await detail(request.params.id));
    },
  );

  app.post(
    "/v1/operator/groups/:id/allocations",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Move credit from a group's bundle to one of its tenants",
        description:
          "The tenant must be in the group, and the bundle must hold the credits (409 conflict otherwise). " +
          "Mail the tenant has held for lack of credit is released.",
        params: IdParams,
        body: Type.Object(
          { tenantId: Id, credits: Credits, note: Type.Optional(Note) },
          { additionalProperties: false },
        ),
        response: { 201: GroupDetailSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId, credits, note } = request.body;
      const { release } = await allocateFromGroup(
        database,
        request.params.id,
        tenantId,
        credits,
        note,
        request.principal?.keyId ?? "",
        clock.now(),
      );
      if ("failed" in release) {
        request.log.error({ err: release.failed, tenantId }, "releasing held mail after an allocation failed");
      }
      return reply.code(201).send(await detail(request.params.id));
    },
  );

  app.get(
    "/v1/operator/groups/:id/ledger",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "The group's ledger, newest first: top-ups of its bundle and what each allocation took",
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(LedgerEntrySchema), ...errorResponses },
      },
    },
    async (request) => {
      const group = await getGroup(database.db, request.params.id, clock.now());
      if (!group) throw new ApiError("not_found", `no group ${request.params.id.slice(0, 40)}`);
      const limit = request.query.limit ?? 50;
      const rows = await listGroupLedger(database.db, group.id, { before: decodeCursor(request.query.cursor), limit });
      return { items: rows.map((r) => ({ ...r, at: iso(r.at) })), nextCursor: nextCursor(rows, limit) };
    },
  );
}
