import { describe, expect, it } from "vitest";
import { isDue, nextPollAt } from "./mailbox-schedule.js";

const utc = (iso: string) => Date.parse(iso);

describe("nextPollAt", () => {
  it("is due at once when never polled", () => {
    expect(nextPollAt({ mode: "every", minutes: 5 }, "UTC", null)).toBeNull();
    expect(isDue(null, 0)).toBe(true);
  });

  it("every N minutes within checking hours: outside them, the next opening in the tenant's zone", () => {
    const schedule = { mode: "every", minutes: 30, window: { start: "08:00", end: "17:00" } } as const;
    // Inside: N minutes later (London is UTC+1 in June).
    expect(nextPollAt(schedule, "Europe/London", utc("2026-06-15T09:00:00Z"))).toBe(utc("2026-06-15T09:30:00Z"));
    // 16:45 local + 30 min is past 17:00: tomorrow at 08:00 local.
    expect(nextPollAt(schedule, "Europe/London", utc("2026-06-15T15:45:00Z"))).toBe(utc("2026-06-16T07:00:00Z"));
    // Before the opening: at the opening.
    expect(nextPollAt(schedule, "Europe/London", utc("2026-06-15T05:00:00Z"))).toBe(utc("2026-06-15T07:00:00Z"));
    expect(nextPollAt({ ...schedule, window: null }, "UTC", utc("2026-06-15T20:00:00Z"))).toBe(
      utc("2026-06-15T20:30:00Z"),
    );
  });

  it("adds N minutes after the last poll", () => {
    expect(nextPollAt({ mode: "every", minutes: 15 }, "UTC", utc("2026-01-15T09:00:00Z"))).toBe(
      utc("2026-01-15T09:15:00Z"),
    );
  });

  it("takes the next preset time in the tenant's zone, tomorrow's after the last one", () => {
    const times = { mode: "times" as const, times: ["08:00", "12:30", "16:00"] };
    expect(nextPollAt(times, "Europe/London", utc("2026-06-15T07:00:00Z"))).toBe(utc("2026-06-15T11:30:00Z"));
    expect(nextPollAt(times, "Europe/London", utc("2026-06-15T11:30:00Z"))).toBe(utc("2026-06-15T15:00:00Z"));
    expect(nextPollAt(times, "Europe/London", utc("2026-06-15T15:00:00Z"))).toBe(utc("2026-06-16T07:00:00Z"));
  });

  it("follows the zone across a daylight-saving change", () => {
    const times = { mode: "times" as const, times: ["08:00"] };
    // Europe/Berlin moves to summer time on 2026-03-29: 08:00 is 07:00Z before, 06:00Z after.
    expect(nextPollAt(times, "Europe/Berlin", utc("2026-03-28T07:00:00Z"))).toBe(utc("2026-03-29T06:00:00Z"));
  });

  it("falls back to once a day when no preset time is usable", () => {
    expect(nextPollAt({ mode: "times", times: ["25:99", "x"] }, "UTC", 1000)).toBe(1000 + 86_400_000);
  });
});
