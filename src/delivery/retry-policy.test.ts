import { describe, expect, it } from "vitest";
import { nextAttemptAt, type RetrySettings } from "./retry-policy.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The defaults: 5 min doubling, capped at 1 h, given up after 48 h. */
const settings: RetrySettings = { baseMs: 5 * MIN, maxMs: HOUR, lifetimeMs: 48 * HOUR };
const acceptedAt = Date.UTC(2025, 2, 3, 8, 0, 0);

describe("nextAttemptAt", () => {
  it("waits 5, 10, 20, 40, then 60 minutes for good", () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 20].map((attempts) => {
      const now = acceptedAt + HOUR;
      const next = nextAttemptAt(settings, acceptedAt, now, attempts, "4.7.0", 421);
      return next === null ? null : (next - now) / MIN;
    });
    expect(waits).toEqual([5, 10, 20, 40, 60, 60, 60, 60]);
  });

  it("does not overflow for a huge attempt count", () => {
    const next = nextAttemptAt(settings, acceptedAt, acceptedAt, 10_000, null, null);
    expect(next).toBe(acceptedAt + HOUR);
  });

  it("treats attempt 0 like the first", () => {
    expect(nextAttemptAt(settings, acceptedAt, acceptedAt, 0, null, null)).toBe(acceptedAt + 5 * MIN);
  });

  it("waits twice as long for a full mailbox (4.2.2 or 452)", () => {
    const now = acceptedAt + HOUR;
    expect(nextAttemptAt(settings, acceptedAt, now, 1, "4.2.2", 452)).toBe(now + 10 * MIN);
    expect(nextAttemptAt(settings, acceptedAt, now, 1, null, 452)).toBe(now + 10 * MIN);
    expect(nextAttemptAt(settings, acceptedAt, now, 9, "4.2.2", 452)).toBe(now + 2 * HOUR);
  });

  it("never schedules past acceptedAt + lifetime: the last try is at the deadline", () => {
    const deadline = acceptedAt + settings.lifetimeMs;
    expect(nextAttemptAt(settings, acceptedAt, deadline - 10 * MIN, 9, null, 451)).toBe(deadline);
    expect(nextAttemptAt(settings, acceptedAt, deadline - 1, 1, null, 451)).toBe(deadline);
  });

  it("gives up (null) once the lifetime is over", () => {
    const deadline = acceptedAt + settings.lifetimeMs;
    expect(nextAttemptAt(settings, acceptedAt, deadline, 30, null, 451)).toBeNull();
    expect(nextAttemptAt(settings, acceptedAt, deadline + HOUR, 30, null, 451)).toBeNull();
  });

  it("walks a recipient that always soft-bounces to a give-up at 48 h, never earlier", () => {
    let now = acceptedAt;
    let attempts = 0;
    const times: number[] = [];
    for (;;) {
      attempts++;
      const next = nextAttemptAt(settings, acceptedAt, now, attempts, "4.4.1", null);
      if (next === null) break;
      expect(next).toBeGreaterThan(now);
      expect(next).toBeLessThanOrEqual(acceptedAt + settings.lifetimeMs);
      times.push(next);
      now = next;
    }
    expect(now).toBe(acceptedAt + settings.lifetimeMs);
    // 5+10+20+40 minutes, then hourly until the 48th hour.
    expect(times.slice(0, 5).map((t) => (t - acceptedAt) / MIN)).toEqual([5, 15, 35, 75, 135]);
    expect(times.length).toBe(4 + 46 + 1);
  });

  it("honours other settings", () => {
    const quick: RetrySettings = { baseMs: 1000, maxMs: 8000, lifetimeMs: 60_000 };
    const waits = [1, 2, 3, 4, 5].map((n) => (nextAttemptAt(quick, 0, 0, n, null, null) ?? 0) / 1000);
    expect(waits).toEqual([1, 2, 4, 8, 8]);
  });
});
