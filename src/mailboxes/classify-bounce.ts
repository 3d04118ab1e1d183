import { classifyReply, isMailboxFull } from "../delivery/send-result.js";
import { type Headers, MAX_HEADER_LINES, MAX_HEADER_VALUE, readHeaderBlock } from "../email/mime-headers.js";

/**
 * Classifies one raw inbound message as a bounce (RFC 3464 DSN or a plain-text bounce), a delay
 * notice, an ARF complaint (RFC 5965), an auto-reply, or none of these.
 *
 * Every verdict about an SMTP reply goes through `classifyReply`, so a DSN and a reply on the wire
 * are judged by one rule set. The MIME parsing is our own, not mailparser's: we need the raw
 * `message/delivery-status` and `message/feedback-report` fields (mailparser hands them over as
 * attachments) and full control over how much work hostile input can cause. Every loop and
 * every regex here is bounded: sizes, part counts, line lengths and recipients are capped, and
 * the regexes have no nested quantifiers, so an endless line costs linear time.
 */

export type InboundKind = "bounce" | "delay" | "complaint" | "auto_reply" | "none";
export type BounceStatus = "hard_bounce" | "soft_bounce" | "rejected" | "spam";

export interface ClassifiedRecipient {
  email: string;
  status: BounceStatus;
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

function classifyParsed(root: Entity, leaves: Entity[], returned: Headers | undefined): Classification {
  const originalMessageId = firstAddressLike(returned?.get("message-id")?.[0], "<");

  const status = leaves.find(
    (e) => e.type === "message/delivery-status" || e.type === "message/global-delivery-status",
  );
  if (status) {
    const recipients = dsnRecipients(decodeText(status));
    if (recipients.list.length > 0) {
      return finish(
        recipients.allDelayed ? "delay" : "bounce",
        recipients.list,
        envelopeTo(root.headers),
        originalMessageId,
      );
    }
    // A delivery report (delivered / relayed / expanded) or an empty one: not a bounce.
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

  const plain = plainTextBounce(root, leaves);
  if (plain) {
    const messageId = originalMessageId ?? plain.messageId;
    return finish(plain.delay ? "delay" : "bounce", plain.recipients, envelopeTo(root.headers), messageId);
  }

  if (isAutoReply(root.headers)) return finish("auto_reply", [], undefined, undefined);
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

// --- DSN (RFC 3464) ---------------------------------------------------------------------------

const STATUS = /^\s*([245])\.(\d{1,3})\.(\d{1,3})/;
const SMTP_CODE = /^([245]\d\d)(?:[\s-]|$)/;

function dsnRecipients(text: string): { list: ClassifiedRecipient[]; allDelayed: boolean; seen: boolean } {
  const list: ClassifiedRecipient[] = [];
  let delayed = 0;
  let seen = false;
  // Per-message fields, then one block per recipient, separated by blank lines.
  for (const block of blocks(text, MAX_RECIPIENTS + 1)) {
    if (list.length >= MAX_RECIPIENTS) break;
    const fields = parseHeaders(block);
    const email =
      addressField(fields.get("original-recipient")?.[0]) ?? addressField(fields.get("final-recipient")?.[0]);
    if (!email) continue;
    seen = true;
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
    const statusClass = status ? Number(status[0]) : action === "failed" ? 5 : action === "delayed" ? 4 : undefined;
    const klass = statusClass ?? (smtpCode ? Math.floor(smtpCode / 100) : undefined);
    if (klass === undefined || klass === 2) continue;

    const code = smtpCode !== undefined && Math.floor(smtpCode / 100) === klass ? smtpCode : klass * 100 + 50;
    // Putting Status right after the code makes it the enhanced code classifyReply reads first.
    const verdict = classifyReply(code, `${code} ${status ?? ""} ${diagnostic}`);
    if (verdict.kind === "sent") continue;
    const isDelayed = action === "delayed";
    if (isDelayed) delayed++;
    const enhancedSeen = status ?? verdict.enhanced;
    const recipient: ClassifiedRecipient = {
      email,
      status:
        isDelayed || verdict.kind === "soft" || isMailboxFull(enhancedSeen, diagnostic)
          ? "soft_bounce"
          : verdict.status,
    };
    if (smtpCode !== undefined) recipient.smtpCode = smtpCode;
    const enhanced = status ?? verdict.enhanced;
    if (enhanced) recipient.enhancedCode = enhanced;
    if (diagnostic) recipient.diagnostic = diagnostic.slice(0, MAX_DIAGNOSTIC);
    list.push(recipient);
  }
  return { list, allDelayed: list.length > 0 && delayed === list.length, seen };
}

// --- ARF (RFC 5965) ---------------------------------------------------------------------------

// not-spam and auth-failure (RFC 6591, DMARC failure reports) are reports, not complaints.
const COMPLAINT_TYPES = new Set(["abuse", "fraud", "virus", "other"]);

function arfComplaint(
  text: string,
  returned: Headers | undefined,
): { recipients: ClassifiedRecipient[]; mailFrom: string | undefined } | null {
  const fields = parseHeaders(text);
  const type = (fields.get("feedback-type")?.[0] ?? "").trim().toLowerCase();
  if (!COMPLAINT_TYPES.has(type)) return null;
  let emails = (fields.get("original-rcpt-to") ?? []).map((v) => addressField(v));
  if (emails.every((e) => e === undefined)) {
    emails = (returned?.get("to")?.[0] ?? "").split(",").map((v) => firstAddressLike(v));
  }
  const unique = new Map<string, string>();
  for (const email of emails) {
    if (email && unique.size < MAX_RECIPIENTS) unique.set(email.toLowerCase(), email);
  }
  return {
    recipients: [...unique.values()].map((email) => ({ email, status: "spam" as const })),
    mailFrom: addressField(fields.get("original-mail-from")?.[0]),
  };
}

// --- Plain-text bounces -----------------------------------------------------------------------

const DAEMON_SENDER = /^(mailer-daemon|mail-daemon|mailerdaemon|postmaster)@/i;
const BOUNCE_SUBJECT =
  /(undelivered mail|delivery status notification|mail delivery failed|failure notice|undeliverable|returned mail|delivery failure|delivery has failed|could not be delivered|warning: message .{0,200} delayed|delayed mail)/i;
const BOUNCE_BODY =
  /(i'm afraid i wasn't able to deliver|this message was created automatically by mail delivery software|delivery to the following recipients? failed|the following addresses had permanent fatal errors|the mail system)/i;
const DELAY_NOTICE =
  /(has not yet been delivered|delivery status notification \(delay\)|will continue trying|will retry|this is a warning message only|delayed mail|warning: message .{0,200} delayed)/i;
// Where the copy of the returned message starts: addresses below it are not recipients.
const RETURNED_COPY =
  /^-{2,}\s*(below this line is a copy of the message|this is a copy of the message|original message|the body of the message is|the header of the original message is)/i;
const ADDRESS = /^<?([^\s<>()",;:@]{1,64}@[^\s<>()",;:@[\]]{1,255}?)>?:?$/;
const LEADING_ADDRESS =
  /^<([^\s<>()",;:@]{1,64}@[^\s<>()",;:@[\]]{1,255})>:?(?:\s|$)|^([^\s<>()",;:@]{1,64}@[^\s<>()",;:@[\]]{1,255}):(?:\s|$)/;
const EXIM_RCPT = /after RCPT TO:<([^\s<>]{1,320})>/i;
const REPLY_CODE = /(?:^|[\s:])([245]\d\d)[ -]/;

function plainTextBounce(
  root: Entity,
  leaves: Entity[],
): { recipients: ClassifiedRecipient[]; delay: boolean; messageId: string | undefined } | null {
  const text = leaves.find((e) => e.type === "text/plain");
  if (!text) return null;
  const body = decodeText(text).slice(0, MAX_TEXT);
  const from = firstAddressLike(root.headers.get("from")?.[0]) ?? "";
  const subject = decodeWords(root.headers.get("subject")?.[0] ?? "").slice(0, 1000);
  const head = body.slice(0, 4000);
  if (!DAEMON_SENDER.test(from) && !BOUNCE_SUBJECT.test(subject) && !BOUNCE_BODY.test(head)) return null;
  const delay = DELAY_NOTICE.test(subject) || DELAY_NOTICE.test(head);

  const blocksFound: Array<{ email: string; lines: string[] }> = [];
  let current: { email: string; lines: string[] } | undefined;
  let messageId: string | undefined;
  const lines = body.split("\n");
  let copyStart = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").slice(0, MAX_LINE);
    const trimmed = line.trim();
    if (RETURNED_COPY.test(trimmed)) {
      copyStart = i;
      break;
    }
    const lead = /^\s/.test(line) ? null : LEADING_ADDRESS.exec(trimmed);
    const alone = ADDRESS.exec(trimmed);
    const email = alone?.[1] ?? lead?.[1] ?? lead?.[2];
    if (email && !blocksFound.some((b) => b.email.toLowerCase() === email.toLowerCase())) {
      if (blocksFound.length >= MAX_RECIPIENTS) break;
      current = { email, lines: [] };
      blocksFound.push(current);
      // "<a@b>: host x said: 550 …" keeps its text on the same line.
      if (lead) current.lines.push(trimmed.slice(trimmed.indexOf(":") + 1));
      continue;
    }
    if (!current) {
      const exim = EXIM_RCPT.exec(line);
      if (exim?.[1]) {
        current = { email: exim[1], lines: [] };
        blocksFound.push(current);
      }
      continue;
    }
    if (current.lines.length < 50) current.lines.push(line);
  }
  if (copyStart !== -1) {
    for (const line of lines.slice(copyStart + 1, copyStart + 200)) {
      if (line === "" && messageId === undefined) continue;
      if (/^message-id:/i.test(line)) {
        messageId = firstAddressLike(line.slice(11), "<");
        break;
      }
    }
  }
  if (blocksFound.length === 0) return null;

  const recipients = blocksFound.map(({ email, lines: blockLines }) =>
    plainRecipient(email.replace(/\.$/, ""), blockLines, delay),
  );
  return { recipients, delay, messageId };
}

function plainRecipient(email: string, lines: string[], delay: boolean): ClassifiedRecipient {
  const block = lines.join("\n").slice(0, MAX_LINE * 2);
  const found = REPLY_CODE.exec(block);
  let smtpCode: number | undefined;
  let reply: string;
  if (found?.[1]) {
    smtpCode = Number(found[1]);
    const start = found.index + found[0].indexOf(found[1]);
    // The reply runs to the end of its paragraph; qmail adds its own "Giving up" line after it.
    let end = block.indexOf("\n\n", start);
    const givingUp = block.indexOf("\nGiving up", start);
    if (end === -1 || (givingUp !== -1 && givingUp < end)) end = givingUp;
    reply = collapse(block.slice(start, end === -1 ? undefined : end));
  } else {
    reply = collapse(block);
  }
  // Without a reply code the enhanced code (qmail's "(#5.1.1)") or the notice itself sets the class.
  const enhancedClass = /(?<![\d.])([45])\.\d{1,3}\.\d{1,3}(?![\d.])/.exec(reply)?.[1];
  const code = smtpCode ?? (enhancedClass ? Number(enhancedClass) * 100 + 50 : delay ? 450 : 550);
  const verdict = classifyReply(code, smtpCode ? reply : `${code} ${reply}`);
  const recipient: ClassifiedRecipient = {
    email,
    status: delay || verdict.kind !== "hard" || isMailboxFull(verdict.enhanced, reply) ? "soft_bounce" : verdict.status,
  };
  if (smtpCode !== undefined) recipient.smtpCode = smtpCode;
  if (verdict.enhanced) recipient.enhancedCode = verdict.enhanced;
  if (reply) recipient.diagnostic = reply.slice(0, MAX_DIAGNOSTIC);
  return recipient;
}

// --- Auto-replies -----------------------------------------------------------------------------

const AUTO_SUBJECT =
  /^(out of (the )?office|automatic reply|auto(matic)?[ -]?reply|auto[ -]?response|autoresponse|auto:|abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|automatisch antwoord|respuesta autom[aá]tica|risposta automatica|resposta autom[aá]tica|autosvar|automaattinen vastaus|odpowied[zź] automatyczna)/i;

function isAutoReply(headers: Headers): boolean {
  const submitted = (headers.get("auto-submitted")?.[0] ?? "").trim().toLowerCase();
  if (submitted !== "" && !submitted.startsWith("no")) return true;
  if (headers.has("x-autoreply") || headers.has("x-autorespond") || headers.has("x-autoresponse")) return true;
  if ((headers.get("precedence")?.[0] ?? "").trim().toLowerCase() === "auto_reply") return true;
  return AUTO_SUBJECT.test(
    decodeWords(headers.get("subject")?.[0] ?? "")
      .trim()
      .slice(0, 200),
  );
}

// --- Addresses --------------------------------------------------------------------------------

const BARE_ADDRESS = /[^\s<>()",;:@]{1,64}@[^\s<>()",;:@[\]]{1,255}/;

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

/**
 * Headers of the original as a plain-text bounce quotes them, below its "copy of the message"
 * line (Exim, qmail, some Postfix set-ups).
 */
function quotedHeaders(root: Entity, leaves: Entity[]): Headers | undefined {
  const text = leaves.find((e) => e.type === "text/plain") ?? (root.children.length === 0 ? root : undefined);
  if (!text) return undefined;
  const lines = decodeText(text).slice(0, MAX_TEXT).split("\n");
  const start = lines.findIndex((line) => RETURNED_COPY.test(line.slice(0, MAX_LINE).trim()));
  if (start === -1) return undefined;
  let from = start + 1;
  while (from < lines.length && (lines[from] ?? "").trim() === "") from++;
  const block: string[] = [];
  for (let i = from; i < lines.length && block.length < MAX_HEADER_LINES; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") break;
    block.push(line.slice(0, MAX_HEADER_VALUE));
  }
  return parseHeaders(block.join("\n"));
}

/** Headers of the returned original: a message/rfc822 part or a text/rfc822-headers part. */
function returnedHeaders(leaves: Entity[]): Headers | undefined {
  const part = leaves.find((e) =>
    ["message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"].includes(e.type),
  );
  if (!part) return undefined;
  const text = decodeText(part).slice(0, MAX_TEXT);
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
  const boundary = params.get("boundary");
  if (type.startsWith("multipart/") && boundary && depth < MAX_DEPTH) {
    for (const part of splitMultipart(body, boundary, budget)) {
      entity.children.push(parseEntity(part, depth + 1, budget));
    }
  }
  return entity;
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
  const type = (pieces.shift() ?? "").trim().toLowerCase();
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
