/*
 * The one MIME header reader (RFC 5322 section 2.2): a header block to lower-case names, each
 * with its values in order, folded lines unfolded. Bounded so hostile mail cannot make it work
 * hard: at most `MAX_HEADER_LINES` lines, values cut at `MAX_HEADER_VALUE` characters, names of
 * at most 200 characters. Used for a message's top-level headers (mailboxes/inbound-parse.ts)
 * and for the header blocks inside reports (mailboxes/classify-bounce.ts).
 */

export const MAX_HEADER_LINES = 2000;
export const MAX_HEADER_VALUE = 16_000;

export type Headers = Map<string, string[]>;

/** Reads a header block (lines end in LF or CRLF; the block ends at the end of `text`). */
export function readHeaderBlock(text: string): Headers {
  const headers: Headers = new Map();
  let name: string | undefined;
  let value = "";
  const commit = () => {
    if (name === undefined) return;
    const list = headers.get(name) ?? [];
    list.push(value.trim());
    headers.set(name, list);
    name = undefined;
  };
  let start = 0;
  for (let count = 0; start <= text.length && count < MAX_HEADER_LINES; count++) {
    const end = text.indexOf("\n", start);
    let line = text.slice(start, end === -1 ? Math.min(text.length, start + MAX_HEADER_VALUE) : end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    start = end === -1 ? text.length + 1 : end + 1;
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (name !== undefined && value.length < MAX_HEADER_VALUE) value += ` ${line.slice(0, MAX_HEADER_VALUE).trim()}`;
      continue;
    }
    commit();
    const colon = line.indexOf(":");
    if (colon <= 0 || colon > 200) continue;
    name = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1, colon + 1 + MAX_HEADER_VALUE);
  }
  commit();
  return headers;
}
