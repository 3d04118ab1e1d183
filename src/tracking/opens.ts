import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import { applyLateEvents } from "../messages/status-change.js";
import { loadTrackingSettings } from "./tracking-settings.js";

/**
 * Opens: a fetch of an email's signed 1x1 pixel. Many fetches are not a person reading:
 * mail servers and security scanners fetch every image on arrival, and privacy proxies fetch on
 * the reader's behalf whether or not they read. Each open is recorded with a verdict, and only
 * opens that stand for a reader move the recipient's status (see `movesStatus`).
 */
export type AutomatedReason =
  /** Fetched within seconds of sending: a server or client prefetching, nobody has read it yet. */
  | "prefetch"
  /** A security scanner, crawler, script or a fetch with no user agent at all. */
  | "scanner"
  /** A privacy proxy that fetches every image whether or not the mail is read (Apple Mail Privacy Protection). */
  | "proxy"
  /**
   * A webmail image proxy (Gmail, Yahoo/AOL). It fetches when the reader displays the message
   * (and caches, so later views do not reach us), so it usually is a reader; it is marked so
   * reports can tell it from an open seen directly.
   */
  | "image_proxy";

export type OpenVerdict =
  | { readonly automated: false; readonly reason: null }
  | { readonly automated: true; readonly reason: AutomatedReason };

/** Opens closer than this to the moment the relay accepted the mail are prefetches. */
export const PREFETCH_WINDOW_MS = 10_000;
/** Opens kept per recipient; a forwarded email or a scripted loop cannot grow the table without end. */
export const MAX_OPENS_PER_RECIPIENT = 50;
/** User agents are kept for the report, truncated. */
export const USER_AGENT_MAX = 300;

// Patterns gathered from mail providers' documentation and senders' published lists. They
// match substrings, case-insensitively.
const IMAGE_PROXIES: readonly RegExp[] = [
  // "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
  /GoogleImageProxy/i,
  /via ggpht\.com/i,
  // Yahoo and AOL: "... YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"
  /YahooMailProxy/i,
];

const SCANNERS: readonly RegExp[] = [
  // Crawlers and link/preview bots (Googlebot, bingbot, BingPreview, facebookexternalhit, …).
  /bot\b|bot\/|crawler|spider|BingPreview|facebookexternalhit|Slurp/i,
  // Email security gateways and Microsoft Defender / Safe Links style scanners.
  /Barracuda|Mimecast|Proofpoint|Forcepoint|Symantec|MessageLabs|IronPort|Sophos|Trend ?Micro|McAfee|Trellix|FireEye|Zscaler|SafeLinks|Safe Links|Microsoft Office Existence Discovery|Microsoft Office Protocol Discovery|SpamTitan|Vade|Avanan|Check ?Point|Cloudmark|Hornet ?security/i,
  // The decade-old Edge string Microsoft's scanners present.
  /Chrome\/42\.0\.2311\.135 Safari\/537\.36 Edge\/12\.246/,
  // Scripts and headless browsers.
  /curl\/|Wget\/|python-|Python\/|Go-http-client|okhttp|Java\/|libwww|HeadlessChrome|PhantomJS|axios\/|node-fetch|undici|aiohttp|Apache-HttpClient|HubSpot Connect|Amazon CloudFront|AHC\//i,
];

/**
 * Apple Mail Privacy Protection fetches through Apple's proxy with a bare `Mozilla/5.0`: no
 * browser, platform or version, which no mail client sends by itself.
 */
const APPLE_PRIVACY_PROXY = /^Mozilla\/5\.0$/;

/** Whether an open looks automated, and why. `sentAt` null: not known to be sent (judged by agent only). */
export function judgeOpen(userAgent: string | undefined, sentAt: number | null, at: number): OpenVerdict {
  const ua = (userAgent ?? "").trim();
  if (sentAt !== null && at - sentAt < PREFETCH_WINDOW_MS) return { automated: true, reason: "prefetch" };
  if (ua === "") return { automated: true, reason: "scanner" };
  if (APPLE_PRIVACY_PROXY.test(ua)) return { automated: true, reason: "proxy" };
  if (IMAGE_PROXIES.some((p) => p.test(ua))) return { automated: true, reason: "image_proxy" };
  if (SCANNERS.some((p) => p.test(ua))) return { automated: true, reason: "scanner" };
  return { automated: false, reason: null };
}

/**
 * Opens that move `sent` to `opened`: a reader seen directly, or through a webmail image proxy
 * (which fetches when the message is displayed). Prefetches, scanners and privacy proxies are
 * recorded only: counting them would report mail as read that nobody read.
 */
export function movesStatus(verdict: OpenVerdict): boolean {
  return !verdict.automated || verdict.reason === "image_proxy";
}

/** A user agent as stored: control characters dropped, truncated. */
export function storedUserAgent(userAgent: string | undefined): string | null {
  if (userAgent === undefined) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = userAgent.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return clean === "" ? null : clean.slice(0, USER_AGENT_MAX);
}

export type OpenOutcome =
  | { readonly recorded: true; readonly verdict: OpenVerdict; readonly statusMoved: boolean }
  | {
      readonly recorded: false;
      readonly why: "unknown_recipient" | "tracking_off" | "too_many";
    };

/**
 * Records one open of a recipient's email. No IP address is taken or kept. The first open that
 * stands for a reader goes through `applyLateEvents`, so it moves `sent` to `opened` (and only
 * forwards: an open after a hard bounce stays an event) and reaches the tenant's webhooks;
 * later opens are only rows in `opens`.
 */
export async function recordOpen(
  database: Database,
  open: {
    readonly tenantId: string;
    readonly recipientId: string;
    readonly userAgent: string | undefined;
    readonly at: number;
  },
): Promise<OpenOutcome> {
  const { tenantId, recipientId, at } = open;
  if (!(await loadTrackingSettings(database.db, tenantId)).trackOpens) return { recorded: false, why: "tracking_off" };
  return database.db.transaction().execute(async (tx): Promise<OpenOutcome> => {
    const recipient = await tx
      .selectFrom("recipients")
      .select(["id", "sent_at"])
      .where("id", "=", recipientId)
      .where("tenant_id", "=", tenantId)
      .executeTakeFirst();
    if (!recipient) return { recorded: false, why: "unknown_recipient" };
    const earlier = await tx
      .selectFrom("opens")
      .select(["automated", "automated_reason"])
      .where("recipient_id", "=", recipientId)
      .where("tenant_id", "=", tenantId)
      .limit(MAX_OPENS_PER_RECIPIENT)
      .execute();
    if (earlier.length >= MAX_OPENS_PER_RECIPIENT) return { recorded: false, why: "too_many" };
    const verdict = judgeOpen(open.userAgent, recipient.sent_at, at);
    await tx
      .insertInto("opens")
      .values({
        id: newId(at),
        tenant_id: tenantId,
        recipient_id: recipientId,
        at,
        automated: verdict.automated ? 1 : 0,
        automated_reason: verdict.reason,
        user_agent: storedUserAgent(open.userAgent),
      })
      .execute();
    const counted = (o: { automated: number; automated_reason: string | null }) =>
      o.automated === 0 || o.automated_reason === "image_proxy";
    if (!movesStatus(verdict) || earlier.some(counted)) return { recorded: true, verdict, statusMoved: false };
    const result = await applyLateEvents(tx, [{ tenantId, recipientId, status: "opened", at }]);
    return { recorded: true, verdict, statusMoved: result.moved.has(recipientId) };
  });
}
