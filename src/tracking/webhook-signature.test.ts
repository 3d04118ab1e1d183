import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, verifyWebhook } from "./webhook-signature.js";

// The example from the Standard Webhooks specification and its reference libraries.
const SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SPEC_TS = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

describe("webhook signatures", () => {
  it("match the Standard Webhooks reference example", () => {
    expect(signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY)).toBe(SPEC_SIGNATURE);
  });

  it("verify within the tolerance, with several signatures in the header", () => {
    const headers = { id: SPEC_ID, timestamp: String(SPEC_TS), signature: `v1,bm9wZQ== ${SPEC_SIGNATURE}` };
    expect(verifyWebhook(SPEC_SECRET, headers, SPEC_BODY, SPEC_TS + 10)).toBe(true);
    expect(verifyWebhook(SPEC_SECRET, headers, SPEC_BODY, SPEC_TS + 301)).toBe(false);
    expect(verifyWebhook(SPEC_SECRET, headers, `${SPEC_BODY} `, SPEC_TS)).toBe(false);
    expect(verifyWebhook(SPEC_SECRET, { ...headers, id: "msg_other" }, SPEC_BODY, SPEC_TS)).toBe(false);
    expect(verifyWebhook(SPEC_SECRET, { ...headers, timestamp: "1614265330.0" }, SPEC_BODY, SPEC_TS)).toBe(false);
    expect(verifyWebhook(newWebhookSecret(), headers, SPEC_BODY, SPEC_TS)).toBe(false);
  });

  it("makes secrets of 24 random bytes", () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.slice(6), "base64")).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
