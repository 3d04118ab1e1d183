import { describe, expect, it } from "vitest";
import { clean, parseInbound, readTopHeaders, safeFilename } from "./inbound-parse.js";

describe("safeFilename", () => {
  it("keeps a plain name and strips paths, quotes, control characters and leading dots", () => {
    expect(safeFilename("report.pdf", 1)).toBe("report.pdf");
    expect(safeFilename("../../etc/passwd", 1)).toBe("passwd");
    expect(safeFilename("C:\\Users\\x\\evil.exe", 1)).toBe("evil.exe");
    expect(safeFilename('a"b\r\nContent-Type: x;.txt', 1)).toBe("a_b__Content-Type: x_.txt");
    expect(safeFilename("...hidden", 1)).toBe("hidden");
    expect(safeFilename("\u202Egnp.exe", 1)).toBe("_gnp.exe");
    expect(safeFilename(undefined, 3)).toBe("attachment-3");
    expect(safeFilename("x".repeat(500), 1)).toHaveLength(200);
  });
});

describe("clean", () => {
  it("removes NUL and lone surrogates and caps the length", () => {
    expect(clean("a\u0000b", 10)).toBe("ab");
    expect(clean("x\uD800y", 10)).toBe("x\uFFFDy");
    expect(clean("abcdef", 3)).toBe("abc");
    expect(clean("", 3)).toBeNull();
  });
});

describe("parseInbound", () => {
  it("reads the matching headers even when the MIME body is broken", async () => {
    let deep = "";
    for (let i = 0; i < 1000; i++) deep += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    const raw = Buffer.from(
      `From: Dad <dad@example.org>\r\nMessage-ID: <m1@example.org>\r\nIn-Reply-To: <ours@postbag.test>\r\nReferences: <a@x> <b@x>\r\nDelivered-To: b+x@bounces.example\r\nSubject: hi\r\nMIME-Version: 1.0\r\n${deep}`,
    );
    const parsed = await parseInbound(raw);
    expect(parsed.messageIdHeader).toBe("<m1@example.org>");
    expect(parsed.answers).toEqual(["<ours@postbag.test>", "<b@x>", "<a@x>"]);
    expect(parsed.envelopeAddresses).toEqual(["b+x@bounces.example"]);
    expect(parsed.fromAddress).toBe("dad@example.org");
    expect(parsed.problem).not.toBeNull();
  });

  it("gives HTML beside an attachment a text of its own, without images, link targets or scripts", async () => {
    const html =
      '<p>Priya will bring a <b>packed lunch</b>.</p><img src="https://tracker.example/p.gif" alt="pixel">' +
      '<script>steal()</script><a href="https://evil.example/x">the form</a>';
    const mixed = (parts: string[]) =>
      Buffer.from(
        [
          "From: Sam <sam@example.org>",
          "Subject: Re: Trip",
          "MIME-Version: 1.0",
          'Content-Type: multipart/mixed; boundary="b"',
          "",
          ...parts.flatMap((part) => ["--b", part]),
          "--b--",
          "",
        ].join("\r\n"),
      );
    const parsed = await parseInbound(
      mixed([
        `Content-Type: text/html; charset=utf-8\r\n\r\n${html}`,
        'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="form.pdf"\r\n\r\n%PDF-1.4',
      ]),
    );
    expect(parsed.htmlBody).toBe(html);
    expect(parsed.textBody).toContain("Priya will bring a packed lunch.");
    expect(parsed.textBody).toContain("the form");
    for (const hidden of ["tracker.example", "pixel", "steal", "evil.example"]) {
      expect(parsed.textBody).not.toContain(hidden);
    }
    expect(parsed.attachments.map((a) => a.filename)).toEqual(["form.pdf"]);
    // A text part of its own is kept as it is.
    const both = await parseInbound(
      mixed([`Content-Type: text/plain\r\n\r\nThe sender's own text.`, `Content-Type: text/html\r\n\r\n${html}`]),
    );
    expect(both.textBody?.startsWith("The sender's own text.")).toBe(true);
  });

  it("bounds the header reader", () => {
    const headers = readTopHeaders(Buffer.from(`A: 1\r\n${"B: 2\r\n".repeat(10_000)}\r\nbody`));
    expect(headers.get("a")).toEqual(["1"]);
    expect(headers.get("b")?.length).toBeLessThan(2000);
  });
});
