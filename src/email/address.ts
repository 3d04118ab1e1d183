import { isIP } from "node:net";
import { domainToASCII } from "node:url";

/** Why an email address was refused; stable values an API client may branch on. */
export type AddressProblem =
  | "empty"
  | "too_long"
  | "control_characters"
  | "invalid_syntax"
  | "invalid_domain"
  | "local_part_too_long"
  /** `user@[192.0.2.1]`: valid, but refused as a recipient unless the operator allows it. */
  | "address_literal";

export type EmailCheck = { ok: true; email: string } | { ok: false; problem: AddressProblem; message: string };

export type TextCheck<K extends string> =
  | ({ ok: true } & Record<K, string>)
  | { ok: false; problem: "control_characters" | "too_long"; message: string };

// RFC 5321 4.5.3.1: 64 octets for the local part, 254 for a usable path (256 minus the angle brackets),
// 253 for a domain name in its ASCII form, 63 for one label.
const MAX_EMAIL_OCTETS = 254;
const MAX_LOCAL_PART_OCTETS = 64;
const MAX_DOMAIN_OCTETS = 253;
const MAX_DISPLAY_NAME_CHARS = 200;
// RFC 5322 2.1.1: a header line may not exceed 998 characters.
const DEFAULT_MAX_HEADER_CHARS = 998;
const QUOTE_MAX_CHARS = 80;

// RFC 5322 atext, plus any non-ASCII letter, mark or digit for SMTPUTF8 (RFC 6531) local parts.
// Non-ASCII spaces, symbols and invisible format characters (zero-width joiners, bidi overrides) stay out:
// they make addresses that look alike but are not.
const LOCAL_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\p{L}\p{M}\p{N}]+$/u;
const LDH_LABEL = /^[a-z0-9-]+$/;
const UNICODE_DOMAIN = /^[\p{L}\p{M}\p{N}.-]+$/u;
const ALL_DIGITS = /^[0-9]+$/;

/**
 * Validates one bare addr-spec (`user@example.com`) for use in SMTP MAIL FROM / RCPT TO.
 * Returns the address with its domain lower-cased; the local part is kept as given, since only the
 * receiving server may decide that it is case-insensitive.
 */
export function checkEmail(input: string): EmailCheck {
  // Checked on the raw input, before trimming: a line break anywhere is a sign of header injection.
  if (hasControlCharacter(input)) {
    return refuse("control_characters", `${quote(input)} contains a control character such as a line break`);
  }
  const email = input.trim();
  if (email === "") {
    return refuse("empty", "email address is empty");
  }
  // Length before any pattern matching, so a huge input costs one comparison.
  if (email.length > MAX_EMAIL_OCTETS || utf8Length(email) > MAX_EMAIL_OCTETS) {
    return refuse("too_long", `${quote(email)} is longer than ${MAX_EMAIL_OCTETS} bytes`);
  }
  if (email.startsWith('"')) {
    return refuse("invalid_syntax", `${quote(email)} has a quoted local part, which is not accepted`);
  }
  if (/[<>]/.test(email)) {
    return refuse(
      "invalid_syntax",
      `${quote(email)} must be a bare address like user@example.com, without a name or <>`,
    );
  }
  const at = email.indexOf("@");
  if (at === -1) {
    return refuse("invalid_syntax", `${quote(email)} has no @`);
  }
  if (email.indexOf("@", at + 1) !== -1) {
    return refuse("invalid_syntax", `${quote(email)} has more than one @`);
  }
  const localPart = email.slice(0, at);
  const domain = email.slice(at + 1).toLowerCase();
  if (localPart === "") {
    return refuse("invalid_syntax", `${quote(email)} has nothing before the @`);
  }
  if (domain === "") {
    return refuse("invalid_syntax", `${quote(email)} has no domain part`);
  }

  const localProblem = checkLocalPart(localPart);
  if (localProblem !== undefined) {
    return refuse(localProblem.problem, `${quote(email)} ${localProblem.reason}`);
  }

  if (domain.startsWith("[")) {
    const literal = normaliseAddressLiteral(domain);
    if (literal === undefined) {
      return refuse("invalid_domain", `${quote(email)} has an invalid IP address literal after the @`);
    }
    return { ok: true, email: `${localPart}@${literal}` };
  }
  const domainProblem = checkHostname(domain);
  if (domainProblem !== undefined) {
    return refuse("invalid_domain", `${quote(email)} has an invalid domain: ${domainProblem}`);
  }
  return { ok: true, email: `${localPart}@${domain}` };
}

/** What an address mail is sent to must also pass. */
export interface RecipientRules {
  /**
   * Accept address literals (`user@[10.1.2.3]`), which go past DNS and the relay's routing to
   * whatever the address names (`POSTBAG_ALLOW_ADDRESS_LITERALS`). Default: refused.
   */
  readonly allowAddressLiterals?: boolean | undefined;
}

/**
 * `checkEmail` for an address Postbag will send to (a message's recipient, an SMTP RCPT, a
 * contact's address): an address literal is refused (`address_literal`) unless the rules allow it.
 */
export function checkRecipient(input: string, rules: RecipientRules = {}): EmailCheck {
  const checked = checkEmail(input);
  if (checked.ok && !rules.allowAddressLiterals && hasAddressLiteral(checked.email)) {
    return refuse(
      "address_literal",
      `${quote(checked.email)} names an IP address instead of a domain; such recipients are not accepted`,
    );
  }
  return checked;
}

/**
 * True for an address written with an IP address literal (`root@[10.1.2.3]`): mail to it goes
 * straight to that address, past DNS; refused unless `POSTBAG_ALLOW_ADDRESS_LITERALS` is set.
 */
export function hasAddressLiteral(email: string): boolean {
  return email.slice(email.lastIndexOf("@") + 1).startsWith("[");
}

/** True when `checkEmail` accepts the input. */
export function isValidEmail(input: string): boolean {
  return checkEmail(input).ok;
}

/**
 * Validates a display name such as `O'Brien, Mary`: any text without control characters, at most
 * 200 characters after trimming. Quoting or encoding it for the header is the mailer's job.
 */
export function checkDisplayName(input: string): TextCheck<"name"> {
  const result = checkText(input, MAX_DISPLAY_NAME_CHARS, "display name");
  return result.ok ? { ok: true, name: result.value } : result;
}

/**
 * Validates a free-text header value such as a subject: no control characters at all (not even TAB,
 * which would otherwise allow folding tricks), at most `max` characters after trimming.
 */
export function checkHeaderValue(input: string, max: number = DEFAULT_MAX_HEADER_CHARS): TextCheck<"value"> {
  return checkText(input, max, "header value");
}

function checkText(input: string, max: number, what: string): TextCheck<"value"> {
  if (hasControlCharacter(input)) {
    return refuse("control_characters", `${what} ${quote(input)} contains a control character such as a line break`);
  }
  const value = input.trim();
  if (!fitsInCodePoints(value, max)) {
    return refuse("too_long", `${what} ${quote(value)} is longer than ${max} characters`);
  }
  return { ok: true, value };
}

function checkLocalPart(localPart: string): { problem: AddressProblem; reason: string } | undefined {
  if (utf8Length(localPart) > MAX_LOCAL_PART_OCTETS) {
    return {
      problem: "local_part_too_long",
      reason: `has a part before the @ longer than ${MAX_LOCAL_PART_OCTETS} bytes`,
    };
  }
  if (localPart.startsWith(".") || localPart.endsWith(".")) {
    return { problem: "invalid_syntax", reason: "starts or ends with a dot before the @" };
  }
  if (localPart.includes("..")) {
    return { problem: "invalid_syntax", reason: "has two dots in a row" };
  }
  for (const atom of localPart.split(".")) {
    if (!LOCAL_ATOM.test(atom)) {
      const bad = [...atom].find((char) => !LOCAL_ATOM.test(char)) ?? atom;
      return {
        problem: "invalid_syntax",
        reason: `contains ${JSON.stringify(bad)}, which is not allowed before the @`,
      };
    }
  }
  return undefined;
}

/** Returns why `domain` (lower-cased, possibly internationalised) is not a usable hostname. */
function checkHostname(domain: string): string | undefined {
  const isAscii = !/[^\x20-\x7e]/.test(domain);
  if (!isAscii && !UNICODE_DOMAIN.test(domain)) {
    return "it contains characters that are not allowed in a domain name";
  }
  // Hyphen rules are checked on the labels as given too: "-ü" becomes "xn----eha", which hides the hyphen.
  const givenLabels = domain.split(".");
  if (givenLabels.length < 2) {
    return "it needs at least two labels, as in example.com";
  }
  for (const label of givenLabels) {
    if (label === "") {
      return "it has an empty label (a leading, trailing or doubled dot)";
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      return `the label ${JSON.stringify(label)} starts or ends with a hyphen`;
    }
  }
  // Only internationalised names go through domainToASCII: it follows the WHATWG URL rules, which also
  // percent-decode and accept characters such as "_" that a hostname may not have.
  const ascii = isAscii ? domain : domainToASCII(domain);
  if (ascii === "") {
    return "it is not a valid internationalised domain name";
  }
  if (ascii.length > MAX_DOMAIN_OCTETS) {
    return `it is longer than ${MAX_DOMAIN_OCTETS} characters`;
  }
  const labels = ascii.split(".");
  for (const label of labels) {
    if (label.length > 63) {
      return "a label is longer than 63 characters";
    }
    if (!LDH_LABEL.test(label) || label.startsWith("-") || label.endsWith("-")) {
      return "it may contain only letters, digits, hyphens and dots";
    }
  }
  if (ALL_DIGITS.test(labels[labels.length - 1] ?? "")) {
    return "the top-level domain is numeric; write an IP address as [192.0.2.1]";
  }
  return undefined;
}

/** `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 4.1.3), with the tag spelled canonically; else undefined. */
function normaliseAddressLiteral(domain: string): string | undefined {
  if (!domain.endsWith("]")) {
    return undefined;
  }
  const inner = domain.slice(1, -1);
  if (inner.startsWith("ipv6:")) {
    const address = inner.slice("ipv6:".length);
    // isIP accepts zone ids ("fe80::1%eth0"), which mean nothing to another host.
    return isIP(address) === 6 && !address.includes("%") ? `[IPv6:${address}]` : undefined;
  }
  return isIP(inner) === 4 ? `[${inner}]` : undefined;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // C0 controls, DEL and the C1 controls (U+0085 NEXT LINE is a line break to some parsers).
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) {
      return true;
    }
  }
  return false;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Counts code points, not UTF-16 units, so an emoji is one character; stops early on long input. */
function fitsInCodePoints(text: string, max: number): boolean {
  if (text.length <= max) {
    return true;
  }
  if (text.length > max * 2) {
    return false;
  }
  let count = 0;
  for (const _ of text) {
    count++;
    if (count > max) {
      return false;
    }
  }
  return true;
}

/** The value for an error message: JSON-quoted so control characters show escaped, cut to 80 characters. */
export function quote(value: string): string {
  if (value.length <= QUOTE_MAX_CHARS) {
    return JSON.stringify(value);
  }
  let cut = value.slice(0, QUOTE_MAX_CHARS);
  // Do not split a surrogate pair.
  if (/[\ud800-\udbff]$/.test(cut)) {
    cut = cut.slice(0, -1);
  }
  return `${JSON.stringify(cut)}…`;
}

function refuse<P extends AddressProblem>(problem: P, message: string): { ok: false; problem: P; message: string } {
  return { ok: false, problem, message };
}
