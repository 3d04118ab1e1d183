import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * VERP return paths: each recipient's envelope sender is `b+<recipientId>-<sig>@<bounce domain>`.
 * A bounce to that address names the recipient directly; the HMAC stops a forged bounce from
 * touching a recipient it does not name. Some servers lower-case local parts, so the id
 * is matched case-insensitively.
 */
function sign(secret: string, recipientId: string): string {
  return createHmac("sha256", secret).update(`verp:${recipientId}`).digest("hex").slice(0, 16);
}

export function returnPathFor(secret: string, bounceDomain: string, recipientId: string): string {
  return `b+${recipientId.toLowerCase()}-${sign(secret, recipientId)}@${bounceDomain}`;
}

const VERP = /^b\+([0-9a-hjkmnp-tv-z]{26})-([0-9a-f]{16})@/i;

/** The recipient id a return path names, or null if it is not one of ours or the signature is wrong. */
export function recipientFromReturnPath(secret: string, address: string): string | null {
  const m = VERP.exec(address.trim());
  if (!m?.[1] || !m[2]) return null;
  const id = m[1].toUpperCase();
  const expected = Buffer.from(sign(secret, id));
  const actual = Buffer.from(m[2].toLowerCase());
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? id : null;
}

/**
 * The `X-Postbag-Ref` header every outgoing email carries: `<messageId>-<sig>`. Mail sent through
 * a tenant's own account cannot use a VERP envelope sender (providers insist on the account's
 * own address), so its bounces are matched through this header, which DSNs quote back in the
 * returned headers, together with the DSN's Final-Recipient. The HMAC means a quoted header is
 * only believed when Postbag made it; a bare Message-ID is never trusted.
 */
export const MESSAGE_REF_HEADER = "X-Postbag-Ref";

function signRef(secret: string, messageId: string): string {
  return createHmac("sha256", secret).update(`ref:${messageId}`).digest("hex").slice(0, 16);
}

export function messageRefFor(secret: string, messageId: string): string {
  return `${messageId}-${signRef(secret, messageId)}`;
}

const REF = /^\s*([0-9a-hjkmnp-tv-z]{26})-([0-9a-f]{16})\s*$/i;

/** The message id an `X-Postbag-Ref` value names, or null if it is not one of ours. */
export function messageFromRef(secret: string, value: string): string | null {
  const m = REF.exec(value);
  if (!m?.[1] || !m[2]) return null;
  const id = m[1].toUpperCase();
  const expected = Buffer.from(signRef(secret, id));
  const actual = Buffer.from(m[2].toLowerCase());
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? id : null;
}
