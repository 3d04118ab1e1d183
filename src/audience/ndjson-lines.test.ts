import { describe, expect, it } from "vitest";
import { BodyTooLarge, type NdjsonLine, ndjsonLines } from "./ndjson-lines.js";

async function read(chunks: readonly (string | Uint8Array)[], maxLineBytes = 16, maxBodyBytes = 1_000) {
  const out: NdjsonLine[] = [];
  for await (const line of ndjsonLines(
    (async function* () {
      yield* chunks;
    })(),
    { maxLineBytes, maxBodyBytes },
  )) {
    out.push(line);
  }
  return out;
}

describe("ndjsonLines", () => {
  it("splits lines across chunks, drops CR before LF, skips blank lines but counts them", async () => {
    expect(await read(["a\r\nb", "c\n\n  \n", "d"])).toEqual([
      { line: 1, text: "a" },
      { line: 2, text: "bc" },
      { line: 5, text: "d" },
    ]);
  });

  it("reports a line longer than the limit without keeping it, and goes on", async () => {
    const long = "x".repeat(40);
    expect(await read([`ok\n${long.slice(0, 10)}`, long.slice(10), "\nafter\n"])).toEqual([
      { line: 1, text: "ok" },
      { line: 2, tooLong: true, bytes: 40 },
      { line: 3, text: "after" },
    ]);
    expect(await read(["x".repeat(16), "\n", "y".repeat(17)])).toEqual([
      { line: 1, text: "x".repeat(16) },
      { line: 2, tooLong: true, bytes: 17 },
    ]);
  });

  it("decodes UTF-8 split between chunks; invalid bytes become U+FFFD", async () => {
    const bytes = Buffer.from("é😀\n");
    const pieces = [...bytes].map((b) => Uint8Array.of(b));
    expect(await read(pieces)).toEqual([{ line: 1, text: "é😀" }]);
    expect(await read([Uint8Array.of(0x61, 0xff, 0x62, 0x0a)])).toEqual([{ line: 1, text: "a\uFFFDb" }]);
  });

  it("throws BodyTooLarge past the body limit", async () => {
    await expect(read(["a\n".repeat(300), "b\n".repeat(300)], 16, 1_000)).rejects.toBeInstanceOf(BodyTooLarge);
  });
});
