import { describe, expect, it } from "vitest";
import { withSignature } from "./signature.js";

describe("withSignature", () => {
  const signature = { enabled: true, text: "Oak Hill School\nOffice", html: "<p><b>Oak Hill</b> School</p>" };

  it("adds the text signature after the separator and the HTML one before </body>", () => {
    const out = withSignature({ text: "Hello\n\n", html: "<html><body><p>Hello</p></BODY></html>" }, signature);
    expect(out.text).toBe("Hello\n\n-- \nOak Hill School\nOffice");
    expect(out.html).toBe(
      '<html><body><p>Hello</p><div class="postbag-signature"><br><p><b>Oak Hill</b> School</p></div></BODY></html>',
    );
  });

  it("uses the escaped text signature in HTML when there is no HTML one, and creates no missing part", () => {
    const out = withSignature({ text: null, html: "<p>Hi</p>" }, { enabled: true, text: "A & B <Office>", html: null });
    expect(out).toEqual({
      text: null,
      html: '<p>Hi</p><div class="postbag-signature"><br>A &amp; B &lt;Office&gt;</div>',
    });
  });

  it("changes nothing when disabled or empty", () => {
    const bodies = { text: "Hi", html: "<p>Hi</p>" };
    expect(withSignature(bodies, { ...signature, enabled: false })).toBe(bodies);
    expect(withSignature(bodies, { enabled: true, text: null, html: null })).toBe(bodies);
  });
});
