import { DateTime } from "luxon";
import { activeGrants, availability } from "../credits/meter.js";
import { creditAlertRecipients, type NoticeSender, prepareNotice, queueNotice } from "../credits/notices.js";
import {
  getOperatorCreditSettings,
  type Period,
  periodAt,
  type TenantCreditRules,
  tenantCreditRules,
} from "../credits/settings.js";
import type { Database, Tx } from "../db/database.js";
import type { Clock } from "../time/clock.js";
import type { ScheduledJob } from "./scheduler.js";

const DAY = 86_400_000;
export const REMINDER_INTERVAL_MS = 3 * DAY;
/** Wider than any UTC offset (−12 … +14 h): every tenant's current month is one of these keys. */
const ZONE_MARGIN_MS = 15 * 3_600_000;

/**
 * Every 5 minutes: reminds the tenants over their limit (nothing left to send this month), every
 * 3 days, until they buy credit or the month ends. Safe with several schedulers running.
 */
export function creditReminders(database: Database, clock: Clock, sender: NoticeSender): ScheduledJob {
  return {
    name: "credit-reminders",
    pattern: "0 */5 * * * *",
    async run() {
      await sendCreditReminders(database, clock.now(), sender);
    },
  };
}

/**
 * Queues the reminders that are due at `now`; returns the tenants reminded.
 *
 * A reminder is due when the tenant's current period is `over` (see availability()) and the
 * last reminder is at least 3 days old. Before the first reminder, the low-credit alert counts
 * as one if it went out when the tenant was already over (the batch that crossed 90% also went
 * past the limit): it told the same people the same thing, so the first reminder follows it 3
 * days later rather than minutes later. An alert sent earlier (at 90%) did not say the tenant
 * was over, so the first reminder goes out as soon as it is.
 *
 * `last_reminder_at` is claimed with a conditional UPDATE in the transaction that queues the
 * notice: two schedulers that both find a tenant due queue one reminder between them. A new
 * month is a new period row, never over at its start, so reminders stop by themselves; so does
 * credit arriving, which makes the tenant no longer over.
 */
export async function sendCreditReminders(database: Database, now: number, sender: NoticeSender): Promise<string[]> {
  const { db } = database;
  const operator = await getOperatorCreditSettings(db);
  const keys = [...new Set([periodAt(now - ZONE_MARGIN_MS, "UTC").key, periodAt(now + ZONE_MARGIN_MS, "UTC").key])];
  const dueBefore = now - REMINDER_INTERVAL_MS;
  // Over means nothing is available, which needs counted >= allowance: a cheap filter in SQL.
  // The exact test (grants, the tenant's own month) is made per tenant in the transaction.
  const candidates = await db
    .selectFrom("credit_periods as cp")
    .innerJoin("tenants as t", "t.id", "cp.tenant_id")
    .leftJoin("credit_settings as cs", "cs.tenant_id", "cp.tenant_id")
    .select(["cp.tenant_id", "cp.period", "t.name"])
    .where("cp.period", "in", keys)
    .where("t.sending_mode", "=", "relay")
    .where((eb) => eb("cp.counted", ">=", eb.fn.coalesce("cs.monthly_allowance", eb.val(operator.defaultAllowance))))
    .where((eb) => eb.or([eb("cp.last_reminder_at", "is", null), eb("cp.last_reminder_at", "<=", dueBefore)]))
    .orderBy("cp.tenant_id")
    .execute();

  const reminded: string[] = [];
  for (const c of candidates) {
    const rules = await tenantCreditRules(db, c.tenant_id, operator);
    if (!rules?.metered) continue;
    const period = periodAt(now, rules.timezone);
    if (period.key !== c.period) continue;
    const sent = await database.db.transaction().execute((tx) => remindIfDue(tx, rules, c.name, period, now, sender));
    if (sent) reminded.push(c.tenant_id);
  }
  return reminded;
}

async function remindIfDue(
  tx: Tx,
  rules: TenantCreditRules,
  tenantName: string,
  period: Period,
  now: number,
  sender: NoticeSender,
): Promise<boolean> {
  const row = await tx
    .selectFrom("credit_periods")
    .selectAll()
    .where("tenant_id", "=", rules.tenantId)
    .where("period", "=", period.key)
    .executeTakeFirst();
  if (!row) return false;
  const grants = await activeGrants(tx, rules.tenantId, now);
  const state = availability(
    period,
    rules.monthlyAllowance,
    row.counted,
    grants.reduce((sum, g) => sum + g.remaining, 0),
  );
  if (state.state !== "over") return false;
  const alertedWhileOver = row.low_alert_at !== null && row.over_at !== null && row.low_alert_at >= row.over_at;
  const lastTold = row.last_reminder_at ?? (alertedWhileOver ? row.low_alert_at : null);
  if (lastTold !== null && lastTold > now - REMINDER_INTERVAL_MS) return false;

  const claimed = await tx
    .updateTable("credit_periods")
    .set({ last_reminder_at: now })
    .where("tenant_id", "=", rules.tenantId)
    .where("period", "=", period.key)
    .where((eb) =>
      eb.or([eb("last_reminder_at", "is", null), eb("last_reminder_at", "<=", now - REMINDER_INTERVAL_MS)]),
    )
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return false;

  const to = await creditAlertRecipients(tx, rules);
  const { subject, text } = reminderText(rules, tenantName, period, row.counted, row.over_at, now);
  await queueNotice(tx, sender, rules.tenantId, now, prepareNotice(sender, to, subject, text));
  return true;
}

/** The reminder's words: what happened, what happens to mail now, what to do. */
export function reminderText(
  rules: TenantCreditRules,
  tenantName: string,
  period: Period,
  counted: number,
  overAt: number | null,
  now: number,
): { subject: string; text: string } {
  const local = (ms: number) => DateTime.fromMillis(ms, { zone: rules.timezone }).setLocale("en-GB");
  const month = local(period.start).toFormat("LLLL yyyy");
  const lastDay = local(period.end - 1).toFormat("d LLLL");
  const holdFrom = overAt === null ? null : overAt + rules.graceDays * DAY;
  const policy =
    rules.policy === "soft"
      ? "Your mail is still being sent, but please add credit: the service may be interrupted if you stay over the limit."
      : rules.policy === "grace" && (holdFrom === null || now < holdFrom)
        ? `Your mail is still being sent until ${local(holdFrom ?? now + rules.graceDays * DAY).toFormat("d LLLL HH:mm")}; after that, counted mail is held until credit is added.`
        : "Counted mail is being held until credit is added; nothing is lost, and it goes out as soon as there is credit. Critical mail such as password resets still goes out.";
  return {
    subject: `Reminder: ${tenantName} has no email credit left for ${month}`,
    text: [
      `${tenantName} has used all the email credit it can send in ${month}: ${counted} counted ${counted === 1 ? "email" : "emails"} against a monthly allowance of ${rules.monthlyAllowance}.`,
      "",
      policy,
      "",
      "Buy a package from the Communication overview to add credit.",
      `This reminder is sent every 3 days until credit is added or the month ends (${lastDay}), when the free allowance starts again.`,
    ].join("\n"),
  };
}
