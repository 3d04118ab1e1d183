import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids.js";
import { recipientStatuses } from "../../src/email/statuses.js";
import type { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect } from "../support/databases.js";
import { waitUntil } from "../support/delivery.js";
import { json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { seedAudience, siblings } from "./audience-fixtures.js";

interface Announcement {
  id: string;
  state: string;
  subject: string;
  recipientCount: number;
  messageId: string;
  html: string | null;
  unresolved: { contacts: string[]; subjects: string[]; subjectGroups: string[] };
}

interface RecipientItem {
  recipientId: string;
  email: string;
  contactExternalId: string | null;
  contactName: string | null;
  subjects: string[];
  status: string;
}

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: "Trip for {{subject.name}}",
    text: "Dear {{contact.name}}, {{subject.name}} ({{subject.class_name}}) goes on a trip.",
    audience: { subjects: ["s1", "s2", "s3"] },
    consolidate: true,
    essential: false,
    ...overrides,
  };
}

describeEachDialect("announcements API", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let school: TestTenant;
  beforeAll(async () => {
    t = await openTestApp(dialect);
    clock = t.clock as ManualClock;
    school = await t.newTenant("Oakwood Primary");
    await seedAudience(t.db, school.id, clock.now(), siblings);
  });
  afterAll(() => t.close());

  const post = (payload: unknown, tenant = school, role: "staff" | "administrator" | "system" = "staff") =>
    t.inject({ method: "POST", url: "/v1/announcements", headers: tenant.auth(role), payload: payload as object });
  const get = (url: string, tenant = school, role: "staff" | "administrator" | "system" = "staff") =>
    t.inject({ method: "GET", url, headers: tenant.auth(role) });

  async function sent(id: string, tenant = school): Promise<Announcement> {
    let last: Announcement | undefined;
    await waitUntil(
      "the announcement is fanned out",
      async () => {
        last = json<Announcement>(await get(`/v1/announcements/${id}`, tenant));
        return last.state === "sent";
      },
      10_000,
    );
    return last as Announcement;
  }

  it("composes and fans out at once: 202, then one email per parent", async () => {
    const res = await post(body({ mergeData: { s1: { class_name: "5B" } } }));
    expect(res.statusCode).toBe(202);
    const created = json<Announcement>(res);
    expect(created).toMatchObject({ state: "scheduled", subject: "Trip for {{subject.name}}", recipientCount: 0 });
    expect(created.unresolved).toEqual({ contacts: [], subjects: [], subjectGroups: [] });
    const done = await sent(created.id);
    expect(done.recipientCount).toBe(2);
    const detail = json<Record<string, unknown>>(await get(`/v1/announcements/${created.id}`));
    expect(detail).toMatchObject({
      category: "announcement",
      consolidate: true,
      essential: false,
      audience: { contacts: [], subjects: ["s1", "s2", "s3"], subjectGroups: [] },
      mergeData: { s1: { class_name: "5B" } },
    });
    const message = await t.db
      .selectFrom("messages")
      .selectAll()
      .where("id", "=", created.messageId)
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({ source: "announcement", category: "announcement", essential: 0 });
    expect(message.from_address).toBe(`noreply@${t.config.senderDomain}`);
  });

  it("stores Essential on the template message, with attachments and a category", async () => {
    const res = await post(
      body({
        essential: true,
        category: "alert",
        attachments: [
          {
            filename: "letter.pdf",
            content: Buffer.from("%PDF-1.4").toString("base64"),
            contentType: "application/pdf",
          },
        ],
      }),
      school,
      "administrator",
    );
    expect(res.statusCode).toBe(202);
    const a = json<Announcement>(res);
    const detail = json<Record<string, unknown>>(await get(`/v1/announcements/${a.id}`));
    expect(detail).toMatchObject({
      essential: true,
      category: "alert",
      attachments: [{ filename: "letter.pdf", size: 8 }],
    });
    const message = await t.db
      .selectFrom("messages")
      .selectAll()
      .where("id", "=", a.messageId)
      .executeTakeFirstOrThrow();
    expect(message.essential).toBe(1);
    expect(message.attachment_count).toBe(1);
  });

  it("sanitises HTML: no script, event handler or javascript: URL survives; formatting, links and images stay", async () => {
    const html =
      '<p style="color:#333" onclick="steal()">Hello <b>{{contact.name}}</b><script>alert(1)</script></p>' +
      '<a href="javascript:alert(1)">bad</a> <a href="https://school.example/trip">trip</a>' +
      '<img src="https://school.example/logo.png" onerror="x()" alt="logo"><iframe src="https://evil.example"></iframe>';
    const res = await post(body({ text: undefined, html }));
    expect(res.statusCode).toBe(202);
    const detail = json<Announcement>(await get(`/v1/announcements/${json<Announcement>(res).id}`));
    const stored = detail.html ?? "";
    expect(stored).not.toMatch(/script|onclick|onerror|javascript:|iframe/i);
    expect(stored).toContain("<b>{{contact.name}}</b>");
    expect(stored).toContain('<a href="https://school.example/trip">trip</a>');
    expect(stored).toContain('src="https://school.example/logo.png"');
    expect(stored).toContain('style="color:#333"');
  });

  describe("refuses bad requests", () => {
    const cases: Array<[string, Record<string, unknown>, number, string, RegExp?]> = [
      ["an unknown merge field", body({ subject: "Hi {{parent.name}}" }), 400, "invalid_request", /parent\.name/],
      [
        "a merge field with a bad name",
        body({ text: "{{subject.class-name}}" }),
        400,
        "invalid_request",
        /merge field/,
      ],
      ["unbalanced braces", body({ text: "Dear {{contact.name" }), 400, "invalid_request", /braces/],
      ["no body", body({ text: undefined }), 400, "invalid_request", /text, html/],
      ["HTML with nothing but script", body({ text: undefined, html: "<script>x()</script>" }), 400, "invalid_request"],
      [
        "an audience that matches nothing",
        body({ audience: { subjects: ["nope"], subjectGroups: ["Year 9"] } }),
        400,
        "invalid_request",
        /nothing in the audience/,
      ],
      ["an empty audience", body({ audience: {} }), 400, "invalid_request", /empty/],
      ["a time in the past", body({ sendAt: "2020-01-01T00:00:00Z" }), 400, "invalid_request", /past/],
      ["a time over a year ahead", body({ sendAt: "2030-01-01T00:00:00Z" }), 400, "invalid_request", /year/],
      ["a reserved category", body({ category: "password_reset_parent" }), 400, "unknown_category"],
      ["an unknown category", body({ category: "newsletter" }), 400, "unknown_category"],
      ["an unknown field", body({ bcc: ["x@example.test"] }), 400, "unknown_field"],
      ["CR LF in the subject", body({ subject: "Hi\r\nBcc: victim@example.test" }), 400, "header_injection"],
      [
        "CR LF in a merge value",
        body({ mergeData: { s1: { x: "a\r\nBcc: v@example.test" } } }),
        400,
        "invalid_request",
      ],
      [
        "a bad merge field name in merge data",
        body({ mergeData: { s1: { "bad name": "x" } } }),
        400,
        "invalid_request",
      ],
      [
        "an executable attachment",
        body({ attachments: [{ filename: "run.exe", content: "AAAA" }] }),
        400,
        "invalid_attachment",
      ],
      ["a missing consolidate flag", { ...body(), consolidate: undefined }, 400, "invalid_request"],
      [
        "an oversized message",
        body({ attachments: [{ filename: "big.bin", content: Buffer.alloc(120_000).toString("base64") }] }),
        413,
        "payload_too_large",
      ],
    ];
    for (const [what, payload, status, code, message] of cases) {
      it(what, async () => {
        const before = await t.db.selectFrom("announcements").select("id").where("tenant_id", "=", school.id).execute();
        const res = await post(JSON.parse(JSON.stringify(payload)));
        expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
        const error = json<{ error: { code: string; message: string } }>(res).error;
        expect(error.code).toBe(code);
        if (message) expect(error.message).toMatch(message);
        const after = await t.db.selectFrom("announcements").select("id").where("tenant_id", "=", school.id).execute();
        expect(after.length).toBe(before.length);
      });
    }

    it("malformed JSON and a non-JSON body", async () => {
      const bad = await t.inject({
        method: "POST",
        url: "/v1/announcements",
        headers: { ...school.auth("staff"), "content-type": "application/json" },
        payload: '{"subject": ',
      });
      expect(json<{ error: { code: string } }>(bad).error.code).toBe("invalid_json");
      const text = await t.inject({
        method: "POST",
        url: "/v1/announcements",
        headers: { ...school.auth("staff"), "content-type": "text/plain" },
        payload: "hello",
      });
      expect(text.statusCode).toBe(415);
    });
  });

  it("reports audience entries that match nothing and sends to the rest", async () => {
    const res = await post(
      body({ audience: { subjects: ["s1", "ghost"], contacts: ["nobody"], subjectGroups: ["Year 9"] } }),
    );
    expect(res.statusCode).toBe(202);
    const a = json<Announcement>(res);
    expect(a.unresolved).toEqual({ contacts: ["nobody"], subjects: ["ghost"], subjectGroups: ["Year 9"] });
    expect((await sent(a.id)).recipientCount).toBe(2);
  });

  it("only staff and administrators compose and read announcements", async () => {
    expect((await post(body(), school, "system")).statusCode).toBe(403);
    expect((await get("/v1/announcements", school, "system")).statusCode).toBe(403);
    const anonymous = await t.inject({ method: "POST", url: "/v1/announcements", payload: body() });
    expect(anonymous.statusCode).toBe(401);
    const forged = await t.inject({
      method: "GET",
      url: "/v1/announcements",
      headers: { authorization: `${school.auth("staff").authorization}x` },
    });
    expect(forged.statusCode).toBe(401);
    expect((await get("/v1/announcements", school, "administrator")).statusCode).toBe(200);
  });

  it("schedules for later and cancels; cancelling twice is harmless; once sent, cancel is a conflict", async () => {
    const sendAt = new Date(clock.now() + 86_400_000).toISOString();
    const a = json<Announcement>(await post(body({ sendAt })));
    expect(a.state).toBe("scheduled");
    const cancel = () =>
      t.inject({ method: "POST", url: `/v1/announcements/${a.id}/cancel`, headers: school.auth("staff") });
    const first = await cancel();
    expect(first.statusCode).toBe(200);
    expect(json<{ state: string; cancelledAt: string }>(first)).toMatchObject({ state: "cancelled" });
    expect((await cancel()).statusCode).toBe(200);

    const now = json<Announcement>(await post(body()));
    await sent(now.id);
    const late = await t.inject({
      method: "POST",
      url: `/v1/announcements/${now.id}/cancel`,
      headers: school.auth("staff"),
    });
    expect(late.statusCode).toBe(409);
    expect(json<{ error: { code: string; message: string } }>(late).error.message).toMatch(/already been sent/);
  });

  it("lists announcements newest first, a page at a time", async () => {
    const other = await t.newTenant("Paging school");
    await seedAudience(t.db, other.id, clock.now(), siblings);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(json<Announcement>(await post(body({ subject: `Notice ${i}` }), other)).id);
    const page1 = json<{ items: Announcement[]; nextCursor: string | null }>(
      await get("/v1/announcements?limit=2", other),
    );
    expect(page1.items.map((a) => a.id)).toEqual([ids[2], ids[1]]);
    const page2 = json<{ items: Announcement[]; nextCursor: string | null }>(
      await get(`/v1/announcements?limit=2&cursor=${page1.nextCursor}`, other),
    );
    expect(page2.items.map((a) => a.id)).toEqual([ids[0]]);
    expect(page2.nextCursor).toBeNull();
    expect((await get("/v1/announcements?cursor=not-a-cursor", other)).statusCode).toBe(400);
    for (const id of ids) await sent(id, other);
  });

  it("another tenant cannot see, count, list or cancel this tenant's announcement", async () => {
    const a = json<Announcement>(await post(body({ sendAt: new Date(clock.now() + 3_600_000).toISOString() })));
    const intruder = await t.newTenant("Other school");
    for (const url of [
      `/v1/announcements/${a.id}`,
      `/v1/announcements/${a.id}/stats`,
      `/v1/announcements/${a.id}/recipients`,
      `/v1/announcements/${a.id}/recipients.csv`,
    ]) {
      const res = await get(url, intruder);
      expect(res.statusCode, url).toBe(404);
      expect(json<{ error: { code: string } }>(res).error.code).toBe("not_found");
    }
    const cancel = await t.inject({
      method: "POST",
      url: `/v1/announcements/${a.id}/cancel`,
      headers: intruder.auth("staff"),
    });
    expect(cancel.statusCode).toBe(404);
    expect(json<{ items: unknown[] }>(await get("/v1/announcements", intruder)).items).toEqual([]);
    const still = json<Announcement>(await get(`/v1/announcements/${a.id}`));
    expect(still.state).toBe("scheduled");
    // An intruder cannot reach this tenant's audience either: the ids are unknown to them.
    const theirs = await post(body(), intruder);
    expect(theirs.statusCode).toBe(400);
    expect((await get("/v1/announcements/not-an-id")).statusCode).toBe(404);
  });

  describe("statistics and the recipient list", () => {
    let tenant: TestTenant;
    let announcement: Announcement;
    const names = recipientStatuses.map((s, i) => ({ ext: `c${String(i).padStart(2, "0")}`, status: s }));

    beforeAll(async () => {
      tenant = await t.newTenant("Stats school");
      await seedAudience(t.db, tenant.id, clock.now(), {
        contacts: names.map((n, i) => ({
          ext: n.ext,
          // Names a spreadsheet would run as formulas, and one without an address.
          name:
            i === 0
              ? '=HYPERLINK("http://evil.example")'
              : i === 1
                ? "+1 Parent"
                : i === 2
                  ? "@Parent"
                  : `Parent ${n.status}`,
          email: n.status === "email_missing" ? null : `${n.ext}@example.test`,
        })),
        subjects: [
          { ext: "s1", name: "Ada" },
          { ext: "s2", name: "Ben" },
        ],
        links: names.flatMap((n) => [
          { contact: n.ext, subject: "s1" },
          ...(n.ext === "c00" ? [{ contact: n.ext, subject: "s2" }] : []),
        ]),
      });
      announcement = json<Announcement>(await post(body({ audience: { subjects: ["s1", "s2"] } }), tenant));
      announcement = await sent(announcement.id, tenant);
      // Give each recipient a different status, as delivery, DSNs and opens would.
      const rows = await t.db
        .selectFrom("recipients as r")
        .innerJoin("contacts as c", "c.id", "r.contact_id")
        .select(["r.id", "c.external_id"])
        .where("r.message_id", "=", announcement.messageId)
        .execute();
      for (const r of rows) {
        const status = names.find((n) => n.ext === r.external_id)?.status ?? "queued";
        await t.db
          .updateTable("recipients")
          .set({
            status,
            next_attempt_at: null,
            sent_at: ["sent", "opened", "spam"].includes(status) ? clock.now() : null,
            last_smtp_code: status === "hard_bounce" ? 550 : null,
            last_smtp_text: status === "hard_bounce" ? "5.1.1 no such user" : null,
          })
          .where("id", "=", r.id)
          .execute();
        if (status === "opened") {
          for (const automated of [1, 0, 0]) {
            await t.db
              .insertInto("opens")
              .values({
                id: newId(),
                tenant_id: tenant.id,
                recipient_id: r.id,
                at: clock.now(),
                automated,
                automated_reason: null,
                user_agent: null,
              })
              .execute();
          }
        }
      }
    });

    it("counts every status, zeros included, with rates and opens", async () => {
      clock.advance(31 * 60_000);
      const stats = json<Record<string, unknown> & { counts: Record<string, number> }>(
        await get(`/v1/announcements/${announcement.id}/stats`, tenant),
      );
      expect(Object.keys(stats.counts).sort()).toEqual([...recipientStatuses].sort());
      for (const s of recipientStatuses) expect(stats.counts[s], s).toBe(1);
      expect(stats).toMatchObject({
        total: recipientStatuses.length,
        delivered: 3,
        delayed: 1,
        deliveryRate: Math.round((3 / recipientStatuses.length) * 10_000) / 10_000,
        openRate: Math.round((1 / 3) * 10_000) / 10_000,
        automatedOpens: 1,
        humanOpens: 1,
        state: "sent",
      });
      // An announcement without recipients yet: every status 0.
      const later = json<Announcement>(
        await post(body({ sendAt: new Date(clock.now() + 3_600_000).toISOString() }), school),
      );
      const empty = json<{ counts: Record<string, number>; total: number; deliveryRate: number }>(
        await get(`/v1/announcements/${later.id}/stats`),
      );
      expect(Object.values(empty.counts).every((n) => n === 0)).toBe(true);
      expect(Object.keys(empty.counts)).toHaveLength(recipientStatuses.length);
      expect(empty).toMatchObject({ total: 0, deliveryRate: 0 });
    });

    it("filters by status, searches, pages", async () => {
      const page = async (query: string) =>
        json<{ items: RecipientItem[]; nextCursor: string | null }>(
          await get(`/v1/announcements/${announcement.id}/recipients${query}`, tenant),
        );
      const bounced = await page("?status=hard_bounce");
      expect(bounced.items).toHaveLength(1);
      expect(bounced.items[0]).toMatchObject({
        status: "hard_bounce",
        lastSmtpCode: 550,
        lastText: "5.1.1 no such user",
        subjects: ["Ada"],
      });
      const missing = await page("?status=email_missing");
      expect(missing.items[0]?.email).toBe("");
      const both = (await page("?search=HYPERLINK")).items;
      expect(both).toHaveLength(1);
      expect(both[0]?.subjects.sort()).toEqual(["Ada", "Ben"]);
      expect(both[0]?.contactExternalId).toBe("c00");
      expect((await page("?search=c03%40example")).items.map((i) => i.contactExternalId)).toEqual(["c03"]);
      expect((await page("?search=%25")).items).toHaveLength(0);
      const seen: string[] = [];
      let cursor: string | null = "";
      while (cursor !== null) {
        const p: { items: RecipientItem[]; nextCursor: string | null } = await page(
          `?limit=5${cursor ? `&cursor=${cursor}` : ""}`,
        );
        seen.push(...p.items.map((i) => i.recipientId));
        cursor = p.nextCursor;
      }
      expect(seen).toHaveLength(recipientStatuses.length);
      expect(new Set(seen).size).toBe(seen.length);
      expect((await get(`/v1/announcements/${announcement.id}/recipients?status=lost`, tenant)).statusCode).toBe(400);
      expect((await get(`/v1/announcements/${announcement.id}/recipients?cursor=zzz`, tenant)).statusCode).toBe(400);
      expect((await get(`/v1/announcements/${announcement.id}/recipients?limit=100000`, tenant)).statusCode).toBe(400);
    });

    it("exports CSV, safe to open in a spreadsheet, with the same filters", async () => {
      const res = await get(`/v1/announcements/${announcement.id}/recipients.csv`, tenant);
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/csv/);
      expect(res.headers["content-disposition"]).toContain(`announcement-${announcement.id}-recipients.csv`);
      const lines = res.body.trimEnd().split("\r\n");
      expect(lines[0]).toBe(
        "recipient_id,email,contact_external_id,contact_name,subjects,status,updated_at,sent_at,opened_at,last_smtp_code,last_text,reason,resend_of,replaced_at",
      );
      expect(lines).toHaveLength(recipientStatuses.length + 1);
      expect(res.body).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
      expect(res.body).toContain(",'+1 Parent,");
      expect(res.body).toContain(",'@Parent,");
      expect(res.body).not.toMatch(/,[=+@]/);
      const filtered = await get(`/v1/announcements/${announcement.id}/recipients.csv?status=hard_bounce`, tenant);
      const rows = filtered.body.trimEnd().split("\r\n");
      expect(rows).toHaveLength(2);
      expect(rows[1]).toContain(",hard_bounce,");
      expect(rows[1]).toContain(",550,5.1.1 no such user");
    });
  });
});
