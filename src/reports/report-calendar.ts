import { DateTime } from "luxon";
import { type Period, periodAt, periodByKey } from "../credits/settings.js";

/** One calendar day in the tenant's zone: `[start, end)` in epoch ms, 23, 24 or 25 hours long. */
export interface LocalDay {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly start: number;
  readonly end: number;
}

/** An ISO week (Monday to Sunday) in the tenant's zone. */
export interface ReportWeek {
  /** `YYYY-Www`. */
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly days: readonly LocalDay[];
}

function weekFrom(monday: DateTime): ReportWeek {
  // Calendar arithmetic in the zone: plus({ days: 1 }) lands on the next local midnight, so
  // the day of a daylight-saving change is 23 or 25 hours long, as it is on the wall clock.
  const days: LocalDay[] = [];
  for (let i = 0; i < 7; i++) {
    const day = monday.plus({ days: i });
    days.push({ date: day.toISODate() ?? "", start: day.toMillis(), end: day.plus({ days: 1 }).toMillis() });
  }
  return {
    key: `${monday.weekYear}-W${String(monday.weekNumber).padStart(2, "0")}`,
    start: monday.toMillis(),
    end: monday.plus({ weeks: 1 }).toMillis(),
    days,
  };
}

/** The ISO week containing `at`, in `zone`. */
export function weekAt(at: number, zone: string): ReportWeek {
  // Luxon's startOf("week") is the ISO week (Monday) unless locale weeks are asked for.
  return weekFrom(DateTime.fromMillis(at, { zone }).startOf("week"));
}

/** The week named `key` (`YYYY-Www`), or undefined when malformed or past the year's last week. */
export function weekByKey(key: string, zone: string): ReportWeek | undefined {
  const m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!m) return undefined;
  const weekYear = Number(m[1]);
  const weekNumber = Number(m[2]);
  const monday = DateTime.fromObject({ weekYear, weekNumber, weekday: 1 }, { zone });
  // Luxon refuses week 0 and weeks past the year's 52 or 53; the second check guards against
  // a future version normalising W53 of a 52-week year into the next year instead.
  if (!monday.isValid || monday.weekYear !== weekYear || monday.weekNumber !== weekNumber) return undefined;
  return weekFrom(monday.startOf("day"));
}

/** The month containing `at` and the `count - 1` months before it, newest first. */
export function monthsBack(at: number, zone: string, count: number): Period[] {
  const current = periodAt(at, zone);
  const start = DateTime.fromMillis(current.start, { zone });
  const out: Period[] = [current];
  for (let i = 1; i < count; i++) {
    const key = start.minus({ months: i }).toFormat("yyyy-MM");
    const period = periodByKey(key, zone);
    if (period) out.push(period);
  }
  return out;
}
