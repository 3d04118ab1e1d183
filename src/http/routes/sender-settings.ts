import { Type } from "typebox";
import { getSenderSettings, saveSenderSettings } from "../../domains/sender-settings.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, Nullable } from "../schemas.js";

const Settings = Type.Object(
  {
    genericAddress: Nullable(
      Type.String({
        maxLength: 254,
        description:
          "The school's own address: the From of its mail when its domain is verified, else the Reply-To of noreply@ mail",
      }),
    ),
    fromName: Nullable(Type.String({ maxLength: 200, description: "Display name of the From" })),
  },
  { additionalProperties: false },
);

/** `GET/PUT /v1/settings/sender`: any tenant key reads; administrators change. */
export function registerSenderSettingsRoutes(app: App, { database, clock }: AppDeps): void {
  app.get(
    "/v1/settings/sender",
    {
      schema: {
        tags: ["settings", "domains"],
        summary: "The tenant's generic address and From name",
        response: { 200: Settings, ...errorResponses },
      },
    },
    async (request) => getSenderSettings(database.db, tenantOf(request).tenantId),
  );

  app.put(
    "/v1/settings/sender",
    {
      config: { access: { auth: "tenant", roles: ["administrator"] } },
      schema: {
        tags: ["settings", "domains"],
        summary: "Set the tenant's generic address and From name (administrator keys only)",
        body: Settings,
        response: { 200: Settings, ...errorResponses },
      },
    },
    async (request) => saveSenderSettings(database.db, tenantOf(request).tenantId, request.body, clock.now()),
  );
}
