import { Type } from "typebox";
import { listLedger } from "../../credits/grants.js";
import { currentAvailability } from "../../credits/meter.js";
import { overLimitPolicies, tenantCreditRules } from "../../credits/settings.js";
import type { Database } from "../../db/database.js";
import { ApiError } from "../../errors/api-error.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, Nullable, Page, PageQuery, StringEnum } from "../schemas.js";

const iso = (ms: number) => new Date(ms).toISOString();

export const CreditsSchema = Type.Object({
  period: Type.String({ description: "The current month in the tenant's time zone, YYYY-MM" }),
  periodStart: Type.String({ format: "date-time", description: "Local midnight on the 1st" }),
  periodEnd: Type.String({ format: "date-time", description: "Local midnight on the 1st of the next month" }),
  monthlyAllowance: Type.Integer({
    minimum: 0,
    description: "Free credit each month; unused credit does not roll over",
  }),
  usedThisPeriod: Type.Integer({
    minimum: 0,
    description: "Counted emails charged this month, whatever paid for them (allowance, package, over the limit)",
  }),
  packageBalance: Type.Integer({
    minimum: 0,
    description: "Unexpired purchased or allocated credit left; spent before the allowance",
  }),
  available: Type.Integer({
    minimum: 0,
    description:
      "What can still be sent now: the package balance, or when that is smaller, what is left of the month's " +
      "allowance after all counted mail this month. The allowance is not added to a package.",
  }),
  state: StringEnum(["ok", "low", "over"] as const, {
    description: "low: 90% or more of what the tenant can send this month is used; over: nothing is left",
  }),
  overLimitPolicy: StringEnum(overLimitPolicies, {
    description:
      "What happens with nothing left: soft (keep sending, reminders), hard (counted mail is held), " +
      "grace (as soft for graceDays, then hard)",
  }),
  graceDays: Type.Integer({ minimum: 0, description: "Days over the limit before grace turns hard" }),
});

/** The tenant's balance as `GET /v1/credits` shows it. */
export async function creditsView(database: Database, tenantId: string, now: number) {
  const rules = await tenantCreditRules(database.db, tenantId);
  const a = await currentAvailability(database, tenantId, now);
  if (!rules || !a) throw new ApiError("not_found", `no tenant ${tenantId.slice(0, 40)}`);
  return {
    period: a.period.key,
    periodStart: iso(a.period.start),
    periodEnd: iso(a.period.end),
    monthlyAllowance: rules.monthlyAllowance,
    usedThisPeriod: a.counted,
    packageBalance: a.grantBalance,
    available: a.available,
    state: a.state,
    overLimitPolicy: rules.policy,
    graceDays: rules.graceDays,
  };
}

export const LedgerEntrySchema = Type.Object({
  id: Type.String(),
  at: Type.String({ format: "date-time" }),
  period: Type.String({ description: "YYYY-MM the movement belongs to" }),
  kind: Type.String({
    description:
      "allowance_use, package_use, over_limit_use (one counted email each), refund (mail never sent), " +
      "package_purchase, adjustment (by the operator), group_allocation",
  }),
  amount: Type.Integer({ description: "Credits: negative when spent or taken, positive when bought or given" }),
  grantId: Nullable(
    Type.String({ description: "The package, adjustment or allocation the credit moved in or out of" }),
  ),
  recipientId: Nullable(Type.String({ description: "The recipient an email charge or refund is for" })),
  actor: Nullable(Type.String({ description: "Id of the API key that made a purchase or an adjustment" })),
  note: Nullable(Type.String()),
});

export function registerCreditBalanceRoutes(app: App, { database, clock }: AppDeps): void {
  app.get(
    "/v1/credits",
    {
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["credits"],
        summary: "The tenant's credit: this month's period, allowance, use, package balance and what is left",
        response: { 200: CreditsSchema, ...errorResponses },
      },
    },
    async (request) => creditsView(database, tenantOf(request).tenantId, clock.now()),
  );

  app.get(
    "/v1/credits/ledger",
    {
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["credits"],
        summary: "Every credit movement of the tenant, newest first",
        querystring: Type.Object(
          {
            ...PageQuery,
            period: Type.Optional(Type.String({ pattern: "^\\d{4}-(0[1-9]|1[0-2])$", description: "Only this month" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(LedgerEntrySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listLedger(database.db, tenantId, {
        before: decodeCursor(request.query.cursor),
        period: request.query.period,
        limit,
      });
      return { items: rows.map((r) => ({ ...r, at: iso(r.at) })), nextCursor: nextCursor(rows, limit) };
    },
  );
}
