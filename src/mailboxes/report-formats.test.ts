import { describe, expect, it } from "vitest";
import {
  AUTO_REPLY_BODY,
  AUTO_REPLY_SUBJECT,
  BOUNCE_BODY,
  BOUNCE_SUBJECT,
  DELAY_NOTICE,
  type FormatPattern,
  RETURNED_COPY,
} from "./report-formats.js";

const tables: Array<[string, readonly FormatPattern[]]> = [
  ["bounce subject", BOUNCE_SUBJECT],
  ["bounce body", BOUNCE_BODY],
  ["delay notice", DELAY_NOTICE],
  ["auto-reply subject", AUTO_REPLY_SUBJECT],
  ["auto-reply body", AUTO_REPLY_BODY],
];

describe("report formats", () => {
  it.each(
    tables.flatMap(([table, list]) =>
      list.map((entry) => [`${table}: ${entry.source} (${entry.lang})`, entry] as const),
    ),
  )("%s matches its example", (_, entry) => {
    expect(entry.pattern.test(entry.example)).toBe(true);
    expect(entry.source.length).toBeGreaterThan(2);
  });

  it("finds where the returned copy starts, not the notice's own lines", () => {
    for (const line of [
      "------ This is a copy of the message, including all the headers. ------",
      "--- Below this line is a copy of the message.",
      "----- Unsent message follows -----",
      "Original message follows.",
      "Message headers follow.",
      "--- The header of the original message is following. ---",
    ]) {
      expect(RETURNED_COPY.test(line), line).toBe(true);
    }
    for (const line of [
      "The original message was received at Mon, 1 Jan",
      "----- Transcript of session follows -----",
    ]) {
      expect(RETURNED_COPY.test(line), line).toBe(false);
    }
  });

  it("does not read a parent's reply as a bounce or an auto-reply", () => {
    expect(BOUNCE_SUBJECT.some((e) => e.pattern.test("Re: Parents' evening"))).toBe(false);
    expect(AUTO_REPLY_SUBJECT.some((e) => e.pattern.test("Re: Out of the office trip on Friday?"))).toBe(false);
  });
});
