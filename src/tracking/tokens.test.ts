import { describe, expect, it } from "vitest";
import { MAX_TOKEN_LENGTH, signToken, verifyToken } from "./tokens.js";

const SECRET = "test-secret-key-0123456789-abcdefghijklm";
const NOW = Date.UTC(2026, 2, 1, 10, 0, 0);
const DAY = 86_400_000;
const TENANT = "01JQ0000000000000000000000";

const usage = (overrides: Partial<Parameters<typeof signToken>[1]> = {}) =>
  signToken(SECRET, { purpose: "usage", tenantId: TENANT, expiresAt: NOW + 14 * DAY, ...overrides });

/** Replaces one character of `s` at `i` with a different base64url character. */
function flip(s: string, i: number): string {
  const c = s[i] === "A" ? "B" : "A";
  return `${s.slice(0, i)}${c}${s.slice(i + 1)}`;
}

describe("signed tokens", () => {
  it("round-trips the payload, compact and URL-safe", () => {
    const token = usage({ data: { u: "x1", n: 3, f: true } });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(SECRET, token, "usage", NOW)).toEqual({
      ok: true,
      payload: { purpose: "usage", tenantId: TENANT, expiresAt: NOW + 14 * DAY, data: { u: "x1", n: 3, f: true } },
    });
    // Short enough for a path segment (Fastify's maxParamLength is 200 here).
    expect(usage().length).toBeLessThan(200);
  });

  it("refuses a tampered payload", () => {
    const token = usage();
    const [body, sig] = token.split(".") as [string, string];
    const other = Buffer.from(
      JSON.stringify({ v: 1, p: "usage", t: "01JQ0000000000000000000001", e: NOW + 14 * DAY }),
    ).toString("base64url");
    expect(verifyToken(SECRET, `${other}.${sig}`, "usage", NOW)).toEqual({ ok: false, reason: "bad_signature" });
    // Extending the expiry is the tamper a holder would try.
    const later = Buffer.from(JSON.stringify({ v: 1, p: "usage", t: TENANT, e: NOW + 999 * DAY })).toString(
      "base64url",
    );
    expect(verifyToken(SECRET, `${later}.${sig}`, "usage", NOW)).toEqual({ ok: false, reason: "bad_signature" });
    // A changed character that still decodes to JSON, or one that does not: refused either way.
    const check = verifyToken(SECRET, `${flip(body, 5)}.${sig}`, "usage", NOW);
    expect(check.ok).toBe(false);
  });

  it("refuses a tampered signature, and one made with another secret", () => {
    const token = usage();
    for (const i of [token.length - 1, token.length - 20, token.indexOf(".") + 1]) {
      expect(verifyToken(SECRET, flip(token, i), "usage", NOW)).toEqual({ ok: false, reason: "bad_signature" });
    }
    const foreign = signToken("another-secret-key-0123456789-abcdefghij", {
      purpose: "usage",
      tenantId: TENANT,
      expiresAt: NOW + DAY,
    });
    expect(verifyToken(SECRET, foreign, "usage", NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("expires at expiresAt exactly", () => {
    const token = usage({ expiresAt: NOW + DAY });
    expect(verifyToken(SECRET, token, "usage", NOW + DAY - 1).ok).toBe(true);
    expect(verifyToken(SECRET, token, "usage", NOW + DAY)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a genuine token of another purpose, and one relabelled to this purpose", () => {
    const unsubscribe = signToken(SECRET, { purpose: "unsubscribe", tenantId: TENANT, expiresAt: NOW + DAY });
    expect(verifyToken(SECRET, unsubscribe, "usage", NOW)).toEqual({ ok: false, reason: "wrong_purpose" });
    const [, sig] = unsubscribe.split(".") as [string, string];
    const relabelled = Buffer.from(JSON.stringify({ v: 1, p: "usage", t: TENANT, e: NOW + DAY })).toString("base64url");
    expect(verifyToken(SECRET, `${relabelled}.${sig}`, "usage", NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("calls junk malformed", () => {
    const junk: unknown[] = [
      "",
      ".",
      "abc",
      "abc.def",
      `${"a".repeat(10)}.${"b".repeat(43)}`,
      `${Buffer.from("[1,2]").toString("base64url")}.${"b".repeat(43)}`,
      `${Buffer.from('{"v":2,"p":"usage","t":"x","e":1}').toString("base64url")}.${"b".repeat(43)}`,
      `${Buffer.from('{"v":1,"p":"usage","t":"x","e":1.5}').toString("base64url")}.${"b".repeat(43)}`,
      `${Buffer.from('{"v":1,"p":"usage","t":"x","e":1,"d":{"a":{}}}').toString("base64url")}.${"b".repeat(43)}`,
      `${usage()}.extra`,
      `${usage()}=`,
      `${usage()} `,
      "a+b/c.d",
      "%2e%2e",
      null,
      undefined,
      42,
    ];
    for (const t of junk)
      expect(verifyToken(SECRET, t, "usage", NOW), String(t)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses huge input before doing any work", () => {
    const huge = `${"a".repeat(1_000_000)}.${"b".repeat(43)}`;
    const started = performance.now();
    expect(verifyToken(SECRET, huge, "usage", NOW)).toEqual({ ok: false, reason: "malformed" });
    expect(verifyToken(SECRET, "a".repeat(MAX_TOKEN_LENGTH + 1), "usage", NOW)).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("refuses to sign with a bad purpose or an oversized payload", () => {
    expect(() => signToken(SECRET, { purpose: "Usage!", tenantId: TENANT, expiresAt: NOW })).toThrow(/purpose/);
    expect(() => signToken(SECRET, { purpose: "usage", tenantId: TENANT, expiresAt: NOW + 0.5 })).toThrow(/integer/);
    expect(() =>
      signToken(SECRET, { purpose: "usage", tenantId: TENANT, expiresAt: NOW, data: { big: "x".repeat(600) } }),
    ).toThrow(/longer/);
  });
});
