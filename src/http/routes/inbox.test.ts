import { describe, expect, it } from "vitest";
import { sanitizeInboundHtml } from "../../email/html-sanitiser.js";
import { contentDisposition } from "./inbox.js";

describe("contentDisposition", () => {
  it("gives an ASCII fallback and an RFC 5987 name, with nothing that could break the header", () => {
    expect(contentDisposition("report.pdf")).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(contentDisposition("Zeugnis für Jürgen.pdf")).toBe(
      `attachment; filename="Zeugnis f_r J_rgen.pdf"; filename*=UTF-8''Zeugnis%20f%C3%BCr%20J%C3%BCrgen.pdf`,
    );
    const nasty = contentDisposition('a";\r\nSet-Cookie: x=1; b\\c%.txt');
    expect(nasty).not.toMatch(/[\r\n]/);
    expect(nasty).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/);
  });
});

describe("sanitizeInboundHtml", () => {
  it("keeps text and safe links, drops scripts, handlers, styles, images and frames", async () => {
    const html = await sanitizeInboundHtml(
      '<style>p{}</style><p style="x" onmouseover="a()">Hi <a href="https://ok.example/" onclick="b()">link</a><a href="data:text/html,x">d</a><img src=x onerror=alert(1)><iframe></iframe><form><input></form></p><svg><script>1</script></svg>',
    );
    expect(html).toBe(
      '<p>Hi <a href="https://ok.example/" rel="noopener noreferrer nofollow" target="_blank">link</a><a rel="noopener noreferrer nofollow" target="_blank">d</a></p><p></p>',
    );
  });
});
