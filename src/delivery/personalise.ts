import { escapeHtml } from "../email/html.js";
import {
  joinNames,
  type MergeValues,
  mergeHeader,
  mergeHtml,
  mergeText,
  singleLine,
} from "../messages/merge-fields.js";

/**
 * What one recipient's copy of a tenant email says: merge fields filled in for the contact and
 * the subjects the email is about (one section per subject when consolidated), the tenant's
 * signature, the unsubscribe footer and the open pixel. Pure: the worker loads the data and
 * renders the result to MIME.
 */
export interface Template {
  readonly subject: string;
  readonly text: string | null;
  readonly html: string | null;
}

export interface ContactValues {
  readonly name: string;
  readonly email: string | null;
}

export interface SubjectValues {
  readonly name: string;
  /** Merge data for this subject (`announcements.merge_data[externalId]`), values as strings. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface PersonalInput {
  readonly template: Template;
  /** Fill in merge fields (announcements); false when the body is final already (digests, API mail). */
  readonly merge: boolean;
  readonly contact: ContactValues | null;
  readonly subjects: readonly SubjectValues[];
  readonly signature: { readonly text: string | null; readonly html: string | null } | null;
  /** The unsubscribe link (non-essential announcements and digests), or null. */
  readonly unsubscribeUrl: string | null;
  /** What the unsubscribe stops, e.g. "announcement": used in the footer's wording. */
  readonly category: string;
  readonly tenantName: string;
  /** The open pixel (HTML mail of a tenant that tracks opens), or null. */
  readonly pixelUrl: string | null;
}

const RULE = "-".repeat(40);

/** The recipient's subject line and bodies. */
export function personalise(input: PersonalInput): Template {
  const contact = { name: input.contact?.name ?? "", email: input.contact?.email ?? "" };
  const valuesFor = (subject: SubjectValues | undefined): MergeValues => ({
    contact,
    subject: subject ? { ...subject.fields, name: subject.name } : {},
  });
  const { template } = input;
  const sections = input.merge && input.subjects.length > 1 ? input.subjects : null;

  let subject: string;
  let text = template.text;
  let html = template.html;
  if (!input.merge) {
    subject = template.subject;
  } else if (!sections) {
    const values = valuesFor(input.subjects[0]);
    subject = mergeHeader(template.subject, values);
    text = text === null ? null : mergeText(text, values);
    html = html === null ? null : mergeHtml(html, values);
  } else {
    subject = mergeHeader(template.subject, { contact, subject: combined(sections) });
    text = text === null ? null : sectionsText(text, sections, valuesFor);
    html = html === null ? null : sectionsHtml(html, sections, valuesFor);
  }
  return {
    subject: singleLine(subject),
    text: text === null ? null : textWithFooter(text, input),
    html: html === null ? null : htmlWithFooter(html, input),
  };
}

/**
 * The subject line of a consolidated email names every subject: each field becomes the distinct
 * values joined as "A, B and C", so "News for {{subject.name}}" reads "News for Ann, Ben and Cai".
 */
function combined(subjects: readonly SubjectValues[]): Record<string, string> {
  const fields = new Set<string>(["name"]);
  for (const s of subjects) for (const f of Object.keys(s.fields)) fields.add(f);
  const out: Record<string, string> = {};
  for (const f of fields) {
    const values = subjects.map((s) => (f === "name" ? s.name : (s.fields[f] ?? "")));
    out[f] = joinNames([...new Set(values)]);
  }
  return out;
}

function introWords(subjects: readonly SubjectValues[]): string {
  return `This email is about ${joinNames(subjects.map((s) => s.name))}. It has one part for each of them, below.`;
}

function sectionsText(
  text: string,
  subjects: readonly SubjectValues[],
  valuesFor: (s: SubjectValues) => MergeValues,
): string {
  const parts = subjects.map((s, i) =>
    [
      RULE,
      `Part ${i + 1} of ${subjects.length}: about ${singleLine(s.name)}`,
      RULE,
      "",
      mergeText(text, valuesFor(s)).trim(),
    ].join("\n"),
  );
  return [introWords(subjects), "", parts.join("\n\n\n")].join("\n");
}

/**
 * One block per subject, each under a heading that names the subject and says which part of how
 * many it is, with a heavy rule between parts: on a phone, where only a screenful shows, a
 * parent always knows which child the paragraph in front of them is about. No tables or fixed
 * widths, so it reflows on any screen.
 */
function sectionsHtml(
  html: string,
  subjects: readonly SubjectValues[],
  valuesFor: (s: SubjectValues) => MergeValues,
): string {
  const inner = bodyOf(html);
  const intro = `<p style="margin:0 0 16px;padding:12px;background:#f3f4f6;border-radius:6px">${escapeHtml(introWords(subjects))}</p>`;
  const parts = subjects.map(
    (s, i) =>
      `<div style="border-top:3px solid #4b5563;margin:24px 0 0;padding-top:8px">` +
      `<h2 style="font-size:18px;line-height:1.3;margin:0 0 12px">Part ${i + 1} of ${subjects.length}: about ${escapeHtml(s.name)}</h2>` +
      `<div>${mergeHtml(inner, valuesFor(s))}</div></div>`,
  );
  return [intro, ...parts].join("\n");
}

/** The content of `<body>` when the HTML is a whole document; otherwise the fragment itself. */
function bodyOf(html: string): string {
  const m = /<body[^>]*>([\s\S]*?)<\/body\s*>/i.exec(html);
  return m?.[1] ?? html;
}

function footerWords(input: PersonalInput): string {
  const what = input.category === "digest" ? "digest emails" : `${input.category} emails`;
  return `You receive ${what} from ${singleLine(input.tenantName)}.`;
}

function textWithFooter(text: string, input: PersonalInput): string {
  if (!input.signature?.text && !input.unsubscribeUrl) return text;
  let out = text.replace(/\s+$/, "");
  if (input.signature?.text) out += `\n\n-- \n${input.signature.text.trim()}`;
  if (input.unsubscribeUrl)
    out += `\n\n${RULE}\n${footerWords(input)} To stop them, unsubscribe here:\n${input.unsubscribeUrl}`;
  return `${out}\n`;
}

function htmlWithFooter(html: string, input: PersonalInput): string {
  let tail = "";
  const sig = input.signature;
  if (sig?.html) tail += `\n<div class="signature" style="margin-top:24px">${sig.html}</div>`;
  else if (sig?.text) {
    tail += `\n<div class="signature" style="margin-top:24px;white-space:pre-line">${escapeHtml(sig.text.trim())}</div>`;
  }
  if (input.unsubscribeUrl) {
    const url = escapeHtml(input.unsubscribeUrl);
    tail +=
      `\n<p style="margin-top:32px;padding-top:12px;border-top:1px solid #ddd;font-size:13px;color:#555">` +
      `${escapeHtml(footerWords(input))} <a href="${url}">Unsubscribe</a></p>`;
  }
  if (input.pixelUrl) {
    tail += `\n<img src="${escapeHtml(input.pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
  }
  if (tail === "") return html;
  // Inside the body of a whole document, so the additions are not dropped by mail clients.
  const close = html.search(/<\/body\s*>/i);
  return close >= 0 ? `${html.slice(0, close)}${tail}\n${html.slice(close)}` : `${html}${tail}`;
}
