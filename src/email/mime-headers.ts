/*
 * The one MIME header reader (RFC 5322 section 2.2): a header block to its fields in order, each
 * with its lower-case name, its value unfolded, and its bytes as received (SMTP submission keeps
 * those when it stores the message). Bounded so hostile mail cannot make it work hard: at most
 * `MAX_HEADER_LINES` lines, values cut at `MAX_HEADER_VALUE` characters, names of at most 200
 * characters. Used for a message's top-level headers (mailboxes/inbound-parse.ts), the header
 * blocks inside reports (mailboxes/classify-bounce.ts) and submitted messages
 * (messages/submitted-message.ts).
 */

export const MAX_HEADER_LINES = 2000;
export const MAX_HEADER_VALUE = 16_000;
const MAX_NAME_CHARS = 200;

export type Headers = Map<string, string[]>;

export interface HeaderField {
  /** Lower-case name. */
  readonly name: string;
  /** The field as received: folded lines and their line ends included. */
  readonly text: string;
  /** The value unfolded and trimmed, without the name; cut at `MAX_HEADER_VALUE` characters. */
  readonly value: string;
}

export interface HeaderFields {
  readonly fields: HeaderField[];
  /** The first line that is neither a field nor the continuation of one (it is skipped). */
  readonly stray: string | undefined;
  /** True when the block has more than `MAX_HEADER_LINES` lines (the rest is not read). */
  readonly truncated: boolean;
}

/** Reads a header block (lines end in LF or CRLF; the block ends at the end of `text`). */
export function readHeaderFields(text: string): HeaderFields {
  const fields: HeaderField[] = [];
  let stray: string | undefined;
  let current: { name: string; text: string; value: string } | undefined;
  const commit = () => {
    if (current === undefined) return;
    fields.push({ name: current.name, text: current.text, value: current.value.trim() });
    current = undefined;
  };
  let start = 0;
  let count = 0;
  for (; start < text.length && count < MAX_HEADER_LINES; count++) {
    const end = text.indexOf("\n", start);
    const raw = text.slice(start, end === -1 ? text.length : end + 1);
    start = end === -1 ? text.length : end + 1;
    const line = raw.replace(/\r?\n$/, "");
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (current === undefined) {
        stray ??= line;
        continue;
      }
      current.text += raw;
      if (current.value.length < MAX_HEADER_VALUE) {
        current.value = `${current.value} ${line.slice(0, MAX_HEADER_VALUE).trim()}`.slice(0, MAX_HEADER_VALUE);
      }
      continue;
    }
    commit();
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0 || colon > MAX_NAME_CHARS) {
      stray ??= line;
      continue;
    }
    current = {
      name: line.slice(0, colon).trim().toLowerCase(),
      text: raw,
      value: line
        .slice(colon + 1, colon + 1 + MAX_HEADER_VALUE + 1)
        .trimStart()
        .slice(0, MAX_HEADER_VALUE),
    };
  }
  commit();
  return { fields, stray, truncated: start < text.length };
}

/** The fields of a header block by name, each name's values in order. */
export function readHeaderBlock(text: string): Headers {
  const headers: Headers = new Map();
  for (const { name, value } of readHeaderFields(text).fields) {
    const list = headers.get(name);
    if (list) list.push(value);
    else headers.set(name, [value]);
  }
  return headers;
}
