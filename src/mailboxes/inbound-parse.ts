import { htmlToText } from "html-to-text";
import { type AddressObject, simpleParser } from "mailparser";
import { readHeaderBlock } from "../email/mime-headers.js";

/**
 * Reads what Postbag keeps of an inbound message: sender, subject, text and HTML, attachments,
 * and the headers replies and bounces are matched by. mailparser does the MIME work under
 * limits (header size, part count, HTML conversion) and a deadline; the headers that decide
 * matching are read by a small bounded reader of our own, so they are there even when
 * mailparser gives up on a broken message.
 */
export interface ParsedInbound {
  readonly messageIdHeader: string | null;
  readonly fromAddress: string | null;
  readonly fromName: string | null;
  readonly subject: string | null;
  readonly sentAt: number | null;
  readonly textBody: string | null;
  readonly htmlBody: string | null;
  /** Message-IDs this one answers: In-Reply-To first, then References (newest first). */
  readonly answers: readonly string[];
  /** Every address in the headers a report's envelope recipient can show up in. */
  readonly envelopeAddresses: readonly string[];
  readonly attachments: readonly InboundAttachment[];
  /** Why the body could not be read (the message is still stored, with what could be read). */
  readonly problem: string | null;
}

export interface InboundAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface ParseLimits {
  /** Give up on mailparser after this long (default 10 s). */
  readonly timeoutMs?: number;
}

const MAX_TEXT = 1024 * 1024;
const MAX_HTML = 2 * 1024 * 1024;
const MAX_ATTACHMENTS = 100;
const MAX_HEADER_BYTES = 256 * 1024;
const MAX_ANSWERS = 50;
const ENVELOPE_HEADERS = ["x-original-to", "delivered-to", "envelope-to", "x-envelope-to", "x-rcpt-to", "to", "cc"];

export async function parseInbound(raw: Buffer, limits: ParseLimits = {}): Promise<ParsedInbound> {
  const headers = readTopHeaders(raw);
  const first = (name: string) => headers.get(name)?.[0];
  const messageIdHeader = clean(firstToken(first("message-id")), 998);
  const answers = uniqueLimited([...tokens(first("in-reply-to")), ...tokens(first("references")).reverse()]);
  const envelopeAddresses = uniqueLimited(
    ENVELOPE_HEADERS.flatMap((name) => (headers.get(name) ?? []).flatMap((v) => addressesIn(v))),
  );
  const base = { messageIdHeader, answers, envelopeAddresses };

  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("parsing took too long")), limits.timeoutMs ?? 10_000);
    });
    const mail = await Promise.race([
      simpleParser(raw, {
        maxHeadSize: MAX_HEADER_BYTES,
        maxChildNodes: 300,
        maxHtmlLengthToParse: MAX_HTML,
        skipImageLinks: true,
        skipTextToHtml: true,
        keepCidLinks: true,
        checksumAlgo: false,
      }),
      deadline,
    ]);
    const from = firstAddress(mail.from);
    const html = typeof mail.html === "string" ? mail.html : null;
    return {
      ...base,
      fromAddress: clean(from?.address ?? addressesIn(first("from") ?? "")[0], 320),
      fromName: clean(from?.name, 300),
      subject: clean(mail.subject, 1000),
      sentAt: mail.date && Number.isFinite(mail.date.getTime()) ? mail.date.getTime() : null,
      textBody: clean(mail.text ?? textOfHtml(html), MAX_TEXT),
      htmlBody: clean(html, MAX_HTML),
      attachments: mail.attachments.slice(0, MAX_ATTACHMENTS).map((a, i) => ({
        filename: safeFilename(a.filename, i + 1),
        contentType: safeContentType(a.contentType),
        content: a.content,
      })),
      problem: null,
    };
  } catch (err) {
    return {
      ...base,
      fromAddress: clean(addressesIn(first("from") ?? "")[0], 320),
      fromName: null,
      subject: clean(first("subject"), 1000),
      sentAt: null,
      textBody: null,
      htmlBody: null,
      attachments: [],
      problem: (err instanceof Error ? err.message : "unreadable message").slice(0, 300),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Levels of nested elements html-to-text walks (as mailparser limits its own conversion). */
const MAX_HTML_DEPTH = 100;

/**
 * The text of a message that has only HTML. mailparser derives it for a message that is one
 * HTML part, but not for HTML beside attachments in a multipart/mixed (a reply with a photo, as
 * phones send it), whose text would then be null: the inbox's search reads the text. Null when
 * the HTML cannot be converted (the HTML itself is kept either way).
 */
function textOfHtml(html: string | null): string | null {
  if (!html) return null;
  try {
    return htmlToText(html.slice(0, MAX_HTML), {
      limits: { maxDepth: MAX_HTML_DEPTH },
      selectors: [
        { selector: "img", format: "skip" },
        { selector: "a", options: { ignoreHref: true } },
      ],
    });
  } catch {
    return null;
  }
}

/**
 * Text as both databases take it: no NUL (PostgreSQL refuses it in text), no lone surrogates
 * (not valid UTF-8), at most `max` characters; empty becomes null.
 */
export function clean(text: string | null | undefined, max: number): string | null {
  if (!text) return null;
  const value = wellFormed(text.slice(0, max).replaceAll("\u0000", ""));
  return value === "" ? null : value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

function firstAddress(value: AddressObject | undefined): { address?: string; name?: string } | undefined {
  const entry = value?.value[0];
  if (!entry) return undefined;
  // A group ("undisclosed-recipients:;") has no address of its own.
  return {
    ...(entry.address ? { address: entry.address.slice(0, 320) } : {}),
    ...(entry.name ? { name: entry.name } : {}),
  };
}

/**
 * A file name safe to put into a Content-Disposition header and onto a disk: no path, no
 * control characters, no quotes or backslashes, at most 200 characters.
 */
export function safeFilename(name: string | undefined, position: number): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  const cleaned = wellFormed(base)
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}"\\;]/gu, "_")
    .replace(/^[.\s]+/, "")
    .trim()
    .slice(0, 200);
  return cleaned || `attachment-${position}`;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

function safeContentType(value: string | undefined): string {
  const type = (value ?? "").trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : "application/octet-stream";
}

/** The top-level header block, unfolded, lower-case names; bounded in bytes (and, by the shared reader, lines). */
export function readTopHeaders(raw: Buffer): Map<string, string[]> {
  const head = raw.subarray(0, MAX_HEADER_BYTES).toString("latin1");
  const end = head.search(/\r?\n\r?\n/);
  const text = end === -1 ? head : head.slice(0, end);
  return readHeaderBlock(text);
}

/** `<…>` tokens of a Message-ID-list header, each at most 998 characters. */
function tokens(value: string | undefined): string[] {
  if (!value) return [];
  return (value.slice(0, 32_000).match(/<[^<>\s]{1,996}>/g) ?? []).slice(0, 200);
}

function firstToken(value: string | undefined): string | undefined {
  return tokens(value)[0] ?? (value?.trim() ? value.trim().slice(0, 998) : undefined);
}

const ADDRESS = /[^\s<>()",;:@]{1,64}@[^\s<>()",;:@[\]]{1,255}/g;

function addressesIn(value: string): string[] {
  return (value.slice(0, 16_000).match(ADDRESS) ?? []).slice(0, 100).map((a) => a.replace(/\.$/, ""));
}

function uniqueLimited(values: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const v of values) {
    const key = v.toLowerCase();
    if (!seen.has(key)) seen.set(key, v);
    if (seen.size >= MAX_ANSWERS) break;
  }
  return [...seen.values()];
}
