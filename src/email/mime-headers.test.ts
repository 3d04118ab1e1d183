import { describe, expect, it } from "vitest";
import { MAX_HEADER_LINES, readHeaderBlock } from "./mime-headers.js";

describe("readHeaderBlock", () => {
  it("reads LF and CRLF alike: lower-case names, values in order, folded lines unfolded", () => {
    const text = "Subject: Hello\n there\nReceived: a\nreceived: b\nX-Empty:\n";
    for (const block of [text, text.replace(/\n/g, "\r\n")]) {
      const headers = readHeaderBlock(block);
      expect(headers.get("subject")).toEqual(["Hello there"]);
      expect(headers.get("received")).toEqual(["a", "b"]);
      expect(headers.get("x-empty")).toEqual([""]);
    }
  });

  it("skips lines that are not fields and stops after MAX_HEADER_LINES lines", () => {
    expect([...readHeaderBlock(": no name\nno colon\nA: 1").keys()]).toEqual(["a"]);
    const many = `${"B: 2\n".repeat(MAX_HEADER_LINES)}C: 3\n`;
    const headers = readHeaderBlock(many);
    expect(headers.get("b")).toHaveLength(MAX_HEADER_LINES);
    expect(headers.has("c")).toBe(false);
  });
});
