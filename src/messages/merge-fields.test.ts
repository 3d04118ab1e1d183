import { describe, expect, it } from "vitest";
import { joinNames, mergeFieldsIn, mergeHeader, mergeHtml, mergeText } from "./merge-fields.js";

const values = {
  contact: { name: "Sam Parent", email: "sam@example.test" },
  subject: { name: "Ann", class: "4B" },
};

describe("merge fields", () => {
  it("fills known fields, with or without spaces inside the braces", () => {
    expect(mergeText("Dear {{contact.name}}, {{ subject.name }} in {{subject.class}}", values)).toBe(
      "Dear Sam Parent, Ann in 4B",
    );
  });

  it("leaves unknown fields empty and text that is not a field alone", () => {
    expect(mergeText("[{{subject.shoe}}][{{nope.x}}][{{contact}}][{ {x} }][{{ 1bad }}]", values)).toBe(
      "[][][][{ {x} }][{{ 1bad }}]",
    );
  });

  it("never reads inherited properties (no prototype tricks)", () => {
    expect(mergeText("{{contact.constructor}}{{subject.__proto__}}{{contact.toString}}", values)).toBe("");
  });

  it("does not scan a value again: a value that looks like a field stays literal", () => {
    const sneaky = { contact: { name: "{{subject.name}}" }, subject: { name: "Ann" } };
    expect(mergeText("Hi {{contact.name}}", sneaky)).toBe("Hi {{subject.name}}");
  });

  it("escapes values in HTML, so a contact named <script> cannot inject anything", () => {
    const evil = {
      contact: { name: `<script>alert(1)</script>` },
      subject: { name: `"><img src=x onerror=alert(1)>` },
    };
    const out = mergeHtml(`<p>Dear {{contact.name}}</p><a title="{{subject.name}}">x</a>`, evil);
    expect(out).toBe(
      `<p>Dear &lt;script&gt;alert(1)&lt;/script&gt;</p><a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">x</a>`,
    );
    expect(out).not.toContain("<script");
    expect(out).not.toContain("<img");
  });

  it("drops a value with a dangerous scheme inside a tag, keeps web links", () => {
    const link = (url: string) => mergeHtml(`<a href="{{subject.url}}">form</a>`, { contact: {}, subject: { url } });
    expect(link("javascript:alert(1)")).toBe(`<a href="">form</a>`);
    expect(link("java\tscript:alert(1)")).toBe(`<a href="">form</a>`);
    expect(link(" data:text/html,x")).toBe(`<a href="">form</a>`);
    expect(link("https://school.example/form?a=1&b=2")).toBe(
      `<a href="https://school.example/form?a=1&amp;b=2">form</a>`,
    );
    // Outside a tag the same value is only text.
    expect(mergeHtml("<p>{{subject.url}}</p>", { contact: {}, subject: { url: "javascript:x" } })).toBe(
      "<p>javascript:x</p>",
    );
  });

  it("keeps header values on one line", () => {
    expect(mergeHeader("News for {{contact.name}}", { contact: { name: "A\r\nBcc: x@y" }, subject: {} })).toBe(
      "News for A Bcc: x@y",
    );
  });

  it("lists fields and joins names the way a sentence does", () => {
    expect(mergeFieldsIn("{{contact.name}} {{ subject.class }} {{contact.name}}")).toEqual([
      "contact.name",
      "subject.class",
    ]);
    expect(joinNames([])).toBe("");
    expect(joinNames(["A"])).toBe("A");
    expect(joinNames(["A", "B"])).toBe("A and B");
    expect(joinNames(["A", "B", "C"])).toBe("A, B and C");
  });
});
