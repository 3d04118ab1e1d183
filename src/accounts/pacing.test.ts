import { describe, expect, it } from "vitest";
import { delayForDailyLimit, describePacing, minutesOf, windowSeconds } from "./pacing.js";

describe("pacing", () => {
  it("turns 500 a day over 8 hours into about one a minute, rounded up", () => {
    expect(delayForDailyLimit(500, { start: "08:00", end: "16:00" })).toBe(58);
    expect(delayForDailyLimit(500, { start: "08:00", end: "17:00" })).toBe(65);
    expect(delayForDailyLimit(1000, { start: "09:00", end: "17:00" })).toBe(29);
    expect(delayForDailyLimit(500, null)).toBe(173);
  });

  it("never lets more than the limit through in the window", () => {
    for (const limit of [1, 7, 99, 500, 1000, 1500, 2000, 9999, 28_800, 100_000]) {
      for (const window of [
        null,
        { start: "08:00", end: "16:00" },
        { start: "00:00", end: "24:00" },
        { start: "10:15", end: "10:16" },
      ]) {
        const delay = delayForDailyLimit(limit, window);
        expect(Number.isInteger(delay)).toBe(true);
        const sends = Math.ceil(windowSeconds(window) / delay);
        expect(sends).toBeLessThanOrEqual(limit);
        expect(describePacing(delay, window).perDay).toBe(sends);
      }
    }
  });

  it("describes the pace for people", () => {
    const p = describePacing(58, { start: "08:00", end: "16:00" });
    expect(p.description).toBe("1 email every 58 seconds, at most 497 emails a day between 08:00 and 16:00");
    expect(p.perMinute).toBe(1.03);
    expect(describePacing(0, null).description).toBe("no delay between emails");
  });

  it("refuses malformed limits and windows", () => {
    expect(() => delayForDailyLimit(0, null)).toThrow(RangeError);
    expect(() => delayForDailyLimit(1.5, null)).toThrow(RangeError);
    expect(() => windowSeconds({ start: "17:00", end: "08:00" })).toThrow(RangeError);
    expect(() => windowSeconds({ start: "8:00", end: "17:00" })).toThrow(RangeError);
    expect(minutesOf("24:00")).toBe(1440);
    expect(minutesOf("24:01")).toBeNull();
    expect(minutesOf("12:60")).toBeNull();
  });
});
