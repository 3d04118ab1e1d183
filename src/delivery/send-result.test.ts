import { describe, expect, it } from "vitest";
import { classifyReply, enhancedCode, isAddressFailure } from "./send-result.js";

/** Replies as Nodemailer hands them over: the whole reply, code included, continuation lines joined by \n. */
const gmailNoSuchUser = [
  "550-5.1.1 The email account that you tried to reach does not exist. Please try",
  "550-5.1.1 double-checking the recipient's email address for typos or",
  "550-5.1.1 unnecessary spaces. For more information, go to",
  "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123456wrb.12 - gsmtp",
].join("\n");

describe("classifyReply on real-world replies", () => {
  it.each([
    // 2xx
    ["Postfix queued", 250, "250 2.0.0 Ok: queued as 4Xyz1234", "sent", null, "2.0.0"],
    ["Gmail accepted", 250, "250 2.0.0 OK  1700000000 a1si123456wrb.12 - gsmtp", "sent", null, "2.0.0"],
    ["no enhanced code", 250, "250 Ok", "sent", null, null],
    // 5.1.x: the address itself -> hard_bounce
    ["Gmail no such user (multi-line)", 550, gmailNoSuchUser, "hard", "hard_bounce", "5.1.1"],
    [
      "Outlook recipient not found",
      550,
      "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
      "hard",
      "hard_bounce",
      "5.1.10",
    ],
    [
      "Postfix unknown local user",
      550,
      "550 5.1.1 <x@example.org>: Recipient address rejected: User unknown in local recipient table",
      "hard",
      "hard_bounce",
      "5.1.1",
    ],
    [
      "bad destination domain",
      550,
      "550 5.1.2 Host unknown (Name server: example.invalid: host not found)",
      "hard",
      "hard_bounce",
      "5.1.2",
    ],
    [
      "mailbox disabled (5.2.1)",
      550,
      "550 5.2.1 The email account that you tried to reach is disabled.",
      "hard",
      "hard_bounce",
      "5.2.1",
    ],
    ["no enhanced code, but says user unknown", 550, "550 User unknown", "hard", "hard_bounce", null],
    [
      "generic 5.0.0 that says no such user",
      550,
      "550 5.0.0 <x@example.org>... No such user",
      "hard",
      "hard_bounce",
      "5.0.0",
    ],
    // Other permanent failures -> rejected (the rule: 5.1.x is the address, any other 5xx is a rejection).
    // Outlook.com says this for unknown mailboxes: 5.5.0 is generic, so the phrase decides.
    [
      "Outlook mailbox unavailable (5.5.0)",
      550,
      "550 5.5.0 Requested action not taken: mailbox unavailable",
      "hard",
      "hard_bounce",
      "5.5.0",
    ],
    [
      // RFC 3463: X.2.2 is a persistent transient failure; the owner can make room.
      "mailbox full (5.2.2): retried, like 4.2.2",
      552,
      "552 5.2.2 The email account that you tried to reach is over quota.",
      "soft",
      null,
      "5.2.2",
    ],
    [
      "Gmail spam",
      550,
      "550 5.7.1 [203.0.113.5] Our system has detected that this message is likely unsolicited mail.",
      "hard",
      "rejected",
      "5.7.1",
    ],
    ["spam, 554", 554, "554 5.7.1 Message rejected as spam by Content Filtering.", "hard", "rejected", "5.7.1"],
    ["message too big", 552, "552 5.3.4 Message size exceeds fixed limit", "hard", "rejected", "5.3.4"],
    [
      "DMARC policy",
      550,
      "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
      "hard",
      "rejected",
      "5.7.26",
    ],
    ["no enhanced code, policy", 554, "554 Transaction failed", "hard", "rejected", null],
    // 4xx -> soft
    ["Gmail rate limit", 421, "421 4.7.0 Try again later, closing connection.", "soft", null, "4.7.0"],
    ["greylisted", 451, "451 4.7.1 Greylisted, please try again in 300 seconds", "soft", null, "4.7.1"],
    [
      "temporary mailbox full",
      452,
      "452 4.2.2 The email account that you tried to reach is over quota.",
      "soft",
      null,
      "4.2.2",
    ],
    ["local error", 451, "451 Requested action aborted: local error in processing", "soft", null, null],
    [
      "service shutting down",
      421,
      "421 mx.example.org Service not available, closing transmission channel",
      "soft",
      null,
      null,
    ],
  ])("%s", (_name, code, text, kind, status, enhanced) => {
    const result = classifyReply(code, text);
    expect(result.kind).toBe(kind);
    expect(result.enhanced).toBe(enhanced);
    expect(result.code).toBe(code);
    if (result.kind === "hard") expect(result.status).toBe(status);
  });

  it("keeps the reply text, trimmed and capped at 1000 characters", () => {
    expect(classifyReply(550, "  550 5.1.1 no such user \r\n").text).toBe("550 5.1.1 no such user");
    expect(classifyReply(550, `550 5.7.1 ${"x".repeat(5000)}`).text).toHaveLength(1000);
  });

  it("treats a code outside 2xx-5xx as temporary (retrying is the safe choice)", () => {
    expect(classifyReply(0, "").kind).toBe("soft");
    expect(classifyReply(354, "354 go ahead").kind).toBe("soft");
    expect(classifyReply(600, "600 what").kind).toBe("soft");
  });
});

describe("enhancedCode", () => {
  it.each([
    ["550 5.1.1 no such user", "5.1.1"],
    ["550-5.1.1 first line\n550 5.1.1 last", "5.1.1"],
    ["Status: 5.2.2", "5.2.2"],
    ["550 5.1.10 RESOLVER.ADR.RecipientNotFound", "5.1.10"],
    ["451 4.7.1 greylisted", "4.7.1"],
    ["250 2.0.0 Ok", "2.0.0"],
    ["550 User unknown", null],
    ["", null],
    ["550 9.9.9 not a class", null],
    ["550 5.1.1234 too many digits", null],
    ["550 Connection from 10.5.1.7 rejected by policy", null],
    ["554 client 192.0.2.1 blocked (see 5.7.1)", "5.7.1"],
    ["550 version 1.5.1.2 of the filter says no", null],
  ])("%j -> %s", (text, expected) => {
    expect(enhancedCode(text)).toBe(expected);
  });
});

describe("an IP address in the reply is not an enhanced code", () => {
  it("keeps a policy refusal that names a 10.5.1.x client a rejection, not a hard bounce", () => {
    expect(classifyReply(550, "550 Connection from 10.5.1.7 rejected by policy")).toMatchObject({
      kind: "hard",
      status: "rejected",
      enhanced: null,
    });
  });
});

describe("isAddressFailure", () => {
  it.each([
    ["5.1.1", "", true],
    ["5.1.0", "", true],
    ["5.1.10", "", true],
    ["5.2.1", "", true],
    ["5.2.2", "mailbox full", false],
    ["5.7.1", "user unknown", false], // a specific non-address code wins over the words
    ["4.1.1", "", false],
    ["5.0.0", "no such user", true],
    ["5.0.0", "rejected", false],
    [null, "Recipient address rejected: User unknown", true],
    [null, "mailbox not found", true],
    [null, "Unknown recipient", true],
    [null, "Relay access denied", false],
  ] as const)("%s %j -> %s", (enhanced, text, expected) => {
    expect(isAddressFailure(enhanced, text)).toBe(expected);
  });
});

describe("classifyReply reasons", () => {
  it.each<[string, number, string, string, string]>([
    [
      "sender domain (5.1.8) is never the recipient's fault",
      553,
      "553 5.1.8 Domain of sender address x@y.example does not exist",
      "rejected",
      "sender_rejected",
    ],
    ["SPF failure of our domain", 550, "550 5.7.23 SPF validation failed", "rejected", "auth_failure"],
    ["unknown host is a hard bounce", 550, "550 Host unknown", "hard_bounce", "host_unknown"],
    [
      "a precise code beats a generic one",
      550,
      "550 5.0.0 <a@b.example>... User unknown",
      "hard_bounce",
      "user_unknown",
    ],
    ["our IP listed", 554, "554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org", "rejected", "blocked"],
  ])("%s", (_, code, text, status, reason) => {
    const result = classifyReply(code, text);
    expect(result.kind).toBe("hard");
    expect(result.kind === "hard" ? result.status : null).toBe(status);
    expect(result.kind === "hard" ? result.reason : null).toBe(reason);
  });

  it("keeps rate limits and full mailboxes soft, with their reason", () => {
    expect(classifyReply(550, "550 5.7.28 rate limited")).toMatchObject({ kind: "soft", reason: "rate_limited" });
    expect(classifyReply(552, "552 5.2.2 Mailbox full")).toMatchObject({ kind: "soft", reason: "mailbox_full" });
    expect(classifyReply(451, "451 4.7.1 Greylisted, try again later")).toMatchObject({ kind: "soft" });
  });
});
