import { Type } from "typebox";
import { adjustCredits, MAX_CREDITS } from "../../credits/grants.js";
import type { App, AppDeps } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams } from "../schemas.js";

/** Credit the operator gives or takes by hand, each with a note the tenant sees in its ledger. */
export function registerOperatorCreditAdjustmentRoute(app: App, { database, clock }: AppDeps): void {
  app.post(
    "/v1/operator/tenants/:id/adjustments",
    {
      config: { access: { auth: "operator" } },
      schema: {
        tags: ["operator"],
        summary: "Give (positive) or take (negative) a tenant's credit, with a note",
        description:
          "Taking comes out of the tenant's purchased and allocated credit, soonest to expire first, and never " +
          "below zero (409 conflict). The free allowance is not a balance and cannot be taken.",
        params: IdParams,
        body: Type.Object(
          {
            credits: Type.Integer({ minimum: -MAX_CREDITS, maximum: MAX_CREDITS, not: { const: 0 } }),
            note: Type.String({ minLength: 1, maxLength: 500, description: "Why: shown in the tenant's ledger" }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            tenantId: Type.String(),
            credits: Type.Integer(),
            grantId: Type.Union([Type.String(), Type.Null()], { description: "The grant a positive adjustment made" }),
            taken: Type.Array(Type.Object({ grantId: Type.String(), credits: Type.Integer() }), {
              description: "What a negative adjustment took from each grant",
            }),
          }),
          409: ErrorBody,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.params.id;
      const { credits, note } = request.body;
      const result = await adjustCredits(
        database,
        tenantId,
        credits,
        note,
        request.principal?.keyId ?? "",
        clock.now(),
      );
      if (result.release && "failed" in result.release) {
        request.log.error({ err: result.release.failed, tenantId }, "releasing held mail after an adjustment failed");
      }
      return reply.code(201).send({ tenantId, credits, grantId: result.grantId, taken: [...result.taken] });
    },
  );
}
