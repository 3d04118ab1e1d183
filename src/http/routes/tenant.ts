import { Type } from "typebox";
import { recordAudit } from "../../auth/audit.js";
import { changeTimezone, tenantView } from "../../auth/timezone.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, Nullable } from "../schemas.js";
import { actorOf } from "./people.js";

const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  pendingTimezone: Nullable(Type.String({ description: "Takes effect from the next credit period" })),
  timezoneEffectiveFrom: Nullable(Type.String({ format: "date-time" })),
});

/** The tenant itself: its name and time zone. */
export function registerTenantRoutes(app: App, { database, clock }: AppDeps): void {
  app.get(
    "/v1/tenant",
    {
      config: { access: { auth: "tenant" } },
      schema: { tags: ["tenant"], summary: "The school", response: { 200: TenantSchema, ...errorResponses } },
    },
    async (request) => tenantView(database.db, tenantOf(request).tenantId, clock.now()),
  );

  app.patch(
    "/v1/tenant",
    {
      config: { access: { auth: "tenant", roles: ["administrator"] } },
      schema: {
        tags: ["tenant"],
        summary: "Change the time zone (administrators); it takes effect from the next credit period",
        body: Type.Object({ timezone: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 200: TenantSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const now = clock.now();
      const view = await changeTimezone(database.db, tenantId, request.body.timezone, now);
      await recordAudit(
        database.db,
        {
          tenantId,
          actor: actorOf(request),
          action: "timezone.changed",
          target: request.body.timezone,
          detail: view.timezoneEffectiveFrom ? `from ${view.timezoneEffectiveFrom}` : "pending change cancelled",
        },
        now,
      );
      return view;
    },
  );
}
