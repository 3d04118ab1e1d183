import { DateTime } from "luxon";
import type { ReceiveSettings } from "../accounts/account-settings.js";
import { nextOpening } from "../delivery/send-gate.js";

/**
 * When a tenant's mailbox is next due, from its receiving schedule (docs/own-account.md: "every N
 * minutes", optionally only within checking hours, or "preset times" of day in the tenant's zone). A mailbox never polled is due now.
 * Computed from the last poll and the current settings each time, so a changed schedule takes
 * effect at once.
 */
export function nextPollAt(
  schedule: ReceiveSettings["schedule"],
  timezone: string,
  lastPollAt: number | null,
): number | null {
  if (lastPollAt === null) return null;
  if (schedule.mode === "every") {
    const next = lastPollAt + Math.max(1, schedule.minutes) * 60_000;
    // Outside the checking hours: the next opening instead (the sending window's rules, DST and all).
    return schedule.window ? nextOpening(next, timezone, schedule.window) : next;
  }
  const after = DateTime.fromMillis(lastPollAt, { zone: timezone });
  const zoned = after.isValid ? after : DateTime.fromMillis(lastPollAt, { zone: "UTC" });
  let best: number | null = null;
  for (const time of schedule.times) {
    const m = /^(\d{1,2}):(\d{2})$/.exec(time);
    if (!m) continue;
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    if (hour > 23 || minute > 59) continue;
    // Today's occurrence if still ahead, else tomorrow's (luxon settles DST gaps and overlaps).
    for (const days of [0, 1]) {
      const at = zoned.plus({ days }).set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
      if (at > lastPollAt) {
        if (best === null || at < best) best = at;
        break;
      }
    }
  }
  // No usable time at all (the wizard refuses that): once a day rather than all the time.
  return best ?? lastPollAt + 86_400_000;
}

/** Due when never polled, or when the next time after the last poll has come. */
export function isDue(next: number | null, now: number): boolean {
  return next === null || next <= now;
}
