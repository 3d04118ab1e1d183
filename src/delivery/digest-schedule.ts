import { DateTime } from "luxon";

/** A contact's digest choice, as stored on `contacts`. */
export interface DigestChoice {
  /** `daily` or `weekly` (anything else: no digest). */
  readonly digest: string;
  /** `HH:MM` in the tenant's zone; missing or malformed: `DEFAULT_DIGEST_TIME`. */
  readonly time: string | null;
  /** 1 = Monday … 7 = Sunday (weekly only); missing: Monday. */
  readonly weekday: number | null;
}

export const DEFAULT_DIGEST_TIME = "08:00";

export function wantsDigest(digest: string): boolean {
  return digest === "daily" || digest === "weekly";
}

function parseTime(time: string | null): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time ?? "") ?? /^(\d\d):(\d\d)$/.exec(DEFAULT_DIGEST_TIME);
  return { hour: Number(m?.[1] ?? 8), minute: Number(m?.[2] ?? 0) };
}

/**
 * The first digest time strictly after `now`, in the tenant's zone. Days are stepped in local
 * calendar days and the wall-clock time set afterwards, so a digest at 08:00 stays at 08:00 across
 * a daylight-saving change; a time that does not exist that day (inside a spring-forward gap)
 * moves forward to the first time that does, as Luxon resolves it.
 */
export function nextDigestAt(now: number, zone: string, choice: DigestChoice): number {
  const local = DateTime.fromMillis(now, { zone });
  const base = local.isValid ? local : DateTime.fromMillis(now, { zone: "UTC" });
  const { hour, minute } = parseTime(choice.time);
  const at = (days: number) =>
    base.startOf("day").plus({ days }).set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
  if (choice.digest === "weekly") {
    const weekday = choice.weekday !== null && choice.weekday >= 1 && choice.weekday <= 7 ? choice.weekday : 1;
    const ahead = (weekday - base.weekday + 7) % 7;
    const first = at(ahead);
    return first > now ? first : at(ahead + 7);
  }
  const today = at(0);
  return today > now ? today : at(1);
}
