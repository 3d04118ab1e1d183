import { Type } from "typebox";
import {
  getTenantCreditSettings,
  MAX_LOW_CREDIT_RECIPIENTS,
  updateTenantCreditSettings,
} from "../../credits/tenant-settings.js";
import { ApiError } from "../../errors/api-error.js";
import { auditRequest } from "../audit.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses } from "../schemas.js";

export const LowCreditRecipients = Type.Array(
  Type.String({ minLength: 1, maxLength: 254, description: "A user id of this tenant, or an email address" }),
  {
    maxItems: MAX_LOW_CREDIT_RECIPIENTS,
    description: "Who gets credit alerts and reminders besides every administrator with an email address",
  },
);

const RecipientsBody = Type.Object({ recipients: LowCreditRecipients }, { additionalProperties: false });

export function registerCreditRecipientRoutes(app: App, { database, clock }: AppDeps): void {
  const administrator = { access: { auth: "tenant", roles: ["administrator"] } } as const;

  app.get(
    "/v1/credits/low-credit-recipients",
    {
      config: administrator,
      schema: {
        tags: ["credits"],
        summary: "The tenant's low-credit recipients (administrator keys only)",
        response: { 200: RecipientsBody, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const settings = await getTenantCreditSettings(database.db, tenantId);
      if (!settings) throw new ApiError("not_found", "no such tenant");
      await auditRequest(
        database.db,
        request,
        clock.now(),
        "settings.changed",
        "low-credit recipients",
        `${settings.lowCreditRecipients.length} recipients`,
      );
      return { recipients: [...settings.lowCreditRecipients] };
    },
  );

  app.put(
    "/v1/credits/low-credit-recipients",
    {
      config: administrator,
      schema: {
        tags: ["credits"],
        summary: "Replace the tenant's low-credit recipients (administrator keys only)",
        description:
          "Each entry is a user id of this tenant (see /v1/users) or an email address; duplicates are dropped.",
        body: RecipientsBody,
        response: { 200: RecipientsBody, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const settings = await updateTenantCreditSettings(
        database,
        tenantId,
        { lowCreditRecipients: request.body.recipients },
        clock.now(),
      );
      if (!settings) throw new ApiError("not_found", "no such tenant");
      return { recipients: [...settings.lowCreditRecipients] };
    },
  );
}
