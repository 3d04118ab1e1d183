import { Type } from "typebox";
import { loadTrackingSettings, saveTrackingSettings } from "../../tracking/tracking-settings.js";
import { auditRequest } from "../audit.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses } from "../schemas.js";

const Settings = Type.Object(
  { trackOpens: Type.Boolean({ description: "Add a signed open pixel to HTML mail and record opens (default true)" }) },
  { additionalProperties: false },
);

/** `GET/PUT /v1/settings/tracking`: any tenant key reads; administrators change. */
export function registerTrackingSettingsRoutes(app: App, { database, clock }: AppDeps): void {
  app.get(
    "/v1/settings/tracking",
    {
      schema: {
        tags: ["settings"],
        summary: "The tenant's tracking settings",
        response: { 200: Settings, ...errorResponses },
      },
    },
    async (request) => loadTrackingSettings(database.db, tenantOf(request).tenantId),
  );

  app.put(
    "/v1/settings/tracking",
    {
      config: { access: { auth: "tenant", roles: ["administrator"] } },
      schema: {
        tags: ["settings"],
        summary: "Change the tenant's tracking settings (administrator keys only)",
        body: Settings,
        response: { 200: Settings, ...errorResponses },
      },
    },
    async (request) => {
      const saved = await saveTrackingSettings(database.db, tenantOf(request).tenantId, request.body, clock.now());
      await auditRequest(database.db, request, clock.now(), "settings.changed", "tracking");
      return saved;
    },
  );
}
