import { describe, expect, it } from "vitest";
import { inWindow, nextOpening } from "./send-gate.js";

const office = { start: "08:00", end: "17:00" };
const night = { start: "22:00", end: "06:00" };

describe("sending window", () => {
  it("is read in the tenant's local time", () => {
    // 07:30 UTC in July is 08:30 in London (BST), 07:30 in Reykjavik (UTC all year).
    const at = Date.UTC(2026, 6, 1, 7, 30);
    expect(inWindow(at, "Europe/London", office)).toBe(true);
    expect(inWindow(at, "Atlantic/Reykjavik", office)).toBe(false);
    expect(nextOpening(at, "Atlantic/Reykjavik", office)).toBe(Date.UTC(2026, 6, 1, 8, 0));
  });

  it("the end is exclusive, and after it the window opens the next day", () => {
    const fivePm = Date.UTC(2026, 0, 15, 17, 0);
    expect(inWindow(fivePm - 1, "Europe/London", office)).toBe(true);
    expect(inWindow(fivePm, "Europe/London", office)).toBe(false);
    expect(nextOpening(fivePm, "Europe/London", office)).toBe(Date.UTC(2026, 0, 16, 8, 0));
  });

  it("opens at 08:00 local across the spring-forward night (GMT -> BST)", () => {
    // Saturday 28 March 2026 18:00 GMT; clocks go forward at 01:00 UTC on Sunday 29 March.
    const saturdayEvening = Date.UTC(2026, 2, 28, 18, 0);
    expect(nextOpening(saturdayEvening, "Europe/London", office)).toBe(Date.UTC(2026, 2, 29, 7, 0));
  });

  it("opens at 08:00 local across the autumn night (BST -> GMT)", () => {
    const saturdayEvening = Date.UTC(2026, 9, 24, 18, 0);
    expect(nextOpening(saturdayEvening, "Europe/London", office)).toBe(Date.UTC(2026, 9, 25, 8, 0));
  });

  it("a start that the clock change skips resolves to the first valid time after it", () => {
    const window = { start: "01:30", end: "05:00" };
    // 01:30 local does not exist on 29 March 2026 in London (01:00 GMT -> 02:00 BST).
    const before = Date.UTC(2026, 2, 28, 23, 0);
    const opening = nextOpening(before, "Europe/London", window);
    expect(opening).toBeGreaterThan(before);
    expect(inWindow(opening, "Europe/London", window)).toBe(true);
  });

  it("an overnight window wraps around midnight", () => {
    expect(inWindow(Date.UTC(2026, 0, 15, 23, 0), "Europe/London", night)).toBe(true);
    expect(inWindow(Date.UTC(2026, 0, 15, 5, 59), "Europe/London", night)).toBe(true);
    expect(inWindow(Date.UTC(2026, 0, 15, 12, 0), "Europe/London", night)).toBe(false);
    expect(nextOpening(Date.UTC(2026, 0, 15, 12, 0), "Europe/London", night)).toBe(Date.UTC(2026, 0, 15, 22, 0));
  });
});
