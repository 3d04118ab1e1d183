import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Classification, classifyInbound } from "./classify-bounce.js";

const fixtures = join(import.meta.dirname, "..", "..", "test", "fixtures", "bounces");
const fixture = (name: string) => readFileSync(join(fixtures, name));
const verp = (tail: string) => `b+01hzx3k4m5n6p7q8r9s0t1v2${tail}@bounces.postbag.example`;

describe("classifyInbound on the fixture corpus", () => {
  it.each<[string, Classification]>([
    [
      "postfix-5.1.1.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "jane.doe@example.org",
            status: "hard_bounce",
            reason: "user_unknown",
            smtpCode: 550,
            enhancedCode: "5.1.1",
            diagnostic:
              "550 5.1.1 <jane.doe@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
          },
        ],
        returnPath: verp("w3-0123456789abcdef"),
        originalReturnPath: verp("w3-0123456789abcdef"),
        originalMessageId: "<msg-01HZX3K4M5@postbag.example>",
      },
    ],
    [
      "exchange-5.1.10.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "max.muster@contoso.com",
            status: "hard_bounce",
            reason: "user_unknown",
            smtpCode: 550,
            enhancedCode: "5.1.10",
            diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
          },
        ],
        returnPath: verp("w4-fedcba9876543210"),
        originalReturnPath: verp("w4-fedcba9876543210"),
        originalMessageId: "<msg-01HZX3K4M6@postbag.example>",
      },
    ],
    [
      "mailbox-full-delayed-4.2.2.eml",
      {
        kind: "delay",
        recipients: [
          {
            email: "full.box@example.net",
            status: "soft_bounce",
            reason: "mailbox_full",
            smtpCode: 452,
            enhancedCode: "4.2.2",
            diagnostic: "452 4.2.2 Mailbox full",
          },
        ],
        returnPath: verp("w6-0a1b2c3d4e5f6a7b"),
        originalMessageId: "<msg-01HZX3K4M8@postbag.example>",
      },
    ],
    [
      "policy-5.7.1.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "someone@strict.example",
            status: "rejected",
            reason: "blocked",
            smtpCode: 550,
            enhancedCode: "5.7.1",
            diagnostic: "550 5.7.1 Service unavailable; Client host [198.51.100.1] blocked using zen.spamhaus.org",
          },
        ],
        returnPath: verp("w7-1111222233334444"),
      },
    ],
    [
      "too-big-5.3.4.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "small.box@tiny.example",
            status: "rejected",
            reason: "message_too_big",
            smtpCode: 552,
            enhancedCode: "5.3.4",
            diagnostic: "552 5.3.4 Message size exceeds fixed maximum message size",
          },
        ],
        returnPath: verp("w8-5555666677778888"),
      },
    ],
    ["delivered-2.0.0.eml", { kind: "none", recipients: [], returnPath: verp("w9-9999aaaabbbbcccc") }],
    [
      "arf-abuse.eml",
      {
        kind: "complaint",
        recipients: [{ email: "annoyed.parent@hotmail.example", status: "spam" }],
        // The VERP address survives a feedback loop only as the original's envelope sender.
        returnPath: verp("wa-ddddeeeeffff0000"),
        originalReturnPath: verp("wa-ddddeeeeffff0000"),
        originalMessageId: "<msg-01HZX3K4M9@postbag.example>",
      },
    ],
    [
      "exim-plain.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "nobody@exim-land.example",
            status: "hard_bounce",
            reason: "user_unknown",
            smtpCode: 550,
            enhancedCode: "5.1.1",
            diagnostic:
              "550 5.1.1 <nobody@exim-land.example>: Recipient address rejected: User unknown in local recipient table",
          },
        ],
        returnPath: verp("wb-1234123412341234"),
        originalReturnPath: verp("wb-1234123412341234"),
        originalMessageId: "<msg-01HZX3K4MA@postbag.example>",
      },
    ],
    [
      "qmail-plain.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "someone@example.net",
            status: "hard_bounce",
            reason: "user_unknown",
            smtpCode: 550,
            enhancedCode: "5.1.1",
            diagnostic: "550 5.1.1 <someone@example.net>... User unknown",
          },
          {
            email: "gone@qmail.example.net",
            status: "hard_bounce",
            reason: "user_unknown",
            enhancedCode: "5.1.1",
            diagnostic: "Sorry, no mailbox here by that name. (#5.1.1)",
          },
        ],
        returnPath: verp("wc-abcdabcdabcdabcd"),
        originalReturnPath: verp("wc-abcdabcdabcdabcd"),
        originalMessageId: "<msg-01HZX3K4MB@postbag.example>",
      },
    ],
    ["out-of-office.eml", { kind: "auto_reply", recipients: [] }],
    ["parent-reply.eml", { kind: "none", recipients: [] }],
    ["broken-mime.eml", { kind: "none", recipients: [] }],
    ["long-line.eml", { kind: "none", recipients: [] }],
    [
      "o365-5.7.708-blocked.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "pupil.parent@fabrikam.example",
            status: "rejected",
            reason: "blocked",
            smtpCode: 550,
            enhancedCode: "5.7.708",
            diagnostic: "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
          },
        ],
        returnPath: verp("wd"),
        originalMessageId: "<msg-wd@postbag.example>",
        originalReturnPath: verp("wd"),
      },
    ],
    [
      "o365-5.2.2-mailbox-full.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "full.inbox@contoso.example",
            status: "soft_bounce",
            reason: "mailbox_full",
            smtpCode: 554,
            enhancedCode: "5.2.2",
            diagnostic:
              "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded",
          },
        ],
        returnPath: verp("we"),
        originalMessageId: "<msg-we@postbag.example>",
        originalReturnPath: verp("we"),
      },
    ],
    [
      "exchange-5.2.1-disabled.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "former.teacher@school.example",
            status: "hard_bounce",
            reason: "mailbox_disabled",
            smtpCode: 550,
            enhancedCode: "5.2.1",
            diagnostic: "550 5.2.1 Mailbox disabled, not accepting messages",
          },
        ],
        returnPath: verp("wf"),
        originalMessageId: "<msg-wf@postbag.example>",
        originalReturnPath: verp("wf"),
      },
    ],
    [
      "gmail-4.2.2-delay.eml",
      {
        kind: "delay",
        recipients: [
          {
            email: "busy.mum@gmail.com",
            status: "soft_bounce",
            reason: "mailbox_full",
            smtpCode: 452,
            enhancedCode: "4.2.2",
            diagnostic:
              "452-4.2.2 The email account that you tried to reach is over quota. 452 4.2.2 https://support.google.com/mail/?p=OverQuotaTemp - gsmtp",
          },
        ],
        returnPath: verp("wg"),
        originalMessageId: "<msg-wg@postbag.example>",
        originalReturnPath: verp("wg"),
      },
    ],
    [
      "gmail-5.7.26-unauthenticated.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "strict.dad@gmail.com",
            status: "rejected",
            reason: "auth_failure",
            smtpCode: 550,
            enhancedCode: "5.7.26",
            diagnostic:
              "550 5.7.26 Unauthenticated email from lindenschule.example is not accepted due to domain's DMARC policy. - gsmtp",
          },
        ],
        returnPath: verp("wh"),
        originalMessageId: "<msg-wh@postbag.example>",
        originalReturnPath: verp("wh"),
      },
    ],
    [
      "postfix-4.4.1-delayed.eml",
      {
        kind: "delay",
        recipients: [
          {
            email: "slow.server@example.net",
            status: "soft_bounce",
            reason: "network_error",
            enhancedCode: "4.4.1",
            diagnostic: "connect to mx.example.net[203.0.113.9]:25: Connection timed out",
          },
        ],
        returnPath: verp("wj"),
        originalMessageId: "<msg-wj@postbag.example>",
        originalReturnPath: verp("wj"),
      },
    ],
    [
      "postfix-relayed-2.0.0.eml",
      { kind: "none", recipients: [], returnPath: verp("wk"), originalMessageId: "<msg-wk@postbag.example>" },
    ],
    [
      "sendmail-expanded-2.0.0.eml",
      { kind: "none", recipients: [], returnPath: verp("wm"), originalMessageId: "<msg-wm@postbag.example>" },
    ],
    [
      "exim-dsn-5.1.1.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "no.longer.here@exim-school.example",
            status: "hard_bounce",
            reason: "user_unknown",
            smtpCode: 550,
            enhancedCode: "5.1.1",
            diagnostic: "550 5.1.1 <no.longer.here@exim-school.example>: Recipient address rejected: User unknown",
          },
        ],
        returnPath: verp("wn"),
        originalMessageId: "<msg-wn@postbag.example>",
        originalReturnPath: verp("wn"),
      },
    ],
    [
      "ses-bounce-5.1.1.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "nobody.home@example.com",
            status: "hard_bounce",
            reason: "user_unknown",
            smtpCode: 550,
            enhancedCode: "5.1.1",
            diagnostic: "550 5.1.1 user unknown",
          },
        ],
        returnPath: verp("wp"),
        originalMessageId: "<msg-wp@postbag.example>",
        originalReturnPath: verp("wp"),
      },
    ],
    [
      "exim-plain-5.7.1-content.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "picky@filtering.example",
            status: "rejected",
            reason: "content_rejected",
            smtpCode: 550,
            enhancedCode: "5.7.1",
            diagnostic: "550 5.7.1 Message rejected due to content restrictions",
          },
        ],
        returnPath: verp("wq"),
        originalMessageId: "<msg-wq@postbag.example>",
        originalRef: "01HZX3K4M5N6P7Q8R9S0T1V2WQ-0123456789abcdef",
        originalReturnPath: verp("wq"),
      },
    ],
    [
      "qmail-plain-5.2.2-full.eml",
      {
        kind: "bounce",
        recipients: [
          {
            email: "stuffed@qmail-host.example",
            status: "soft_bounce",
            reason: "mailbox_full",
            smtpCode: 552,
            enhancedCode: "5.2.2",
            diagnostic: "552 5.2.2 <stuffed@qmail-host.example>... Mailbox is full",
          },
        ],
        returnPath: verp("wr"),
        originalMessageId: "<msg-wr@postbag.example>",
        originalReturnPath: verp("wr"),
      },
    ],
    [
      "ses-complaint-arf.eml",
      {
        kind: "complaint",
        recipients: [{ email: "unhappy@isp.example", status: "spam" }],
        returnPath: verp("ws"),
        originalMessageId: "<msg-ws@postbag.example>",
        originalReturnPath: verp("ws"),
      },
    ],
    [
      "yahoo-arf-redacted.eml",
      {
        kind: "complaint",
        recipients: [{ email: "redacted@yahoo.example", status: "spam" }],
        returnPath: verp("wt"),
        originalMessageId: "<msg-wt@postbag.example>",
        originalReturnPath: verp("wt"),
      },
    ],
    [
      "aol-arf.eml",
      {
        kind: "complaint",
        recipients: [{ email: "grumpy.grandpa@aol.example", status: "spam" }],
        returnPath: verp("wv"),
        originalMessageId: "<msg-wv@postbag.example>",
        originalReturnPath: verp("wv"),
      },
    ],
    ["auto-reply-auto-submitted.eml", { kind: "auto_reply", recipients: [] }],
    ["auto-reply-subject-only.eml", { kind: "auto_reply", recipients: [] }],
    ["ooo-german.eml", { kind: "auto_reply", recipients: [] }],
    ["ooo-french.eml", { kind: "auto_reply", recipients: [] }],
    ["ooo-dutch.eml", { kind: "auto_reply", recipients: [] }],
    ["ooo-spanish.eml", { kind: "auto_reply", recipients: [] }],
  ])("%s", async (name, expected) => {
    expect(await classifyInbound(fixture(name))).toEqual(expected);
  });

  it("labels every fixture in the corpus (at least 30)", () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith(".eml"));
    expect(files.length).toBeGreaterThanOrEqual(30);
    const source = readFileSync(new URL(import.meta.url), "utf8");
    for (const file of files) expect(source, file).toContain(`"${file}"`);
  });

  it("reads Gmail's multi-line 550-5.1.1 diagnostic as one hard bounce", async () => {
    const result = await classifyInbound(fixture("gmail-5.1.1.eml"));
    expect(result.kind).toBe("bounce");
    expect(result.returnPath).toBe(verp("w5-00112233aabbccdd"));
    expect(result.originalMessageId).toBe("<msg-01HZX3K4M7@postbag.example>");
    expect(result.recipients).toHaveLength(1);
    expect(result.recipients[0]).toMatchObject({
      email: "no.such.person@gmail.com",
      status: "hard_bounce",
      smtpCode: 550,
      enhancedCode: "5.1.1",
    });
    expect(result.recipients[0]?.diagnostic).toMatch(/^550-5\.1\.1 The email account .* - gsmtp$/);
  });
});

const dsn = (recipientBlocks: string[], extraHeader = "X-Nothing: 1") =>
  Buffer.from(
    [
      "From: MAILER-DAEMON@mta.example",
      "To: b+x@bounces.example",
      extraHeader,
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      "",
      "--B",
      "Content-Type: text/plain",
      "",
      "Report.",
      "--B",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mta.example",
      "",
      recipientBlocks.join("\r\n\r\n"),
      "--B--",
      "",
    ].join("\r\n"),
  );
const block = (email: string, action: string, status: string, diagnostic?: string) =>
  [
    `Final-Recipient: rfc822; ${email}`,
    `Action: ${action}`,
    `Status: ${status}`,
    ...(diagnostic ? [`Diagnostic-Code: smtp; ${diagnostic}`] : []),
  ].join("\r\n");

describe("classifyInbound rules", () => {
  it("classifies each recipient of a DSN by the SMTP reply rules", async () => {
    const result = await classifyInbound(
      dsn([
        block("a@x.example", "failed", "5.2.1", "550 5.2.1 Mailbox disabled"),
        block("b@x.example", "failed", "5.2.2", "552 5.2.2 Mailbox full"),
        block("c@x.example", "failed", "5.0.0", "550 User unknown"),
        block("d@x.example", "delivered", "2.0.0", "250 2.0.0 Ok"),
        block("e@x.example", "delayed", "4.4.1", "451 4.4.1 No answer from host"),
        block("f@x.example", "failed", "4.4.7"),
      ]),
    );
    expect(result.kind).toBe("bounce");
    expect(result.recipients.map((r) => [r.email, r.status, r.enhancedCode])).toEqual([
      ["a@x.example", "hard_bounce", "5.2.1"],
      // A full mailbox is transient even as 5.2.2 (RFC 3463: "persistent transient failure").
      ["b@x.example", "soft_bounce", "5.2.2"],
      ["c@x.example", "hard_bounce", "5.0.0"],
      ["e@x.example", "soft_bounce", "4.4.1"],
      // Given up after retrying a transient failure: a bounce, but not about the address.
      ["f@x.example", "soft_bounce", "4.4.7"],
    ]);
  });

  it("is a delay only when every recipient is delayed", async () => {
    const result = await classifyInbound(
      dsn([block("a@x.example", "delayed", "4.2.2"), block("b@x.example", "delayed", "4.0.0")]),
    );
    expect(result.kind).toBe("delay");
    expect(result.recipients.map((r) => r.status)).toEqual(["soft_bounce", "soft_bounce"]);
  });

  it("keeps a DSN a DSN when it carries Auto-Submitted: auto-replied", async () => {
    const result = await classifyInbound(
      dsn([block("a@x.example", "failed", "5.1.1", "550 5.1.1 no such user")], "Auto-Submitted: auto-replied"),
    );
    expect(result.kind).toBe("bounce");
  });

  it("caps the number of recipients it reads", async () => {
    const many = Array.from({ length: 1500 }, (_, i) => block(`u${i}@x.example`, "failed", "5.1.1"));
    const result = await classifyInbound(dsn(many));
    expect(result.recipients).toHaveLength(1000);
  });

  it("does not count an ARF not-spam or auth-failure report as a complaint", async () => {
    const raw = readFileSync(join(fixtures, "arf-abuse.eml"), "latin1");
    for (const type of ["not-spam", "auth-failure"]) {
      const result = await classifyInbound(Buffer.from(raw.replace("Feedback-Type: abuse", `Feedback-Type: ${type}`)));
      expect(result.kind).toBe("none");
    }
  });

  it("takes an ARF recipient from the original's To when Original-Rcpt-To is missing", async () => {
    const raw = readFileSync(join(fixtures, "arf-abuse.eml"), "latin1").replace(/^Original-Rcpt-To:.*\n/m, "");
    const result = await classifyInbound(Buffer.from(raw));
    expect(result.recipients).toEqual([{ email: "annoyed.parent@hotmail.example", status: "spam" }]);
  });

  it("reads an Exim delay warning as a delay", async () => {
    const raw = [
      "From: Mail Delivery System <Mailer-Daemon@smarthost.example>",
      "Subject: Warning: message 1s8XYZ-000123-AB delayed 24 hours",
      "Auto-Submitted: auto-replied",
      "",
      "This message was created automatically by mail delivery software.",
      "A message that you sent has not yet been delivered to one or more of its",
      "recipients after more than 24 hours on the queue on smarthost.example.",
      "",
      "  slow@example.org",
      "    host mx.example.org [192.0.2.5]: 451 4.3.0 Temporary lookup failure",
      "",
      "No action is required on your part. Delivery attempts will continue for some time.",
    ].join("\n");
    const result = await classifyInbound(Buffer.from(raw));
    expect(result.kind).toBe("delay");
    expect(result.recipients).toEqual([
      {
        email: "slow@example.org",
        status: "soft_bounce",
        reason: "network_error",
        smtpCode: 451,
        enhancedCode: "4.3.0",
        diagnostic: "451 4.3.0 Temporary lookup failure",
      },
    ]);
  });

  it("recognises auto-replies by their headers and subjects", async () => {
    const message = (headers: string) => Buffer.from(`From: a@example.org\n${headers}\n\nAway.\n`);
    for (const headers of [
      "X-Autoreply: yes\nSubject: Re: trip",
      "X-Autorespond: Away\nSubject: Re: trip",
      "Precedence: auto_reply\nSubject: Re: trip",
      "Subject: Out of Office: trip",
      "Subject: Automatic reply: trip",
      "Subject: Autoreply: trip",
    ]) {
      expect((await classifyInbound(message(headers))).kind, headers).toBe("auto_reply");
    }
    expect((await classifyInbound(message("Auto-Submitted: no\nSubject: Re: trip"))).kind).toBe("none");
  });

  it("still classifies a DSN whose last boundary never comes (truncated returned message)", async () => {
    const raw = readFileSync(join(fixtures, "postfix-5.1.1.eml"), "latin1");
    const cut = raw.slice(0, raw.indexOf("Return-Path: <b+", raw.indexOf("text/rfc822-headers")));
    const result = await classifyInbound(Buffer.from(cut));
    expect(result.kind).toBe("bounce");
    expect(result.recipients[0]?.status).toBe("hard_bounce");
  });
});

describe("classifyInbound on hostile input", () => {
  it("returns none for input over maxBytes without parsing it", async () => {
    const raw = fixture("postfix-5.1.1.eml");
    expect((await classifyInbound(raw, { maxBytes: raw.length - 1 })).kind).toBe("none");
    expect((await classifyInbound(raw, { maxBytes: raw.length })).kind).toBe("bounce");
  });

  it("stays fast on endless lines in a bounce", async () => {
    const started = performance.now();
    for (const filler of ["5.5.5.", "<a@b>: ", "@".repeat(3), "a".repeat(7), " 550 ", "RCPT TO:<"]) {
      const line = filler.repeat(Math.ceil(2_000_000 / filler.length));
      const raw = `From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail Returned to Sender\nX-Long: ${line}\n\n${line}\n`;
      await classifyInbound(Buffer.from(raw));
    }
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("never throws on truncated or mutated fixtures", async () => {
    const names = ["postfix-5.1.1.eml", "gmail-5.1.1.eml", "arf-abuse.eml", "qmail-plain.eml", "exchange-5.1.10.eml"];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const name of names) {
      const raw = fixture(name);
      for (let i = 0; i < 60; i++) {
        const mutated = Buffer.from(raw.subarray(0, Math.floor(random() * raw.length)));
        for (let j = 0; j < 20; j++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
        const result = await classifyInbound(mutated);
        expect(["bounce", "delay", "complaint", "auto_reply", "none"]).toContain(result.kind);
      }
    }
  });
});

describe("classifyInbound on the formats of report-formats.ts and failure-reasons.ts", () => {
  it.each<[string, Classification["kind"], Array<[string, string, string | undefined]>]>([
    ["dma-5.1.6-moved.eml", "bounce", [["moved.away@parents.example", "hard_bounce", "user_unknown"]]],
    ["appliance-failed-permanently.eml", "bounce", [["tom.parent@parents.example", "hard_bounce", "user_unknown"]]],
    ["imail-unknown-user.eml", "bounce", [["anna.nobody@parents.example", "hard_bounce", "user_unknown"]]],
    ["ses-notification-json.eml", "bounce", [["crowded@parents.example", "soft_bounce", "mailbox_full"]]],
    ["jmrp-complaint.eml", "complaint", [["unhappy.dad@outlook.example", "spam", undefined]]],
    ["arf-opt-out.eml", "complaint", [["no.more.cake@isp.example", "opted_out", undefined]]],
    ["exchange2003-not-recognized.eml", "bounce", [["pat.parent@parents.example", "hard_bounce", "user_unknown"]]],
    ["sendmail-5.1.8-sender-domain.eml", "bounce", [["good.parent@parents.example", "rejected", "sender_rejected"]]],
    ["dsn-expired-4.4.7.eml", "bounce", [["slow.server@parents.example", "soft_bounce", "expired"]]],
    ["dsn-host-unknown.eml", "bounce", [["typo@parnets.example", "hard_bounce", "host_unknown"]]],
    ["carrier-ja-mailbox-full.eml", "bounce", [["hanako@carrier.example", "soft_bounce", "mailbox_full"]]],
    ["exim-ru-failed-recipients.eml", "bounce", [["gone.parent@provider.example", "hard_bounce", "user_unknown"]]],
  ])("%s", async (name, kind, recipients) => {
    const result = await classifyInbound(fixture(name));
    expect(result.kind).toBe(kind);
    expect(result.recipients.map((r) => [r.email, r.status, r.reason])).toEqual(recipients);
  });

  it("keeps the signed data of a plain-text report's quoted original", async () => {
    const result = await classifyInbound(fixture("dma-5.1.6-moved.eml"));
    expect(result.originalReturnPath).toBe(verp("x1"));
    expect(result.returnPath).toBe(verp("x1"));
  });

  it("never reads the sender's own address in a notice as the failed recipient", async () => {
    const raw = [
      "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>",
      "To: office@school.example",
      "Subject: Returned mail: see transcript for details",
      "",
      "   ----- Transcript of session follows -----",
      "550 You cannot send mail to yourself (office@school.example)",
      "550 <pupil@example.net>... User unknown",
      "",
      "   ----- Unsent message follows -----",
      "From: office@school.example",
      "To: pupil@example.net",
    ].join("\n");
    const result = await classifyInbound(Buffer.from(raw));
    expect(result.recipients.map((r) => [r.email, r.status])).toEqual([["pupil@example.net", "hard_bounce"]]);
  });

  it("does not take a word in an address for a reason", async () => {
    const raw = [
      "From: MAILER-DAEMON@mx.example.net",
      "Subject: failure notice",
      "",
      "<mailboxfull@example.net>:",
      "550 5.1.1 <mailboxfull@example.net>... User unknown",
    ].join("\n");
    const result = await classifyInbound(Buffer.from(raw));
    expect(result.recipients[0]).toMatchObject({ status: "hard_bounce", reason: "user_unknown" });
  });

  it("reads an auto-reply from a no-reply sender as an auto-reply, not a bounce", async () => {
    const raw = [
      "From: <noreply@example.org>",
      "Subject: AutoResponse: Trip",
      "Auto-Submitted: auto-replied",
      "",
      "Thank you for your message.",
    ].join("\n");
    expect((await classifyInbound(Buffer.from(raw))).kind).toBe("auto_reply");
  });

  it("reads a multipart whose boundary does not match its body", async () => {
    const raw = readFileSync(join(fixtures, "postfix-5.1.1.eml"), "latin1");
    const broken = raw.replace(/boundary="([^"]+)"/, 'boundary="$1-not-it"');
    const result = await classifyInbound(Buffer.from(broken, "latin1"));
    expect(result.kind).toBe("bounce");
    expect(result.recipients[0]).toMatchObject({ email: "jane.doe@example.org", status: "hard_bounce" });
  });

  it("separates DSN recipients that are not separated by blank lines", async () => {
    const raw = [
      "From: MAILER-DAEMON@mx.example.net",
      "Subject: Undeliverable: Trip",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
      "",
      "--r",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.example.net",
      "Final-Recipient: rfc822; full@example.jp",
      "Action: failed",
      "Status: 5.2.2",
      "Diagnostic-Code: smtp; 550 5.2.2 Mailbox Full",
      "Final-Recipient: rfc822; gone@example.jp",
      "Action: failed",
      "Status: 5.1.1",
      "Diagnostic-Code: smtp; 550 5.1.1 User Unknown",
      "--r--",
    ].join("\n");
    const result = await classifyInbound(Buffer.from(raw));
    expect(result.recipients.map((r) => [r.email, r.status, r.reason])).toEqual([
      ["full@example.jp", "soft_bounce", "mailbox_full"],
      ["gone@example.jp", "hard_bounce", "user_unknown"],
    ]);
  });

  it("does not read a parent's reply quoting a bounce as a bounce", async () => {
    const raw = [
      "From: Pat Parent <pat@example.org>",
      "Subject: Re: Undeliverable: Trip",
      "",
      "Why did I get this? It says your message could not be delivered to grandma@example.org.",
    ].join("\n");
    expect((await classifyInbound(Buffer.from(raw))).kind).toBe("none");
  });
});
