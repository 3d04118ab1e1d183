import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed tokens for links that work without a login (the usage page; later unsubscribe and
 * preferences). A token is `<payload>.<signature>`: the payload is base64url JSON (readable by
 * anyone holding the link, so it carries ids and times, never secrets), the signature an
 * HMAC-SHA256 over it with a key derived from the secret key and the token's purpose, so a token
 * made for one purpose never verifies for another, nor collides with other HMACs made from the
 * same secret (VERP return paths).
 */
export interface TokenPayload {
  /** What the token opens, e.g. `usage`: lower-case letters, digits, `-` and `_`. */
  readonly purpose: string;
  readonly tenantId: string;
  /** Milliseconds since the epoch; the token is refused from this instant on. */
  readonly expiresAt: number;
  /** Small extra claims (ids, flags). Keep them short: the token travels in a URL. */
  readonly data?: Readonly<Record<string, string | number | boolean>>;
}

export type TokenFailure = "malformed" | "bad_signature" | "expired" | "wrong_purpose";

export type TokenCheck =
  | { readonly ok: true; readonly payload: TokenPayload }
  | { readonly ok: false; readonly reason: TokenFailure };

/**
 * Longest token accepted. Tokens without `data` are about 140 characters; anything much longer
 * is refused before any decoding or hashing, so junk costs nothing.
 */
export const MAX_TOKEN_LENGTH = 512;

const PURPOSE = /^[a-z][a-z0-9_-]{0,31}$/;
const SHAPE = /^([A-Za-z0-9_-]{1,460})\.([A-Za-z0-9_-]{43})$/;
const VERSION = 1;

function signatureOf(secret: string, purpose: string, body: string): string {
  const key = createHmac("sha256", secret).update(`postbag token v${VERSION}\0${purpose}`).digest();
  return createHmac("sha256", key).update(body).digest("base64url");
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Signs `payload`. Throws only for a programming error (bad purpose, oversized token). */
export function signToken(secret: string, payload: TokenPayload): string {
  if (!PURPOSE.test(payload.purpose)) throw new Error(`token purpose ${JSON.stringify(payload.purpose)} is invalid`);
  if (!Number.isSafeInteger(payload.expiresAt)) throw new Error("token expiresAt must be integer milliseconds");
  const body = Buffer.from(
    JSON.stringify({
      v: VERSION,
      p: payload.purpose,
      t: payload.tenantId,
      e: payload.expiresAt,
      ...(payload.data ? { d: payload.data } : {}),
    }),
  ).toString("base64url");
  const token = `${body}.${signatureOf(secret, payload.purpose, body)}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new Error(`token is longer than ${MAX_TOKEN_LENGTH} characters`);
  return token;
}

function decode(body: string): TokenPayload | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const { v, p, t, e, d } = raw as Record<string, unknown>;
  if (v !== VERSION || typeof p !== "string" || !PURPOSE.test(p)) return undefined;
  if (typeof t !== "string" || t.length === 0 || !Number.isSafeInteger(e)) return undefined;
  if (d !== undefined) {
    if (typeof d !== "object" || d === null || Array.isArray(d)) return undefined;
    for (const value of Object.values(d)) {
      if (!["string", "number", "boolean"].includes(typeof value)) return undefined;
    }
  }
  return {
    purpose: p,
    tenantId: t,
    expiresAt: e as number,
    ...(d !== undefined ? { data: d as Record<string, string | number | boolean> } : {}),
  };
}

/**
 * Checks a token presented for `purpose` at `now`. The signature is checked against `purpose`
 * first, so nothing in an unsigned payload is trusted; only a token that fails that check is
 * looked at further, to tell a genuine token of another purpose from a forgery.
 */
export function verifyToken(secret: string, token: unknown, purpose: string, now: number): TokenCheck {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  const m = SHAPE.exec(token);
  const body = m?.[1];
  const signature = m?.[2];
  if (!body || !signature) return { ok: false, reason: "malformed" };
  const payload = decode(body);
  if (!payload) return { ok: false, reason: "malformed" };
  if (!sameText(signature, signatureOf(secret, purpose, body))) {
    const genuineElsewhere =
      payload.purpose !== purpose && sameText(signature, signatureOf(secret, payload.purpose, body));
    return { ok: false, reason: genuineElsewhere ? "wrong_purpose" : "bad_signature" };
  }
  // Signed for `purpose`, so the payload says so too unless the secret signed something odd.
  if (payload.purpose !== purpose) return { ok: false, reason: "wrong_purpose" };
  if (now >= payload.expiresAt) return { ok: false, reason: "expired" };
  return { ok: true, payload };
}
