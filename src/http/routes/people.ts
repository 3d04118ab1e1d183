import { Type } from "typebox";
import { listAudit, recordAudit } from "../../auth/audit.js";
import { invite } from "../../auth/invitations.js";
import { listPeople, memberRoles, removeMember, setMemberRole } from "../../auth/people.js";
import { ApiError } from "../../errors/api-error.js";
import type { Actor } from "../../tenants/tenants.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, IdParams, Nullable, Page, PageQuery, StringEnum } from "../schemas.js";

const administrator = { access: { auth: "tenant", roles: ["administrator"] } } as const;

export function actorOf(request: { principal?: { actor: Actor } | undefined }): Actor {
  const actor = request.principal?.actor;
  if (!actor) throw new ApiError("unauthorized", "who is asking is unknown");
  return actor;
}

const PersonSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: StringEnum(memberRoles),
  lastSignInAt: Nullable(Type.String({ format: "date-time" })),
  invitedPending: Type.Boolean({ description: "Invited and has not accepted yet" }),
});

const InvitationBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: StringEnum(memberRoles),
  },
  { additionalProperties: false },
);

const InvitationAnswer = Type.Object({
  invitationUrl: Type.String(),
  expiresAt: Type.String({ format: "date-time" }),
});

const ActorSchema = Type.Object({
  kind: StringEnum(["person", "key"] as const),
  id: Type.String(),
  name: Type.String(),
});

/** The tenant's people and audit (administrators; docs/console.md). */
export function registerPeopleRoutes(app: App, { database, clock, config }: AppDeps): void {
  app.get(
    "/v1/people",
    {
      config: administrator,
      schema: {
        tags: ["people"],
        summary: "The school's people and their roles (administrators)",
        response: { 200: Type.Object({ items: Type.Array(PersonSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const people = await listPeople(database.db, tenantId, clock.now());
      return {
        items: people.map((p) => ({
          ...p,
          lastSignInAt: p.lastSignInAt === null ? null : new Date(p.lastSignInAt).toISOString(),
        })),
      };
    },
  );

  app.post(
    "/v1/people/invitations",
    {
      config: administrator,
      schema: {
        tags: ["people"],
        summary: "Invite a person by email with a role; answers the invitation URL to copy (administrators)",
        body: InvitationBody,
        response: { 201: InvitationAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const invited = await invite(database, config, clock.now(), {
        tenantId,
        email: request.body.email,
        name: request.body.name,
        role: request.body.role,
        actor: actorOf(request),
      });
      return reply
        .code(201)
        .send({ invitationUrl: invited.invitationUrl, expiresAt: new Date(invited.expiresAt).toISOString() });
    },
  );

  app.post(
    "/v1/operator/tenants/:id/invitations",
    {
      config: { access: { auth: "operator" } },
      schema: {
        tags: ["operator"],
        summary: "Invite a person to a tenant with a role (a new school's first administrator, say)",
        params: IdParams,
        body: InvitationBody,
        response: { 201: InvitationAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const invited = await invite(database, config, clock.now(), {
        tenantId: request.params.id,
        email: request.body.email,
        name: request.body.name,
        role: request.body.role,
        actor: actorOf(request),
      });
      return reply
        .code(201)
        .send({ invitationUrl: invited.invitationUrl, expiresAt: new Date(invited.expiresAt).toISOString() });
    },
  );

  app.patch(
    "/v1/people/:id",
    {
      config: administrator,
      schema: {
        tags: ["people"],
        summary: "Change a person's role in the school (administrators)",
        params: IdParams,
        body: Type.Object({ role: StringEnum(memberRoles) }, { additionalProperties: false }),
        response: { 200: PersonSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const now = clock.now();
      if (!(await setMemberRole(database.db, tenantId, request.params.id, request.body.role))) {
        throw new ApiError("not_found", `no person ${request.params.id.slice(0, 40)} in this school`);
      }
      const person = (await listPeople(database.db, tenantId, now)).find((p) => p.id === request.params.id);
      if (!person) throw new ApiError("not_found", `no person ${request.params.id.slice(0, 40)} in this school`);
      await recordAudit(
        database.db,
        {
          tenantId,
          actor: actorOf(request),
          action: "person.role_changed",
          target: person.email,
          detail: `role ${request.body.role}`,
        },
        now,
      );
      return {
        ...person,
        lastSignInAt: person.lastSignInAt === null ? null : new Date(person.lastSignInAt).toISOString(),
      };
    },
  );

  app.delete(
    "/v1/people/:id",
    {
      config: administrator,
      schema: {
        tags: ["people"],
        summary: "Remove a person from the school; their sessions end at once (administrators)",
        params: IdParams,
        querystring: Type.Object(
          {
            revokeKeys: Type.Optional(
              Type.Boolean({ default: false, description: "Also revoke the school's API keys they created" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const now = clock.now();
      const person = (await listPeople(database.db, tenantId, now)).find((p) => p.id === request.params.id);
      const { removed, revokedKeys } = await removeMember(database.db, tenantId, request.params.id, {
        revokeKeys: request.query.revokeKeys ?? false,
        now,
      });
      if (!removed) throw new ApiError("not_found", `no person ${request.params.id.slice(0, 40)} in this school`);
      const actor = actorOf(request);
      await recordAudit(
        database.db,
        {
          tenantId,
          actor,
          action: "person.removed",
          target: person?.email ?? request.params.id,
          detail: revokedKeys.length > 0 ? `revoked keys ${revokedKeys.join(", ")}` : null,
        },
        now,
      );
      for (const keyId of revokedKeys) {
        await recordAudit(database.db, { tenantId, actor, action: "key.revoked", target: keyId }, now);
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v1/audit",
    {
      config: administrator,
      schema: {
        tags: ["people"],
        summary: "Who changed money, mail or access, newest first (administrators)",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: Page(
            Type.Object({
              id: Type.String(),
              at: Type.String({ format: "date-time" }),
              actor: ActorSchema,
              action: Type.String(),
              target: Nullable(Type.String()),
              detail: Nullable(Type.String()),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const items = await listAudit(database.db, tenantId, decodeCursor(request.query.cursor), limit);
      return { items, nextCursor: nextCursor(items, limit) };
    },
  );
}

export { ActorSchema };
