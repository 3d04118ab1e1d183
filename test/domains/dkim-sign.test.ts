// The DKIM signature Postbag builds from mailauth's parts is byte for byte mailauth's own
// `dkimSign`, and mailauth's verifier accepts it, for ordinary and awkward messages alike. (The
// end-to-end test, against a real DNS server, is `dkim-signing.test.ts`.)

import { dkimSign } from "mailauth/lib/dkim/sign.js";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { describe, expect, it } from "vitest";
import { generateDkimKey } from "../../src/domains/dkim-key.js";
import { dkimSignatureFor } from "../../src/domains/dkim-sign.js";

const key = generateDkimKey();
const identity = { domain: "oakwood.sch.test", selector: "pb1", privateKeyPem: key.privateKeyPem };
const signTime = new Date("2026-12-06T09:30:00Z");

const header = [
  "From: Oakwood Academy <office@oakwood.sch.test>",
  "To: parent@example.com",
  "Subject: Trip letter",
  "Date: Sun, 06 Dec 2026 09:30:00 +0000",
  "Message-ID: <trip-1@oakwood.sch.test>",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
].join("\r\n");

const messages: Record<string, string> = {
  plain: `${header}\r\n\r\nPlease return the slip by Friday.\r\n`,
  "folded and padded headers": [
    "From:   Oakwood  Academy\t<office@oakwood.sch.test>  ",
    "To: parent@example.com,\r\n\tother.parent@example.com",
    "SUBJECT:  Trip   letter\t ",
    "Subject: a second subject, signed as well",
    "Date: Sun, 06 Dec 2026 09:30:00 +0000",
    "X-Not-Signed: left out of h=",
    "",
    "Body",
    "",
  ].join("\r\n"),
  "whitespace and empty lines to ignore": `${header}\r\n\r\nline  with   spaces \t \r\n\t tabbed\r\n\r\n\r\n\r\n`,
  "empty body": `${header}\r\n\r\n`,
  "no final line break": `${header}\r\n\r\nThe last line has no CRLF`,
  "8-bit and long lines": `${header}\r\n\r\n${"Élève à l'école — ".repeat(200)}\r\nGrüße\r\n`,
  multipart: `${header.replace(
    "text/plain; charset=utf-8",
    'multipart/alternative; boundary="b1"',
  )}\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nHello\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>Hello</p>\r\n--b1--\r\n`,
  // Signed as if every line ended in CRLF, as it goes over SMTP (Nodemailer's 7bit bodies).
  "bare line feeds": `${header.replace(/\r\n/g, "\n")}\n\nOne\nTwo\n`,
  "bare line feeds in the body only": `${header}\r\n\r\nDear parent,\n\nThe trip \r\n  leaves at 8:30.\n\n`,
  "a lone carriage return": `${header}\r\n\r\nOne\rTwo\r\n`,
};

/** mailauth's own signer, with the same settings. */
function mailauthSign(raw: Buffer) {
  const signature = { signingDomain: identity.domain, selector: identity.selector, privateKey: identity.privateKeyPem };
  return dkimSign(raw, {
    ...signature,
    canonicalization: "relaxed/relaxed",
    algorithm: "rsa-sha256",
    signTime,
    signatureData: [signature],
  });
}

async function mailauthSignature(raw: Buffer): Promise<string> {
  const result = await mailauthSign(raw);
  expect(result.errors).toEqual([]);
  return result.signatures;
}

describe("dkimSignatureFor", () => {
  for (const [name, text] of Object.entries(messages)) {
    it(`${name}: the same bytes as mailauth's dkimSign, and mailauth verifies it`, async () => {
      const raw = Buffer.from(text, "utf8");
      const ours = await dkimSignatureFor(raw, identity, signTime);
      expect(ours).toBe(await mailauthSignature(raw));

      const verified = await dkimVerify(Buffer.concat([Buffer.from(ours, "latin1"), raw]), {
        resolver: async (name: string, type: string) => {
          expect([name, type]).toEqual([`${identity.selector}._domainkey.${identity.domain}`, "TXT"]);
          return [[`v=DKIM1; k=rsa; p=${key.publicKey}`]];
        },
        curTime: signTime,
      });
      expect(verified.results.map((r) => r.status.result)).toEqual(["pass"]);
    });
  }

  it("a changed body or signed header no longer verifies", async () => {
    const raw = Buffer.from(messages.plain ?? "", "utf8");
    const signature = await dkimSignatureFor(raw, identity, signTime);
    const resolver = async () => [[`v=DKIM1; k=rsa; p=${key.publicKey}`]];
    for (const forged of [
      (messages.plain ?? "").replace("Friday", "Monday"),
      (messages.plain ?? "").replace("Trip letter", "Trip cancelled"),
    ]) {
      const verified = await dkimVerify(Buffer.from(signature + forged, "utf8"), { resolver, curTime: signTime });
      // mailauth says "neutral" for a body that no longer matches its hash, "fail" for a header.
      expect(verified.results.map((r) => r.status.result)).not.toContain("pass");
      expect(verified.results).toHaveLength(1);
    }
  });

  it("refuses, like mailauth, a message with no blank line after its header (the caller sends it unsigned)", async () => {
    await expect(dkimSignatureFor(Buffer.from(header), identity, signTime)).rejects.toThrow(/no signature/);
    expect((await mailauthSign(Buffer.from(header))).signatures).not.toContain("DKIM-Signature:");
  });

  it("a key that is not a private key fails loudly", async () => {
    await expect(
      dkimSignatureFor(Buffer.from(messages.plain ?? ""), { ...identity, privateKeyPem: "not a key" }, signTime),
    ).rejects.toThrow();
  });
});
