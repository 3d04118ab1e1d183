import { Type } from "typebox";
import { loadDigestOffer, saveDigestOffer } from "../../tracking/digest-offer.js";
import { auditRequest } from "../audit.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses } from "../schemas.js";

const Offer = Type.Object(
  {
    offer: Type.Boolean({
      description: "The preference page (the unsubscribe link) offers a daily or weekly digest instead (default true)",
    }),
    defaultTime: Type.String({
      pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$",
      description: "HH:MM in the tenant's time zone, for digests chosen on that page (default 08:00)",
    }),
    defaultWeekday: Type.Integer({
      minimum: 1,
      maximum: 7,
      description: "1 = Monday … 7 = Sunday, for weekly digests chosen on that page (default 5, Friday)",
    }),
  },
  { additionalProperties: false },
);

/**
 * `GET/PUT /v1/settings/digest-offer`: any tenant key reads; administrators change. The defaults
 * apply to choices made on the page from then on; contacts' digest times stay as they are.
 */
export function registerDigestOfferRoutes(app: App, { database, clock }: AppDeps): void {
  app.get(
    "/v1/settings/digest-offer",
    {
      schema: {
        tags: ["settings"],
        summary: "Whether the recipient's preference page offers a digest, and its default time and day",
        response: { 200: Offer, ...errorResponses },
      },
    },
    async (request) => loadDigestOffer(database.db, tenantOf(request).tenantId),
  );

  app.put(
    "/v1/settings/digest-offer",
    {
      config: { access: { auth: "tenant", roles: ["administrator"] } },
      schema: {
        tags: ["settings"],
        summary: "Change the preference page's digest offer (administrator keys only)",
        description: "Digest times already chosen for contacts stay as they are.",
        body: Offer,
        response: { 200: Offer, ...errorResponses },
      },
    },
    async (request) => {
      const now = clock.now();
      const saved = await saveDigestOffer(database.db, tenantOf(request).tenantId, request.body, now);
      await auditRequest(database.db, request, now, "settings.changed", "digest-offer");
      return saved;
    },
  );
}
