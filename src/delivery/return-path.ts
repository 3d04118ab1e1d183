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
 * The `X-Postbag-Ref` header on mail sent through a tenant's own account:
 * `<tenantId>-<recipientId>-<sig>`. Such mail cannot use a VERP envelope sender (providers insist
 * on the account's own address), so its bounces are matched through this header, which DSNs
 * quote back in the returned headers. It is signed per recipient and names the tenant: a
 * recipient who forwards a DSN quoting their own copy's header can only ever touch their own
 * row, and a report is only matched within the tenant the signature names. Relay mail carries
 * no such header: its VERP envelope sender is the only thing that matches its bounces.
 */
export const MESSAGE_REF_HEADER = "X-Postbag-Ref";

function signRecipientRef(secret: string, tenantId: string, recipientId: string): string {
  return createHmac("sha256", secret).update(`ref2:${tenantId}:${recipientId}`).digest("hex").slice(0, 24);
}

export function recipientRefFor(secret: string, tenantId: string, recipientId: string): string {
  return `${tenantId}-${recipientId}-${signRecipientRef(secret, tenantId, recipientId)}`;
}

const RECIPIENT_REF = /^\s*([0-9a-hjkmnp-tv-z]{26})-([0-9a-hjkmnp-tv-z]{26})-([0-9a-f]{24})\s*$/i;

/** The tenant and recipient an `X-Postbag-Ref` value names, or null if it is not one of ours. */
export function recipientFromRef(
  secret: string,
  value: string,
): { readonly tenantId: string; readonly recipientId: string } | null {
  const m = RECIPIENT_REF.exec(value);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const tenantId = m[1].toUpperCase();
  const recipientId = m[2].toUpperCase();
  const expected = Buffer.from(signRecipientRef(secret, tenantId, recipientId));
  const actual = Buffer.from(m[3].toLowerCase());
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? { tenantId, recipientId } : null;
}

/**
 * The per-message reference Postbag wrote before references were signed per recipient:
 * `<messageId>-<sig>`. Mail sent then still bounces for a while, so it is read, but it names no
 * recipient: the matcher honours it only for a message with a single recipient. Nothing new is
 * signed this way (tests make old references with `legacyMessageRefFor`).
 */
function signRef(secret: string, messageId: string): string {
  return createHmac("sha256", secret).update(`ref:${messageId}`).digest("hex").slice(0, 16);
}

export function legacyMessageRefFor(secret: string, messageId: string): string {
  return `${messageId}-${signRef(secret, messageId)}`;
}

const REF = /^\s*([0-9a-hjkmnp-tv-z]{26})-([0-9a-f]{16})\s*$/i;

/** The message id an old per-message `X-Postbag-Ref` value names, or null if it is not one of ours. */
export function messageFromRef(secret: string, value: string): string | null {
  const m = REF.exec(value);
  if (!m?.[1] || !m[2]) return null;
  const id = m[1].toUpperCase();
  const expected = Buffer.from(signRef(secret, id));
  const actual = Buffer.from(m[2].toLowerCase());
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? id : null;
}
