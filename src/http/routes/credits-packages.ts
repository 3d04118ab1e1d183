import { Type } from "typebox";
import { type CreditPackage, listPackages, purchasePackage } from "../../credits/grants.js";
import { auditRequest } from "../audit.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams, Nullable, Page, PageQuery } from "../schemas.js";
import { CreditsSchema, creditsView } from "./credits-balance.js";

export const PackageSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  credits: Type.Integer({ minimum: 1 }),
  expiresInDays: Nullable(
    Type.Integer({ minimum: 1, description: "What is left expires this many days after purchase" }),
  ),
  active: Type.Boolean({ description: "On sale" }),
  createdAt: Type.String({ format: "date-time" }),
  price: Nullable(
    Type.Object({
      amount: Type.Number({ minimum: 0, description: "In the currency's major unit (25.5 is 25.50)" }),
      currency: Type.String({ description: "ISO 4217" }),
    }),
  ),
});

/** The body's price field: an amount and an ISO 4217 currency, or null. */
export const PriceInput = Type.Union([
  Type.Object(
    {
      amount: Type.Number({ minimum: 0, maximum: 1e10 }),
      currency: Type.String({ pattern: "^[A-Z]{3}$", description: "ISO 4217, such as EUR or GBP" }),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export function packageView(p: CreditPackage) {
  return { ...p, createdAt: new Date(p.createdAt).toISOString() };
}

export function registerCreditPackageRoutes(app: App, { database, clock }: AppDeps): void {
  app.get(
    "/v1/packages",
    {
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["credits"],
        summary: "The packages of credit the tenant can buy",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(PackageSchema), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listPackages(database.db, {
        activeOnly: true,
        after: decodeCursor(request.query.cursor),
        limit,
      });
      return { items: rows.map(packageView), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.post(
    "/v1/packages/:id/purchase",
    {
      config: { access: { auth: "tenant", roles: ["administrator"] } },
      schema: {
        tags: ["credits"],
        summary: "Buy a package (administrator keys only); answers the new balance",
        description:
          "Records the purchase with the key that made it (payment is outside Postbag). Purchased credit is spent " +
          "before the month's allowance and is not added to it. Mail held for lack of credit is released.",
        params: IdParams,
        headers: Type.Object({
          "idempotency-key": Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              pattern: "^[\\x21-\\x7e]+$",
              description: "Retrying with the same key buys once",
            }),
          ),
        }),
        response: { 201: CreditsSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const { tenantId } = tenantOf(request);
      const now = clock.now();
      const { release } = await purchasePackage(
        database,
        tenantId,
        request.params.id,
        principal?.keyId ?? "unknown",
        now,
        request.headers["idempotency-key"],
      );
      await auditRequest(database.db, request, now, "package.purchased", request.params.id);
      if ("failed" in release) {
        request.log.error({ err: release.failed, tenantId }, "releasing held mail after a purchase failed");
      }
      return reply.code(201).send(await creditsView(database, tenantId, now));
    },
  );
}
