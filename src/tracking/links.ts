import { signToken, type TokenCheck, verifyToken } from "./tokens.js";

/**
 * The signed links an email carries: the unsubscribe link (also its `List-Unsubscribe` URL,
 * RFC 8058) and the open pixel. Each names one recipient row; the category and contact come
 * from that row, so a link can never speak for another tenant, recipient or category.
 */
export const UNSUBSCRIBE_PURPOSE = "unsubscribe";
export const OPEN_PURPOSE = "open";

/** Unsubscribe links keep working long after the email: a parent may act on last term's mail. */
export const UNSUBSCRIBE_TTL_MS = 400 * 24 * 3_600_000;
/** Opens are counted for 90 days after sending. */
export const OPEN_TTL_MS = 90 * 24 * 3_600_000;

export interface LinkContext {
  readonly publicUrl: string;
  readonly secretKey: string;
}

export function unsubscribeUrl(ctx: LinkContext, tenantId: string, recipientId: string, now: number): string {
  const token = signToken(ctx.secretKey, {
    purpose: UNSUBSCRIBE_PURPOSE,
    tenantId,
    expiresAt: now + UNSUBSCRIBE_TTL_MS,
    data: { r: recipientId },
  });
  return `${ctx.publicUrl}/u/${token}`;
}

export function openPixelUrl(ctx: LinkContext, tenantId: string, recipientId: string, now: number): string {
  const token = signToken(ctx.secretKey, {
    purpose: OPEN_PURPOSE,
    tenantId,
    expiresAt: now + OPEN_TTL_MS,
    data: { r: recipientId },
  });
  return `${ctx.publicUrl}/o/${token}.gif`;
}

/** The tenant and recipient a link names, or why it is refused. */
export function readLink(
  secretKey: string,
  token: string,
  purpose: typeof UNSUBSCRIBE_PURPOSE | typeof OPEN_PURPOSE,
  now: number,
): { ok: true; tenantId: string; recipientId: string } | { ok: false; reason: string } {
  const check: TokenCheck = verifyToken(secretKey, token, purpose, now);
  if (!check.ok) return { ok: false, reason: check.reason };
  const r = check.payload.data?.r;
  if (typeof r !== "string") return { ok: false, reason: "malformed" };
  return { ok: true, tenantId: check.payload.tenantId, recipientId: r };
}
