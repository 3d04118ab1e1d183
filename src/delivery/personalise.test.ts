import { describe, expect, it } from "vitest";
import { type PersonalInput, personalise } from "./personalise.js";

function input(overrides: Partial<PersonalInput> = {}): PersonalInput {
  return {
    template: {
      subject: "Trip letter for {{subject.name}}",
      text: "Dear {{contact.name}},\n{{subject.name}} in class {{subject.class}} goes on the trip.",
      html: "<p>Dear {{contact.name}},</p><p>{{subject.name}} in class {{subject.class}} goes on the trip.</p>",
    },
    merge: true,
    contact: { name: "Sam Parent", email: "sam@example.test" },
    subjects: [{ name: "Ann", fields: { class: "4B" } }],
    signature: null,
    unsubscribeUrl: null,
    category: "announcement",
    tenantName: "Oakwood Primary",
    pixelUrl: null,
    ...overrides,
  };
}

describe("per-recipient content", () => {
  it("one subject: merge fields filled in subject and both bodies, nothing added", () => {
    const out = personalise(input());
    expect(out.subject).toBe("Trip letter for Ann");
    expect(out.text).toBe("Dear Sam Parent,\nAnn in class 4B goes on the trip.");
    expect(out.html).toBe("<p>Dear Sam Parent,</p><p>Ann in class 4B goes on the trip.</p>");
  });

  it("consolidated: one section per subject, numbered and named, the subject line naming all", () => {
    const out = personalise(
      input({
        subjects: [
          { name: "Ann", fields: { class: "4B" } },
          { name: "Ben", fields: { class: "2A" } },
          { name: "Cai", fields: { class: "R" } },
        ],
      }),
    );
    expect(out.subject).toBe("Trip letter for Ann, Ben and Cai");
    const text = out.text ?? "";
    expect(text.startsWith("This email is about Ann, Ben and Cai. It has one part for each of them, below.")).toBe(
      true,
    );
    expect(text).toContain("Part 1 of 3: about Ann");
    expect(text).toContain("Ann in class 4B goes on the trip.");
    expect(text).toContain("Part 2 of 3: about Ben");
    expect(text).toContain("Ben in class 2A goes on the trip.");
    expect(text).toContain("Part 3 of 3: about Cai");
    expect(text.indexOf("about Ann")).toBeLessThan(text.indexOf("about Ben"));
    const html = out.html ?? "";
    expect(html.match(/<h2 /g)).toHaveLength(3);
    expect(html).toContain("Part 2 of 3: about Ben</h2>");
    expect(html).toContain("<p>Cai in class R goes on the trip.</p>");
  });

  it("a whole HTML document keeps one body, with additions inside it", () => {
    const out = personalise(
      input({
        template: { subject: "x", text: null, html: "<html><body><p>{{subject.name}}</p></body></html>" },
        subjects: [
          { name: "Ann", fields: {} },
          { name: "Ben", fields: {} },
        ],
        pixelUrl: "https://p.test/o/t.gif",
      }),
    );
    expect(out.text).toBeNull();
    expect(out.html).not.toContain("<body");
    expect(out.html).toContain("<p>Ann</p>");
    const single = personalise(
      input({
        template: { subject: "x", text: null, html: "<html><body><p>Hi</p></body></html>" },
        pixelUrl: "https://p.test/o/t.gif",
      }),
    );
    expect(single.html).toMatch(/<p>Hi<\/p>\n<img src="https:\/\/p.test\/o\/t.gif"[^>]*>\n<\/body><\/html>$/);
  });

  it("signature, unsubscribe footer and pixel, in that order; escaped where they are HTML", () => {
    const out = personalise(
      input({
        signature: { text: "Mrs Head\nOakwood", html: null },
        unsubscribeUrl: "https://pb.test/u/abc?x=1&y=2",
        pixelUrl: "https://pb.test/o/def.gif",
        tenantName: "Oak & <Ash>",
      }),
    );
    expect(out.text).toMatch(/goes on the trip\.\n\n-- \nMrs Head\nOakwood\n\n-+\nYou receive announcement emails/);
    expect(out.text).toContain("unsubscribe here:\nhttps://pb.test/u/abc?x=1&y=2\n");
    const html = out.html ?? "";
    expect(html).toContain(
      `<div class="signature" style="margin-top:24px;white-space:pre-line">Mrs Head\nOakwood</div>`,
    );
    expect(html).toContain("from Oak &amp; &lt;Ash&gt;.");
    expect(html).toContain(`<a href="https://pb.test/u/abc?x=1&amp;y=2">Unsubscribe</a>`);
    expect(html.indexOf("signature")).toBeLessThan(html.indexOf("Unsubscribe"));
    expect(html.indexOf("Unsubscribe")).toBeLessThan(html.indexOf("def.gif"));
  });

  it("without merging (digests, API mail) the body is left exactly as stored", () => {
    const out = personalise(input({ merge: false }));
    expect(out.subject).toBe("Trip letter for {{subject.name}}");
    expect(out.html).toContain("{{contact.name}}");
  });
});
