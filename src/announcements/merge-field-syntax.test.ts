import { describe, expect, it } from "vitest";
import { mergeFieldProblems } from "./merge-field-syntax.js";

describe("merge field syntax", () => {
  it("accepts the known fields and text without any", () => {
    for (const text of [
      "Plain text, no fields",
      "Dear {{contact.name}}",
      "{{subject.name}} in {{subject.class_name}} and {{subject.Year2}}",
      "single { braces } are text",
    ]) {
      expect(mergeFieldProblems(text, "/text"), text).toEqual([]);
    }
  });

  it("refuses unknown fields, bad names, spaces and unbalanced braces, naming the path", () => {
    for (const text of [
      "{{parent.name}}",
      "{{contact.email}}",
      "{{subject.}}",
      "{{subject.class-name}}",
      "{{ contact.name }}",
      "{{}}",
      "Dear {{contact.name",
      "Dear contact.name}}",
      "{{{contact.name}}}",
      `{{subject.${"a".repeat(65)}}}`,
    ]) {
      const problems = mergeFieldProblems(text, "/subject");
      expect(problems.length, text).toBeGreaterThan(0);
      expect(problems[0]?.path).toBe("/subject");
    }
  });
});
