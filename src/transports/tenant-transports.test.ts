import { describe, expect, it } from "vitest";
import { withAccountHeaders } from "./tenant-transports.js";

const body = "\r\n\r\nHello\r\nFrom: not a header, the body\r\n";

function head(raw: Buffer): string {
  return raw.toString("latin1").split("\r\n\r\n")[0] ?? "";
}

describe("withAccountHeaders", () => {
  it("replaces a From on another domain with the account's address, keeping the display name", () => {
    const raw = Buffer.from(`From: =?UTF-8?Q?St_Mary=E2=80=99s?= <noreply@postbag.test>\r\nSubject: Hi${body}`);
    const out = withAccountHeaders(raw, "office@practice.example", "Office", "REF");
    expect(head(out)).toBe(
      "From: =?UTF-8?Q?St_Mary=E2=80=99s?= <office@practice.example>\r\nSubject: Hi\r\nX-Postbag-Ref: REF",
    );
    expect(out.toString("latin1").endsWith(body)).toBe(true);
  });

  it("uses the account's name when the From has none; a name cannot inject a header", () => {
    const raw = Buffer.from(`From: noreply@postbag.test${body}`);
    expect(head(withAccountHeaders(raw, "office@practice.example", "Dr. Smith\r\nBcc: x@evil.test", "R"))).toBe(
      'From: "Dr. Smith Bcc: x@evil.test" <office@practice.example>\r\nX-Postbag-Ref: R',
    );
    expect(head(withAccountHeaders(raw, "office@practice.example", "Zoë", "R"))).toBe(
      "From: =?UTF-8?B?Wm/Dqw==?= <office@practice.example>\r\nX-Postbag-Ref: R",
    );
  });

  it("keeps a folded From on the account's domain, and a reference that is already this recipient's", () => {
    const raw = Buffer.from(
      `From: A very long display name\r\n <Reception@Practice.example>\r\nX-Postbag-Ref: KEEP${body}`,
    );
    const out = withAccountHeaders(raw, "office@practice.example", null, "KEEP");
    expect(out.equals(raw)).toBe(true);
  });

  it("replaces any other X-Postbag-Ref (an old per-message one, or one a caller wrote) with this recipient's", () => {
    const raw = Buffer.from(`From: office@practice.example\r\nX-Postbag-Ref: OLD\r\nx-postbag-ref: FORGED${body}`);
    const out = withAccountHeaders(raw, "office@practice.example", null, "NEW");
    expect(head(out)).toBe("From: office@practice.example\r\nX-Postbag-Ref: NEW");
  });
});
