import { Type } from "typebox";
import { categories } from "../../email/categories.js";
import { ApiError } from "../../errors/api-error.js";
import { monthlyUsage } from "../../reports/monthly-usage.js";
import { weekAt, weekByKey } from "../../reports/report-calendar.js";
import { weekOverview } from "../../reports/week-overview.js";
import { findTenant } from "../../tenants/tenants.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses } from "../schemas.js";
import { CreditsSchema, creditsView } from "./credits-balance.js";

const Counts = {
  total: Type.Integer({
    minimum: 0,
    description: "Recipients sent in the day (the week, in totals), whatever their status now",
  }),
  counted: Type.Integer({
    minimum: 0,
    description: "Of those, charged to credit (allowance, over the limit or package)",
  }),
  uncounted: Type.Integer({ minimum: 0, description: "Of those, free: exempt categories and Postbag's own notices" }),
  byCategory: Type.Object(Object.fromEntries(categories.map((c) => [c, Type.Optional(Type.Integer({ minimum: 1 }))])), {
    additionalProperties: false,
    description: "Recipients sent per message category; a missing category means 0",
  }),
};

const Overview = Type.Object({
  week: Type.String({ description: "ISO week, YYYY-Www, in the tenant's time zone" }),
  timezone: Type.String(),
  weekStart: Type.String({ format: "date", description: "Monday, local date" }),
  weekEnd: Type.String({ format: "date", description: "Sunday, local date (inclusive)" }),
  days: Type.Array(Type.Object({ date: Type.String({ format: "date" }), ...Counts }), { minItems: 7, maxItems: 7 }),
  totals: Type.Object(Counts),
  balance: CreditsSchema,
});

const MonthUsage = Type.Object({
  month: Type.String({ description: "YYYY-MM in the tenant's time zone" }),
  counted: Type.Integer({ minimum: 0, description: "Counted mail sent in the month" }),
  uncounted: Type.Integer({ minimum: 0, description: "Free mail sent in the month" }),
  allowance: Type.Integer({ minimum: 0, description: "The monthly allowance (as set now)" }),
  overLimit: Type.Boolean({ description: "The tenant needed more credit than it had this month" }),
});

/** Tenant reports: any role of the tenant may read them. */
export function registerReportRoutes(app: App, { database, clock }: AppDeps): void {
  app.get(
    "/v1/reports/overview",
    {
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["reports"],
        summary: "Mail sent a week at a time, per local day and category, with the credit balance",
        description:
          "Days are calendar days in the tenant's time zone (23 or 25 hours long on a daylight-saving change). " +
          "Mail counts on the day it was sent. The balance is the credit now, whichever week is shown.",
        querystring: Type.Object(
          {
            week: Type.Optional(
              Type.String({
                pattern: "^\\d{4}-W\\d{2}$",
                description: "ISO week, e.g. 2026-W13; default: the current week",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Overview, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const tenant = await findTenant(database.db, tenantId);
      if (!tenant) throw new ApiError("not_found", "tenant not found");
      const now = clock.now();
      const key = request.query.week;
      const week = key === undefined ? weekAt(now, tenant.timezone) : weekByKey(key, tenant.timezone);
      if (!week) throw new ApiError("invalid_request", `week ${JSON.stringify(key)} is not an ISO week (YYYY-Www)`);
      const overview = await weekOverview(database.db, tenantId, week);
      return {
        week: week.key,
        timezone: tenant.timezone,
        weekStart: week.days[0]?.date ?? "",
        weekEnd: week.days[week.days.length - 1]?.date ?? "",
        days: overview.days.map((d) => ({ ...d, byCategory: { ...d.byCategory } })),
        totals: { ...overview.totals, byCategory: { ...overview.totals.byCategory } },
        // The same body as GET /v1/credits, from the same code.
        balance: await creditsView(database, tenantId, now),
      };
    },
  );

  app.get(
    "/v1/reports/usage",
    {
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["reports"],
        summary: "Counted and uncounted mail per calendar month, the current month first",
        description:
          "Months are calendar months in the tenant's time zone; mail counts in the month it was sent. " +
          "usedThisPeriod in GET /v1/credits can be a little higher than this month's counted: it also " +
          "holds mail charged but not yet accepted by the relay (retrying).",
        querystring: Type.Object(
          { months: Type.Optional(Type.Integer({ minimum: 1, maximum: 36, default: 12 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(MonthUsage), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      return monthlyUsage(database, tenantId, clock.now(), request.query.months ?? 12);
    },
  );
}
