import { type AddressProblem, checkRecipient, type RecipientRules } from "../email/address.js";

/**
 * Checking one row of an audience sync. Every problem is a value naming the row's fault, so one
 * bad row never costs the rows around it. Text fields are display text: control characters
 * (line breaks, tabs, NUL) become spaces rather than refusing the row, since a school's export
 * with a stray line break in a name should still deliver; ids must match exactly, so an id with
 * a control character is refused instead.
 */

export const rowKinds = ["contact", "subject", "link"] as const;
export type RowKind = (typeof rowKinds)[number];

/** Why a row was not applied; stable values a client may branch on. */
export const rowErrorCodes = [
  "invalid_json",
  "line_too_long",
  "invalid_row",
  "missing_field",
  "invalid_field",
  "unknown_field",
  "unknown_contact",
  "unknown_subject",
  "deleted",
] as const;
export type RowErrorCode = (typeof rowErrorCodes)[number];

export const MAX_EXTERNAL_ID_CHARS = 100;
export const MAX_NAME_CHARS = 200;
export const MAX_GROUP_CHARS = 100;
export const MAX_GROUPS = 50;
export const MAX_RELATIONSHIP_CHARS = 100;
/** What is kept of an unusable address, so the school can see it and fix it at the source. */
export const MAX_EMAIL_GIVEN_CHARS = 320;

export interface ContactRow {
  readonly externalId: string;
  readonly name: string;
  /** The usable address, or null. */
  readonly email: string | null;
  /** What was given when it was not usable. */
  readonly emailGiven: string | null;
  readonly emailProblem: AddressProblem | null;
  /** Bring back a contact the tenant deleted (otherwise such a row is refused as `deleted`). */
  readonly restore: boolean;
}

export interface SubjectRow {
  readonly externalId: string;
  readonly name: string;
  /** Distinct, in the order given. */
  readonly groups: readonly string[];
  /** Bring back a subject the tenant deleted (otherwise such a row is refused as `deleted`). */
  readonly restore: boolean;
}

export interface LinkRow {
  readonly contactExternalId: string;
  readonly subjectExternalId: string;
  readonly relationship: string | null;
  readonly receivesMail: boolean;
}

export type RowFault = { readonly code: RowErrorCode; readonly message: string };
export type Checked<T> = { readonly ok: true; readonly row: T } | ({ readonly ok: false } & RowFault);

const contactFields = new Set(["externalId", "name", "email", "restore"]);
const subjectFields = new Set(["externalId", "name", "groups", "restore"]);
const linkFields = new Set(["contactExternalId", "subjectExternalId", "relationship", "receivesMail"]);

function fail(code: RowErrorCode, message: string): { ok: false; code: RowErrorCode; message: string } {
  return { ok: false, code, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unknownField(row: Record<string, unknown>, allowed: ReadonlySet<string>, ignore?: string) {
  for (const key of Object.keys(row)) {
    if (key !== ignore && !allowed.has(key)) {
      return fail("unknown_field", `unknown field ${JSON.stringify(key.slice(0, 100))}`);
    }
  }
  return undefined;
}

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}

/** Control characters to spaces, runs of white space to one space, trimmed. */
export function cleanText(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += isControl(code) ? " " : text[i];
  }
  return out.replace(/\s+/gu, " ").trim();
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function externalId(row: Record<string, unknown>, field: string): Checked<string> {
  const value = row[field];
  if (value === undefined || value === null || value === "") return fail("missing_field", `${field} is required`);
  if (typeof value !== "string") return fail("invalid_field", `${field} must be a string`);
  if (value.trim() !== value || hasControl(value)) {
    return fail("invalid_field", `${field} must not contain control characters or start or end with a space`);
  }
  if (codePoints(value) > MAX_EXTERNAL_ID_CHARS) {
    return fail("invalid_field", `${field} is longer than ${MAX_EXTERNAL_ID_CHARS} characters`);
  }
  return { ok: true, row: value };
}

function restoreFlag(row: Record<string, unknown>): Checked<boolean> {
  const value = row.restore ?? false;
  if (typeof value !== "boolean") return fail("invalid_field", "restore must be true or false");
  return { ok: true, row: value };
}

function requiredText(row: Record<string, unknown>, field: string, max: number): Checked<string> {
  const value = row[field];
  if (value === undefined || value === null) return fail("missing_field", `${field} is required`);
  if (typeof value !== "string") return fail("invalid_field", `${field} must be a string`);
  const text = cleanText(value);
  if (text === "") return fail("missing_field", `${field} is empty`);
  if (codePoints(text) > max) return fail("invalid_field", `${field} is longer than ${max} characters`);
  return { ok: true, row: text };
}

/** Kept in full for the record, but without control characters and within a bound. */
function keepGiven(value: string): string {
  let out = "";
  let n = 0;
  for (const char of value) {
    if (n++ >= MAX_EMAIL_GIVEN_CHARS) break;
    out += isControl(char.charCodeAt(0)) ? "\uFFFD" : char;
  }
  return out;
}

/**
 * A contact row `{ externalId, name, email?, restore? }`; `ignore` is a field the envelope owns (NDJSON
 * `type`). The address must be one mail may be sent to (`rules`: address literals).
 */
export function checkContactRow(value: unknown, ignore?: string, rules: RecipientRules = {}): Checked<ContactRow> {
  if (!isRecord(value)) return fail("invalid_row", "a contact must be an object");
  const unknown = unknownField(value, contactFields, ignore);
  if (unknown) return unknown;
  const id = externalId(value, "externalId");
  if (!id.ok) return id;
  const name = requiredText(value, "name", MAX_NAME_CHARS);
  if (!name.ok) return name;
  const given = value.email;
  if (given !== undefined && given !== null && typeof given !== "string") {
    return fail("invalid_field", "email must be a string or null");
  }
  let email: string | null = null;
  let emailGiven: string | null = null;
  let emailProblem: AddressProblem | null = null;
  // An empty address is simply no address; anything else that does not check is kept and marked.
  if (typeof given === "string" && given.trim() !== "") {
    const checked = checkRecipient(given, rules);
    if (checked.ok) email = checked.email;
    else {
      emailGiven = keepGiven(given);
      emailProblem = checked.problem;
    }
  }
  const restore = restoreFlag(value);
  if (!restore.ok) return restore;
  return {
    ok: true,
    row: { externalId: id.row, name: name.row, email, emailGiven, emailProblem, restore: restore.row },
  };
}

/** A subject row `{ externalId, name, groups?, restore? }`. */
export function checkSubjectRow(value: unknown, ignore?: string): Checked<SubjectRow> {
  if (!isRecord(value)) return fail("invalid_row", "a subject must be an object");
  const unknown = unknownField(value, subjectFields, ignore);
  if (unknown) return unknown;
  const id = externalId(value, "externalId");
  if (!id.ok) return id;
  const name = requiredText(value, "name", MAX_NAME_CHARS);
  if (!name.ok) return name;
  const given = value.groups ?? [];
  if (!Array.isArray(given)) return fail("invalid_field", "groups must be an array of strings");
  if (given.length > MAX_GROUPS) return fail("invalid_field", `a subject may have at most ${MAX_GROUPS} groups`);
  const groups: string[] = [];
  for (const g of given) {
    if (typeof g !== "string") return fail("invalid_field", "groups must be an array of strings");
    const text = cleanText(g);
    if (text === "") return fail("invalid_field", "a group name is empty");
    if (codePoints(text) > MAX_GROUP_CHARS) {
      return fail("invalid_field", `a group name is longer than ${MAX_GROUP_CHARS} characters`);
    }
    if (!groups.includes(text)) groups.push(text);
  }
  const restore = restoreFlag(value);
  if (!restore.ok) return restore;
  return { ok: true, row: { externalId: id.row, name: name.row, groups, restore: restore.row } };
}

/** A link row `{ contactExternalId, subjectExternalId, relationship?, receivesMail? }`. */
export function checkLinkRow(value: unknown, ignore?: string): Checked<LinkRow> {
  if (!isRecord(value)) return fail("invalid_row", "a link must be an object");
  const unknown = unknownField(value, linkFields, ignore);
  if (unknown) return unknown;
  const contact = externalId(value, "contactExternalId");
  if (!contact.ok) return contact;
  const subject = externalId(value, "subjectExternalId");
  if (!subject.ok) return subject;
  let relationship: string | null = null;
  const given = value.relationship;
  if (given !== undefined && given !== null) {
    if (typeof given !== "string") return fail("invalid_field", "relationship must be a string or null");
    const text = cleanText(given);
    if (codePoints(text) > MAX_RELATIONSHIP_CHARS) {
      return fail("invalid_field", `relationship is longer than ${MAX_RELATIONSHIP_CHARS} characters`);
    }
    relationship = text === "" ? null : text;
  }
  const receivesMail = value.receivesMail ?? true;
  if (typeof receivesMail !== "boolean") return fail("invalid_field", "receivesMail must be true or false");
  return {
    ok: true,
    row: { contactExternalId: contact.row, subjectExternalId: subject.row, relationship, receivesMail },
  };
}

/** The external id a row names, for error reports, if it has a usable one. */
export function externalIdOf(value: unknown, field = "externalId"): string | null {
  if (!isRecord(value)) return null;
  const id = value[field];
  return typeof id === "string" ? id.slice(0, MAX_EXTERNAL_ID_CHARS) : null;
}
