import { DateTime } from "luxon";
import { type Availability, currentAvailability } from "../credits/meter.js";
import { type Period, periodAt, periodByKey } from "../credits/settings.js";
import type { Database } from "../db/database.js";
import { escapeHtml } from "../email/html.js";
import { findTenant } from "../tenants/tenants.js";
import { signToken } from "../tracking/tokens.js";
import { sentByBucket } from "./sent-counts.js";

/**
 * The usage page behind the daily usage email's link: one tenant's mail for one month, day by
 * day, read-only. The link's token decides the tenant; this module only reads and renders.
 */
export const USAGE_TOKEN_PURPOSE = "usage";
/** How long a usage link opens the page: the daily email sends a fresh one every day. */
export const USAGE_LINK_TTL_MS = 14 * 86_400_000;

/** The usage page link for a tenant's administrators: signed, bound to the tenant, expiring. */
export function usagePageUrl(secretKey: string, publicUrl: string, tenantId: string, now: number): string {
  const token = signToken(secretKey, { purpose: USAGE_TOKEN_PURPOSE, tenantId, expiresAt: now + USAGE_LINK_TTL_MS });
  return `${publicUrl}/usage/${token}`;
}

export interface UsageDay {
  /** `YYYY-MM-DD` in the tenant's zone. */
  readonly date: string;
  readonly start: number;
  readonly counted: number;
  readonly uncounted: number;
}

export interface UsagePage {
  readonly tenantName: string;
  readonly zone: string;
  readonly period: Period;
  readonly isCurrent: boolean;
  /** Days of the month so far (all of them for a past month). */
  readonly days: readonly UsageDay[];
  readonly counted: number;
  readonly uncounted: number;
  /** The tenant's credit now; only on the current month of a metered tenant. */
  readonly credit: Availability | undefined;
  /** `YYYY-MM` of the neighbouring months the tenant may open (not before it existed, not the future). */
  readonly previous: string | undefined;
  readonly next: string | undefined;
}

/**
 * Loads the page for `month` (`YYYY-MM`, default the current month in the tenant's zone), or
 * undefined when the tenant is gone or the month is malformed, in the future, or before the
 * tenant existed.
 */
export async function loadUsagePage(
  database: Database,
  tenantId: string,
  month: string | undefined,
  now: number,
): Promise<UsagePage | undefined> {
  const tenant = await findTenant(database.db, tenantId);
  if (!tenant) return undefined;
  const zone = tenant.timezone;
  const current = periodAt(now, zone);
  const first = periodAt(tenant.created_at, zone);
  const period = month === undefined ? current : periodByKey(month, zone);
  if (!period || period.key > current.key || period.key < first.key) return undefined;
  const isCurrent = period.key === current.key;

  // Local midnights, from luxon in the zone: a day next to a DST change is 23 or 25 hours long.
  // The current month stops after today.
  const start = DateTime.fromMillis(period.start, { zone });
  const stop = isCurrent ? DateTime.fromMillis(now, { zone }).startOf("day").plus({ days: 1 }).toMillis() : period.end;
  const boundaries: number[] = [];
  for (let day = start; day.toMillis() < stop; day = day.plus({ days: 1 })) boundaries.push(day.toMillis());
  boundaries.push(stop);

  const counts = await sentByBucket(database.db, tenantId, boundaries);
  const days = counts.map((c, i) => ({
    date: DateTime.fromMillis(boundaries[i] as number, { zone }).toISODate() ?? "",
    start: boundaries[i] as number,
    counted: c.counted,
    uncounted: c.uncounted,
  }));
  const neighbour = (months: number) => start.plus({ months }).toFormat("yyyy-MM");
  const previous = neighbour(-1);
  const next = neighbour(1);
  return {
    tenantName: tenant.name,
    zone,
    period,
    isCurrent,
    days,
    counted: days.reduce((s, d) => s + d.counted, 0),
    uncounted: days.reduce((s, d) => s + d.uncounted, 0),
    credit:
      isCurrent && tenant.sending_mode === "relay" ? await currentAvailability(database, tenantId, now) : undefined,
    previous: previous >= first.key ? previous : undefined,
    next: next <= current.key ? next : undefined,
  };
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#5b6470;--line:#d8dde3;--card:#f4f6f8;--accent:#0b5cad}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#15181c;--muted:#a0a8b3;--line:#343a42;--card:#1f242a;--accent:#7db4ef}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 0;overflow-wrap:anywhere}
h2{font-size:1.1rem;font-weight:normal;color:var(--muted);margin:.25rem 0 1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.5rem;margin:1rem 0}
.card{background:var(--card);border-radius:.5rem;padding:.6rem .8rem}
.card b{display:block;font-size:1.5rem}
.card span{color:var(--muted);font-size:.9rem}
nav{display:flex;justify-content:space-between;gap:1rem;margin:1rem 0}
a{color:var(--accent)}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:.35rem .4rem;border-bottom:1px solid var(--line);text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{font-size:.85rem;color:var(--muted);font-weight:600}
tfoot td{font-weight:600;border-bottom:none}
footer{margin-top:1.5rem;color:var(--muted);font-size:.85rem}
`;

function layout(title: string, body: string): string {
  return [
    "<!doctype html>",
    '<html lang="en-GB"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    `</head><body><main>${body}</main></body></html>`,
  ].join("\n");
}

const stateWords: Record<Availability["state"], string> = {
  ok: "Within the limit",
  low: "Running low",
  over: "Over the limit",
};

/** The page as HTML; every value from the database is escaped. */
export function renderUsagePage(page: UsagePage, linkExpiresAt: number): string {
  const local = (ms: number) => DateTime.fromMillis(ms, { zone: page.zone }).setLocale("en-GB");
  const month = local(page.period.start).toFormat("LLLL yyyy");
  const monthName = (key: string) => {
    const p = periodByKey(key, page.zone);
    return p ? local(p.start).toFormat("LLLL yyyy") : key;
  };
  const link = (key: string, label: string) => `<a href="?month=${escapeHtml(encodeURIComponent(key))}">${label}</a>`;
  const card = (value: string | number, label: string) =>
    `<div class="card"><b>${escapeHtml(String(value))}</b><span>${escapeHtml(label)}</span></div>`;
  const cards = [
    card(page.counted, "counted emails sent"),
    card(page.uncounted, "not counted (exempt, notices)"),
    ...(page.credit
      ? [card(page.credit.available, "can still be sent"), card(stateWords[page.credit.state], "credit")]
      : []),
  ];
  const rows = page.days
    .map(
      (d) =>
        `<tr><td>${escapeHtml(local(d.start).toFormat("ccc d LLL"))}</td><td>${d.counted}</td><td>${d.uncounted}</td><td>${d.counted + d.uncounted}</td></tr>`,
    )
    .join("\n");
  const body = [
    `<h1>${escapeHtml(page.tenantName)}</h1>`,
    `<h2>Email sent in ${escapeHtml(month)}${page.isCurrent ? " (so far)" : ""}</h2>`,
    `<div class="cards">${cards.join("")}</div>`,
    `<nav><span>${page.previous ? link(page.previous, `&larr; ${escapeHtml(monthName(page.previous))}`) : ""}</span>`,
    `<span>${page.next ? link(page.next, `${escapeHtml(monthName(page.next))} &rarr;`) : ""}</span></nav>`,
    "<table><thead><tr><th>Day</th><th>Counted</th><th>Not counted</th><th>Total</th></tr></thead>",
    `<tbody>\n${rows}\n</tbody>`,
    `<tfoot><tr><td>Total</td><td>${page.counted}</td><td>${page.uncounted}</td><td>${page.counted + page.uncounted}</td></tr></tfoot></table>`,
    `<footer>Emails by the day they were sent, in ${escapeHtml(page.zone)} time. Each email to each recipient counts once; the daily usage email and credit alerts are not counted. This read-only link works until ${escapeHtml(local(linkExpiresAt).toFormat("d LLLL yyyy HH:mm"))}.</footer>`,
  ].join("\n");
  return layout(`Email usage: ${page.tenantName}, ${month}`, body);
}

/** What a refused link shows: nothing about any tenant. */
export function renderLinkProblem(kind: "invalid" | "expired" | "not_found"): string {
  const [title, hint] = {
    invalid: ["This link is not valid", "Open the link from your latest daily usage email."],
    expired: ["This link has expired", "Each daily usage email carries a fresh link: open the one from the latest."],
    not_found: ["Nothing to show", "There is no usage page for that month."],
  }[kind] as [string, string];
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(hint)}</p>`);
}
