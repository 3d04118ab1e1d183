import { describe, expect, it } from "vitest";
import { isId, newId } from "./ids.js";

/** The millisecond time in an id's first 10 characters. */
function timeOf(id: string): number {
  let time = 0;
  for (const c of id.slice(0, 10)) time = time * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".indexOf(c);
  return time;
}

describe("newId", () => {
  it("is a 26-character Crockford base32 ULID", () => {
    const id = newId();
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId(id)).toBe(true);
  });

  it("encodes the time first, so ids sort by creation time", () => {
    // Ahead of the real clock: newId never goes back before the last time it was given.
    const t = Date.now() + 24 * 3600_000;
    const a = newId(t);
    const b = newId(t + 1);
    expect(timeOf(a)).toBe(t);
    expect(timeOf(b)).toBe(t + 1);
    expect(a < b).toBe(true);
    const c = newId(t + 1);
    expect(timeOf(c)).toBe(t + 1);
    expect(b < c).toBe(true);
  });

  it("stays unique and strictly increasing under 100k rapid calls", () => {
    const ids = Array.from({ length: 100_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) {
      if (!((ids[i - 1] as string) < (ids[i] as string))) throw new Error(`ids ${i - 1} and ${i} are out of order`);
    }
  });

  it("never goes backwards when the clock does", () => {
    const later = newId(Date.now() + 48 * 3600_000);
    const earlier = newId(Date.now());
    expect(earlier > later).toBe(true);
    expect(timeOf(earlier)).toBe(timeOf(later));
  });
});

describe("isId", () => {
  it.each([
    ["empty", ""],
    ["too short", "01ARZ3NDEKTSV4RRFFQ69G5FA"],
    ["too long", "01ARZ3NDEKTSV4RRFFQ69G5FAVV"],
    ["lower case", "01arz3ndektsv4rrffq69g5fav"],
    ["I, L, O and U are not in the alphabet", "01ARZ3NDEKTSV4RRFFQ69G5FAI"],
    ["punctuation", "01ARZ3NDEKTSV4RRFFQ69G5F-V"],
    ["an injection attempt", "' or 1=1 --                "],
  ])("refuses %s", (_why, value) => {
    expect(isId(value)).toBe(false);
  });

  it("accepts a well-formed ULID", () => {
    expect(isId("01ARZ3NDEKTSV4RRFFQ69G5FAV")).toBe(true);
  });
});
