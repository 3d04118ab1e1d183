import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/time/clock.js";
import { UNSUBSCRIBE_TTL_MS, unsubscribeUrl } from "../../src/tracking/links.js";
import { signToken } from "../../src/tracking/tokens.js";
import { describeEachDialect } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { insertContact, insertRecipient, optOutsOf } from "./fixtures.js";

const FORM = "application/x-www-form-urlencoded";

describeEachDialect("the recipient's preference page (GET/POST /u/<token>) and its digest offer", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let a: TestTenant;
  let b: TestTenant;

  const link = (tenantId: string, recipientId: string, at = clock.now()) =>
    unsubscribeUrl({ publicUrl: "", secretKey: t.config.secretKey }, tenantId, recipientId, at);
  const post = (url: string, payload: string) =>
    t.inject({ method: "POST", url, payload, headers: { "content-type": FORM } });
  const digestOf = (contactId: string) =>
    t.db
      .selectFrom("contacts")
      .select(["digest", "digest_time", "digest_weekday"])
      .where("id", "=", contactId)
      .executeTakeFirstOrThrow();
  async function newLink(tenant: TestTenant, category = "announcement") {
    const contactId = await insertContact(t.db, tenant.id, clock.now());
    const r = await insertRecipient(t.db, tenant.id, { at: clock.now(), contactId, category });
    return { contactId, url: link(tenant.id, r.recipientId), recipientId: r.recipientId };
  }

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0));
    t = await openTestApp(dialect, { clock });
    a = await t.newTenant("Oakwood Primary");
    b = await t.newTenant("Other Academy");
  });
  afterAll(() => t.close());

  it("offers unsubscribing or a daily or weekly digest; choosing weekly sets the tenant's default day and time", async () => {
    const { contactId, url } = await newLink(a);
    const page = await t.inject({ method: "GET", url });
    expect(page.statusCode).toBe(200);
    for (const value of ["unsubscribe", "unsubscribe_all", "daily", "weekly"]) {
      expect(page.body).toContain(`name="choice" value="${value}"`);
    }
    expect(page.body).not.toContain('value="each"');
    expect(page.body).toContain("every Friday at 08:00");
    expect(page.body).toContain('<form method="post">');
    // Fetching the page changed nothing.
    expect(await digestOf(contactId)).toEqual({ digest: "none", digest_time: null, digest_weekday: null });

    const done = await post(url, "confirm=yes&choice=weekly");
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain("Your digest is set");
    expect(done.body).toContain("a weekly digest every Friday at 08:00");
    expect(await digestOf(contactId)).toEqual({ digest: "weekly", digest_time: "08:00", digest_weekday: 5 });
    expect(await optOutsOf(t.db, a.id)).toEqual([]);
    // The page now says where the contact stands and offers each email again.
    const again = await t.inject({ method: "GET", url });
    expect(again.body).toContain("weekly digest every Friday at 08:00");
    expect(again.body).toContain('value="each"');
    expect(again.body).not.toContain('value="weekly"');
    expect(again.body).toContain('value="daily"');

    const each = await post(url, "confirm=yes&choice=each");
    expect(each.statusCode).toBe(200);
    expect(await digestOf(contactId)).toEqual({ digest: "none", digest_time: null, digest_weekday: null });
  });

  it("a digest keeps a time the contact already has, opts them back in, and all optional mail can be left", async () => {
    const { contactId, url } = await newLink(a, "scheduled");
    await t.db
      .updateTable("contacts")
      .set({ digest: "daily", digest_time: "07:30" })
      .where("id", "=", contactId)
      .execute();
    expect((await post(url, "confirm=yes&choice=unsubscribe_all")).statusCode).toBe(200);
    const all = (await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contactId);
    expect(all.map((o) => [o.category, o.source]).sort()).toEqual([
      ["announcement", "link"],
      ["digest", "link"],
      ["scheduled", "link"],
    ]);
    const page = await t.inject({ method: "GET", url });
    expect(page.body).toContain("already unsubscribed");
    expect(page.body).not.toContain('value="unsubscribe_all"');

    expect((await post(url, "confirm=yes&choice=weekly")).statusCode).toBe(200);
    expect(await digestOf(contactId)).toEqual({ digest: "weekly", digest_time: "07:30", digest_weekday: 5 });
    const left = (await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contactId);
    expect(left.map((o) => o.category)).toEqual(["announcement"]);
  });

  it("the tenant's setting turns the offer off and sets the defaults; contacts' times stay", async () => {
    const tenant = await t.newTenant("Settings school");
    const before = await t.inject({ method: "GET", url: "/v1/settings/digest-offer", headers: tenant.auth("staff") });
    expect(json(before)).toEqual({ offer: true, defaultTime: "08:00", defaultWeekday: 5 });
    const chosen = await newLink(tenant);
    expect((await post(chosen.url, "confirm=yes&choice=daily")).statusCode).toBe(200);

    const put = (body: unknown, role: "administrator" | "staff" | "system" = "administrator", who = tenant) =>
      t.inject({
        method: "PUT",
        url: "/v1/settings/digest-offer",
        headers: who.auth(role),
        payload: body as Record<string, unknown>,
      });
    const changed = await put({ offer: true, defaultTime: "18:15", defaultWeekday: 1 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await digestOf(chosen.contactId)).toEqual({ digest: "daily", digest_time: "08:00", digest_weekday: null });
    const fresh = await newLink(tenant);
    expect((await t.inject({ method: "GET", url: fresh.url })).body).toContain("every Monday at 18:15");
    expect((await post(fresh.url, "confirm=yes&choice=weekly")).statusCode).toBe(200);
    expect(await digestOf(fresh.contactId)).toEqual({ digest: "weekly", digest_time: "18:15", digest_weekday: 1 });

    expect((await put({ offer: false, defaultTime: "18:15", defaultWeekday: 1 })).statusCode).toBe(200);
    const off = await newLink(tenant);
    const page = await t.inject({ method: "GET", url: off.url });
    expect(page.body).not.toContain('value="weekly"');
    expect(page.body).not.toContain('value="daily"');
    expect(page.body).toContain('value="unsubscribe"');
    const refused = await post(off.url, "confirm=yes&choice=weekly");
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain("not offered");
    expect(await digestOf(off.contactId)).toEqual({ digest: "none", digest_time: null, digest_weekday: null });

    // Bad input, the wrong role, and another tenant's setting untouched.
    for (const body of [
      { offer: true, defaultTime: "25:00", defaultWeekday: 1 },
      { offer: true, defaultTime: "8:00", defaultWeekday: 1 },
      { offer: true, defaultTime: "08:00", defaultWeekday: 8 },
      { offer: true, defaultTime: "08:00", defaultWeekday: 0 },
      { offer: "yes", defaultTime: "08:00", defaultWeekday: 1 },
      { offer: true, defaultTime: "08:00" },
      { offer: true, defaultTime: "08:00", defaultWeekday: 1, extra: 1 },
    ]) {
      const res = await put(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(["invalid_request", "unknown_field"]).toContain(json<ErrorReply>(res).error.code);
    }
    expect((await put({ offer: true, defaultTime: "08:00", defaultWeekday: 1 }, "staff")).statusCode).toBe(403);
    expect((await put({ offer: true, defaultTime: "08:00", defaultWeekday: 1 }, "system")).statusCode).toBe(403);
    const other = await t.inject({ method: "GET", url: "/v1/settings/digest-offer", headers: b.auth() });
    expect(json(other)).toEqual({ offer: true, defaultTime: "08:00", defaultWeekday: 5 });
    expect((await t.inject({ method: "GET", url: "/v1/settings/digest-offer" })).statusCode).toBe(401);
  });

  it("refuses forged, expired and other-tenant links and unknown choices; nothing changes", async () => {
    const { contactId, url, recipientId } = await newLink(a);
    const bLink = await newLink(b);
    const token = url.slice(3);
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === "A" ? "B" : "A"}${s.slice(i + 1)}`;
    const cases: Array<[string, number]> = [
      [`/u/${flip(token, token.length - 3)}`, 403],
      [`/u/${flip(token, 12)}`, 403],
      [link(a.id, recipientId, clock.now() - UNSUBSCRIBE_TTL_MS - 1), 410],
      [link(b.id, recipientId), 404],
      [link(a.id, bLink.recipientId), 404],
      [
        `/u/${signToken("another-secret-0123456789-abcdefghijklmnop", { purpose: "unsubscribe", tenantId: a.id, expiresAt: clock.now() + 1e9, data: { r: recipientId } })}`,
        403,
      ],
    ];
    for (const [bad, status] of cases) {
      for (const choice of ["weekly", "daily", "unsubscribe_all", "each"]) {
        const res = await post(bad, `confirm=yes&choice=${choice}`);
        expect(res.statusCode, `${choice} ${bad}`).toBe(status);
        expect(res.body).not.toContain("Oakwood");
      }
    }
    for (const body of [
      "confirm=yes&choice=monthly",
      "choice=weekly",
      "confirm=yes&choice=",
      "confirm=no&choice=weekly",
    ]) {
      expect((await post(url, body)).statusCode, body).toBe(400);
    }
    expect(await digestOf(contactId)).toEqual({ digest: "none", digest_time: null, digest_weekday: null });
    expect(await digestOf(bLink.contactId)).toEqual({ digest: "none", digest_time: null, digest_weekday: null });
    expect((await optOutsOf(t.db, a.id)).filter((o) => o.contact_id === contactId)).toEqual([]);
    expect(await optOutsOf(t.db, b.id)).toEqual([]);
  });
});
