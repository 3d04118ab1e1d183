import { Type } from "typebox";
import { createApiKey, createTenant, listTenants, tenantRoles } from "../../tenants/tenants.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import type { App, AppDeps } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams, Page, PageQuery, StringEnum } from "../schemas.js";

const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  sendingMode: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
});

function view(t: { id: string; name: string; timezone: string; sending_mode: string; created_at: number }) {
  return {
    id: t.id,
    name: t.name,
    timezone: t.timezone,
    sendingMode: t.sending_mode,
    createdAt: new Date(t.created_at).toISOString(),
  };
}

/** Operator routes: only operator keys reach them. */
export function registerOperatorTenantRoutes(app: App, { database, clock }: AppDeps): void {
  const operator = { access: { auth: "operator" } } as const;
  app.post(
    "/v1/operator/tenants",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Create a tenant",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            timezone: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone; default Europe/London" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: TenantSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await createTenant(database.db, clock, request.body);
      return reply.code(201).send(view(tenant));
    },
  );

  app.get(
    "/v1/operator/tenants",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "All tenants",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(TenantSchema), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listTenants(database.db, decodeCursor(request.query.cursor), limit);
      return { items: rows.map(view), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.post(
    "/v1/operator/tenants/:id/keys",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Create an API key for a tenant (the key is shown once)",
        params: IdParams,
        body: Type.Object(
          {
            role: Type.Optional(StringEnum(tenantRoles)),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.String(), role: Type.String(), tenantId: Type.String(), key: Type.String() }),
          409: ErrorBody,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.params.id;
      // createApiKey answers not_found for a tenant that does not exist.
      const created = await createApiKey(database.db, clock, {
        tenantId,
        role: request.body.role ?? "system",
        name: request.body.name,
        createdBy: request.principal?.actor,
      });
      return reply.code(201).send({ id: created.id, role: created.role, tenantId, key: created.key });
    },
  );
}
