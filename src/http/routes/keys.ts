import { Type } from "typebox";
import { recordAudit } from "../../auth/audit.js";
import { ApiError } from "../../errors/api-error.js";
import { createApiKey, findKey, type KeyView, listKeys, revokeKey, tenantRoles } from "../../tenants/tenants.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, IdParams, Nullable, PageQuery, StringEnum } from "../schemas.js";
import { ActorSchema, actorOf } from "./people.js";

const keyFields = {
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  createdBy: Nullable(ActorSchema),
  createdAt: Type.String({ format: "date-time" }),
  lastUsedAt: Nullable(Type.String({ format: "date-time", description: "Recorded at most once a minute" })),
  revokedAt: Nullable(Type.String({ format: "date-time" })),
};
const KeySchema = Type.Object(keyFields);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function keyView(k: KeyView) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    createdBy: k.createdBy,
    createdAt: new Date(k.createdAt).toISOString(),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
  };
}

/** A tenant's API keys (administrators), and the operator's revocation of any key. */
export function registerKeyRoutes(app: App, { database, clock }: AppDeps): void {
  const administrator = { access: { auth: "tenant", roles: ["administrator"] } } as const;

  app.get(
    "/v1/keys",
    {
      config: administrator,
      schema: {
        tags: ["keys"],
        summary: "The school's API keys, newest first, with who created each and when it was last used",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: Type.Object({ items: Type.Array(KeySchema), nextCursor: Nullable(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const keys = await listKeys(database.db, tenantId, decodeCursor(request.query.cursor), limit);
      return { items: keys.map(keyView), nextCursor: nextCursor(keys, limit) };
    },
  );

  app.post(
    "/v1/keys",
    {
      config: administrator,
      schema: {
        tags: ["keys"],
        summary: "Create an API key for the school; the key is shown only in this answer",
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            role: StringEnum(tenantRoles),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ ...keyFields, key: Type.String({ description: "Shown only here" }) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const actor = actorOf(request);
      const created = await createApiKey(database.db, clock, {
        tenantId,
        role: request.body.role,
        name: request.body.name,
        createdBy: actor,
      });
      await recordAudit(
        database.db,
        { tenantId, actor, action: "key.created", target: created.id, detail: `role ${created.role}` },
        clock.now(),
      );
      const view = await findKey(database.db, created.id);
      if (!view) throw new ApiError("internal", "the key just created is missing");
      return reply.code(201).send({ ...keyView(view), key: created.key });
    },
  );

  app.delete(
    "/v1/keys/:id",
    {
      config: administrator,
      schema: {
        tags: ["keys"],
        summary: "Revoke one of the school's keys: refused from the next request on",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const now = clock.now();
      const revoked = await revokeKey(database.db, { tenantId }, request.params.id, now);
      if (!revoked) throw new ApiError("not_found", `no key ${request.params.id.slice(0, 40)}`);
      await recordAudit(
        database.db,
        { tenantId, actor: actorOf(request), action: "key.revoked", target: revoked.id },
        now,
      );
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/v1/operator/keys/:id",
    {
      config: { access: { auth: "operator" } },
      schema: {
        tags: ["operator"],
        summary: "Revoke any key, a tenant's or an operator's: refused from the next request on",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const now = clock.now();
      const revoked = await revokeKey(database.db, "any", request.params.id, now);
      if (!revoked) throw new ApiError("not_found", `no key ${request.params.id.slice(0, 40)}`);
      await recordAudit(
        database.db,
        { tenantId: revoked.tenantId, actor: actorOf(request), action: "key.revoked", target: revoked.id },
        now,
      );
      return reply.code(204).send(null);
    },
  );
}
