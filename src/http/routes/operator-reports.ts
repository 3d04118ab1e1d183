import { Type } from "typebox";
import { overLimitTenants } from "../../reports/over-limit-tenants.js";
import { repeatOffenders } from "../../reports/repeat-offenders.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { App, AppDeps } from "../route-context.js";
import { errorResponses, Page, PageQuery } from "../schemas.js";

const OverLimitTenant = Type.Object({
  tenantId: Type.String(),
  tenantName: Type.String(),
  month: Type.String({ description: "YYYY-MM in the tenant's time zone" }),
  counted: Type.Integer({ description: "Counted mail charged this month, whatever paid for it" }),
  allowance: Type.Integer({ description: "The tenant's monthly allowance (as set now)" }),
  overSince: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description: "When the tenant first needed credit it did not have this month",
  }),
  lastReminderAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

const RepeatOffender = Type.Object({
  tenantId: Type.String(),
  tenantName: Type.String(),
  run: Type.Integer({ minimum: 2, description: "Longest run of consecutive months over the limit" }),
  months: Type.Array(Type.String(), { description: "The months of that run, oldest first" }),
  overMonths: Type.Array(Type.String(), { description: "Every month over the limit in the window, oldest first" }),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Operator reports across tenants: only operator keys reach them. Pages are in tenant id order. */
export function registerOperatorReportRoutes(app: App, { database, clock }: AppDeps): void {
  const operator = { access: { auth: "operator" } } as const;
  app.get(
    "/v1/operator/reports/over-limit",
    {
      config: operator,
      schema: {
        tags: ["operator", "reports"],
        summary: "Tenants over their credit limit in a month",
        description:
          "Over the limit: the tenant needed credit it did not have, or sent more counted mail than its " +
          "allowance without package credit. A page may hold fewer than `limit` items and still have a next one.",
        querystring: Type.Object(
          {
            ...PageQuery,
            month: Type.Optional(
              Type.String({
                pattern: "^\\d{4}-(0[1-9]|1[0-2])$",
                description: "YYYY-MM; default: each tenant's current month in its own time zone",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(OverLimitTenant), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await overLimitTenants(database.db, {
        month: q.month,
        after: decodeCursor(q.cursor),
        limit: q.limit ?? 50,
        now: clock.now(),
      });
      return {
        items: page.items.map((i) => ({ ...i, overSince: iso(i.overSince), lastReminderAt: iso(i.lastReminderAt) })),
        nextCursor: page.scanned === null ? null : encodeCursor(page.scanned),
      };
    },
  );

  app.get(
    "/v1/operator/reports/repeat-offenders",
    {
      config: operator,
      schema: {
        tags: ["operator", "reports"],
        summary: "Tenants over their credit limit in two or more consecutive months",
        description:
          "Looks at each tenant's current month and the months before it, in the tenant's time zone. " +
          "A page may hold fewer than `limit` items and still have a next one.",
        querystring: Type.Object(
          {
            ...PageQuery,
            months: Type.Optional(
              Type.Integer({ minimum: 2, maximum: 36, default: 12, description: "Months to look back over" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(RepeatOffender), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await repeatOffenders(database.db, {
        months: q.months ?? 12,
        after: decodeCursor(q.cursor),
        limit: q.limit ?? 50,
        now: clock.now(),
      });
      return {
        items: page.items.map((i) => ({ ...i, months: [...i.months], overMonths: [...i.overMonths] })),
        nextCursor: page.scanned === null ? null : encodeCursor(page.scanned),
      };
    },
  );
}
