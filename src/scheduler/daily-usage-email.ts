import { DateTime } from "luxon";
import { type Availability, currentAvailability } from "../credits/meter.js";
import { type NoticeSender, prepareNotice, queueNotice } from "../credits/notices.js";
import type { Database } from "../db/database.js";
import { isValidEmail } from "../email/address.js";
import { escapeHtml } from "../email/html.js";
import { USAGE_LINK_TTL_MS, usagePageUrl } from "../reports/usage-page.js";
import type { Clock } from "../time/clock.js";
import type { ScheduledJob } from "./scheduler.js";

/** Local hour (tenant time) from which the day's email is due. */
export const DAILY_USAGE_HOUR = 10;

export interface DailyUsageSettings extends NoticeSender {
  /** Signs the usage links. */
  readonly secretKey: string;
}

/** Every minute: the daily usage email for each tenant whose local time has reached 10:00. */
export function dailyUsageEmail(database: Database, clock: Clock, settings: DailyUsageSettings): ScheduledJob {
  return {
    name: "daily-usage-email",
    pattern: "15 * * * * *",
    async run() {
      await sendDailyUsageEmails(database, clock.now(), settings);
    },
  };
}

/**
 * Queues the daily usage email of every tenant that is due at `now`; returns the tenants whose
 * day this run took (a tenant without an administrator with an address gets no email, but its day
 * is still done).
 *
 * Only tenants on the built-in service (metered) get it: the email is about credit, and a
 * tenant on its own mail account has none to watch (its mail is reported in the API).
 *
 * Due means: the tenant's local time is 10:00 or later and no `daily_usage_runs` row exists for
 * its local date. Checking "at or after" rather than "at" means a scheduler that was down at
 * 10:00 catches up when it comes back, and the day of a daylight-saving change needs no special
 * case. The run row (primary key tenant + local date) is inserted in the transaction that queues
 * the email, so with several schedulers exactly one of them sends it.
 */
export async function sendDailyUsageEmails(
  database: Database,
  now: number,
  settings: DailyUsageSettings,
): Promise<string[]> {
  const { db } = database;
  // Every zone's local date is within a day of UTC's, so these runs are all that can matter.
  const utc = DateTime.fromMillis(now, { zone: "UTC" });
  const dates = [-1, 0, 1].map((d) => utc.plus({ days: d }).toISODate() ?? "");
  const [tenants, runs] = await Promise.all([
    db
      .selectFrom("tenants")
      .select(["id", "name", "timezone"])
      .where("sending_mode", "=", "relay")
      .orderBy("id")
      .execute(),
    db.selectFrom("daily_usage_runs").select(["tenant_id", "local_date"]).where("local_date", "in", dates).execute(),
  ]);
  const done = new Set(runs.map((r) => `${r.tenant_id} ${r.local_date}`));

  const sent: string[] = [];
  for (const tenant of tenants) {
    const local = DateTime.fromMillis(now, { zone: tenant.timezone });
    if (!local.isValid || local.hour < DAILY_USAGE_HOUR) continue;
    const localDate = local.toISODate();
    if (localDate === null || done.has(`${tenant.id} ${localDate}`)) continue;
    const credit = await currentAvailability(database, tenant.id, now);
    if (!credit) continue;
    const admins = await db
      .selectFrom("users")
      .select("email")
      .where("tenant_id", "=", tenant.id)
      .where("role", "=", "administrator")
      .where("email", "is not", null)
      .orderBy("id")
      .execute();
    const to = [
      ...new Map(
        admins.flatMap((a) => (a.email && isValidEmail(a.email) ? [[a.email.toLowerCase(), a.email]] : [])),
      ).values(),
    ];
    const won = await db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto("daily_usage_runs")
        .values({ tenant_id: tenant.id, local_date: localDate, at: now })
        .onConflict((oc) => oc.columns(["tenant_id", "local_date"]).doNothing())
        .returning("tenant_id")
        .executeTakeFirst();
      if (!inserted) return false;
      // No administrator with an address: the day is still marked done, so it is not retried.
      const url = usagePageUrl(settings.secretKey, settings.publicUrl, tenant.id, now);
      const { subject, text, html } = usageEmail(tenant.name, tenant.timezone, credit, url, now);
      await queueNotice(tx, settings, tenant.id, now, prepareNotice(settings, to, subject, text, html));
      return true;
    });
    if (won) sent.push(tenant.id);
  }
  return sent;
}

const stateWords: Record<Availability["state"], string> = {
  ok: "within the limit",
  low: "running low (90% or more used)",
  over: "over the limit (no credit left)",
};

/** The email itself: this month's numbers, and in the footer the link to the usage page. */
export function usageEmail(
  tenantName: string,
  zone: string,
  credit: Availability,
  url: string,
  now: number,
): { subject: string; text: string; html: string } {
  const month = DateTime.fromMillis(credit.period.start, { zone }).setLocale("en-GB").toFormat("LLLL yyyy");
  const today = DateTime.fromMillis(now, { zone }).setLocale("en-GB").toFormat("cccc d LLLL");
  const expires = DateTime.fromMillis(now + USAGE_LINK_TTL_MS, { zone })
    .setLocale("en-GB")
    .toFormat("d LLLL yyyy");
  const lines: [string, string][] = [
    ["Counted emails this month", String(credit.counted)],
    ["Can still be sent", String(credit.available)],
    ["Purchased credit left", String(credit.grantBalance)],
    ["State", stateWords[credit.state]],
  ];
  const footer = `See what was sent each day this month, and in earlier months: ${url}\n(This link needs no login and works until ${expires}; forward it only to people who may see these numbers.)`;
  const text = [
    `Email usage for ${tenantName}, ${month} (as of ${today})`,
    "",
    ...lines.map(([k, v]) => `${k}: ${v}`),
    "",
    "--",
    footer,
  ].join("\n");
  const html = [
    `<p>Email usage for <strong>${escapeHtml(tenantName)}</strong>, ${escapeHtml(month)} (as of ${escapeHtml(today)})</p>`,
    `<table>${lines.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td><strong>${escapeHtml(v)}</strong></td></tr>`).join("")}</table>`,
    `<hr><p style="font-size:small">See what was sent each day this month, and in earlier months: <a href="${escapeHtml(url)}">${escapeHtml(url)}</a><br>This link needs no login and works until ${escapeHtml(expires)}; forward it only to people who may see these numbers.</p>`,
  ].join("\n");
  return { subject: `Email usage for ${tenantName}: ${month}`, text, html };
}
