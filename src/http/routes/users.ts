import { Type } from "typebox";
import { ApiError } from "../../errors/api-error.js";
import { tenantRoles } from "../../tenants/tenants.js";
import { createUser, deleteUser, listUsers, type User } from "../../tenants/users.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, IdParams, Page, PageQuery, StringEnum } from "../schemas.js";

const UserSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: StringEnum(tenantRoles),
  createdAt: Type.String({ format: "date-time" }),
});

function view(u: User) {
  return { id: u.id, name: u.name, email: u.email, role: u.role, createdAt: new Date(u.createdAt).toISOString() };
}

/** The tenant's users; administrators with an email address get credit alerts and the daily usage email. */
export function registerUserRoutes(app: App, { database, clock }: AppDeps): void {
  const administrator = { access: { auth: "tenant", roles: ["administrator"] } } as const;

  app.post(
    "/v1/users",
    {
      config: administrator,
      schema: {
        tags: ["users"],
        summary: "Add a user (administrator keys only)",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            email: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])),
            role: StringEnum(tenantRoles),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const user = await createUser(database.db, tenantId, request.body, clock.now());
      return reply.code(201).send(view(user));
    },
  );

  app.get(
    "/v1/users",
    {
      config: administrator,
      schema: {
        tags: ["users"],
        summary: "The tenant's users, oldest first (administrator keys only)",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(UserSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listUsers(database.db, tenantId, decodeCursor(request.query.cursor), limit);
      return { items: rows.map(view), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.delete(
    "/v1/users/:id",
    {
      config: administrator,
      schema: {
        tags: ["users"],
        summary: "Remove a user (administrator keys only); they also leave the low-credit recipients",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      if (!(await deleteUser(database.db, tenantId, request.params.id))) {
        throw new ApiError("not_found", `no user ${request.params.id.slice(0, 40)}`);
      }
      return reply.code(204).send(null);
    },
  );
}
