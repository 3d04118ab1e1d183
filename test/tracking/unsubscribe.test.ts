import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/time/clock.js";
import { openPixelUrl, UNSUBSCRIBE_TTL_MS, unsubscribeUrl } from "../../src/tracking/links.js";
import { signToken } from "../../src/tracking/tokens.js";
import { describeEachDialect } from "../support/databases.js";
import { openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { insertContact, insertRecipient, optOutsOf } from "./fixtures.js";

const EVIL = `<script>alert("x")</script> & 'Oak'`;
const FORM = "application/x-www-form-urlencoded";

describeEachDialect("unsubscribe", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let a: TestTenant;
  let b: TestTenant;
  let aContact: string;
  let aRecipient: string;
  let bRecipient: string;

  const link = (tenantId: string, recipientId: string, at = clock.now()) =>
    unsubscribeUrl({ publicUrl: "", secretKey: t.config.secretKey }, tenantId, recipientId, at);
  const post = (url: string, payload: string, contentType = FORM) =>
    t.inject({ method: "POST", url, payload, headers: { "content-type": contentType } });

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0));
    t = await openTestApp(dialect, { clock });
    a = await t.newTenant(EVIL);
    b = await t.newTenant("Other Academy");
    aContact = await insertContact(t.db, a.id, clock.now());
    aRecipient = (await insertRecipient(t.db, a.id, { at: clock.now(), contactId: aContact })).recipientId;
    const bContact = await insertContact(t.db, b.id, clock.now());
    bRecipient = (await insertRecipient(t.db, b.id, { at: clock.now(), contactId: bContact })).recipientId;
  });
  afterAll(() => t.close());

  it("GET shows a confirm page and changes nothing, however often it is fetched", async () => {
    const url = link(a.id, aRecipient);
    for (const method of ["GET", "GET", "HEAD"] as const) {
      const res = await t.inject({ method, url });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.headers["content-security-policy"]).toContain("default-src 'none'");
      expect(res.headers["content-security-policy"]).toContain("form-action 'self'");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      if (method === "GET") {
        expect(res.body).toContain('<form method="post">');
        expect(res.body).toContain("announcements");
        expect(res.body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Oak&#39;");
        expect(res.body).not.toContain("<script>");
        expect(res.body).not.toMatch(/https?:\/\//);
        expect(res.body).toContain('name="viewport"');
      }
    }
    expect(await optOutsOf(t.db, a.id)).toEqual([]);
  });

  it("a one-click POST (RFC 8058) opts out at once, idempotently", async () => {
    const contact = await insertContact(t.db, a.id, clock.now());
    const r = await insertRecipient(t.db, a.id, { at: clock.now(), contactId: contact });
    const url = link(a.id, r.recipientId);
    const res = await post(url, "List-Unsubscribe=One-Click");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    const rows = (await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contact);
    expect(rows).toEqual([{ contact_id: contact, category: "announcement", source: "one_click", at: clock.now() }]);
    clock.advance(60_000);
    expect((await post(url, "List-Unsubscribe=One-Click")).statusCode).toBe(200);
    expect((await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contact)).toEqual(rows);
    // The page now says so, and no longer offers to unsubscribe from the same again.
    const page = await t.inject({ method: "GET", url });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("already unsubscribed");
    expect(page.body).not.toContain('value="unsubscribe"');
    expect(page.body).toContain('value="each"');
  });

  it("many one-click POSTs at once leave one opt-out", async () => {
    const contact = await insertContact(t.db, a.id, clock.now());
    const r = await insertRecipient(t.db, a.id, { at: clock.now(), contactId: contact });
    const url = link(a.id, r.recipientId);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(url, "List-Unsubscribe=One-Click")));
    expect(answers.map((x) => x.statusCode)).toEqual(Array(10).fill(200));
    expect((await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contact)).toHaveLength(1);
  });

  it("one-click as multipart/form-data works too", async () => {
    const contact = await insertContact(t.db, a.id, clock.now());
    const r = await insertRecipient(t.db, a.id, { at: clock.now(), contactId: contact });
    const body = '--XyZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--XyZ--\r\n';
    const res = await post(link(a.id, r.recipientId), body, "multipart/form-data; boundary=XyZ");
    expect(res.statusCode).toBe(200);
    expect((await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contact)).toHaveLength(1);
  });

  it("the page's form opts out with source link and answers with a page", async () => {
    const contact = await insertContact(t.db, a.id, clock.now());
    const r = await insertRecipient(t.db, a.id, { at: clock.now(), contactId: contact, category: "scheduled" });
    const res = await post(link(a.id, r.recipientId), "confirm=yes");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain("You are unsubscribed");
    expect(res.body).toContain("scheduled messages");
    expect((await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contact)).toEqual([
      { contact_id: contact, category: "scheduled", source: "link", at: clock.now() },
    ]);
  });

  it("refuses tampered, expired, wrong-purpose and other-tenant tokens; nothing changes", async () => {
    const before = await optOutsOf(t.db, a.id);
    const good = link(a.id, aRecipient);
    const token = good.slice(3);
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === "A" ? "B" : "A"}${s.slice(i + 1)}`;
    const cases: Array<[string, number]> = [
      [`/u/${flip(token, token.length - 2)}`, 403],
      [`/u/${flip(token, 10)}`, 403],
      [`/u/${token}x`, 403],
      ["/u/not-a-token", 403],
      [`/u/${"a".repeat(3000)}`, 403],
      [`/u/${token}/extra`, 403],
      ["/u/%0d%0aSet-Cookie:%20x=1", 403],
      [link(a.id, aRecipient, clock.now() - UNSUBSCRIBE_TTL_MS - 1), 410],
      // A genuine open-pixel token for the same recipient is not an unsubscribe token.
      [
        `/u/${openPixelUrl({ publicUrl: "", secretKey: t.config.secretKey }, a.id, aRecipient, clock.now()).slice(3, -4)}`,
        403,
      ],
      // Signed for tenant B but naming A's recipient, and the reverse: no such recipient there.
      [link(b.id, aRecipient), 404],
      [link(a.id, bRecipient), 404],
      // Signed with another secret.
      [
        `/u/${signToken("another-secret-0123456789-abcdefghijklmnop", { purpose: "unsubscribe", tenantId: a.id, expiresAt: clock.now() + 1e9, data: { r: aRecipient } })}`,
        403,
      ],
    ];
    for (const [url, status] of cases) {
      const get = await t.inject({ method: "GET", url });
      expect(get.statusCode, `GET ${url}`).toBe(status);
      expect(get.headers["content-type"]).toMatch(/^text\/html/);
      expect(get.body).not.toContain("Oak");
      expect((await post(url, "List-Unsubscribe=One-Click")).statusCode, `POST ${url}`).toBe(status);
      expect((await post(url, "confirm=yes")).statusCode, `POST form ${url}`).toBe(status);
    }
    expect(await optOutsOf(t.db, a.id)).toEqual(before);
    expect(await optOutsOf(t.db, b.id)).toEqual([]);
  });

  it("plain API mail (no contact) and transactional mail cannot be unsubscribed from", async () => {
    const plain = await insertRecipient(t.db, a.id, { at: clock.now(), contactId: null });
    const res = await t.inject({ method: "GET", url: link(a.id, plain.recipientId) });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("not to a mailing list");
    expect((await post(link(a.id, plain.recipientId), "List-Unsubscribe=One-Click")).statusCode).toBe(404);
    const contact = await insertContact(t.db, a.id, clock.now());
    const reset = await insertRecipient(t.db, a.id, {
      at: clock.now(),
      contactId: contact,
      category: "password_reset_parent",
    });
    expect((await t.inject({ method: "GET", url: link(a.id, reset.recipientId) })).statusCode).toBe(409);
    expect((await post(link(a.id, reset.recipientId), "List-Unsubscribe=One-Click")).statusCode).toBe(409);
    expect((await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contact)).toEqual([]);
  });

  it("refuses oversized, malformed and non-form bodies; nothing changes", async () => {
    const before = await optOutsOf(t.db, a.id);
    const url = link(a.id, aRecipient);
    const cases: Array<[string, string, number]> = [
      [`List-Unsubscribe=One-Click&pad=${"x".repeat(5000)}`, FORM, 413],
      ["List-Unsubscribe=Two-Clicks", FORM, 400],
      ["list-unsubscribe=One-Click", FORM, 400],
      ["", FORM, 400],
      ["confirm=no", FORM, 400],
      [Array.from({ length: 20 }, (_, i) => `f${i}=1`).join("&"), FORM, 400],
      ['{"List-Unsubscribe":"One-Click"}', "application/json", 415],
      ["List-Unsubscribe=One-Click", "text/plain", 415],
      ["List-Unsubscribe=One-Click", "application/xml", 415],
      ["no boundary", "multipart/form-data", 400],
      ["--B\r\nbroken", "multipart/form-data; boundary=B", 400],
    ];
    for (const [payload, type, status] of cases) {
      const res = await post(url, payload, type);
      expect(res.statusCode, `${type} ${payload.slice(0, 40)}`).toBe(status);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
    }
    expect(await optOutsOf(t.db, a.id)).toEqual(before);
  });

  it("leaves the JSON API strict: form bodies are still refused there", async () => {
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: { ...a.auth(), "content-type": FORM },
      payload: "to=parent@example.test&subject=x",
    });
    expect(res.statusCode).toBe(415);
    expect(JSON.parse(res.body).error.code).toBe("unsupported_media_type");
  });

  it("unsubscribe tokens fit the router's path limit", () => {
    expect(link(a.id, aRecipient).length - 3).toBeLessThan(200);
  });
});

describe("unsubscribe links are not API routes", () => {
  it("are hidden from the OpenAPI document", async () => {
    const t = await openTestApp("sqlite");
    try {
      const doc = JSON.parse((await t.inject({ method: "GET", url: "/openapi.json" })).body);
      expect(Object.keys(doc.paths).filter((p) => p.startsWith("/u/") || p.startsWith("/o/"))).toEqual([]);
      expect(Object.keys(doc.paths)).toContain("/v1/suppressions");
    } finally {
      await t.close();
    }
  });
});
