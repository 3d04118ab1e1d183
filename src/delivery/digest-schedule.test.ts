import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { nextDigestAt } from "./digest-schedule.js";

const LONDON = "Europe/London";
const at = (iso: string, zone = LONDON) => DateTime.fromISO(iso, { zone }).toMillis();
const local = (ms: number, zone = LONDON) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd HH:mm ccc");

describe("next digest time", () => {
  it("daily: today if the time is still ahead, else tomorrow", () => {
    const choice = { digest: "daily", time: "17:30", weekday: null };
    expect(local(nextDigestAt(at("2026-11-23T09:00"), LONDON, choice))).toBe("2026-11-23 17:30 Mon");
    expect(local(nextDigestAt(at("2026-11-23T17:30"), LONDON, choice))).toBe("2026-11-24 17:30 Tue");
  });

  it("keeps the wall-clock time across daylight-saving changes", () => {
    const choice = { digest: "daily", time: "08:00", weekday: null };
    // The clocks go back at 02:00 on 25 October 2026 and forward at 01:00 on 29 March 2026.
    const autumn = nextDigestAt(at("2026-10-24T09:00"), LONDON, choice);
    expect(local(autumn)).toBe("2026-10-25 08:00 Sun");
    expect(autumn - at("2026-10-24T08:00")).toBe(25 * 3_600_000);
    const spring = nextDigestAt(at("2026-03-28T09:00"), LONDON, choice);
    expect(local(spring)).toBe("2026-03-29 08:00 Sun");
    expect(spring - at("2026-03-28T08:00")).toBe(23 * 3_600_000);
  });

  it("a time inside the spring-forward gap moves to the first time that exists", () => {
    const ms = nextDigestAt(at("2026-03-28T09:00"), LONDON, { digest: "daily", time: "01:30", weekday: null });
    expect(local(ms)).toBe("2026-03-29 02:30 Sun");
  });

  it("weekly: the next chosen weekday, a week on if today's time has passed", () => {
    const friday = { digest: "weekly", time: "16:00", weekday: 5 };
    expect(local(nextDigestAt(at("2026-11-23T09:00"), LONDON, friday))).toBe("2026-11-27 16:00 Fri");
    expect(local(nextDigestAt(at("2026-11-27T15:59"), LONDON, friday))).toBe("2026-11-27 16:00 Fri");
    expect(local(nextDigestAt(at("2026-11-27T16:00"), LONDON, friday))).toBe("2026-12-04 16:00 Fri");
  });

  it("uses the tenant's zone, and defaults for a missing time or weekday", () => {
    const sydney = "Australia/Sydney";
    const ms = nextDigestAt(at("2026-11-23T09:00", sydney), sydney, { digest: "daily", time: null, weekday: null });
    expect(local(ms, sydney)).toBe("2026-11-24 08:00 Tue");
    const weekly = nextDigestAt(at("2026-11-24T09:00"), LONDON, { digest: "weekly", time: "bad", weekday: null });
    expect(local(weekly)).toBe("2026-11-30 08:00 Mon");
  });
});
