import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import {
  type ErrorReply,
  expectRefused,
  json,
  nothingStored,
  openTestApp,
  storedCounts,
  TEST_MAX_MESSAGE_BYTES,
  TEST_MAX_RECIPIENTS,
  type TestApp,
  validMessage,
} from "../support/test-app.js";

/** One refused request: either a JSON body (merged into a valid message) or a raw payload. */
interface Case {
  readonly name: string;
  readonly body?: Record<string, unknown>;
  readonly raw?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly code: string;
  /** A `details[].path` the answer should point at. */
  readonly path?: string;
}

const without = (field: string): Record<string, unknown> => {
  const { [field]: _, ...rest } = validMessage();
  return rest;
};

const addresses = (n: number) => Array.from({ length: n }, (_, i) => `parent${i}@example.com`);
const base64Of = (bytes: number) => Buffer.alloc(bytes, 7).toString("base64");

const cases: Case[] = [
  // Not JSON, or not an object.
  { name: "invalid JSON", raw: '{"to": ["a@example.com"], "subject": ', status: 400, code: "invalid_json" },
  {
    name: "trailing garbage after the JSON",
    raw: `${JSON.stringify(validMessage())} x`,
    status: 400,
    code: "invalid_json",
  },
  { name: "an empty body declared as JSON", raw: "", status: 400, code: "invalid_json" },
  { name: "a JSON array", raw: "[]", status: 400, code: "invalid_request" },
  { name: "JSON null", raw: "null", status: 400, code: "invalid_request" },
  {
    name: "a __proto__ key (prototype poisoning)",
    raw: `{"__proto__": {"isAdmin": true}, "to": ["a@example.com"], "subject": "s", "text": "t", "category": "alert"}`,
    status: 400,
    code: "invalid_json",
  },
  {
    name: "a constructor.prototype key (constructor poisoning)",
    raw: `{"constructor": {"prototype": {"isAdmin": true}}, "to": ["a@example.com"], "subject": "s", "text": "t", "category": "alert"}`,
    status: 400,
    code: "invalid_json",
  },
  {
    name: "a nested __proto__ key",
    raw: `{"to": [{"email": "a@example.com", "__proto__": {"x": 1}}], "subject": "s", "text": "t", "category": "alert"}`,
    status: 400,
    code: "invalid_json",
  },
  // Content types.
  {
    name: "JSON sent as text/plain",
    raw: JSON.stringify(validMessage()),
    contentType: "text/plain",
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "a form post",
    raw: "to=a%40example.com&subject=s",
    contentType: "application/x-www-form-urlencoded",
    status: 415,
    code: "unsupported_media_type",
  },
  { name: "XML", raw: "<message/>", contentType: "application/xml", status: 415, code: "unsupported_media_type" },
  // Fields the API does not know.
  { name: "an unknown top-level field", body: validMessage({ priority: "high" }), status: 400, code: "unknown_field" },
  {
    name: "a misspelt optional field",
    body: validMessage({ reply_to: "office@example.com" }),
    status: 400,
    code: "unknown_field",
    path: "/reply_to",
  },
  // Validation stops at the first error, and `required` comes first: a misspelt required
  // field reads as the field missing.
  {
    name: "a misspelt required field",
    body: { ...without("subject"), subjet: "Trip" },
    status: 400,
    code: "invalid_request",
  },
  {
    name: "an unknown field in a recipient object",
    body: validMessage({ to: [{ email: "a@example.com", nmae: "Typo" }] }),
    status: 400,
    code: "unknown_field",
  },
  {
    name: "an unknown field in an attachment",
    body: validMessage({ attachments: [{ filename: "a.txt", content: "aGk=", encoding: "base64" }] }),
    status: 400,
    code: "unknown_field",
  },
  // Missing and mistyped fields.
  { name: "no to", body: without("to"), status: 400, code: "invalid_request" },
  { name: "an empty to", body: validMessage({ to: [] }), status: 400, code: "invalid_request" },
  { name: "no subject", body: without("subject"), status: 400, code: "invalid_request" },
  { name: "an empty subject", body: validMessage({ subject: "" }), status: 400, code: "invalid_request" },
  { name: "no category", body: without("category"), status: 400, code: "invalid_request" },
  { name: "to as a string", body: validMessage({ to: "a@example.com" }), status: 400, code: "invalid_request" },
  { name: "a number as a recipient", body: validMessage({ to: [42] }), status: 400, code: "invalid_request" },
  { name: "a numeric subject", body: validMessage({ subject: 12 }), status: 400, code: "invalid_request" },
  { name: "a boolean text", body: validMessage({ text: true }), status: 400, code: "invalid_request" },
  { name: "a null category", body: validMessage({ category: null }), status: 400, code: "invalid_request" },
  { name: "headers as an array", body: validMessage({ headers: ["X-A: 1"] }), status: 400, code: "invalid_request" },
  {
    name: "a numeric header value",
    body: validMessage({ headers: { "X-Count": 3 } }),
    status: 400,
    code: "invalid_request",
  },
  { name: "attachments as an object", body: validMessage({ attachments: {} }), status: 400, code: "invalid_request" },
  { name: "no text and no html", body: without("text"), status: 400, code: "invalid_request" },
  // Text fields that are not addresses: too long is a bad request, not a bad address.
  {
    name: "a subject over 998 characters",
    body: validMessage({ subject: "s".repeat(999) }),
    status: 400,
    code: "invalid_request",
    path: "/subject",
  },
  { name: "a subject of only spaces", body: validMessage({ subject: "   " }), status: 400, code: "invalid_request" },
  {
    name: "a custom header value over 998 characters",
    body: validMessage({ headers: { "X-Long": "v".repeat(999) } }),
    status: 400,
    code: "invalid_request",
    path: "/headers/X-Long",
  },
  // Addresses.
  {
    name: "an IPv4 address literal (a private address, past DNS and the relay's routing)",
    body: validMessage({ to: ["parent@example.com", "root@[10.1.2.3]"] }),
    status: 400,
    code: "invalid_address",
    path: "/to/1",
  },
  {
    name: "an address literal naming the cloud metadata service",
    body: validMessage({ cc: [{ email: "x@[169.254.169.254]" }] }),
    status: 400,
    code: "invalid_address",
    path: "/cc/0/email",
  },
  {
    name: "an IPv6 address literal",
    body: validMessage({ bcc: ["x@[IPv6:::1]"] }),
    status: 400,
    code: "invalid_address",
  },
  {
    name: "an address with no @",
    body: validMessage({ to: ["parent.example.com"] }),
    status: 400,
    code: "invalid_address",
    path: "/to/0",
  },
  {
    name: "an address with a space",
    body: validMessage({ to: ["par ent@example.com"] }),
    status: 400,
    code: "invalid_address",
  },
  {
    name: "a name-addr where a bare address belongs",
    body: validMessage({ to: ["Parent <parent@example.com>"] }),
    status: 400,
    code: "invalid_address",
  },
  {
    name: "a 300-character address",
    body: validMessage({ to: [`${"a".repeat(60)}@${"b".repeat(230)}.com`] }),
    status: 400,
    code: "invalid_address",
  },
  {
    name: "a local part over 64 bytes",
    body: validMessage({ to: [`${"a".repeat(65)}@example.com`] }),
    status: 400,
    code: "invalid_address",
  },
  { name: "two @", body: validMessage({ to: ["a@b@example.com"] }), status: 400, code: "invalid_address" },
  {
    name: "a domain with no dot",
    body: validMessage({ to: ["parent@localhost"] }),
    status: 400,
    code: "invalid_address",
  },
  { name: "an empty bare address", body: validMessage({ to: [""] }), status: 400, code: "invalid_address" },
  {
    name: "one bad address among good ones",
    body: validMessage({ to: ["good@example.com"], cc: ["bad@"] }),
    status: 400,
    code: "invalid_address",
    path: "/cc/0",
  },
  {
    name: "an invalid bcc address in object form",
    body: validMessage({ bcc: [{ email: "nope", name: "N" }] }),
    status: 400,
    code: "invalid_address",
    path: "/bcc/0/email",
  },
  { name: "an invalid replyTo", body: validMessage({ replyTo: "nope" }), status: 400, code: "invalid_address" },
  {
    name: "From on another domain",
    body: validMessage({ from: "head@another-school.example" }),
    status: 400,
    code: "from_not_allowed",
    path: "/from",
  },
  {
    name: "From on a subdomain of the sending domain",
    body: validMessage({ from: "head@evil.postbag.localhost" }),
    status: 400,
    code: "from_not_allowed",
  },
  {
    name: "From on the sending domain other than noreply@",
    body: validMessage({ from: "oakwood@postbag.localhost" }),
    status: 400,
    code: "from_not_allowed",
  },
  // Header injection: CR/LF (or any control character) in anything that becomes a header.
  {
    name: "CR/LF in the subject",
    body: validMessage({ subject: "Trip\r\nBcc: victim@example.com" }),
    status: 400,
    code: "header_injection",
    path: "/subject",
  },
  {
    name: "a bare LF in the subject",
    body: validMessage({ subject: "Trip\nX: y" }),
    status: 400,
    code: "header_injection",
  },
  {
    name: "CR/LF in a display name",
    body: validMessage({ to: [{ email: "a@example.com", name: "Mum\r\nBcc: victim@example.com" }] }),
    status: 400,
    code: "header_injection",
    path: "/to/0/name",
  },
  {
    name: "CR/LF in the From name",
    body: validMessage({ from: { email: "noreply@postbag.localhost", name: "Office\r\nX-Evil: 1" } }),
    status: 400,
    code: "header_injection",
  },
  {
    name: "CR/LF in a custom header value",
    body: validMessage({ headers: { "X-Class": "4B\r\nBcc: victim@example.com" } }),
    status: 400,
    code: "header_injection",
    path: "/headers/X-Class",
  },
  {
    name: "CR/LF in an address",
    body: validMessage({ to: ["a@example.com\r\nBcc: victim@example.com"] }),
    status: 400,
    code: "header_injection",
    path: "/to/0",
  },
  {
    name: "LF in an object-form address",
    body: validMessage({ cc: [{ email: "a@example.com\nX: y" }] }),
    status: 400,
    code: "header_injection",
  },
  {
    name: "CR/LF in the replyTo address",
    body: validMessage({ replyTo: "a@example.com\r\nBcc: v@example.com" }),
    status: 400,
    code: "header_injection",
  },
  {
    name: "U+0085 NEXT LINE in the subject",
    body: validMessage({ subject: "Trip\u0085Bcc: v@example.com" }),
    status: 400,
    code: "header_injection",
  },
  // Header names Postbag writes itself.
  {
    name: "a Bcc header",
    body: validMessage({ headers: { Bcc: "victim@example.com" } }),
    status: 400,
    code: "header_not_allowed",
  },
  {
    name: "a Content-Type header",
    body: validMessage({ headers: { "Content-Type": "text/html" } }),
    status: 400,
    code: "header_not_allowed",
  },
  {
    name: "an X-Postbag- header",
    body: validMessage({ headers: { "X-Postbag-Foo": "1" } }),
    status: 400,
    code: "header_not_allowed",
  },
  {
    name: "an X-Postbag- header in lower case",
    body: validMessage({ headers: { "x-postbag-tenant": "other" } }),
    status: 400,
    code: "header_not_allowed",
  },
  {
    name: "a header name with a colon",
    body: validMessage({ headers: { "X-A: b\r\nBcc": "v@example.com" } }),
    status: 400,
    code: "header_not_allowed",
  },
  // Categories.
  {
    name: "an unknown category",
    body: validMessage({ category: "newsletter" }),
    status: 400,
    code: "unknown_category",
  },
  {
    name: "the reserved notice category",
    body: validMessage({ category: "notice" }),
    status: 400,
    code: "unknown_category",
  },
  {
    name: "a category in the wrong case",
    body: validMessage({ category: "Alert" }),
    status: 400,
    code: "unknown_category",
  },
  // Limits.
  {
    name: "a text body over the configured message size",
    body: validMessage({ text: "x".repeat(TEST_MAX_MESSAGE_BYTES + 1) }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "an attachment that takes the message over the configured size",
    body: validMessage({ attachments: [{ filename: "big.pdf", content: base64Of(TEST_MAX_MESSAGE_BYTES) }] }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "several attachments that together exceed the size",
    body: validMessage({
      attachments: [
        { filename: "a.pdf", content: base64Of(TEST_MAX_MESSAGE_BYTES / 2) },
        { filename: "b.pdf", content: base64Of(TEST_MAX_MESSAGE_BYTES / 2) },
      ],
    }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a body over the HTTP body limit",
    body: validMessage({ text: "x".repeat(TEST_MAX_MESSAGE_BYTES * 5) }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "one recipient too many",
    body: validMessage({ to: addresses(TEST_MAX_RECIPIENTS + 1) }),
    status: 400,
    code: "too_many_recipients",
  },
  {
    name: "too many recipients across to, cc and bcc",
    body: validMessage({ to: addresses(20), cc: addresses(20), bcc: addresses(TEST_MAX_RECIPIENTS - 39) }),
    status: 400,
    code: "too_many_recipients",
  },
  // Attachments.
  {
    name: "an attachment that is not base64",
    body: validMessage({ attachments: [{ filename: "a.txt", content: "this is not base64!" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  {
    name: "base64 with a bad length",
    body: validMessage({ attachments: [{ filename: "a.txt", content: "aGVsbG8" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  {
    name: "an .exe attachment",
    body: validMessage({ attachments: [{ filename: "setup.exe", content: "TVqQ" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  {
    name: "an .exe attachment named as its NTFS data stream",
    body: validMessage({ attachments: [{ filename: "a.exe::$DATA", content: "TVqQ" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  {
    name: "an .exe attachment with trailing dots and spaces",
    body: validMessage({ attachments: [{ filename: "a.exe . .", content: "TVqQ" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  {
    name: "a script attachment with an upper-case extension",
    body: validMessage({ attachments: [{ filename: "Report.PDF.JS", content: "YQ==" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  {
    name: "an attachment filename with a path",
    body: validMessage({ attachments: [{ filename: "../../etc/passwd", content: "YQ==" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  {
    name: "an attachment filename with CR/LF",
    body: validMessage({ attachments: [{ filename: "a.txt\r\nContent-Type: text/html", content: "YQ==" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  {
    name: "an attachment content type with a parameter smuggled in",
    body: validMessage({ attachments: [{ filename: "a.txt", content: "YQ==", contentType: "text/plain\r\nX: y" }] }),
    status: 400,
    code: "invalid_attachment",
  },
  // Bodies: PostgreSQL refuses NUL in text, so C0 controls other than TAB, CR, LF are refused.
  ...[
    ["text", "a NUL", "before\u0000after"],
    ["text", "an ESC", "\u001b[31mred"],
    ["text", "a vertical tab", "a\u000bb"],
    ["html", "a NUL", "<p>\u0000</p>"],
    ["html", "a backspace", "<p>a\u0008</p>"],
    ["html", "a unit separator", "<p>\u001f</p>"],
  ].map(
    ([field, what, value]): Case => ({
      name: `${what} in ${field}`,
      body: validMessage({ [field as string]: value }),
      status: 400,
      code: "invalid_request",
      path: `/${field}`,
    }),
  ),
  // Idempotency-Key.
  {
    name: "an Idempotency-Key with a control character",
    body: validMessage(),
    headers: { "idempotency-key": "key\tone" },
    status: 400,
    code: "invalid_request",
  },
  {
    name: "an Idempotency-Key with a space",
    body: validMessage(),
    headers: { "idempotency-key": "key one" },
    status: 400,
    code: "invalid_request",
  },
  {
    name: "an Idempotency-Key over 200 characters",
    body: validMessage(),
    headers: { "idempotency-key": "k".repeat(201) },
    status: 400,
    code: "invalid_request",
  },
];

describe.each(dialects)("POST /v1/messages, refused [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(cases)("$name -> $status $code, nothing stored", async (c) => {
    const tenant = await t.newTenant();
    const headers: Record<string, string> = { ...tenant.auth(), ...c.headers };
    const res =
      c.raw !== undefined
        ? await t.inject({
            method: "POST",
            url: "/v1/messages",
            headers: { ...headers, "content-type": c.contentType ?? "application/json" },
            payload: c.raw,
          })
        : await t.inject({ method: "POST", url: "/v1/messages", headers, payload: c.body ?? {} });
    const body = await expectRefused(t, tenant.id, res, c.status, c.code);
    if (c.path !== undefined) expect(body.error.details?.map((d) => d.path)).toContain(c.path);
  });

  it("a body with no Content-Type at all is refused", async () => {
    const tenant = await t.newTenant();
    const res = await t.inject({ method: "POST", url: "/v1/messages", headers: tenant.auth() });
    await expectRefused(t, tenant.id, res, 400, "invalid_request");
  });

  it("a refused request in the same group commit as accepted ones leaves them stored", async () => {
    const tenant = await t.newTenant();
    const results = await Promise.all([
      t.inject({ method: "POST", url: "/v1/messages", headers: tenant.auth(), payload: validMessage() }),
      t.inject({
        method: "POST",
        url: "/v1/messages",
        headers: tenant.auth(),
        payload: validMessage({ subject: "a\r\nb" }),
      }),
      t.inject({ method: "POST", url: "/v1/messages", headers: tenant.auth(), payload: validMessage() }),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([202, 400, 202]);
    const rows = await t.db.selectFrom("messages").select("subject").where("tenant_id", "=", tenant.id).execute();
    expect(rows.map((r) => r.subject)).toEqual(["School trip on Friday", "School trip on Friday"]);
  });

  it("a NUL in one tenant's body does not fail another tenant's message in the same group commit", async () => {
    const a = await t.newTenant();
    const b = await t.newTenant();
    const [bad, good] = await Promise.all([
      t.inject({ method: "POST", url: "/v1/messages", headers: a.auth(), payload: validMessage({ text: "x\u0000y" }) }),
      t.inject({
        method: "POST",
        url: "/v1/messages",
        headers: b.auth(),
        payload: validMessage({ subject: "From B" }),
      }),
    ]);
    expect(bad?.statusCode, bad?.body).toBe(400);
    expect(json<ErrorReply>(bad as LightMyRequestResponse).error).toMatchObject({
      code: "invalid_request",
      details: [{ path: "/text" }],
    });
    expect(good?.statusCode, good?.body).toBe(202);
    const rows = await t.db.selectFrom("messages").select("subject").where("tenant_id", "=", b.id).execute();
    expect(rows).toEqual([{ subject: "From B" }]);
    expect(await storedCounts(t.db, a.id)).toEqual(nothingStored);
  });

  it("a long unknown category is quoted cut to 80 characters, never splitting a character", async () => {
    const tenant = await t.newTenant();
    const category = `${"c".repeat(79)}\u{1F600}and more`;
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ category }),
    });
    const body = await expectRefused(t, tenant.id, res, 400, "unknown_category");
    // The cut falls inside the emoji's surrogate pair: the half is dropped, not escaped.
    expect(body.error.message).toBe(`unknown category "${"c".repeat(79)}"…`);
  });

  it("TAB, CR and LF in text and html are accepted and stored as sent", async () => {
    const tenant = await t.newTenant();
    const text = "line one\r\n\tline two\nline three";
    const html = "<p>\tone</p>\r\n<p>two</p>\n";
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ text, html }),
    });
    expect(res.statusCode, res.body).toBe(202);
    const row = await t.db
      .selectFrom("messages")
      .select(["text_body", "html_body"])
      .where("tenant_id", "=", tenant.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ text_body: text, html_body: html });
  });

  it("a message exactly at the size limit is accepted", async () => {
    const tenant = await t.newTenant();
    const subject = "S";
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ subject, text: "x".repeat(TEST_MAX_MESSAGE_BYTES - subject.length) }),
    });
    expect(res.statusCode, res.body).toBe(202);
  });

  it("exactly the maximum number of recipients is accepted", async () => {
    const tenant = await t.newTenant();
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ to: addresses(TEST_MAX_RECIPIENTS) }),
    });
    expect(res.statusCode, res.body).toBe(202);
  });
});
