import type { Database } from "../db/database.js";
import { activeGrants, availability, chargesCategory, sendsOverLimit } from "./meter.js";
import { type OverLimitPolicy, periodAt, tenantCreditRules } from "./settings.js";

/** What sending `emails` counted emails of one category now would do to the tenant's credit. */
export interface CreditForecast {
  /** False when this mail is not charged (own mail account, exempt or Postbag's own category). */
  readonly charged: boolean;
  /** Credits the emails would use (0 when not charged). */
  readonly needed: number;
  /** What the tenant can still send this period (purchased credit, then the month's allowance). */
  readonly available: number;
  readonly fits: boolean;
  readonly policy: OverLimitPolicy;
  /** Emails beyond what is available. */
  readonly overLimit: number;
  /** What the over-limit policy does with them: `none` (it fits), `sent` (charged over the limit) or `held` (`held_no_credit`). */
  readonly overLimitAction: "none" | "sent" | "held";
}

/**
 * Forecasts the metering of `emails` emails of `category` at `now` with the metering's own rules
 * (`chargesCategory`, `availability`, `sendsOverLimit`); nothing is reserved. Mail metered
 * between this forecast and the sending may change the answer.
 */
export async function forecastCredits(
  database: Database,
  tenantId: string,
  category: string,
  emails: number,
  now: number,
): Promise<CreditForecast | undefined> {
  const rules = await tenantCreditRules(database.db, tenantId);
  if (!rules) return undefined;
  const period = periodAt(now, rules.timezone);
  const row = await database.db
    .selectFrom("credit_periods")
    .select(["counted", "over_at"])
    .where("tenant_id", "=", tenantId)
    .where("period", "=", period.key)
    .executeTakeFirst();
  const grants = await activeGrants(database.db, tenantId, now);
  const { available } = availability(
    period,
    rules.monthlyAllowance,
    row?.counted ?? 0,
    grants.reduce((s, g) => s + g.remaining, 0),
  );
  const charged = chargesCategory(rules, category);
  const needed = charged ? emails : 0;
  const overLimit = Math.max(0, needed - available);
  // The metering sets over_at when the first email goes over; a forecast that goes over starts it now.
  const overAt = row?.over_at ?? now;
  const overLimitAction =
    overLimit === 0 ? "none" : sendsOverLimit(rules, category, overAt, now) ? ("sent" as const) : ("held" as const);
  return { charged, needed, available, fits: overLimit === 0, policy: rules.policy, overLimit, overLimitAction };
}
