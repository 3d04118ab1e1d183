import { afterAll, beforeAll, expect, it } from "vitest";
import { importMessage, readMessage } from "../../src/mailboxes/import-message.js";
import { readMailboxState, tenantMailbox } from "../../src/mailboxes/mailbox-state.js";
import type { TenantRole } from "../../src/tenants/tenants.js";
import { describeEachDialect } from "../support/databases.js";
import { SECRET_KEY } from "../support/delivery.js";
import type { Dovecot } from "../support/dovecot.js";
import { plainMessage, receiveSettings, saveReceiving, sentMessage } from "../support/mailboxes.js";
import { json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";

interface Item {
  id: string;
  kind: string;
  subject: string | null;
  fromAddress: string | null;
}
interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

/** Stores a raw message into the tenant's inbox the way the poller does. */
async function store(t: TestApp, tenantId: string, raw: string, sourceKey: string): Promise<string> {
  const read = await readMessage(sourceKey, Buffer.from(raw), 1_000_000);
  const result = await t.db
    .transaction()
    .execute((tx) => importMessage(tx, tenantMailbox(tenantId), read, { secretKey: SECRET_KEY, now: t.clock.now() }));
  if (!result.stored) throw new Error("not stored");
  return result.id;
}

const fakeDovecot = { host: "127.0.0.1", imapPort: 143, pop3Port: 110 } as unknown as Dovecot;

describeEachDialect("Inbox API", (dialect) => {
  let t: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  let replyId: string;
  let htmlId: string;
  let messageId: string;
  let contactId: string;
  let recipientId: string;
  let otherId: string;

  beforeAll(async () => {
    t = await openTestApp(dialect, { env: { POSTBAG_SECRET_KEY: SECRET_KEY } });
    tenant = await t.newTenant("Oakwood");
    other = await t.newTenant("Elsewhere");
    const sent = await sentMessage(t.database, t.clock, tenant.id, ["mum@example.org"]);
    messageId = sent.messageId;
    contactId = sent.recipients[0]?.contactId ?? "";
    recipientId = sent.recipients[0]?.id ?? "";
    replyId = await store(
      t,
      tenant.id,
      plainMessage({
        from: "Mum <mum@example.org>",
        subject: "Re: 100% sure",
        headers: [`In-Reply-To: ${sent.messageIdHeader}`],
        body: "Yes, she will come.",
      }),
      "imap:1:1",
    );
    htmlId = await store(
      t,
      tenant.id,
      [
        "From: newsletter@example.org",
        "Subject: Offer",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/html; charset=utf-8",
        "",
        '<p onclick="steal()">Hi <b>there</b><script>alert(1)</script><img src="https://tracker.example/p.gif"><a href="javascript:alert(1)">x</a><a href="https://example.org/">ok</a><iframe src="https://evil.example"></iframe></p>',
        "--b",
        "Content-Type: text/html",
        'Content-Disposition: attachment; filename="evil\\"; x=\\"y\u00e9.html"',
        "",
        "<script>alert(document.cookie)</script>",
        "--b",
        "Content-Type: application/pdf",
        'Content-Disposition: attachment; filename="report.pdf"',
        "",
        "%PDF-1.4",
        "--b--",
        "",
      ].join("\r\n"),
      "imap:1:2",
    );
    await store(t, tenant.id, plainMessage({ from: "auto@example.org", subject: "Out of Office: away" }), "imap:1:3");
    otherId = await store(
      t,
      other.id,
      plainMessage({ from: "secret@example.org", subject: "Other tenant" }),
      "imap:9:1",
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, role: TenantRole = "staff", who: TestTenant = tenant) =>
    t.inject({ method: "GET", url, headers: who.auth(role) });

  it("lists newest first, pages with a cursor, filters by kind and searches", async () => {
    const all = json<PageOf<Item>>(await get("/v1/inbox"));
    expect(all.items.map((i) => [i.kind, i.fromAddress])).toEqual([
      ["auto_reply", "auto@example.org"],
      ["other", "newsletter@example.org"],
      ["reply", "mum@example.org"],
    ]);
    const first = json<PageOf<Item>>(await get("/v1/inbox?limit=2"));
    expect(first.items).toHaveLength(2);
    const second = json<PageOf<Item>>(await get(`/v1/inbox?limit=2&cursor=${first.nextCursor}`));
    expect(second.items.map((i) => i.id)).toEqual([replyId]);
    expect(second.nextCursor).toBeNull();
    expect(json<PageOf<Item>>(await get("/v1/inbox?kind=reply")).items.map((i) => i.id)).toEqual([replyId]);
    expect(json<PageOf<Item>>(await get("/v1/inbox?search=100%25")).items.map((i) => i.id)).toEqual([replyId]);
    expect(json<PageOf<Item>>(await get("/v1/inbox?search=SHE%20WILL")).items.map((i) => i.id)).toEqual([replyId]);
    // An HTML-only message beside attachments is searched in the text of its HTML, not its markup.
    expect(json<PageOf<Item>>(await get("/v1/inbox?search=hi%20there")).items.map((i) => i.id)).toEqual([htmlId]);
    expect(json<PageOf<Item>>(await get("/v1/inbox?search=tracker.example")).items).toEqual([]);
    // `%` and `_` are literal: they match nothing else.
    expect(json<PageOf<Item>>(await get("/v1/inbox?search=_")).items).toEqual([]);
  });

  it("leaves out auto-replies and reports with automatic=false, and shows only them with true", async () => {
    const people = json<PageOf<Item>>(await get("/v1/inbox?automatic=false"));
    expect(people.items.map((i) => i.kind)).toEqual(["other", "reply"]);
    const machines = json<PageOf<Item>>(await get("/v1/inbox?automatic=true"));
    expect(machines.items.map((i) => i.kind)).toEqual(["auto_reply"]);
    expect((await get("/v1/inbox?automatic=maybe")).statusCode).toBe(400);
    expect(json<PageOf<Item>>(await get("/v1/inbox?automatic=false", "staff", other)).items.map((i) => i.id)).toEqual([
      otherId,
    ]);
  });

  it("serves a message as a sandboxed page: nothing runs, remote images load only when asked", async () => {
    const detail = json<{ remoteImages: boolean; contact: unknown }>(await get(`/v1/inbox/${htmlId}`));
    expect(detail.remoteImages).toBe(true);
    expect(json<{ remoteImages: boolean }>(await get(`/v1/inbox/${replyId}`)).remoteImages).toBe(false);

    const blocked = await get(`/v1/inbox/${htmlId}/body`);
    expect(blocked.statusCode).toBe(200);
    expect(blocked.headers["content-type"]).toMatch(/^text\/html/);
    const csp = String(blocked.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("sandbox");
    expect(csp).not.toContain("https:");
    expect(csp).not.toContain("script-src");
    expect(blocked.body).toContain("<b>there</b>");
    for (const bad of ["<script", "onclick", "javascript:", "<iframe"]) expect(blocked.body).not.toContain(bad);
    // The image is in the page; the page's policy decides whether it loads.
    expect(blocked.body).toContain('src="https://tracker.example/p.gif"');
    const shown = await get(`/v1/inbox/${htmlId}/body?images=true`, "administrator");
    expect(String(shown.headers["content-security-policy"])).toContain("img-src data: https:");

    const text = await get(`/v1/inbox/${replyId}/body`);
    expect(text.body).toContain("<pre>Yes, she will come.");
    expect((await get(`/v1/inbox/${htmlId}/body?images=1&x=2`)).statusCode).toBe(400);
    expect((await get(`/v1/inbox/${htmlId}/body`, "system")).statusCode).toBe(403);
    expect((await get(`/v1/inbox/${otherId}/body`)).statusCode).toBe(404);
    expect((await get(`/v1/inbox/${htmlId}/body`, "staff", other)).statusCode).toBe(404);
    expect((await t.inject({ method: "GET", url: `/v1/inbox/${htmlId}/body` })).statusCode).toBe(401);
  });

  it("refuses bad queries with stable codes", async () => {
    for (const [url, code] of [
      ["/v1/inbox?kind=spam", "invalid_request"],
      ["/v1/inbox?limit=0", "invalid_request"],
      ["/v1/inbox?limit=201", "invalid_request"],
      ["/v1/inbox?cursor=nonsense", "invalid_cursor"],
      [`/v1/inbox?search=${"x".repeat(201)}`, "invalid_request"],
      ["/v1/inbox?tenant=x", "unknown_field"],
    ] as const) {
      const res = await get(url);
      expect({ url, status: res.statusCode, code: json<{ error: { code: string } }>(res).error.code }).toEqual({
        url,
        status: 400,
        code,
      });
    }
  });

  it("lets staff and administrators read, not system keys or no key", async () => {
    expect((await get("/v1/inbox", "administrator")).statusCode).toBe(200);
    expect((await get("/v1/inbox", "system")).statusCode).toBe(403);
    expect((await get(`/v1/inbox/${replyId}`, "system")).statusCode).toBe(403);
    expect((await t.inject({ method: "GET", url: "/v1/inbox" })).statusCode).toBe(401);
    const operator = await t.operatorAuth();
    expect((await t.inject({ method: "GET", url: "/v1/inbox", headers: operator })).statusCode).toBe(403);
  });

  it("shows a reply with its text, the message, recipient and contact it answers", async () => {
    const res = await get(`/v1/inbox/${replyId}`);
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({
      kind: "reply",
      fromName: "Mum",
      subject: "Re: 100% sure",
      messageId,
      recipientId,
      contactId,
      message: { id: messageId, subject: "Hello" },
      recipient: { id: recipientId, email: "mum@example.org", status: "sent" },
      contact: { id: contactId, externalId: expect.any(String), email: "mum@example.org" },
      attachments: [],
    });
    expect(String(body.text).trim()).toBe("Yes, she will come.");
  });

  it("links a reply to one copy of an announcement (its Message-ID names the recipient), only within the tenant", async () => {
    const copy = await store(
      t,
      tenant.id,
      plainMessage({
        from: "mum@example.org",
        subject: "Re: the copy",
        headers: [`In-Reply-To: <${recipientId}@postbag.test>`],
      }),
      "imap:1:40",
    );
    expect(json(await get(`/v1/inbox/${copy}`))).toMatchObject({ messageId, recipientId, contactId });
    const foreign = await store(
      t,
      other.id,
      plainMessage({ from: "mum@example.org", subject: "Re: not yours", headers: [`In-Reply-To: <${recipientId}@x>`] }),
      "imap:9:40",
    );
    expect(json(await get(`/v1/inbox/${foreign}`, "staff", other))).toMatchObject({
      messageId: null,
      recipientId: null,
      contactId: null,
    });
    await t.db.deleteFrom("inbound_messages").where("id", "in", [copy, foreign]).execute();
  });

  it("sanitises HTML and lists attachments", async () => {
    const body = json<{ html: string; attachments: unknown[] }>(await get(`/v1/inbox/${htmlId}`));
    expect(body.html).toContain("<b>there</b>");
    expect(body.html).toContain('href="https://example.org/"');
    for (const bad of ["script", "onclick", "<img", "javascript:", "iframe", "tracker.example"]) {
      expect(body.html).not.toContain(bad);
    }
    expect(body.attachments).toEqual([
      { position: 1, filename: expect.stringMatching(/^evil/), contentType: "text/html", size: 39 },
      { position: 2, filename: "report.pdf", contentType: "application/pdf", size: 8 },
    ]);
  });

  it("downloads attachments with safe headers", async () => {
    const html = await get(`/v1/inbox/${htmlId}/attachments/1`);
    expect(html.statusCode).toBe(200);
    expect(html.headers["content-type"]).toBe("application/octet-stream");
    expect(html.headers["x-content-type-options"]).toBe("nosniff");
    const disposition = String(html.headers["content-disposition"]);
    expect(disposition).toMatch(/^attachment; filename="[^"\\\r\n]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/);
    expect(html.body).toBe("<script>alert(document.cookie)</script>");
    const pdf = await get(`/v1/inbox/${htmlId}/attachments/2`, "administrator");
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.headers["content-disposition"]).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(pdf.body).toBe("%PDF-1.4");
    expect((await get(`/v1/inbox/${htmlId}/attachments/3`)).statusCode).toBe(404);
    expect((await get(`/v1/inbox/${htmlId}/attachments/0`)).statusCode).toBe(400);
    expect((await get(`/v1/inbox/${htmlId}/attachments/x`)).statusCode).toBe(400);
    expect((await get(`/v1/inbox/${htmlId}/attachments/1`, "system")).statusCode).toBe(403);
  });

  it("never shows another tenant's mail: 404 exactly like a missing one", async () => {
    for (const url of [
      `/v1/inbox/${otherId}`,
      `/v1/inbox/${otherId}/attachments/1`,
      "/v1/inbox/01ARZ3NDEKTSV4RRFFQ69G5FAV",
      "/v1/inbox/..%2F..%2Fetc",
    ]) {
      const res = await get(url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
      expect(json<{ error: { code: string } }>(res).error.code).toBe("not_found");
    }
    expect(json<PageOf<Item>>(await get("/v1/inbox", "staff", other)).items.map((i) => i.id)).toEqual([otherId]);
    expect((await get(`/v1/inbox/${replyId}`, "staff", other)).statusCode).toBe(404);
  });

  it("obeys the school's setting on opening received attachments (403 attachments_not_allowed)", async () => {
    const wizard = async (openReceivedAttachments: boolean) => {
      const saved = await t.inject({
        method: "PUT",
        url: "/v1/account/draft",
        headers: tenant.auth("administrator"),
        payload: { account: { mode: "builtin" }, attachments_signature: { openReceivedAttachments } },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      // Saved in the draft only: nothing changes before Finish.
      expect((await get(`/v1/inbox/${htmlId}/attachments/2`, "staff")).statusCode).toBe(
        openReceivedAttachments ? 403 : 200,
      );
      const finished = await t.inject({
        method: "POST",
        url: "/v1/account/draft/finish",
        headers: tenant.auth("administrator"),
      });
      expect(finished.statusCode, finished.body).toBe(200);
      expect(json<{ account: { openReceivedAttachments: boolean } }>(finished).account.openReceivedAttachments).toBe(
        openReceivedAttachments,
      );
    };
    await wizard(false);
    for (const role of ["staff", "administrator"] as const) {
      const refused = await get(`/v1/inbox/${htmlId}/attachments/2`, role);
      expect(refused.statusCode).toBe(403);
      expect(json<{ error: { code: string; message: string } }>(refused).error).toMatchObject({
        code: "attachments_not_allowed",
        message: expect.stringMatching(/turned off for this school/),
      });
    }
    // The message itself, and its attachment list, can still be read; another school is unaffected.
    expect((await get(`/v1/inbox/${htmlId}`)).statusCode).toBe(200);
    // (its message has no attachment: 404, not the 403 of this school's setting)
    expect((await get(`/v1/inbox/${otherId}/attachments/1`, "staff", other)).statusCode).toBe(404);
    await wizard(true);
    expect((await get(`/v1/inbox/${htmlId}/attachments/2`, "staff")).statusCode).toBe(200);
  });

  it("resets the mailbox counter for administrators only, once receiving is set up", async () => {
    const post = (who: TestTenant, role: TenantRole, payload?: unknown) =>
      t.inject({
        method: "POST",
        url: "/v1/account/reset-mailbox-counter",
        headers: who.auth(role),
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
    expect((await post(tenant, "staff")).statusCode).toBe(403);
    expect((await post(tenant, "system")).statusCode).toBe(403);
    const notSetUp = await post(tenant, "administrator");
    expect(notSetUp.statusCode).toBe(409);
    expect(json<{ error: { code: string } }>(notSetUp).error.code).toBe("conflict");

    await saveReceiving(t.database, tenant.id, receiveSettings(fakeDovecot, "office"), "pw", t.clock.now());
    await saveReceiving(t.database, other.id, receiveSettings(fakeDovecot, "office"), "pw", t.clock.now());
    const first = await post(tenant, "administrator");
    expect(first.statusCode).toBe(200);
    expect(json(first)).toMatchObject({ protocol: "imap", generation: 1 });
    const second = await post(tenant, "administrator", {});
    expect(json(second)).toMatchObject({ generation: 2 });
    expect((await post(tenant, "administrator", { everything: true })).statusCode).toBe(400);
    expect(await readMailboxState(t.db, tenantMailbox(other.id))).toBeUndefined();
  });
});
