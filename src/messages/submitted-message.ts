import { createHash } from "node:crypto";
import { simpleParser } from "mailparser";
import addressparser from "nodemailer/lib/addressparser";
import { checkAttachment } from "../accounts/attachment-policy.js";
import { checkEmail, checkHeaderValue, checkRecipient, quote } from "../email/address.js";
import { type Category, internalCategories, isCategory } from "../email/categories.js";
import { type HeaderField, MAX_HEADER_LINES, readHeaderFields } from "../email/mime-headers.js";
import { ApiError } from "../errors/api-error.js";
import { fromAllowed, type PreparedMessage, type PreparedRecipient, type PrepareLimits } from "./prepare.js";

/** A message as an SMTP client submitted it: the DATA bytes and the envelope recipients. */
export interface SubmittedInput {
  readonly raw: Buffer;
  readonly rcptTo: readonly string[];
  /** The API key that authenticated: a Message-ID is accepted once per key. */
  readonly keyId: string;
}

const MAX_HEADER_BYTES = 256 * 1024;
const CATEGORY_HEADER = "x-postbag-category";
/** Headers Postbag removes before storing: Bcc must never be sent, X-Postbag-* are Postbag's own. */
const dropped = (name: string) => name === "bcc" || name.startsWith("x-postbag-");

/** Splits the header block from the body; bare-LF messages are accepted as they are. */
function splitHeader(raw: Buffer): { header: string; body: Buffer } {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  if (raw.length >= 2 && (raw.subarray(0, 2).toString() === "\r\n" || raw[0] === 0x0a)) {
    // No header at all: the message begins with its blank line.
    return { header: "", body: raw };
  }
  const candidates = [crlf >= 0 ? crlf + 2 : -1, lf >= 0 ? lf + 1 : -1].filter((i) => i >= 0);
  const end = candidates.length > 0 ? Math.min(...candidates) : -1;
  if (end < 0 || end > limit) {
    if (end < 0 && raw.length <= limit) return { header: raw.toString("latin1"), body: Buffer.alloc(0) };
    throw new ApiError("invalid_request", `the header is larger than ${MAX_HEADER_BYTES} bytes`);
  }
  return { header: raw.subarray(0, end).toString("latin1"), body: raw.subarray(end) };
}

/** The header's fields; a line that is not a field, or too many lines, is refused. */
function readFields(header: string): HeaderField[] {
  const { fields, stray, truncated } = readHeaderFields(header);
  if (stray !== undefined) {
    throw new ApiError("invalid_request", `a header line is not a field: ${quote(stray.trim().slice(0, 60))}`);
  }
  if (truncated) throw new ApiError("invalid_request", `the header has more than ${MAX_HEADER_LINES} lines`);
  return fields;
}

function addresses(value: string | undefined): Array<{ address: string; name: string }> {
  if (!value) return [];
  const out: Array<{ address: string; name: string }> = [];
  const walk = (list: ReturnType<typeof addressparser>) => {
    for (const a of list) {
      if ("group" in a && a.group) walk(a.group);
      else if (a.address) out.push({ address: a.address, name: a.name ?? "" });
    }
  };
  walk(addressparser(value));
  return out;
}

/**
 * Checks a submitted message with the same rules as `POST /v1/messages` (From, category,
 * recipients, size, attachment policy) and keeps its MIME as submitted, minus `Bcc` and every
 * `X-Postbag-*` header. The envelope recipients decide who gets it: one listed in To or Cc is
 * shown there, the others are Bcc. Without a Message-ID one is added.
 */
export async function prepareSubmitted(
  input: SubmittedInput,
  limits: PrepareLimits & { readonly messageIdDomain: string; readonly newMessageId: () => string },
): Promise<PreparedMessage> {
  if (input.raw.length > limits.maxMessageBytes) {
    throw new ApiError("payload_too_large", `message exceeds ${limits.maxMessageBytes} bytes`);
  }
  const { header, body } = splitHeader(input.raw);
  const fields = readFields(header);
  const first = (name: string) => fields.find((f) => f.name === name)?.value;

  const categoryRaw = first(CATEGORY_HEADER)?.toLowerCase() ?? "alert";
  if (!isCategory(categoryRaw) || internalCategories.has(categoryRaw)) {
    throw new ApiError("unknown_category", `X-Postbag-Category ${quote(categoryRaw)} is not a category you may use`);
  }
  const category: Category = categoryRaw;

  // From: exactly one address, one the tenant may use.
  const fromList = addresses(first("from"));
  if (fields.filter((f) => f.name === "from").length !== 1 || fromList.length !== 1 || !fromList[0]) {
    throw new ApiError("invalid_address", "the message needs exactly one From address");
  }
  const fromCheck = checkEmail(fromList[0].address);
  if (!fromCheck.ok) throw new ApiError("invalid_address", `From: ${fromCheck.message}`);
  const rules = limits.sender ?? {
    verifiedDomains: new Set<string>(),
    accountDomain: null,
    genericAddress: null,
    fromName: null,
  };
  if (!fromAllowed(fromCheck.email, limits.senderDomain, rules)) {
    throw new ApiError(
      "from_not_allowed",
      `From ${quote(fromCheck.email)} is not allowed: use noreply@${limits.senderDomain} or an address on a domain you have verified`,
    );
  }

  // Recipients: the envelope, each shown as the header shows it.
  if (input.rcptTo.length > limits.maxRecipients) {
    throw new ApiError(
      "too_many_recipients",
      `${input.rcptTo.length} recipients; at most ${limits.maxRecipients} per message`,
    );
  }
  const shown = new Map<string, { kind: "to" | "cc"; name: string }>();
  for (const kind of ["cc", "to"] as const) {
    for (const f of fields.filter((x) => x.name === kind)) {
      for (const a of addresses(f.value)) shown.set(a.address.toLowerCase(), { kind, name: a.name });
    }
  }
  const recipients: PreparedRecipient[] = [];
  const seen = new Set<string>();
  for (const rcpt of input.rcptTo) {
    const r = checkRecipient(rcpt, limits);
    if (!r.ok) throw new ApiError("invalid_address", `recipient ${quote(rcpt)}: ${r.message}`);
    const key = r.email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const header = shown.get(key);
    recipients.push({ kind: header?.kind ?? "bcc", email: r.email, name: header?.name || null });
  }
  if (recipients.length === 0) throw new ApiError("invalid_address", "no recipients");

  const subjectRaw = first("subject") ?? "";
  const subject = checkHeaderValue(subjectRaw, 998);

  // Multipart mail may carry attachments: the same policy as the API (types, sizes).
  if (/^multipart\//i.test(first("content-type") ?? "")) {
    const parsed = await simpleParser(input.raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
    for (const a of parsed.attachments) {
      const name = a.filename ?? "";
      const check = checkAttachment(
        limits.attachmentPolicy ?? { maxBytes: Number.POSITIVE_INFINITY, blockedExtensions: [] },
        name,
        a.size,
      );
      if (!check.ok) throw new ApiError("invalid_attachment", `attachment ${quote(name)} refused: ${check.reason}`);
    }
  }

  // The stored MIME: the fields kept in their order and bytes, a Message-ID when there was none.
  const eol = header.includes("\r\n") ? "\r\n" : "\n";
  const given = first("message-id");
  const ownId = given === undefined || !/^<[^<>\s]+@[^<>\s]+>$/.test(given);
  const messageId = ownId ? `<${limits.newMessageId()}@${limits.messageIdDomain}>` : given;
  const added = ownId ? [`Message-ID: ${messageId}${eol}`] : [];
  const kept = fields.filter((f) => !dropped(f.name) && !(ownId && f.name === "message-id"));
  const head = kept.map((f) => (f.text.endsWith("\n") ? f.text : `${f.text}${eol}`)).join("");
  const raw = Buffer.concat([Buffer.from(added.join("") + head, "latin1"), body.length > 0 ? body : Buffer.from(eol)]);

  return {
    category,
    from: { email: fromCheck.email, name: fromList[0].name || null },
    replyTo: null,
    subject: subject.ok ? subject.value : subjectRaw.replace(/\p{Cc}/gu, " "),
    text: null,
    html: null,
    recipients,
    headers: {},
    attachments: [],
    sizeBytes: raw.length,
    idempotencyKey: `smtp:${input.keyId}:${messageId}`.slice(0, 200),
    // What makes a retry the same message: sender, envelope and subject. Not the MIME bytes: a
    // client that lost our 250 and builds the message again writes a new Date header (and new
    // multipart boundaries), and must still get the first answer instead of a conflict.
    requestHash: createHash("sha256")
      .update(
        JSON.stringify([fromCheck.email, subjectRaw, recipients.map((r) => (r.email ?? "").toLowerCase()).sort()]),
      )
      .digest("hex"),
    submitted: { raw, messageId },
  };
}
