import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids.js";
import { dialects } from "../support/databases.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describe.each(dialects)("one tenant never sees another's data [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function sendAs(tenant: TestTenant, subject: string): Promise<string> {
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ subject }),
    });
    expect(res.statusCode, res.body).toBe(202);
    return json<{ id: string }>(res).id;
  }

  it("GET another tenant's message -> 404 not_found, the same answer as an id that does not exist", async () => {
    const a = await t.newTenant("School A");
    const b = await t.newTenant("School B");
    const id = await sendAs(a, "A's secret");
    const missing = newId();

    const own = await t.inject({ method: "GET", url: `/v1/messages/${id}`, headers: a.auth() });
    expect(own.statusCode).toBe(200);

    const theirs = await t.inject({ method: "GET", url: `/v1/messages/${id}`, headers: b.auth("administrator") });
    const nothing = await t.inject({ method: "GET", url: `/v1/messages/${missing}`, headers: b.auth("administrator") });
    expect(theirs.statusCode).toBe(404);
    expect(nothing.statusCode).toBe(404);
    expect(json<ErrorReply>(theirs)).toEqual({ error: { code: "not_found", message: `no message ${id}` } });
    expect(json<ErrorReply>(nothing)).toEqual({ error: { code: "not_found", message: `no message ${missing}` } });
    expect(theirs.body).not.toContain("A's secret");
    expect(theirs.headers["content-type"]).toBe(nothing.headers["content-type"]);
  });

  it("GET /v1/messages/:id with a junk id -> 404 not_found", async () => {
    const a = await t.newTenant();
    for (const id of ["nope", "1", "' or 1=1 --", "%2e%2e"]) {
      const res = await t.inject({ method: "GET", url: `/v1/messages/${encodeURIComponent(id)}`, headers: a.auth() });
      expect(res.statusCode, id).toBe(404);
      expect(json<ErrorReply>(res).error.code).toBe("not_found");
    }
  });

  it("GET /v1/messages lists only the caller's messages, with every filter", async () => {
    const a = await t.newTenant();
    const b = await t.newTenant();
    const idA = await sendAs(a, "for A");
    const idB = await sendAs(b, "for B");
    for (const query of ["", "?category=announcement", "?status=queued", "?limit=200"]) {
      const pageB = json<Page<{ id: string }>>(
        await t.inject({ method: "GET", url: `/v1/messages${query}`, headers: b.auth() }),
      );
      expect(pageB.items.map((m) => m.id)).toEqual([idB]);
      const pageA = json<Page<{ id: string }>>(
        await t.inject({ method: "GET", url: `/v1/messages${query}`, headers: a.auth() }),
      );
      expect(pageA.items.map((m) => m.id)).toEqual([idA]);
    }
  });

  it("another tenant's cursor does not open the caller's view onto it", async () => {
    const a = await t.newTenant();
    const b = await t.newTenant();
    await sendAs(a, "1");
    await sendAs(a, "2");
    const pageA = json<Page<{ id: string }>>(
      await t.inject({ method: "GET", url: "/v1/messages?limit=1", headers: a.auth() }),
    );
    expect(pageA.nextCursor).not.toBeNull();
    const res = await t.inject({
      method: "GET",
      url: `/v1/messages?limit=1&cursor=${pageA.nextCursor}`,
      headers: b.auth(),
    });
    expect(res.statusCode).toBe(200);
    expect(json<Page<unknown>>(res)).toEqual({ items: [], nextCursor: null });
  });

  describe("sandbox captures", () => {
    async function capture(tenantId: string | null, subject: string) {
      const id = newId();
      const raw = Buffer.from(`From: noreply@postbag.localhost\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`);
      await t.db
        .insertInto("sandbox_messages")
        .values({
          id,
          tenant_id: tenantId,
          recipient_id: null,
          received_at: t.clock.now(),
          mail_from: "bounce@postbag.localhost",
          rcpt_to: JSON.stringify([`${subject}@example.com`]),
          subject,
          message_id_header: `<${id}@postbag.localhost>`,
          size_bytes: raw.length,
          raw,
        })
        .execute();
      return { id, raw };
    }

    it("a tenant lists, reads and downloads only its own captured mail", async () => {
      const a = await t.newTenant();
      const b = await t.newTenant();
      const mailA = await capture(a.id, "alpha");
      const mailB = await capture(b.id, "bravo");
      const orphan = await capture(null, "orphan");

      const listA = json<Page<{ id: string; subject: string; rcptTo: string[] }>>(
        await t.inject({ method: "GET", url: "/v1/sandbox/messages", headers: a.auth() }),
      );
      expect(listA.items.map((m) => m.id)).toEqual([mailA.id]);
      expect(listA.items[0]).toMatchObject({ subject: "alpha", rcptTo: ["alpha@example.com"] });
      expect(listA.nextCursor).toBeNull();

      const own = await t.inject({ method: "GET", url: `/v1/sandbox/messages/${mailA.id}`, headers: a.auth() });
      expect(own.statusCode).toBe(200);
      expect(json<{ raw: string }>(own).raw).toBe(mailA.raw.toString("utf8"));
      const ownRaw = await t.inject({ method: "GET", url: `/v1/sandbox/messages/${mailA.id}/raw`, headers: a.auth() });
      expect(ownRaw.statusCode).toBe(200);
      expect(ownRaw.headers["content-type"]).toMatch(/^message\/rfc822/);
      expect(ownRaw.rawPayload.equals(mailA.raw)).toBe(true);

      for (const other of [mailB.id, orphan.id]) {
        for (const url of [`/v1/sandbox/messages/${other}`, `/v1/sandbox/messages/${other}/raw`]) {
          const res = await t.inject({ method: "GET", url, headers: a.auth() });
          expect(res.statusCode, url).toBe(404);
          expect(json<ErrorReply>(res)).toEqual({
            error: { code: "not_found", message: `no captured message ${other}` },
          });
          expect(res.body).not.toContain("bravo");
        }
      }
    });

    it("an operator sees every tenant's captured mail", async () => {
      const a = await t.newTenant();
      const b = await t.newTenant();
      const mailA = await capture(a.id, "charlie");
      const mailB = await capture(b.id, "delta");
      const orphan = await capture(null, "echo");
      const operator = await t.operatorAuth();

      const list = json<Page<{ id: string }>>(
        await t.inject({ method: "GET", url: "/v1/sandbox/messages?limit=200", headers: operator }),
      );
      const ids = list.items.map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining([mailA.id, mailB.id, orphan.id]));
      // Newest first.
      expect(ids.indexOf(orphan.id)).toBeLessThan(ids.indexOf(mailA.id));

      for (const mail of [mailA, mailB, orphan]) {
        const res = await t.inject({ method: "GET", url: `/v1/sandbox/messages/${mail.id}/raw`, headers: operator });
        expect(res.statusCode).toBe(200);
        expect(res.rawPayload.equals(mail.raw)).toBe(true);
      }
    });

    it("sandbox list paging: limit and cursor, invalid cursor -> 400 invalid_cursor", async () => {
      const a = await t.newTenant();
      const mails = [];
      for (const s of ["m1", "m2", "m3"]) mails.push(await capture(a.id, s));
      const first = json<Page<{ id: string }>>(
        await t.inject({ method: "GET", url: "/v1/sandbox/messages?limit=2", headers: a.auth() }),
      );
      expect(first.items.map((m) => m.id)).toEqual([mails[2]?.id, mails[1]?.id]);
      const second = json<Page<{ id: string }>>(
        await t.inject({
          method: "GET",
          url: `/v1/sandbox/messages?limit=2&cursor=${first.nextCursor}`,
          headers: a.auth(),
        }),
      );
      expect(second).toEqual({ items: [expect.objectContaining({ id: mails[0]?.id })], nextCursor: null });
      const bad = await t.inject({ method: "GET", url: "/v1/sandbox/messages?cursor=bogus", headers: a.auth() });
      expect(bad.statusCode).toBe(400);
      expect(json<ErrorReply>(bad).error.code).toBe("invalid_cursor");
    });
  });
});
