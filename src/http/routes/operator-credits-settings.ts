import { Type } from "typebox";
import { getOperatorCreditSettings, overLimitPolicies } from "../../credits/settings.js";
import {
  getTenantCreditSettings,
  MAX_ALLOWANCE,
  MAX_GRACE_DAYS,
  type TenantCreditSettings,
  updateOperatorCreditSettings,
  updateTenantCreditSettings,
} from "../../credits/tenant-settings.js";
import { categories } from "../../email/categories.js";
import { ApiError } from "../../errors/api-error.js";
import type { App, AppDeps } from "../route-context.js";
import { errorResponses, IdParams, Nullable, StringEnum } from "../schemas.js";
import { LowCreditRecipients } from "./credits-recipients.js";

const Allowance = Type.Integer({ minimum: 0, maximum: MAX_ALLOWANCE });
const GraceDays = Type.Integer({ minimum: 0, maximum: MAX_GRACE_DAYS });
const Policy = StringEnum(overLimitPolicies, {
  description: "soft: keep sending and remind; hard: hold counted mail at 0 credit; grace: hard after graceDays over",
});
const Categories = Type.Array(StringEnum(categories), { maxItems: categories.length, uniqueItems: true });

const OperatorSettingsSchema = Type.Object({
  defaultAllowance: Allowance,
  exemptCategories: Type.Array(Type.String(), { description: "Never counted" }),
  criticalCategories: Type.Array(Type.String(), { description: "Never held, whatever the policy" }),
  defaultPolicy: Policy,
  defaultGraceDays: GraceDays,
});

export const TenantSettingsSchema = Type.Object({
  tenantId: Type.String(),
  monthlyAllowance: Nullable(Allowance),
  overLimitPolicy: Nullable(Policy),
  graceDays: Nullable(GraceDays),
  lowCreditRecipients: Type.Array(Type.String()),
  effective: Type.Object(
    { monthlyAllowance: Allowance, overLimitPolicy: Policy, graceDays: GraceDays },
    { description: "The overrides with the operator's defaults filling the gaps" },
  ),
});

export function tenantSettingsView(s: TenantCreditSettings) {
  return { ...s, lowCreditRecipients: [...s.lowCreditRecipients], effective: { ...s.effective } };
}

export function registerOperatorCreditSettingRoutes(app: App, { database, clock }: AppDeps): void {
  const operator = { access: { auth: "operator" } } as const;

  app.get(
    "/v1/operator/credit-settings",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "The credit rules for every tenant: default allowance, categories, default policy",
        response: { 200: OperatorSettingsSchema, ...errorResponses },
      },
    },
    async () => {
      const s = await getOperatorCreditSettings(database.db);
      return { ...s, exemptCategories: [...s.exemptCategories], criticalCategories: [...s.criticalCategories] };
    },
  );

  app.put(
    "/v1/operator/credit-settings",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Change the credit rules for every tenant; absent fields are kept",
        description: "Mail held for lack of credit is released afterwards: metering decides again for each.",
        body: Type.Object(
          {
            defaultAllowance: Type.Optional(Allowance),
            exemptCategories: Type.Optional(Categories),
            criticalCategories: Type.Optional(Categories),
            defaultPolicy: Type.Optional(Policy),
            defaultGraceDays: Type.Optional(GraceDays),
          },
          { additionalProperties: false },
        ),
        response: { 200: OperatorSettingsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const s = await updateOperatorCreditSettings(database, request.body, clock.now());
      return { ...s, exemptCategories: [...s.exemptCategories], criticalCategories: [...s.criticalCategories] };
    },
  );

  app.get(
    "/v1/operator/tenants/:id/credit-settings",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "A tenant's credit overrides and the rules that apply to it",
        params: IdParams,
        response: { 200: TenantSettingsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const s = await getTenantCreditSettings(database.db, request.params.id);
      if (!s) throw new ApiError("not_found", `no tenant ${request.params.id.slice(0, 40)}`);
      return tenantSettingsView(s);
    },
  );

  app.put(
    "/v1/operator/tenants/:id/credit-settings",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Override a tenant's allowance, policy, grace days or low-credit recipients",
        description:
          "An absent field is kept; null clears the override (the operator's default applies again). " +
          "Mail the tenant has held for lack of credit is released afterwards.",
        params: IdParams,
        body: Type.Object(
          {
            monthlyAllowance: Type.Optional(Nullable(Allowance)),
            overLimitPolicy: Type.Optional(Nullable(Policy)),
            graceDays: Type.Optional(Nullable(GraceDays)),
            lowCreditRecipients: Type.Optional(Nullable(LowCreditRecipients)),
          },
          { additionalProperties: false },
        ),
        response: { 200: TenantSettingsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const s = await updateTenantCreditSettings(database, request.params.id, request.body, clock.now());
      if (!s) throw new ApiError("not_found", `no tenant ${request.params.id.slice(0, 40)}`);
      return tenantSettingsView(s);
    },
  );
}
