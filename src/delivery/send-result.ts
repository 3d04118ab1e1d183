import { type FailureReason, failureReason, statusForReason } from "../email/failure-reasons.js";

/**
 * What one SMTP delivery attempt came to. Expected failures are values, not exceptions:
 * `sent` (2xx), `soft` (4xx, timeout, lost connection: retry), `hard` (5xx: final).
 */
export type SendResult =
  | { readonly kind: "sent"; readonly code: number; readonly enhanced: string | null; readonly text: string }
  | {
      readonly kind: "soft";
      readonly code: number | null;
      readonly enhanced: string | null;
      readonly text: string;
      /** Why it failed (email/failure-reasons.ts); absent where nobody said (a timeout). */
      readonly reason?: FailureReason;
    }
  | {
      readonly kind: "hard";
      readonly status: "hard_bounce" | "rejected";
      readonly code: number;
      readonly enhanced: string | null;
      readonly text: string;
      readonly reason?: FailureReason;
    };

// An enhanced code stands alone: not inside an IP address or a version number ("10.5.1.7").
const ENHANCED = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/;
// Where RFC 2034 puts it: right after the reply code, on any line of a multi-line reply.
const LEADING_ENHANCED = /(?:^|\n)\d{3}[ -]([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/;
// Servers that answer 5xx without an enhanced code (or with a generic 5.0.0) still say when the
// mailbox does not exist; everything else permanent is a rejection (policy, content, size).
const UNKNOWN_ADDRESS =
  /\b(user unknown|unknown user|no such (user|mailbox|recipient)|mailbox (unavailable|not found|does not exist)|recipient (address )?rejected: (user|unknown)|does not exist|unknown recipient|invalid recipient|address rejected)\b/i;

/** The enhanced status code (RFC 3463) in an SMTP reply or DSN text, if any. */
export function enhancedCode(text: string): string | null {
  const m = LEADING_ENHANCED.exec(text) ?? ENHANCED.exec(text);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : null;
}

/** True for a permanent failure about the address itself: 5.1.x, or 5.2.1 (mailbox disabled). */
export function isAddressFailure(enhanced: string | null, text: string): boolean {
  if (enhanced) {
    if (enhanced.startsWith("5.1.") || enhanced === "5.2.1") return true;
    if (enhanced !== "5.0.0") return false;
  }
  return UNKNOWN_ADDRESS.test(text);
}

const MAILBOX_FULL =
  /\b(mailbox (is )?full|mailbox full|over (the )?quota|quota exceeded|exceeded (the |its |his |her )?(storage|quota)|insufficient (system )?storage|mailbox size limit exceeded)\b/i;

/**
 * A full mailbox is a soft bounce even when the server says 5.x.x: RFC 3463 calls X.2.2 a
 * "persistent transient failure" (the owner can make room), and Postbag counts mailbox full with
 * the transient failures, in replies and in DSNs alike. Without a specific enhanced code the
 * text decides.
 */
export function isMailboxFull(enhanced: string | null | undefined, text: string): boolean {
  if (enhanced && /^[45]\.2\.2$/.test(enhanced)) return true;
  if (enhanced && !/^[45]\.(0\.0|2\.0)$/.test(enhanced)) return false;
  return MAILBOX_FULL.test(text.slice(0, 1000));
}

/**
 * Classifies an SMTP reply code and text; the one rule set used for replies and bounces. Why it
 * failed comes from the table of codes and phrases in `failure-reasons.ts` (a precise enhanced
 * code over a generic one); the status from the project's rule (`statusForReason`): 4xx, a full
 * mailbox, an expired or rate-limited delivery are temporary; an unknown address, a disabled
 * mailbox or an unknown domain is a hard bounce; every other refusal, the sender-caused ones
 * (our sender address, SPF/DKIM/DMARC, our IP blocked) included, is `rejected`, never a
 * suppression of the recipient.
 */
export function classifyReply(code: number, text: string): SendResult {
  const enhanced = enhancedCode(text);
  const clean = text.trim().slice(0, 1000);
  if (code >= 200 && code < 300) return { kind: "sent", code, enhanced, text: clean };
  const codes = [...clean.matchAll(/(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/g)]
    .slice(0, 10)
    .map((m) => `${m[1]}.${m[2]}.${m[3]}`);
  const reason = failureReason(clean, enhanced ? [enhanced, ...codes] : codes);
  const status = statusForReason(reason, code >= 500 && code < 600 ? 5 : 4);
  if (status !== "soft_bounce") return { kind: "hard", status, code, enhanced, text: clean, reason };
  // 4xx, a full mailbox, and anything out of range, is treated as temporary: retrying is the
  // safe choice.
  return { kind: "soft", code, enhanced, text: clean, reason };
}
