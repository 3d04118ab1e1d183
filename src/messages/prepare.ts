import { createHash } from "node:crypto";
import type { AttachmentPolicy } from "../accounts/account-settings.js";
import { checkAttachment } from "../accounts/attachment-policy.js";
import {
  checkDisplayName,
  checkEmail,
  checkHeaderValue,
  checkRecipient,
  type EmailCheck,
  quote,
} from "../email/address.js";
import { type Category, internalCategories, isCategory } from "../email/categories.js";
import { ApiError, type ErrorDetail } from "../errors/api-error.js";

/** A recipient as the API accepts it: a bare address, or an object whose email may be missing. */
export type AddressInput = string | { email?: string | null | undefined; name?: string | undefined };

export interface AttachmentInput {
  filename: string;
  /** Base64. */
  content: string;
  contentType?: string | undefined;
}

export interface SendMessageInput {
  from?: AddressInput | undefined;
  to: AddressInput[];
  cc?: AddressInput[] | undefined;
  bcc?: AddressInput[] | undefined;
  replyTo?: AddressInput | undefined;
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
  category: string;
  headers?: Record<string, string> | undefined;
  attachments?: AttachmentInput[] | undefined;
}

export interface PreparedAddress {
  /** Null when the recipient has no address: recorded as `email_missing`, never dropped. */
  readonly email: string | null;
  readonly name: string | null;
}

export interface PreparedRecipient extends PreparedAddress {
  readonly kind: "to" | "cc" | "bcc";
}

export interface PreparedAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** A message that passed every check: safe to store and to render into MIME. */
export interface PreparedMessage {
  readonly category: Category;
  readonly from: { readonly email: string; readonly name: string | null };
  readonly replyTo: PreparedAddress | null;
  readonly subject: string;
  readonly text: string | null;
  readonly html: string | null;
  readonly recipients: readonly PreparedRecipient[];
  readonly headers: Readonly<Record<string, string>>;
  readonly attachments: readonly PreparedAttachment[];
  readonly sizeBytes: number;
  readonly idempotencyKey: string | null;
  /** Hash of the request, to tell a retried request from a different one under the same key. */
  readonly requestHash: string;
  /**
   * SMTP submission: the MIME to send as it is (minus Bcc and X-Postbag-*) and its Message-ID.
   * Absent for API mail, which is composed from the fields above.
   */
  readonly submitted?: { readonly raw: Buffer; readonly messageId: string };
}

export interface PrepareLimits {
  readonly maxMessageBytes: number;
  readonly maxRecipients: number;
  /** The operator's sending domain: From is `noreply@` it unless the tenant's rules allow another. */
  readonly senderDomain: string;
  /** The tenant's sending domains and sender settings; without them only `noreply@` the operator's domain. */
  readonly sender?: SenderRules | undefined;
  /**
   * An own-account tenant's attachment policy (`loadAttachmentPolicy`, loaded only when the
   * message has attachments). The built-in dangerous list applies with or without it.
   */
  readonly attachmentPolicy?: AttachmentPolicy | null | undefined;
  /**
   * Recipients written with an address literal (`root@[10.1.2.3]`) go straight to that address,
   * past DNS and the operator's own routing: refused unless the operator allows them
   * (`POSTBAG_ALLOW_ADDRESS_LITERALS`).
   */
  readonly allowAddressLiterals?: boolean | undefined;
}

/**
 * Which From a tenant may use (docs/sending-domains.md): `noreply@` the operator's domain, any
 * address on a domain the tenant verified, and for an own-account tenant its account's domain
 * (the provider signs that mail). The generic address is the default From when its domain is
 * verified, and otherwise the Reply-To of `noreply@` mail.
 */
export interface SenderRules {
  /** Lower-case domains the tenant has verified. */
  readonly verifiedDomains: ReadonlySet<string>;
  /** Own-account tenants: the lower-case domain of the account's address. */
  readonly accountDomain: string | null;
  readonly genericAddress: string | null;
  readonly fromName: string | null;
}

const NO_RULES: SenderRules = { verifiedDomains: new Set(), accountDomain: null, genericAddress: null, fromName: null };

/** Whether `address` (already checked) may be the From under `rules`. */
export function fromAllowed(address: string, operatorDomain: string, rules: SenderRules): boolean {
  const at = address.lastIndexOf("@");
  const domain = address.slice(at + 1).toLowerCase();
  if (domain === operatorDomain) return address.slice(0, at).toLowerCase() === "noreply";
  return rules.verifiedDomains.has(domain) || (rules.accountDomain !== null && domain === rules.accountDomain);
}

/** The From and Reply-To a message gets when it names no From. */
export function defaultSender(
  operatorDomain: string,
  rules: SenderRules,
): { from: { email: string; name: string | null }; replyTo: PreparedAddress | null } {
  const generic = rules.genericAddress;
  if (generic && fromAllowed(generic, operatorDomain, rules)) {
    return { from: { email: generic, name: rules.fromName }, replyTo: null };
  }
  return {
    from: { email: `noreply@${operatorDomain}`, name: rules.fromName },
    replyTo: generic ? { email: generic, name: rules.fromName } : null,
  };
}

// Headers a client may add. Everything that shapes routing, identity or MIME structure is
// Postbag's to write, so only X- extension headers are accepted.
const HEADER_NAME = /^X-[A-Za-z0-9-]{1,76}$/;
const RESERVED_HEADER = /^X-Postbag-/i;
const MAX_HEADERS = 50;
const MAX_ATTACHMENTS = 50;
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Every tenant: no limit of its own (the message size limit applies), the built-in dangerous list. */
const BUILT_IN_ONLY: AttachmentPolicy = { maxBytes: Number.POSITIVE_INFINITY, blockedExtensions: [] };
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const PERSONAL_CATEGORIES: ReadonlySet<string> = new Set(["password_reset_parent", "password_reset_system"]);

/**
 * The first C0 control character other than TAB, LF and CR in a body, if any. They have no place
 * in a mail body, and PostgreSQL refuses NUL in text columns outright (SQLite stores it), so they
 * are refused here rather than failing the database write.
 */
function bodyControlCharacter(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x1f && code !== 0x09 && code !== 0x0a && code !== 0x0d) return code;
  }
  return undefined;
}

function addressEmail(input: AddressInput): string | null | undefined {
  return typeof input === "string" ? input : input.email;
}

function addressName(input: AddressInput): string | undefined {
  return typeof input === "string" ? undefined : input.name;
}

/** JSON with object keys sorted, so a retried request hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Validates an API request into a PreparedMessage, or throws ApiError with a stable code. */
export function prepareMessage(
  input: SendMessageInput,
  idempotencyKey: string | undefined,
  limits: PrepareLimits,
): PreparedMessage {
  if (!isCategory(input.category)) {
    throw new ApiError("unknown_category", `unknown category ${quote(input.category)}`);
  }
  if (internalCategories.has(input.category)) {
    throw new ApiError("unknown_category", `category ${quote(input.category)} is reserved for Postbag's own mail`);
  }
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new ApiError("invalid_request", "Idempotency-Key must be 1-200 printable ASCII characters");
  }

  const addressProblems: ErrorDetail[] = [];
  const injections: ErrorDetail[] = [];

  const name = (value: string | undefined, path: string): string | null => {
    if (value === undefined) return null;
    const r = checkDisplayName(value);
    if (!r.ok) {
      (r.problem === "control_characters" ? injections : addressProblems).push({ path, message: r.message });
      return null;
    }
    return r.name === "" ? null : r.name;
  };
  const email = (value: string, path: string, check: (value: string) => EmailCheck = checkEmail): string | null => {
    const r = check(value);
    if (r.ok) return r.email;
    (r.problem === "control_characters" ? injections : addressProblems).push({ path, message: r.message });
    return null;
  };

  const recipients: PreparedRecipient[] = [];
  const seen = new Set<string>();
  const total = input.to.length + (input.cc?.length ?? 0) + (input.bcc?.length ?? 0);
  if (total > limits.maxRecipients) {
    throw new ApiError("too_many_recipients", `${total} recipients; at most ${limits.maxRecipients} per message`);
  }
  for (const kind of ["to", "cc", "bcc"] as const) {
    (input[kind] ?? []).forEach((entry, i) => {
      const path = `/${kind}/${i}`;
      const raw = addressEmail(entry);
      const display = name(addressName(entry), `${path}/name`);
      // Only the object form may leave the address out; a bare string must be an address.
      if (raw === null || raw === undefined || (typeof entry !== "string" && raw.trim() === "")) {
        recipients.push({ kind, email: null, name: display });
        return;
      }
      const address = email(raw, typeof entry === "string" ? path : `${path}/email`, (value) =>
        checkRecipient(value, limits),
      );
      if (address === null) return;
      const key = address.toLowerCase();
      if (seen.has(key)) return; // one delivery per address, first mention wins
      seen.add(key);
      recipients.push({ kind, email: address, name: display });
    });
  }
  if (input.to.length === 0) addressProblems.push({ path: "/to", message: "at least one recipient is required" });
  // Password resets are free or never held (credits), so they must be what they say: one
  // person's reset link, not a newsletter under a convenient category.
  if (PERSONAL_CATEGORIES.has(input.category) && total !== 1) {
    throw new ApiError("invalid_request", `a ${input.category} message goes to exactly one recipient, in "to"`);
  }

  const rules = limits.sender ?? NO_RULES;
  const defaults = defaultSender(limits.senderDomain, rules);
  let from: PreparedMessage["from"] = defaults.from;
  let replyTo: PreparedAddress | null = defaults.replyTo;
  let fromRefused: string | null = null;
  if (input.from !== undefined) {
    const raw = addressEmail(input.from);
    const fromName = name(addressName(input.from), "/from/name");
    if (raw === null || raw === undefined || raw.trim() === "") {
      from = { email: from.email, name: fromName ?? from.name };
    } else {
      const address = email(raw, "/from");
      if (address !== null) {
        if (!fromAllowed(address, limits.senderDomain, rules)) {
          fromRefused =
            address.slice(address.lastIndexOf("@") + 1).toLowerCase() === limits.senderDomain
              ? `${quote(address)} is not allowed: on ${limits.senderDomain} only noreply@${limits.senderDomain} may send`
              : `${quote(address)} is not on a domain you have verified (see /v1/domains); leave from out to send as noreply@${limits.senderDomain}`;
        }
        from = { email: address, name: fromName };
        // The generic address answers replies only to mail sent as noreply@.
        if (address.toLowerCase() !== `noreply@${limits.senderDomain}`) replyTo = null;
      }
    }
  }

  if (input.replyTo !== undefined) {
    const raw = addressEmail(input.replyTo) ?? "";
    const address = email(raw, "/replyTo");
    replyTo = { email: address, name: name(addressName(input.replyTo), "/replyTo/name") };
  }

  // Problems with text that is not an address (subject, header values): invalid_request.
  const textProblems: ErrorDetail[] = [];
  const subject = checkHeaderValue(input.subject, 998);
  if (!subject.ok) {
    (subject.problem === "control_characters" ? injections : textProblems).push({
      path: "/subject",
      message: subject.message,
    });
  } else if (subject.value === "") {
    textProblems.push({ path: "/subject", message: "subject is empty" });
  }
  for (const field of ["text", "html"] as const) {
    const found = bodyControlCharacter(input[field] ?? "");
    if (found !== undefined) {
      const code = `U+${found.toString(16).toUpperCase().padStart(4, "0")}`;
      textProblems.push({
        path: `/${field}`,
        message: `${field} contains the control character ${code}; only TAB, CR and LF are allowed`,
      });
    }
  }

  const headers: Record<string, string> = {};
  const headerEntries = Object.entries(input.headers ?? {});
  if (headerEntries.length > MAX_HEADERS) {
    throw new ApiError("header_not_allowed", `at most ${MAX_HEADERS} extra headers`);
  }
  const lowerNames = new Set<string>();
  for (const [key, value] of headerEntries) {
    if (!HEADER_NAME.test(key) || RESERVED_HEADER.test(key)) {
      throw new ApiError(
        "header_not_allowed",
        `header ${quote(key)} is not allowed: only X- headers (not X-Postbag-) may be added`,
        [{ path: `/headers/${key.slice(0, 80)}`, message: "not an allowed header name" }],
      );
    }
    if (lowerNames.has(key.toLowerCase())) {
      throw new ApiError("header_not_allowed", `header ${quote(key)} is given twice`);
    }
    lowerNames.add(key.toLowerCase());
    const v = checkHeaderValue(value, 998);
    if (!v.ok) {
      (v.problem === "control_characters" ? injections : textProblems).push({
        path: `/headers/${key}`,
        message: v.message,
      });
    } else {
      headers[key] = v.value;
    }
  }

  if (injections.length > 0) {
    throw new ApiError(
      "header_injection",
      "control characters (CR, LF, …) are not allowed in header values",
      injections,
    );
  }
  if (addressProblems.length > 0) {
    throw new ApiError("invalid_address", addressProblems[0]?.message ?? "invalid address", addressProblems);
  }
  if (fromRefused !== null)
    throw new ApiError("from_not_allowed", fromRefused, [{ path: "/from", message: fromRefused }]);
  if (textProblems.length > 0) {
    throw new ApiError("invalid_request", textProblems[0]?.message ?? "invalid request", textProblems);
  }
  if (!subject.ok) throw new ApiError("invalid_request", subject.message);
  if (input.text === undefined && input.html === undefined) {
    throw new ApiError("invalid_request", "a message needs text, html or both");
  }

  let sizeBytes =
    Buffer.byteLength(subject.value) + Buffer.byteLength(input.text ?? "") + Buffer.byteLength(input.html ?? "");
  const attachments: PreparedAttachment[] = [];
  const list = input.attachments ?? [];
  if (list.length > MAX_ATTACHMENTS) {
    throw new ApiError("invalid_attachment", `at most ${MAX_ATTACHMENTS} attachments per message`);
  }
  const policy = limits.attachmentPolicy ?? BUILT_IN_ONLY;
  list.forEach((a, i) => {
    const path = `/attachments/${i}`;
    const fname = checkHeaderValue(a.filename, 255);
    if (!fname.ok || fname.value === "" || /[/\\]/.test(fname.value) || fname.value === "." || fname.value === "..") {
      throw new ApiError(
        "invalid_attachment",
        `attachment ${i}: filename must be 1-255 characters, no path or control characters`,
        [{ path: `${path}/filename`, message: "invalid filename" }],
      );
    }
    const typeCheck = checkAttachment(policy, fname.value, 0);
    if (!typeCheck.ok) {
      throw new ApiError("invalid_attachment", `attachment ${quote(fname.value)} refused: ${typeCheck.reason}`, [
        { path: `${path}/filename`, message: "file type not allowed" },
      ]);
    }
    const contentType = a.contentType ?? "application/octet-stream";
    if (!CONTENT_TYPE.test(contentType)) {
      throw new ApiError("invalid_attachment", `attachment ${quote(fname.value)}: contentType must be type/subtype`, [
        { path: `${path}/contentType`, message: "invalid content type" },
      ]);
    }
    const b64 = a.content.replace(/\s+/g, "");
    if (b64.length % 4 !== 0 || !BASE64.test(b64)) {
      throw new ApiError("invalid_attachment", `attachment ${quote(fname.value)}: content is not valid base64`, [
        { path: `${path}/content`, message: "not base64" },
      ]);
    }
    const content = Buffer.from(b64, "base64");
    const sizeCheck = checkAttachment(policy, fname.value, content.length);
    if (!sizeCheck.ok) {
      throw new ApiError("invalid_attachment", `attachment ${quote(fname.value)} refused: ${sizeCheck.reason}`, [
        { path: `${path}/content`, message: "larger than the tenant's attachment limit" },
      ]);
    }
    sizeBytes += content.length;
    if (sizeBytes > limits.maxMessageBytes) {
      throw new ApiError("payload_too_large", `message exceeds ${limits.maxMessageBytes} bytes`);
    }
    attachments.push({ filename: fname.value, contentType: contentType.toLowerCase(), content });
  });
  if (sizeBytes > limits.maxMessageBytes) {
    throw new ApiError("payload_too_large", `message exceeds ${limits.maxMessageBytes} bytes`);
  }

  return {
    category: input.category,
    from,
    replyTo,
    subject: subject.value,
    text: input.text ?? null,
    html: input.html ?? null,
    recipients,
    headers,
    attachments,
    sizeBytes,
    idempotencyKey: idempotencyKey ?? null,
    requestHash: createHash("sha256").update(canonicalJson(input)).digest("hex"),
  };
}
