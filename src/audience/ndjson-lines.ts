/** One line of an NDJSON body: its text, or the fact that it was longer than allowed. */
export type NdjsonLine =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly tooLong: true; readonly bytes: number };

export interface NdjsonLimits {
  /** Longest line kept, in bytes (without the line break). */
  readonly maxLineBytes: number;
  /** Largest body read, in bytes; past it `BodyTooLarge` is thrown. */
  readonly maxBodyBytes: number;
}

/** The body went past `maxBodyBytes`; `line` is the last line number that was whole. */
export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge";
  constructor(
    readonly maxBodyBytes: number,
    readonly line: number,
  ) {
    super(`body is larger than ${maxBodyBytes} bytes`);
  }
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines, holding at most one line (`maxLineBytes`) plus one chunk in
 * memory: a longer line is skipped to its end and reported, never buffered. Lines are decoded
 * as UTF-8 (invalid bytes become U+FFFD); a CR before the LF is dropped; blank lines are skipped
 * but still counted, so line numbers match what an editor shows.
 */
export async function* ndjsonLines(
  body: AsyncIterable<Uint8Array | string>,
  limits: NdjsonLimits,
): AsyncGenerator<NdjsonLine> {
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
  let parts: Buffer[] = [];
  let held = 0;
  let overflow = 0;
  let line = 0;
  let total = 0;

  const finishLine = (): NdjsonLine | undefined => {
    line++;
    if (overflow > 0) {
      const bytes = held + overflow;
      parts = [];
      held = 0;
      overflow = 0;
      return { line, tooLong: true, bytes };
    }
    let bytes = parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, held);
    parts = [];
    held = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    const text = decoder.decode(bytes);
    return text.trim() === "" ? undefined : { line, text };
  };

  const keep = (piece: Buffer) => {
    if (overflow > 0 || held + piece.length > limits.maxLineBytes) {
      // From here the line is only counted, not kept.
      overflow += piece.length;
      if (parts.length > 0) {
        overflow += held;
        parts = [];
        held = 0;
      }
      return;
    }
    if (piece.length > 0) {
      // A copy: slices of a chunk would keep the whole chunk alive.
      parts.push(Buffer.from(piece));
      held += piece.length;
    }
  };

  for await (const chunk of body) {
    const buf =
      typeof chunk === "string"
        ? Buffer.from(chunk, "utf8")
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += buf.length;
    if (total > limits.maxBodyBytes) throw new BodyTooLarge(limits.maxBodyBytes, line);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NEWLINE, start);
      if (nl === -1) break;
      keep(buf.subarray(start, nl));
      const out = finishLine();
      if (out) yield out;
      start = nl + 1;
    }
    if (start < buf.length) keep(buf.subarray(start));
  }
  if (held > 0 || overflow > 0) {
    const out = finishLine();
    if (out) yield out;
  }
}
