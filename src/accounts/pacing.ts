/**
 * Turns a provider's daily sending limit into the least delay between two emails (docs/own-account.md:
 * "500 a day between 08:00 and 17:00 -> about 1 a minute").
 *
 * Rounding: the exact figure (window seconds / limit, e.g. 8 h = 28,800 s / 500 = 57.6 s) is
 * rounded **up** to whole seconds (58 s). With the first email at the window's start and one
 * every `delay` seconds after it, at most ceil(window / delay) emails fit before the window
 * closes, and window / delay <= limit because delay >= window / limit: the limit is never
 * exceeded. Rounding down (57 s) would allow 506. The window's end is exclusive.
 */
export interface SendingWindow {
  /** `HH:MM`, tenant time. */
  readonly start: string;
  readonly end: string;
}

export interface Pacing {
  /** Least seconds between two emails. */
  readonly delaySeconds: number;
  /** The most emails that can go out in one day at that pace inside the window. */
  readonly perDay: number;
  /** Emails per minute at that pace (the figure the table in docs/own-account.md shows), two decimals. */
  readonly perMinute: number;
  /** Seconds the window is open each day (86,400 without a window). */
  readonly windowSeconds: number;
  /** For people: "1 email every 58 seconds, at most 497 a day between 08:00 and 16:00". */
  readonly description: string;
}

const DAY_SECONDS = 86_400;

/** Minutes since midnight of `HH:MM` (00:00-23:59, or 24:00 as the end of the day), or null. */
export function minutesOf(time: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(time);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes > 24 * 60 ? null : minutes;
}

/** Seconds the window is open each day; the whole day without one. Throws on a malformed window. */
export function windowSeconds(window: SendingWindow | null): number {
  if (!window) return DAY_SECONDS;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === null || end === null || end <= start) {
    throw new RangeError(`not a sending window: ${window.start}-${window.end}`);
  }
  return (end - start) * 60;
}

/** The least whole number of seconds between emails so that `limit` a day is never exceeded. */
export function delayForDailyLimit(limit: number, window: SendingWindow | null): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`not a daily limit: ${limit}`);
  return Math.max(1, Math.ceil(windowSeconds(window) / limit));
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;
}

/** What a delay means per day in the window (delay 0: no pacing). */
export function describePacing(delaySeconds: number, window: SendingWindow | null): Pacing {
  const open = windowSeconds(window);
  const during = window ? ` between ${window.start} and ${window.end}` : "";
  if (delaySeconds <= 0) {
    return {
      delaySeconds: 0,
      perDay: Number.POSITIVE_INFINITY,
      perMinute: Number.POSITIVE_INFINITY,
      windowSeconds: open,
      description: `no delay between emails${during ? `; sent only${during}` : ""}`,
    };
  }
  const perDay = Math.ceil(open / delaySeconds);
  const perMinute = Math.round((60 / delaySeconds) * 100) / 100;
  return {
    delaySeconds,
    perDay,
    perMinute,
    windowSeconds: open,
    description: `1 email every ${plural(delaySeconds, "second", "seconds")}, at most ${plural(perDay, "email", "emails")} a day${during}`,
  };
}
