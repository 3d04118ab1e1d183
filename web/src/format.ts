// Numbers and dates as the people of a school read them: dates in the tenant's time zone.
const numberFormat = new Intl.NumberFormat("en-GB");

export const formatNumber = (n: number): string => numberFormat.format(n);

/** "Mon 23 Mar 2026, 14:05" in `timezone`; "—" for null. */
export function formatDateTime(iso: string | null | undefined, timezone: string): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

/** "1 Dec 2026": the day `iso` falls on in `timezone`. */
export function formatDate(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    day: "numeric",
    month: "short",
    year: "numeric",
  }).format(new Date(iso));
}

/** A local calendar date "2026-03-23" (already in the tenant's zone) as "Mon 23 Mar". */
export function formatLocalDate(date: string, withYear = false): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(withYear ? { year: "numeric" } : {}),
  }).format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)));
}

/** "2026-03" as "March 2026". */
export function formatMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", month: "long", year: "numeric" }).format(
    new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1)),
  );
}

export function formatPrice(price: { amount: number; currency: string } | null | undefined): string {
  if (!price) return "Price on request";
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency: price.currency }).format(price.amount);
  } catch {
    return `${price.amount} ${price.currency}`;
  }
}

/** The ISO week key (YYYY-Www) `offset` weeks from `week`. */
export function shiftWeek(week: string, offset: number): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) return week;
  const year = Number(match[1]);
  const num = Number(match[2]);
  // Monday of ISO week 1 is the Monday on or before 4 January.
  const jan4 = Date.UTC(year, 0, 4);
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
  const monday = new Date(week1Monday + (num - 1 + offset) * 7 * 86_400_000);
  const thursday = new Date(monday.getTime() + 3 * 86_400_000);
  const isoYear = thursday.getUTCFullYear();
  const yearJan4 = Date.UTC(isoYear, 0, 4);
  const yearWeek1Monday = yearJan4 - ((new Date(yearJan4).getUTCDay() + 6) % 7) * 86_400_000;
  const n = Math.round((monday.getTime() - yearWeek1Monday) / (7 * 86_400_000)) + 1;
  return `${isoYear}-W${String(n).padStart(2, "0")}`;
}

/** Minutes `timezone` is ahead of UTC at the instant `ms`. */
function zoneOffsetMinutes(ms: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * A wall-clock date ("2026-12-07") and time ("09:30") in `timezone` as an ISO instant; null when
 * either is missing or malformed. Around a clock change the offset of the result itself is used.
 */
export function zonedToIso(date: string, time: string, timezone: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  let at = wall - zoneOffsetMinutes(wall, timezone) * 60_000;
  at = wall - zoneOffsetMinutes(at, timezone) * 60_000;
  return Number.isFinite(at) ? new Date(at).toISOString() : null;
}

/** Today's date ("2026-12-07") in `timezone`. */
export function todayIn(timezone: string, now = Date.now()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timezone }).format(new Date(now));
}
