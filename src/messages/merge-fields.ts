import { escapeHtml } from "../email/html.js";

/**
 * Merge fields: `{{contact.name}}`, `{{subject.name}}`, `{{subject.<field>}}` in an
 * announcement's subject and bodies. A deliberately small engine: one pass of a regular
 * expression, values looked up in plain maps. No expressions, no helpers, no code execution,
 * and a value is never scanned again, so a contact named `{{subject.name}}` stays literal.
 * A field that is not known becomes empty (a parent should never see `{{…}}`).
 */
export interface MergeValues {
  readonly contact: Readonly<Record<string, string>>;
  readonly subject: Readonly<Record<string, string>>;
}

/** `{{ scope.field }}`; whitespace inside the braces is allowed, as people type it. */
const FIELD = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)(?:\.([A-Za-z0-9_-]+))?\s*\}\}/g;

function lookup(values: MergeValues, scope: string, field: string | undefined): string {
  if (field === undefined) return "";
  const table = scope === "contact" ? values.contact : scope === "subject" ? values.subject : undefined;
  if (!table || !Object.hasOwn(table, field)) return "";
  return table[field] ?? "";
}

/** Merges into plain text (and header values: line breaks in values become spaces there). */
export function mergeText(template: string, values: MergeValues): string {
  return template.replace(FIELD, (_m, scope: string, field: string | undefined) => lookup(values, scope, field));
}

/** Merges into a header value such as the Subject: no line breaks or other control characters. */
export function mergeHeader(template: string, values: MergeValues): string {
  return singleLine(mergeText(template, values));
}

export function singleLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
}

/** Schemes a merged value may carry into an attribute (a link a school puts in a per-subject field). */
const SAFE_SCHEME = /^(https?|mailto|tel):/i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Merges into (already sanitised) HTML. Every value is HTML-escaped, so it can neither open a
 * tag nor leave a quoted attribute. A value merged inside a tag (an attribute such as `href`)
 * that starts with a scheme other than http(s), mailto or tel is dropped, so a field holding
 * `javascript:…` cannot become a live link after the sanitiser has already run.
 */
export function mergeHtml(template: string, values: MergeValues): string {
  return template.replace(FIELD, (_m, scope: string, field: string | undefined, offset: number) => {
    const value = lookup(values, scope, field);
    if (insideTag(template, offset)) {
      // Browsers drop tabs and line breaks inside a scheme (`java\tscript:`); entities in the
      // value are escaped below, so they stay text.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      const plain = value.replace(/[\s\u0000-\u001f]+/g, "");
      if (ANY_SCHEME.test(plain) && !SAFE_SCHEME.test(plain)) return "";
    }
    return escapeHtml(value);
  });
}

function insideTag(html: string, offset: number): boolean {
  return html.lastIndexOf("<", offset) > html.lastIndexOf(">", offset);
}

/** The field names a template uses, e.g. `["contact.name", "subject.class"]` (for checks and previews). */
export function mergeFieldsIn(template: string): string[] {
  const out = new Set<string>();
  for (const m of template.matchAll(FIELD)) out.add(m[2] === undefined ? (m[1] ?? "") : `${m[1]}.${m[2]}`);
  return [...out];
}

/** "A", "A and B", "A, B and C": how a consolidated email names its subjects. */
export function joinNames(names: readonly string[]): string {
  const list = names.filter((n) => n !== "");
  if (list.length <= 1) return list[0] ?? "";
  return `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}
