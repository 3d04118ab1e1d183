import type { ErrorDetail } from "../errors/api-error.js";

/**
 * The merge fields an announcement may carry: `{{contact.name}}`, `{{subject.name}}` and
 * `{{subject.<field>}}` (a per-subject value from the announcement's merge data). Rendering is
 * done per recipient at delivery (`messages/merge-fields.ts`); this only checks the syntax, so a
 * typo is refused when the announcement is written instead of reaching parents as `{{subjct.name}}`.
 */
const ALLOWED = /^(contact\.name|subject\.[A-Za-z0-9_]{1,64})$/;
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** Problems with the merge fields of one text (`path` names it, e.g. `/subject`); empty when fine. */
export function mergeFieldProblems(text: string, path: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (!ALLOWED.test(name)) {
      problems.push({
        path,
        message: `unknown merge field {{${name.slice(0, 80)}}}: use {{contact.name}}, {{subject.name}} or {{subject.<field>}} (letters, digits, underscore)`,
      });
    }
  }
  // What is left after removing well-formed placeholders must hold no stray braces pair start:
  // `{{contact.name` (unclosed) would otherwise reach the recipient as typed.
  const rest = text.replace(PLACEHOLDER, "");
  // `{{{…}}}` (raw output in other template languages) would render as `{value}`.
  if (rest.includes("{{") || rest.includes("}}") || text.includes("{{{") || text.includes("}}}")) {
    problems.push({ path, message: "unbalanced merge field braces: write merge fields as {{contact.name}}" });
  }
  return problems;
}
