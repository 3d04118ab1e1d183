import { describe, expect, it } from "vitest";
import {
  FAILURE_PHRASES,
  FAILURE_REASONS,
  failureReason,
  reasonForCode,
  reasonForText,
  statusForReason,
} from "./failure-reasons.js";

describe("the failure phrase table", () => {
  it.each(FAILURE_PHRASES.map((phrase) => [`${phrase.reason} (${phrase.lang}, ${phrase.source})`, phrase] as const))(
    "%s: its example is read as its reason",
    (_, phrase) => {
      expect(phrase.pattern.test(phrase.example)).toBe(true);
      expect(reasonForText(phrase.example)).toBe(phrase.reason);
      expect(phrase.source.length).toBeGreaterThan(3);
      expect(phrase.pattern.flags).not.toContain("g");
    },
  );

  it("covers every reason but `other` with at least one phrase", () => {
    const covered = new Set(FAILURE_PHRASES.map((p) => p.reason));
    for (const reason of FAILURE_REASONS) if (reason !== "other") expect(covered, reason).toContain(reason);
  });

  it("has phrases in several languages", () => {
    expect(new Set(FAILURE_PHRASES.map((p) => p.lang)).size).toBeGreaterThanOrEqual(8);
  });
});

describe("failureReason", () => {
  it("prefers a precise code to a generic one", () => {
    expect(failureReason("550 5.1.1 <a@b.example>... User unknown", ["5.0.0", "5.1.1"])).toBe("user_unknown");
    expect(failureReason("552 5.2.2 Mailbox full", ["4.0.0", "5.2.2"])).toBe("mailbox_full");
  });

  it("reads a sender problem as the sender's, whatever the code", () => {
    expect(failureReason("553 5.1.8 Domain of sender address x@y.example does not exist", ["5.1.8"])).toBe(
      "sender_rejected",
    );
    expect(failureReason("550 5.1.0 <bounce@mailer.example> sender rejected", ["5.1.0"])).toBe("sender_rejected");
    expect(failureReason("550 5.7.1 SPF check failed for example.org", ["5.7.1"])).toBe("auth_failure");
  });

  it("lets a phrase refine a generic policy code", () => {
    expect(failureReason("550 5.7.1 Message rejected as spam", ["5.7.1"])).toBe("spam_detected");
    expect(failureReason("554 5.7.1 Client host blocked using zen.spamhaus.org", ["5.7.1"])).toBe("blocked");
  });

  it("falls back to the code, then to other", () => {
    expect(failureReason("550 nope", ["5.1.2"])).toBe("host_unknown");
    expect(failureReason("550 nope", [])).toBe("other");
    expect(reasonForCode("4.4.7")).toBe("expired");
    expect(reasonForCode("5.0.0")).toBeUndefined();
  });

  it("stays fast on hostile text", () => {
    const text = `${"a".repeat(200_000)} user ${"b ".repeat(100_000)}`;
    const started = performance.now();
    failureReason(text, []);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("statusForReason", () => {
  it("keeps the project's rule", () => {
    expect(statusForReason("user_unknown", 5)).toBe("hard_bounce");
    expect(statusForReason("host_unknown", undefined)).toBe("hard_bounce");
    expect(statusForReason("mailbox_disabled", 5)).toBe("hard_bounce");
    expect(statusForReason("user_unknown", 4)).toBe("soft_bounce");
    expect(statusForReason("mailbox_full", 5)).toBe("soft_bounce");
    expect(statusForReason("expired", 5)).toBe("soft_bounce");
    expect(statusForReason("rate_limited", 5)).toBe("soft_bounce");
    expect(statusForReason("network_error", undefined)).toBe("soft_bounce");
    expect(statusForReason("network_error", 5)).toBe("rejected");
    expect(statusForReason("blocked", 4)).toBe("soft_bounce");
    for (const reason of ["sender_rejected", "auth_failure", "relaying_denied", "blocked", "policy"] as const) {
      expect(statusForReason(reason, 5)).toBe("rejected");
    }
  });
});
