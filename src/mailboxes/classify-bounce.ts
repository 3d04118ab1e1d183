import {
  type FailureReason,
  failureReason,
  reasonForCode,
  reasonForText,
  statusForReason,
} from "../email/failure-reasons.js";
import { type Headers, MAX_HEADER_LINES, MAX_HEADER_VALUE, readHeaderBlock } from "../email/mime-headers.js";
import {
  AUTO_REPLY_BODY,
  AUTO_REPLY_SUBJECT,
  BOUNCE_BODY,
  BOUNCE_SUBJECT,
  DAEMON_LOCAL_PART,
  DAEMON_NAME,
  DELAY_NOTICE,
  matchesAny,
  RETURNED_COPY,
  SYSTEM_LOCAL_PART,
} from "./report-formats.js";

/**
 * Classifies one raw inbound message as a bounce (RFC 3464 DSN, a provider's JSON notification or
 * a plain-text bounce in any of the formats listed in `report-formats.ts`), a delay notice, a
 * complaint (ARF, RFC 5965, and the shapes providers send without it), an auto-reply, or none.
 *
 * It reads a report the way a careful postmaster would: the machine-readable DSN fields first;
 * then the precise codes and phrases of the human-readable part and of vendor headers
 * (`X-Failed-Recipients`); then the returned message's headers. Why each recipient failed comes
 * from one table of codes and phrases (`email/failure-reasons.ts`), shared with the SMTP replies
 * the outbox reads, so a reply on the wire and a bounce are judged by one rule set.
 *
 * The MIME parsing is our own, not mailparser's: we need the raw `message/delivery-status` and
 * `message/feedback-report` fields and full control over how much work hostile input can cause.
 * Every loop and every regex here is bounded: sizes, part counts, line lengths and recipients are
 * capped, and the regexes have no nested quantifiers, so an endless line costs linear time.
 */

export type InboundKind = "bounce" | "delay" | "complaint" | "auto_reply" | "none";
/** `opted_out`: an ARF `opt-out` report (an unsubscribe request), not a spam complaint. */
export type BounceStatus = "hard_bounce" | "soft_bounce" | "rejected" | "spam" | "opted_out";

export interface ClassifiedRecipient {
  /** The address the report names: a hint only; the recipient row is chosen by signed data. */
  email: string;
  status: BounceStatus;
  /** Why it failed (bounces and delays); complaints carry none. */
  reason?: FailureReason;
  smtpCode?: number;
  enhancedCode?: string;
  diagnostic?: string;
}

export interface Classification {
  kind: InboundKind;
  recipients: ClassifiedRecipient[];
  /**
   * The address the report was sent to (X-Original-To, Delivered-To, To), for matching a VERP
   * return path; for a complaint, the original's envelope sender (Original-Mail-From or the
   * returned message's Return-Path), which is where the VERP address survives a feedback loop.
   */
  returnPath?: string;
  /** The Message-ID of the returned original, if the report carries its headers. */
  originalMessageId?: string;
  /**
   * The returned original's `X-Postbag-Ref` value and envelope sender (Return-Path), when the
   * report quotes them: the signed data a report about our own mail is matched by.
   */
  originalRef?: string;
  originalReturnPath?: string;
}

export interface ClassifyOptions {
  /** Larger input is not parsed at all (kind "none"). Default 10 MB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** At most this many recipients are read from one report. */
export const MAX_RECIPIENTS = 1000;
const MAX_PARTS = 200;
const MAX_DEPTH = 8;
const MAX_TEXT = 512 * 1024;
const MAX_LINE = 4000;
const MAX_DIAGNOSTIC = 1000;
/** Lines of a plain-text notification read for recipients (the rest is usually the returned copy). */
const MAX_NOTICE_LINES = 400;
/** Lines after a recipient's address read as its diagnostic. */
const MAX_BLOCK_LINES = 40;
/** Above this many recipients, each one's diagnostic is the line that names it. */
const MAX_BLOCK_RECIPIENTS = 50;

const NONE: Classification = { kind: "none", recipients: [] };

export async function classifyInbound(raw: Buffer, options: ClassifyOptions = {}): Promise<Classification> {
  if (raw.length > (options.maxBytes ?? DEFAULT_MAX_BYTES)) return { ...NONE, recipients: [] };
  try {
    return classify(parseEntity(raw.toString("latin1").replace(/\r\n?/g, "\n"), 0, { parts: 0 }));
  } catch {
    // Broken input is not a bug of ours to report; anything we could not read is simply "none".
    return { ...NONE, recipients: [] };
  }
}

function classify(root: Entity): Classification {
  const leaves = flatten(root);
  const returned = returnedHeaders(leaves);
  const result = classifyParsed(root, leaves, returned);
  if (result.kind === "none" || result.kind === "auto_reply") return result;
  // Only what the report quotes of the original: a header of the report itself proves nothing.
  const quoted = returned ?? quotedHeaders(root, leaves);
  const ref = quoted?.get("x-postbag-ref")?.[0]?.trim().slice(0, 200);
  if (ref) result.originalRef = ref;
  const returnPath = firstAddressLike(quoted?.get("return-path")?.[0]);
  if (returnPath) result.originalReturnPath = returnPath;
  return result;
}

/** What the classifier knows about a report before reading its recipients. */
interface Report {
  root: Entity;
  leaves: Entity[];
  returned: Headers | undefined;
  subject: string;
  /** The human-readable notification, without the returned copy. */
  notice: string[];
  /** The returned copy's headers as quoted in the text (when there is no message/rfc822 part). */
  quoted: Headers | undefined;
  /** Lower-case addresses that are the sender's or a mail system's, never a failed recipient. */
  excluded: Set<string>;
}

function classifyParsed(root: Entity, leaves: Entity[], returned: Headers | undefined): Classification {
  const originalMessageId = firstAddressLike(returned?.get("message-id")?.[0], "<");
  const report = readReport(root, leaves, returned);

  const status = leaves.find(
    (e) => e.type === "message/delivery-status" || e.type === "message/global-delivery-status",
  );
  if (status) {
    const recipients = dsnRecipients(decodeText(status), report);
    if (recipients.list.length > 0) {
      return finish(
        recipients.allDelayed ? "delay" : "bounce",
        recipients.list,
        envelopeTo(root.headers),
        originalMessageId,
      );
    }
    // A delivery report (delivered / relayed / expanded): not a bounce.
    if (recipients.seen) return finish("none", [], envelopeTo(root.headers), originalMessageId);
  }

  const feedback = leaves.find((e) => e.type === "message/feedback-report");
  if (feedback) {
    const complaint = arfComplaint(decodeText(feedback), returned);
    if (complaint) {
      const returnPath =
        complaint.mailFrom ?? firstAddressLike(returned?.get("return-path")?.[0]) ?? envelopeTo(root.headers);
      return finish("complaint", complaint.recipients, returnPath, originalMessageId);
    }
    return finish("none", [], envelopeTo(root.headers), originalMessageId);
  }

  const notification = jsonNotification(report);
  if (notification) {
    return finish(notification.kind, notification.recipients, envelopeTo(root.headers), originalMessageId);
  }

  const plain = plainTextBounce(report);
  if (plain) {
    const messageId = originalMessageId ?? firstAddressLike(report.quoted?.get("message-id")?.[0], "<");
    return finish(plain.delay ? "delay" : "bounce", plain.recipients, envelopeTo(root.headers), messageId);
  }

  const unreported = complaintWithoutReport(report);
  if (unreported) {
    const returnPath = firstAddressLike(returned?.get("return-path")?.[0]) ?? envelopeTo(root.headers);
    return finish("complaint", unreported, returnPath, originalMessageId);
  }

  if (isAutoReply(root.headers, report)) return finish("auto_reply", [], undefined, undefined);
  return { kind: "none", recipients: [] };
}

function finish(
  kind: InboundKind,
  recipients: ClassifiedRecipient[],
  returnPath: string | undefined,
  originalMessageId: string | undefined,
): Classification {
  const result: Classification = { kind, recipients };
  if (returnPath) result.returnPath = returnPath;
  if (originalMessageId) result.originalMessageId = originalMessageId;
  return result;
}

function readReport(root: Entity, leaves: Entity[], returned: Headers | undefined): Report {
  const subject = decodeWords(root.headers.get("subject")?.[0] ?? "").slice(0, 1000);
  const text = noticeText(root, leaves);
  const lines = text.split("\n", MAX_TEXT / 16);
  const cut = lines.findIndex((line) => RETURNED_COPY.test(line.slice(0, 200).trim()));
  const notice = (cut === -1 ? lines : lines.slice(0, cut)).slice(0, MAX_NOTICE_LINES).map((l) => l.slice(0, MAX_LINE));
  let quoted: Headers | undefined;
  if (cut !== -1) quoted = headerBlockAfter(lines, cut + 1);
  const excluded = new Set<string>();
  const exclude = (value: string | undefined) => {
    for (const address of addressesIn(value ?? "", 20)) excluded.add(address.toLowerCase());
  };
  for (const name of ["from", "to", "cc", "reply-to", "return-path", "sender"]) exclude(root.headers.get(name)?.[0]);
  for (const headers of [returned, quoted]) {
    for (const name of ["from", "return-path", "sender", "reply-to"]) exclude(headers?.get(name)?.[0]);
    for (const received of headers?.get("received")?.slice(0, 20) ?? []) {
      const from = /envelope-from <?([^\s<>()]{1,320}@[^\s<>()]{1,255})>?/i.exec(received);
      if (from?.[1]) excluded.add(from[1].toLowerCase());
    }
  }
  return { root, leaves, returned, subject, notice, quoted, excluded };
}

/** The inline text parts (text/plain, else text/html without tags), decoded and joined. */
function noticeText(root: Entity, leaves: Entity[]): string {
  const inline = leaves.filter((e) => !isAttachment(e));
  let parts = inline.filter((e) => e.type === "text/plain");
  if (parts.length === 0) parts = inline.filter((e) => e.type === "text/html");
  if (parts.length === 0 && root.children.length === 0 && root.type.startsWith("text/")) parts = [root];
  let text = "";
  for (const part of parts.slice(0, 10)) {
    let decoded = decodeText(part);
    if (part.type === "text/html") decoded = htmlToText(decoded);
    text += `${decoded}\n`;
    if (text.length > MAX_TEXT) break;
  }
  return text.slice(0, MAX_TEXT);
}

function isAttachment(e: Entity): boolean {
  return /^\s*attachment/i.test(e.headers.get("content-disposition")?.[0] ?? "");
}

function htmlToText(html: string): string {
  return html
    .slice(0, MAX_TEXT)
    .replace(/<(br|p|div|tr|li|h\d)\b[^>]{0,1000}>/gi, "\n")
    .replace(/<[^>]{0,2000}>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&");
}

// --- Codes ------------------------------------------------------------------------------------

const STATUS = /^\s*([245])\.(\d{1,3})\.(\d{1,3})/;
const SMTP_CODE = /^([245]\d\d)(?:[\s\-:]|$)/;
// An enhanced code stands alone: not inside an IP address or a version number ("10.5.1.7").
const ENHANCED_ALL = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/g;
const REPLY_CODE = /(?:^|[\s:([<"'=])([245][0-5]\d)(?=[\s\-:.,;)\]]|$)/;

function enhancedCodesIn(text: string, max = 10): string[] {
  const codes: string[] = [];
  for (const m of text.slice(0, MAX_LINE * 2).matchAll(ENHANCED_ALL)) {
    codes.push(`${m[1]}.${m[2]}.${m[3]}`);
    if (codes.length >= max) break;
  }
  return codes;
}

interface Verdict {
  reason: FailureReason;
  codeClass: 4 | 5 | undefined;
  enhanced: string | undefined;
}

/**
 * Judges one recipient's failure from its text and codes. The class (temporary or permanent)
 * comes from the most precise code: an enhanced code that says something (not 5.0.0) over the
 * DSN Status, then the reply code, then what the report says of itself (Action: failed).
 */
function judge(
  text: string,
  codes: readonly string[],
  smtpCode: number | undefined,
  fallback: 4 | 5 | undefined,
): Verdict {
  const reason = failureReason(text, codes);
  const precise = codes.find((c) => reasonForCode(c) !== undefined);
  const klass = (code: string | number | undefined) => {
    const digit = Number(String(code ?? "")[0]);
    return digit === 4 || digit === 5 ? (digit as 4 | 5) : undefined;
  };
  const codeClass = klass(precise) ?? klass(codes[0]) ?? klass(smtpCode) ?? fallback;
  return { reason, codeClass, enhanced: precise ?? codes[0] };
}

function recipientFrom(
  email: string,
  verdict: Verdict,
  delayed: boolean,
  smtpCode: number | undefined,
  diagnostic: string,
): ClassifiedRecipient {
  const recipient: ClassifiedRecipient = {
    email,
    status: delayed ? "soft_bounce" : statusForReason(verdict.reason, verdict.codeClass),
    reason: verdict.reason,
  };
  if (smtpCode !== undefined) recipient.smtpCode = smtpCode;
  if (verdict.enhanced) recipient.enhancedCode = verdict.enhanced;
  if (diagnostic) recipient.diagnostic = diagnostic.slice(0, MAX_DIAGNOSTIC);
  return recipient;
}

// --- DSN (RFC 3464) ---------------------------------------------------------------------------

function dsnRecipients(
  text: string,
  report: Report,
): { list: ClassifiedRecipient[]; allDelayed: boolean; seen: boolean } {
  const list: ClassifiedRecipient[] = [];
  let delayed = 0;
  let seen = false;
  const pending: Array<{ email: string; fields: Headers }> = [];
  // Per-message fields, then one block per recipient, separated by blank lines.
  for (const fields of dsnGroups(text)) {
    if (pending.length >= MAX_RECIPIENTS) break;
    const email =
      addressField(fields.get("original-recipient")?.[0]) ??
      addressField(fields.get("final-recipient")?.[0]) ??
      addressField(fields.get("x-actual-recipient")?.[0]);
    if (!email) continue;
    seen = true;
    pending.push({ email, fields });
  }
  const notice = report.notice.join("\n");
  for (const { email, fields } of pending) {
    const action = (fields.get("action")?.[0] ?? "").trim().toLowerCase().split(/\s/, 1)[0] ?? "";
    const statusMatch = STATUS.exec(fields.get("status")?.[0] ?? "");
    const status = statusMatch ? `${statusMatch[1]}.${statusMatch[2]}.${statusMatch[3]}` : undefined;
    const diagnosticField = collapse(fields.get("diagnostic-code")?.[0] ?? "");
    // "smtp; 550 5.1.1 …": the type before the semicolon says how to read the rest.
    const semicolon = diagnosticField.indexOf(";");
    const diagType = semicolon === -1 ? "" : diagnosticField.slice(0, semicolon).trim().toLowerCase();
    const diagnostic = (semicolon === -1 ? diagnosticField : diagnosticField.slice(semicolon + 1)).trim();
    const smtpMatch = diagType === "x-unix" ? null : SMTP_CODE.exec(diagnostic);
    const smtpCode = smtpMatch ? Number(smtpMatch[1]) : undefined;

    // The DSN's own verdict (Action, Status) outranks the quoted reply.
    if (action === "delivered" || action === "relayed" || action === "expanded") continue;
    if (status?.startsWith("2") || (!status && smtpCode !== undefined && smtpCode < 300)) continue;
    const isDelayed = action === "delayed";
    const actionClass = action === "failed" ? 5 : isDelayed ? 4 : undefined;
    const statusClass = status ? (Number(status[0]) as 4 | 5) : undefined;
    // Without a diagnostic of its own, the notice's text about this recipient (or all of it, for
    // one recipient) says why.
    let why = diagnostic;
    if (why === "" || !(reasonForText(why) || enhancedCodesIn(why).some((c) => reasonForCode(c)))) {
      const about =
        pending.length === 1
          ? notice
          : blockAbout(
              report.notice,
              email,
              pending.map((p) => p.email),
            );
      why = `${why}\n${about}`.trim();
    }
    const codes = [...(status ? [status] : []), ...enhancedCodesIn(why)];
    let verdict = judge(why, codes, smtpCode ?? replyCodeIn(why), statusClass ?? actionClass);
    // "Action: expired" (SendGrid, some appliances): the remote gave up on a temporary failure.
    if (action === "expired") verdict = { ...verdict, reason: "expired" };
    if (isDelayed) delayed++;
    list.push(recipientFrom(email, verdict, isDelayed, smtpCode, diagnostic || firstCodeLine(why)));
  }
  return { list, allDelayed: list.length > 0 && delayed === list.length, seen };
}

const RECIPIENT_FIELDS = new Set(["final-recipient", "original-recipient", "x-actual-recipient"]);
const RECIPIENT_BODY_FIELDS = new Set(["action", "status", "diagnostic-code"]);

/**
 * The per-recipient field groups of a delivery-status body. RFC 3464 separates them with blank
 * lines; some servers do not, so a recipient field also starts a new group once the current one
 * has its own recipient field of that name, or its Action/Status/Diagnostic-Code.
 */
function dsnGroups(text: string): Headers[] {
  const groups: Headers[] = [];
  let current: Headers = new Map();
  const flush = () => {
    if (current.size > 0 && groups.length <= MAX_RECIPIENTS) groups.push(current);
    current = new Map();
  };
  for (const block of blocks(text, MAX_RECIPIENTS + 1)) {
    for (const [name, value] of orderedFields(block)) {
      if (RECIPIENT_FIELDS.has(name) && (current.has(name) || [...RECIPIENT_BODY_FIELDS].some((f) => current.has(f)))) {
        flush();
      }
      current.set(name, [...(current.get(name) ?? []), value]);
    }
    flush();
    if (groups.length > MAX_RECIPIENTS) break;
  }
  return groups;
}

/** Header-style fields in their order, folded lines joined (bounded like parseHeaders). */
function orderedFields(text: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const line of text.split("\n", MAX_HEADER_LINES)) {
    const last = fields[fields.length - 1];
    if ((line.startsWith(" ") || line.startsWith("\t")) && last) {
      if (last[1].length < MAX_HEADER_VALUE) last[1] += ` ${line.slice(0, MAX_HEADER_VALUE).trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0 || colon > 200) continue;
    fields.push([
      line.slice(0, colon).trim().toLowerCase(),
      line.slice(colon + 1, colon + 1 + MAX_HEADER_VALUE).trim(),
    ]);
  }
  return fields;
}

function replyCodeIn(text: string): number | undefined {
  const m = REPLY_CODE.exec(text.slice(0, MAX_LINE * 2));
  return m?.[1] ? Number(m[1]) : undefined;
}

/** A block's reply, from its first code to the end of that line, else the block itself, collapsed. */
function firstCodeLine(text: string): string {
  for (const line of text.split("\n", MAX_BLOCK_LINES)) {
    const reply = REPLY_CODE.exec(line);
    const enhanced = /(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.])/.exec(line);
    if (!reply && !enhanced) continue;
    return collapse(reply ? line.slice(reply.index + reply[0].indexOf(reply[1] ?? "")) : line);
  }
  return collapse(text).slice(0, MAX_DIAGNOSTIC);
}

/**
 * What the notice says about one of several recipients: the line that first names it, and the
 * lines after it up to the next line that names another recipient. When that first line carries
 * a code or a known phrase itself (Sendmail's "550 <a@b>... User unknown"), only that line and
 * its indented continuation.
 */
const loweredNotices = new WeakMap<readonly string[], string[]>();

function blockAbout(notice: readonly string[], email: string, all: readonly string[]): string {
  // Lower-cased once per notice, however many recipients ask.
  let lowered = loweredNotices.get(notice);
  if (!lowered) {
    lowered = notice.map((line) => line.toLowerCase());
    loweredNotices.set(notice, lowered);
  }
  const lower = email.toLowerCase();
  const at = lowered.findIndex((line) => line.includes(lower));
  if (at === -1) return "";
  const first = notice[at] ?? "";
  // Many recipients (a list's worth): each one's own line, so the work stays linear.
  if (all.length > MAX_BLOCK_RECIPIENTS) return first;
  const others = all.map((a) => a.toLowerCase()).filter((a) => a !== lower);
  const selfContained = REPLY_CODE.test(first) || reasonForText(first) !== undefined;
  const block = [first];
  for (let i = at + 1; i < notice.length && block.length < MAX_BLOCK_LINES; i++) {
    const line = notice[i] ?? "";
    const low = lowered[i] ?? "";
    if (others.some((o) => low.includes(o))) break;
    if (selfContained && !/^\s/.test(line)) break;
    block.push(line);
  }
  return block.join("\n");
}

// --- ARF (RFC 5965) and complaints without it -------------------------------------------------

// not-spam and auth-failure (RFC 6591, DMARC failure reports) are reports, not complaints.
const COMPLAINT_TYPES = new Set(["abuse", "fraud", "virus", "other", "complaint"]);
const OPT_OUT_TYPES = new Set(["opt-out", "opt-out-list", "unsubscribe"]);

function arfComplaint(
  text: string,
  returned: Headers | undefined,
): { recipients: ClassifiedRecipient[]; mailFrom: string | undefined } | null {
  const fields = parseHeaders(text);
  const type = (fields.get("feedback-type")?.[0] ?? "").trim().toLowerCase();
  const optOut = OPT_OUT_TYPES.has(type);
  if (!COMPLAINT_TYPES.has(type) && !optOut) return null;
  let emails = [...(fields.get("original-rcpt-to") ?? []), ...(fields.get("removal-recipient") ?? [])].map((v) =>
    addressField(v),
  );
  if (emails.every((e) => e === undefined)) emails = complainantsIn(returned);
  return {
    recipients: uniqueEmails(emails).map((email) => ({ email, status: optOut ? "opted_out" : "spam" })),
    mailFrom: addressField(fields.get("original-mail-from")?.[0]),
  };
}

/** Who complained, from the returned message: Microsoft's own header, else its To. */
function complainantsIn(returned: Headers | undefined): Array<string | undefined> {
  const microsoft = returned?.get("x-hmxmroriginalrecipient")?.[0];
  if (microsoft) return [firstAddressLike(microsoft)];
  return addressesIn(returned?.get("to")?.[0] ?? "", MAX_RECIPIENTS);
}

function uniqueEmails(emails: ReadonlyArray<string | undefined>): string[] {
  const unique = new Map<string, string>();
  for (const email of emails) {
    if (email && unique.size < MAX_RECIPIENTS) unique.set(email.toLowerCase(), email);
  }
  return [...unique.values()];
}

/**
 * Complaints that come without a feedback report: Microsoft's JMRP-style report (the complained
 * message attached, `X-HmXmrOriginalRecipient` naming the recipient) and a one-click unsubscribe
 * request mailed back (subject "unsubscribe", RFC 2369 `List-Unsubscribe: <mailto:…>`).
 */
function complaintWithoutReport(report: Report): ClassifiedRecipient[] | null {
  if (report.returned?.has("x-hmxmroriginalrecipient")) {
    return uniqueEmails(complainantsIn(report.returned)).map((email) => ({ email, status: "spam" }));
  }
  if (/^\s*unsubscribe\s*$/i.test(report.subject) && !report.returned) {
    const from = firstAddressLike(report.root.headers.get("from")?.[0]);
    return from ? [{ email: from, status: "opted_out" }] : null;
  }
  return null;
}

// --- Provider notifications in JSON (Amazon SES through SNS) ----------------------------------

function jsonNotification(report: Report): { kind: InboundKind; recipients: ClassifiedRecipient[] } | null {
  const text = report.notice.join("\n");
  const start = text.indexOf('{"');
  if (start === -1 || !/"notificationType"|"eventType"/.test(text)) return null;
  const end = text.lastIndexOf("}");
  let data: unknown;
  try {
    // SNS folds lines longer than 998 characters as "!\n ".
    data = JSON.parse(text.slice(start, end + 1).replace(/!\n /g, ""));
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null) return null;
  const root = data as Record<string, unknown>;
  const message = typeof root.Message === "string" ? safeJson(root.Message) : root;
  if (!message) return null;
  const type = String(message.notificationType ?? message.eventType ?? "").toLowerCase();
  if (type === "bounce") {
    const bounce = (message.bounce ?? {}) as Record<string, unknown>;
    const transient = String(bounce.bounceType ?? "").toLowerCase() === "transient";
    const subType = String(bounce.bounceSubType ?? "");
    const list = Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients.slice(0, MAX_RECIPIENTS) : [];
    const recipients: ClassifiedRecipient[] = [];
    for (const item of list) {
      const r = (item ?? {}) as Record<string, unknown>;
      const email = firstAddressLike(String(r.emailAddress ?? ""));
      if (!email) continue;
      const diagnostic = collapse(String(r.diagnosticCode ?? "")).slice(0, MAX_DIAGNOSTIC);
      const status = typeof r.status === "string" ? r.status : "";
      const codes = [...(STATUS.test(status) ? [status.trim()] : []), ...enhancedCodesIn(diagnostic)];
      const verdict = judge(`${diagnostic}\n${subType}`, codes, replyCodeIn(diagnostic), transient ? 4 : 5);
      recipients.push(recipientFrom(email, verdict, false, replyCodeIn(diagnostic), diagnostic));
    }
    return { kind: "bounce", recipients };
  }
  if (type === "complaint") {
    const complaint = (message.complaint ?? {}) as Record<string, unknown>;
    const list = Array.isArray(complaint.complainedRecipients) ? complaint.complainedRecipients : [];
    const optOut = OPT_OUT_TYPES.has(String(complaint.complaintFeedbackType ?? "").toLowerCase());
    const emails = list.map((item) => firstAddressLike(String((item as Record<string, unknown>)?.emailAddress ?? "")));
    return {
      kind: "complaint",
      recipients: uniqueEmails(emails).map((email) => ({ email, status: optOut ? "opted_out" : "spam" })),
    };
  }
  return { kind: "none", recipients: [] };
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text.slice(0, MAX_TEXT));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// --- Plain-text bounces -----------------------------------------------------------------------

/** A line that quotes a header of the original ("To: …", "Subject: …") rather than a failure. */
const QUOTED_HEADER_LINE =
  /^\s*(from|to|cc|bcc|subject|date|sent|reply-to|sender|return-path|message-id|in-reply-to|references|received|envelope-from|original sender|original-sender|x-[a-z-]{1,60})\s*:/i;

function isDaemonSender(headers: Headers): boolean {
  const from = decodeWords(headers.get("from")?.[0] ?? "").slice(0, 400);
  const address = firstAddressLike(from) ?? from.trim();
  const local = address.includes("@") ? address.slice(0, address.indexOf("@")) : address.replace(/[<>"]/g, "");
  return DAEMON_LOCAL_PART.test(local.trim()) || DAEMON_NAME.test(from);
}

function plainTextBounce(report: Report): { recipients: ClassifiedRecipient[]; delay: boolean } | null {
  const { root, notice, subject } = report;
  const head = notice.slice(0, 80).join("\n");
  const failed = addressesIn(root.headers.get("x-failed-recipients")?.join(",") ?? "", MAX_RECIPIENTS);
  const daemon = isDaemonSender(root.headers);
  const bodySays = matchesAny(BOUNCE_BODY, head);
  const subjectSays = matchesAny(BOUNCE_SUBJECT, subject);
  const carriesCopy = report.returned !== undefined || report.quoted !== undefined;
  if (failed.length === 0 && !daemon && !bodySays && !(subjectSays && carriesCopy)) return null;
  // A person's reply or forward that quotes a bounce is not one.
  if (failed.length === 0 && !daemon && /^\s*(re|aw|sv|antw|fwd?|wg|tr|rv)\s*:/i.test(subject)) return null;
  const delay = matchesAny(DELAY_NOTICE, subject) || matchesAny(DELAY_NOTICE, head);

  const found = noticeRecipients(report);
  const emails =
    failed.length > 0 ? uniqueEmails([...failed, ...found.map((f) => f.email)]) : found.map((f) => f.email);
  let fallback: string[] = [];
  if (emails.length === 0) fallback = originalRecipients(report);
  const all = emails.length > 0 ? emails : fallback;
  if (all.length === 0) {
    // Known to be a bounce, but it names nobody: a VERP return path may still say who.
    return daemon || bodySays || failed.length > 0 ? { recipients: [], delay } : null;
  }
  const whole = notice.join("\n");
  const recipients = all.slice(0, MAX_RECIPIENTS).map((email) => {
    let text = all.length === 1 ? whole : blockAbout(notice, email, all);
    if (text === "") text = whole;
    // Each recipient's text is bounded, so many recipients cost linear time.
    text = text.slice(0, all.length > MAX_BLOCK_RECIPIENTS ? MAX_LINE / 4 : MAX_LINE * 2);
    // The subject ("Returned mail: User unknown") speaks for all recipients: only a fallback.
    if (reasonForText(text) === undefined && enhancedCodesIn(text).length === 0) text = `${text}\n${subject}`;
    const codes = enhancedCodesIn(text);
    const smtpCode = replyCodeIn(text);
    const permanent = /permanent(ly)? (error|failure|fatal|failed)|fatal error/i.test(text) ? 5 : undefined;
    const verdict = judge(text, codes, smtpCode, permanent);
    return recipientFrom(email, verdict, delay, smtpCode, firstCodeLine(text));
  });
  return { recipients, delay };
}

/** Addresses the notice names (not the sender's, not a mail system's), with the line each is first on. */
function noticeRecipients(report: Report): Array<{ email: string; line: number }> {
  const found: Array<{ email: string; line: number }> = [];
  const seen = new Set<string>();
  for (let i = 0; i < report.notice.length && found.length < MAX_RECIPIENTS; i++) {
    const line = report.notice[i] ?? "";
    if (QUOTED_HEADER_LINE.test(line) || /\bmessage-id\b|envelope-(from|id)|mail from:/i.test(line)) continue;
    for (const email of addressesIn(line, 20)) {
      const lower = email.toLowerCase();
      if (seen.has(lower) || report.excluded.has(lower) || !usableRecipient(email)) continue;
      seen.add(lower);
      found.push({ email, line: i });
    }
  }
  // "please send mail to postmaster@…" is advice, unless the postmaster is all the notice names.
  const people = found.filter((f) => !/^postmaster@/i.test(f.email));
  return people.length > 0 ? people : found;
}

/** The returned original's recipients (To, then Received "for <…>"), when the notice names none. */
function originalRecipients(report: Report): string[] {
  const headers = report.returned ?? report.quoted;
  const toLines = report.notice.filter((line) => /^\s*to\s*:/i.test(line));
  const candidates = [
    ...toLines.flatMap((line) => addressesIn(line, 20)),
    ...addressesIn(headers?.get("to")?.[0] ?? "", 50),
  ];
  for (const received of headers?.get("received")?.slice(0, 10) ?? []) {
    const m = /\bfor <?([^\s<>;]{1,320}@[^\s<>;]{1,255})>?/i.exec(received);
    if (m?.[1]) candidates.push(m[1]);
  }
  return uniqueEmails(candidates.filter((e) => usableRecipient(e) && !report.excluded.has(e.toLowerCase())));
}

function usableRecipient(email: string): boolean {
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return domain.includes(".") && !SYSTEM_LOCAL_PART.test(local) && !/^\d+(\.\d+){3}$/.test(domain);
}

// --- Auto-replies -----------------------------------------------------------------------------

function isAutoReply(headers: Headers, report: Report): boolean {
  const submitted = (headers.get("auto-submitted")?.[0] ?? "").trim().toLowerCase();
  if (submitted !== "" && !submitted.startsWith("no")) return true;
  if (headers.has("x-autoreply") || headers.has("x-autorespond") || headers.has("x-autoresponse")) return true;
  if (headers.has("x-autoreply-from") || headers.has("x-mail-autoreply")) return true;
  if ((headers.get("precedence")?.[0] ?? "").trim().toLowerCase() === "auto_reply") return true;
  if (matchesAny(AUTO_REPLY_SUBJECT, report.subject.trim().slice(0, 200))) return true;
  return matchesAny(AUTO_REPLY_BODY, report.notice.slice(0, 30).join("\n"));
}

// --- Addresses --------------------------------------------------------------------------------

const BARE_ADDRESS = /[^\s<>()",;:@]{1,64}@[^\s<>()",;:@[\]]{1,255}/;
const ADDRESS_IN_TEXT = /[A-Za-z0-9._%+'=!#$&*/?^`{|}~-]{1,64}@[A-Za-z0-9][A-Za-z0-9.-]{0,252}[A-Za-z0-9]/g;

/** Every address-looking token in a text, in order (at most `max`). */
function addressesIn(text: string, max: number): string[] {
  const out: string[] = [];
  // Only the tokens around an "@" are searched: a long line without addresses costs one pass.
  for (const token of text.slice(0, MAX_LINE * 4).split(/[\s<>()[\],;"]+/)) {
    if (!token.includes("@") || token.length > 400) continue;
    for (const m of token.matchAll(ADDRESS_IN_TEXT)) {
      out.push(m[0].replace(/^[.'=/?]+/, "").replace(/\.+$/, ""));
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** "rfc822; user@example.com" or "<user@example.com>" -> "user@example.com". */
function addressField(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(";");
  return firstAddressLike(semicolon === -1 ? value : value.slice(semicolon + 1));
}

/** The first address in a header value; with "<", the first <…> token (Message-IDs). */
function firstAddressLike(value: string | undefined, bracket?: "<"): string | undefined {
  if (!value) return undefined;
  const limited = value.slice(0, 2000);
  if (bracket) {
    const open = limited.indexOf("<");
    const close = limited.indexOf(">", open + 1);
    return open === -1 || close === -1 ? undefined : limited.slice(open, close + 1);
  }
  const open = limited.indexOf("<");
  const close = open === -1 ? -1 : limited.indexOf(">", open + 1);
  const inside = close === -1 ? limited : limited.slice(open + 1, close);
  return BARE_ADDRESS.exec(inside)?.[0]?.replace(/\.$/, "");
}

function envelopeTo(headers: Headers): string | undefined {
  for (const name of ["x-original-to", "delivered-to", "to"]) {
    const address = firstAddressLike(headers.get(name)?.[0]);
    if (address) return address;
  }
  return undefined;
}

/** The header block that starts at `from` (after blank lines), as a plain-text bounce quotes it. */
function headerBlockAfter(lines: readonly string[], from: number): Headers | undefined {
  let start = from;
  while (start < lines.length && start < from + 5 && (lines[start] ?? "").trim() === "") start++;
  const block: string[] = [];
  for (let i = start; i < lines.length && block.length < MAX_HEADER_LINES; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") break;
    block.push(line.slice(0, MAX_HEADER_VALUE));
  }
  return block.length > 0 ? parseHeaders(block.join("\n")) : undefined;
}

/**
 * Headers of the original as a plain-text bounce quotes them, below its "copy of the message"
 * line (Exim, qmail, some Postfix set-ups).
 */
function quotedHeaders(root: Entity, leaves: Entity[]): Headers | undefined {
  const lines = noticeText(root, leaves).split("\n", MAX_TEXT / 16);
  const start = lines.findIndex((line) => RETURNED_COPY.test(line.slice(0, 200).trim()));
  if (start === -1) return undefined;
  return headerBlockAfter(lines, start + 1);
}

/** Headers of the returned original: a message/rfc822 part or a text/rfc822-headers part. */
function returnedHeaders(leaves: Entity[]): Headers | undefined {
  const part = leaves.find((e) =>
    [
      "message/rfc822",
      "text/rfc822-headers",
      "text/rfc822-header",
      "message/global",
      "message/global-headers",
      "message/rfc822-headers",
    ].includes(e.type),
  );
  if (!part) return undefined;
  const text = decodeText(part).slice(0, MAX_TEXT).replace(/^\n+/, "");
  const end = text.indexOf("\n\n");
  return parseHeaders(end === -1 ? text : text.slice(0, end));
}

// --- MIME -------------------------------------------------------------------------------------

interface Entity {
  headers: Headers;
  /** Lower-case media type; text/plain when the entity has no Content-Type. */
  type: string;
  params: Map<string, string>;
  /** The body as a binary (latin1) string, still transfer-encoded. */
  body: string;
  children: Entity[];
}

function parseEntity(text: string, depth: number, budget: { parts: number }): Entity {
  const split = text.startsWith("\n") ? 0 : text.indexOf("\n\n");
  const headerText = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? "" : text.slice(split + (split === 0 ? 1 : 2));
  const headers = parseHeaders(headerText);
  const { type, params } = parseContentType(headers.get("content-type")?.[0]);
  const entity: Entity = { headers, type, params, body, children: [] };
  if (type.startsWith("multipart/") && depth < MAX_DEPTH) {
    const boundary = params.get("boundary");
    let parts = boundary ? splitMultipart(body, boundary, budget) : [];
    // A boundary parameter lost to bad folding, or not the one the body uses (seen in the wild):
    // the body's own first delimiter line says what it is.
    const guessed = parts.length === 0 ? guessBoundary(body) : undefined;
    if (guessed && guessed !== boundary) parts = splitMultipart(body, guessed, budget);
    for (const part of parts) entity.children.push(parseEntity(part, depth + 1, budget));
    // A multipart without parts is read as the text it is.
    if (parts.length === 0) entity.type = "text/plain";
  }
  return entity;
}

function guessBoundary(body: string): string | undefined {
  let start = 0;
  for (let i = 0; i < 100 && start < body.length; i++) {
    const end = body.indexOf("\n", start);
    const line = body.slice(
      start,
      end === -1 ? Math.min(body.length, start + MAX_LINE) : Math.min(end, start + MAX_LINE),
    );
    const m = /^--([^\s]{1,200})\s*$/.exec(line);
    if (m?.[1]) return m[1].endsWith("--") && !body.includes(`--${m[1]}\n`) ? m[1].slice(0, -2) : m[1];
    if (end === -1) break;
    start = end + 1;
  }
  return undefined;
}

/** Parts between boundary lines; an unterminated last part runs to the end of the input. */
function splitMultipart(body: string, boundary: string, budget: { parts: number }): string[] {
  const text = `\n${body}`;
  const delimiter = `\n--${boundary}`;
  const parts: string[] = [];
  let pos = text.indexOf(delimiter);
  while (pos !== -1 && budget.parts < MAX_PARTS) {
    const after = pos + delimiter.length;
    if (text.startsWith("--", after)) break;
    const lineEnd = text.indexOf("\n", after);
    if (lineEnd === -1) break;
    // Only transport padding may follow the boundary; anything else is a longer, different line.
    if (text.slice(after, lineEnd).trim() !== "") {
      pos = text.indexOf(delimiter, after);
      continue;
    }
    let next = text.indexOf(delimiter, lineEnd);
    while (next !== -1) {
      const nextAfter = next + delimiter.length;
      const nextEnd = text.indexOf("\n", nextAfter);
      const rest = text.slice(nextAfter, nextEnd === -1 ? undefined : nextEnd).trim();
      if (rest === "" || rest === "--") break;
      next = text.indexOf(delimiter, nextAfter);
    }
    parts.push(text.slice(lineEnd + 1, next === -1 ? undefined : next));
    budget.parts++;
    pos = next;
  }
  return parts;
}

/** The shared reader (email/mime-headers.ts). */
function parseHeaders(text: string): Headers {
  return readHeaderBlock(text);
}

function parseContentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  // RFC 2045: no Content-Type means text/plain.
  if (!value) return { type: "text/plain", params };
  const pieces: string[] = [];
  let piece = "";
  let quoted = false;
  for (const ch of value.slice(0, 2000)) {
    if (ch === '"') quoted = !quoted;
    if (ch === ";" && !quoted) {
      pieces.push(piece);
      piece = "";
    } else {
      piece += ch;
    }
  }
  pieces.push(piece);
  const first = (pieces.shift() ?? "").trim().toLowerCase();
  // "text/plain charset=…" (a parameter folded in without its semicolon) is still text/plain.
  const type = /^[a-z0-9.+-]{1,100}\/[a-z0-9.+-]{1,100}/.exec(first)?.[0] ?? first;
  for (const p of pieces) {
    const eq = p.indexOf("=");
    if (eq === -1) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    params.set(p.slice(0, eq).trim().toLowerCase(), v);
  }
  return { type, params };
}

function flatten(entity: Entity, out: Entity[] = []): Entity[] {
  if (entity.children.length === 0) out.push(entity);
  for (const child of entity.children) flatten(child, out);
  return out;
}

/** The body, transfer-decoded and turned from its charset into text. */
function decodeText(entity: Entity): string {
  const encoding = (entity.headers.get("content-transfer-encoding")?.[0] ?? "").trim().toLowerCase();
  const body = entity.body.slice(0, MAX_TEXT * 2);
  let bytes: Buffer;
  if (encoding === "base64") bytes = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ""), "base64");
  else if (encoding === "quoted-printable") bytes = Buffer.from(decodeQuotedPrintable(body), "latin1");
  else bytes = Buffer.from(body, "latin1");
  return decodeCharset(bytes, entity.params.get("charset") ?? "utf-8").replace(/\r\n?/g, "\n");
}

function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\n/g, "")
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.trim().toLowerCase() || "utf-8").decode(bytes);
  } catch {
    // An unknown charset label: latin1 keeps every byte readable.
    return bytes.toString("latin1");
  }
}

/** RFC 2047 encoded words in a header value ("=?utf-8?Q?Automatische_Antwort?="). */
function decodeWords(value: string): string {
  const text = Buffer.from(value, "latin1").toString("utf8");
  return text.replace(
    /=\?([^?\s]{1,40})\?([bBqQ])\?([^?\s]{0,2000})\?=/g,
    (_, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toLowerCase() === "b"
          ? Buffer.from(data, "base64")
          : Buffer.from(decodeQuotedPrintable(data.replace(/_/g, " ")), "latin1");
      return decodeCharset(bytes, charset);
    },
  );
}

function* blocks(text: string, max: number): Generator<string> {
  let count = 0;
  for (const block of text.split(/\n[ \t]*\n/)) {
    if (count++ >= max * 2) return;
    if (block.trim() !== "") yield block.replace(/^\n+/, "");
  }
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
