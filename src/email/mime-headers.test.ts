import { describe, expect, it } from "vitest";
import { MAX_HEADER_LINES, MAX_HEADER_VALUE, readHeaderBlock, readHeaderFields } from "./mime-headers.js";

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

describe("readHeaderFields", () => {
  it("keeps each field's bytes as received, folded lines and line ends included", () => {
    const block = "From: a@example.com\r\nSubject: Hello\r\n\tthere\r\nTo: b@example.com";
    const { fields, stray, truncated } = readHeaderFields(block);
    expect(fields).toEqual([
      { name: "from", text: "From: a@example.com\r\n", value: "a@example.com" },
      { name: "subject", text: "Subject: Hello\r\n\tthere\r\n", value: "Hello there" },
      { name: "to", text: "To: b@example.com", value: "b@example.com" },
    ]);
    expect(fields.map((f) => f.text).join("")).toBe(block);
    expect(stray).toBeUndefined();
    expect(truncated).toBe(false);
  });

  it("names the first stray line: a continuation with nothing to continue, no colon, a huge name", () => {
    expect(readHeaderFields(" leading\nA: 1\n").stray).toBe(" leading");
    expect(readHeaderFields("A: 1\nno colon\nB: 2\n")).toMatchObject({
      stray: "no colon",
      fields: [{ name: "a" }, { name: "b" }],
    });
    expect(readHeaderFields(`${"n".repeat(201)}: v\n`).stray).toBeDefined();
  });

  it("says when it stopped at MAX_HEADER_LINES, and cuts long values", () => {
    expect(readHeaderFields("B: 2\n".repeat(MAX_HEADER_LINES)).truncated).toBe(false);
    expect(readHeaderFields("B: 2\n".repeat(MAX_HEADER_LINES + 1)).truncated).toBe(true);
    const folded = `X: a\n${" b\n".repeat(MAX_HEADER_LINES - 2)}`;
    const long = `Y: ${"z".repeat(MAX_HEADER_VALUE * 2)}\n`;
    expect(readHeaderFields(folded).fields[0]?.value.length).toBeLessThanOrEqual(MAX_HEADER_VALUE);
    expect(readHeaderFields(long).fields[0]?.value).toHaveLength(MAX_HEADER_VALUE);
  });
});
