import { Type } from "typebox";
import {
  createPackage,
  deactivatePackage,
  listPackages,
  MAX_CREDITS,
  MAX_EXPIRY_DAYS,
  setPackagePrice,
} from "../../credits/grants.js";
import { ApiError } from "../../errors/api-error.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import type { App, AppDeps } from "../route-context.js";
import { errorResponses, IdParams, Page, PageQuery } from "../schemas.js";
import { PackageSchema, PriceInput, packageView } from "./credits-packages.js";

/** The operator's package catalogue. */
export function registerOperatorCreditPackageRoutes(app: App, { database, clock }: AppDeps): void {
  const operator = { access: { auth: "operator" } } as const;

  app.post(
    "/v1/operator/packages",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Add a package to the catalogue",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            credits: Type.Integer({ minimum: 1, maximum: MAX_CREDITS }),
            expiresInDays: Type.Optional(
              Type.Union([Type.Integer({ minimum: 1, maximum: MAX_EXPIRY_DAYS }), Type.Null()], {
                description: "What is left expires this many days after purchase; absent or null: never",
              }),
            ),
            price: Type.Optional(PriceInput),
          },
          { additionalProperties: false },
        ),
        response: { 201: PackageSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await createPackage(database.db, request.body, clock.now());
      return reply.code(201).send(packageView(created));
    },
  );

  app.get(
    "/v1/operator/packages",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "The whole catalogue, including packages taken off sale",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(PackageSchema), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listPackages(database.db, {
        activeOnly: false,
        after: decodeCursor(request.query.cursor),
        limit,
      });
      return { items: rows.map(packageView), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.patch(
    "/v1/operator/packages/:id",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Set or clear a package's price (shown to tenants in GET /v1/packages)",
        params: IdParams,
        body: Type.Object({ price: PriceInput }, { additionalProperties: false }),
        response: { 200: PackageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const pkg = await setPackagePrice(database.db, request.params.id, request.body.price);
      if (!pkg) throw new ApiError("not_found", `no package ${request.params.id.slice(0, 40)}`);
      return packageView(pkg);
    },
  );

  app.delete(
    "/v1/operator/packages/:id",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Take a package off sale; credit already bought stays with the tenants",
        params: IdParams,
        response: { 200: PackageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const pkg = await deactivatePackage(database.db, request.params.id);
      if (!pkg) throw new ApiError("not_found", `no package ${request.params.id.slice(0, 40)}`);
      return packageView(pkg);
    },
  );
}
