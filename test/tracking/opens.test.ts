import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "../../src/db/database.js";
import { TRANSPARENT_GIF } from "../../src/http/routes/open-pixel.js";
import { suppress } from "../../src/messages/suppressions.js";
import { ManualClock } from "../../src/time/clock.js";
import { openPixelUrl, unsubscribeUrl } from "../../src/tracking/links.js";
import { MAX_OPENS_PER_RECIPIENT } from "../../src/tracking/opens.js";
import { describeEachDialect } from "../support/databases.js";
import { openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { insertRecipient } from "./fixtures.js";

const HUMAN =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

async function opensOf(db: Db, tenantId: string, recipientId: string) {
  return db
    .selectFrom("opens")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("recipient_id", "=", recipientId)
    .orderBy("id")
    .execute();
}

async function recipientOf(db: Db, recipientId: string) {
  return db.selectFrom("recipients").selectAll().where("id", "=", recipientId).executeTakeFirstOrThrow();
}

async function eventsOf(db: Db, recipientId: string) {
  return db
    .selectFrom("events")
    .select(["status", "at"])
    .where("recipient_id", "=", recipientId)
    .orderBy("id")
    .execute();
}

describeEachDialect("open pixel", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let a: TestTenant;
  let b: TestTenant;

  const pixel = (tenantId: string, recipientId: string) =>
    openPixelUrl({ publicUrl: "", secretKey: t.config.secretKey }, tenantId, recipientId, clock.now());
  const fetchPixel = (url: string, userAgent?: string) =>
    t.inject({ method: "GET", url, headers: userAgent === undefined ? {} : { "user-agent": userAgent } });

  function expectGif(res: Awaited<ReturnType<typeof fetchPixel>>) {
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/gif");
    expect(res.headers["cache-control"]).toContain("no-store");
    expect(res.headers["cache-control"]).toContain("no-cache");
    expect(res.rawPayload.equals(TRANSPARENT_GIF)).toBe(true);
  }

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0));
    t = await openTestApp(dialect, { clock });
    a = await t.newTenant("Oakwood");
    b = await t.newTenant("Other");
  });
  afterAll(() => t.close());

  it("records a prefetch as automated without moving the status, then a reader's open moves sent to opened", async () => {
    const r = await insertRecipient(t.db, a.id, { at: clock.now() });
    const url = pixel(a.id, r.recipientId);
    clock.advance(2_000);
    expectGif(await fetchPixel(url, HUMAN));
    expect((await recipientOf(t.db, r.recipientId)).status).toBe("sent");
    clock.advance(3_600_000);
    expectGif(await fetchPixel(url, HUMAN));
    const opened = await recipientOf(t.db, r.recipientId);
    expect(opened.status).toBe("opened");
    expect(opened.opened_at).toBe(clock.now());
    clock.advance(60_000);
    expectGif(await fetchPixel(url, HUMAN));
    const opens = await opensOf(t.db, a.id, r.recipientId);
    expect(opens.map((o) => [o.automated, o.automated_reason])).toEqual([
      [1, "prefetch"],
      [0, null],
      [0, null],
    ]);
    expect(opens[1]?.user_agent).toBe(HUMAN);
    // One status event for the first reader's open; later opens are rows in `opens` only.
    expect((await eventsOf(t.db, r.recipientId)).filter((e) => e.status === "opened")).toHaveLength(1);
    expect((await recipientOf(t.db, r.recipientId)).opened_at).toBe(opened.opened_at);
  });

  it("marks proxy and scanner opens as automated; only webmail image proxies move the status", async () => {
    const cases: Array<[string, string, string]> = [
      ["Mozilla/5.0", "proxy", "sent"],
      ["Barracuda Sentinel (EE)", "scanner", "sent"],
      [
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
        "image_proxy",
        "opened",
      ],
    ];
    for (const [ua, reason, status] of cases) {
      const r = await insertRecipient(t.db, a.id, { at: clock.now() });
      clock.advance(600_000);
      expectGif(await fetchPixel(pixel(a.id, r.recipientId), ua));
      const [open] = await opensOf(t.db, a.id, r.recipientId);
      expect(open).toMatchObject({ automated: 1, automated_reason: reason });
      expect((await recipientOf(t.db, r.recipientId)).status, ua).toBe(status);
    }
  });

  it("an open after a hard bounce is only an event: the status stays hard_bounce", async () => {
    const r = await insertRecipient(t.db, a.id, { at: clock.now(), status: "hard_bounce" });
    clock.advance(3_600_000);
    expectGif(await fetchPixel(pixel(a.id, r.recipientId), HUMAN));
    const row = await recipientOf(t.db, r.recipientId);
    expect(row.status).toBe("hard_bounce");
    expect(row.opened_at).toBeNull();
    expect((await eventsOf(t.db, r.recipientId)).map((e) => e.status)).toEqual(["opened"]);
    expect(await opensOf(t.db, a.id, r.recipientId)).toHaveLength(1);
  });

  it("stores no IP address, and a truncated user agent", async () => {
    const r = await insertRecipient(t.db, a.id, { at: clock.now() });
    clock.advance(3_600_000);
    const res = await t.inject({
      method: "GET",
      url: pixel(a.id, r.recipientId),
      remoteAddress: "203.0.113.77",
      headers: { "user-agent": `${HUMAN} ${"x".repeat(2000)}`, "x-forwarded-for": "198.51.100.9" },
    });
    expectGif(res);
    const [open] = await opensOf(t.db, a.id, r.recipientId);
    expect(open?.user_agent?.length).toBe(300);
    const text = JSON.stringify(open);
    expect(text).not.toContain("203.0.113.77");
    expect(text).not.toContain("198.51.100.9");
    expect(Object.keys(open ?? {}).sort()).toEqual(
      ["at", "automated", "automated_reason", "id", "recipient_id", "tenant_id", "user_agent"].sort(),
    );
  });

  it("answers the same GIF for bad tokens and records nothing", async () => {
    const r = await insertRecipient(t.db, a.id, { at: clock.now() });
    clock.advance(3_600_000);
    const good = pixel(a.id, r.recipientId);
    const token = good.slice(3, -4);
    const bad = [
      `/o/${token.slice(0, -2)}AA.gif`,
      `/o/${token}.png`,
      `/o/${token}`,
      "/o/junk.gif",
      "/o/.gif",
      `/o/${"a".repeat(5000)}.gif`,
      `/o/x/${token}.gif`,
      // Another tenant's id with A's recipient; an unsubscribe token; an expired one.
      pixel(b.id, r.recipientId),
      `/o/${unsubscribeUrl({ publicUrl: "", secretKey: t.config.secretKey }, a.id, r.recipientId, clock.now()).slice(3)}.gif`,
      openPixelUrl(
        { publicUrl: "", secretKey: t.config.secretKey },
        a.id,
        r.recipientId,
        clock.now() - 91 * 86_400_000,
      ),
    ];
    for (const url of bad) expectGif(await fetchPixel(url, HUMAN));
    // A HEAD of the good URL is no open either.
    const head = await t.inject({ method: "HEAD", url: good, headers: { "user-agent": HUMAN } });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-type"]).toBe("image/gif");
    expect(await opensOf(t.db, a.id, r.recipientId)).toEqual([]);
    expect((await recipientOf(t.db, r.recipientId)).status).toBe("sent");
    expect(await t.db.selectFrom("opens").selectAll().where("tenant_id", "=", b.id).execute()).toEqual([]);
  });

  it("keeps at most MAX_OPENS_PER_RECIPIENT opens per recipient", async () => {
    const r = await insertRecipient(t.db, a.id, { at: clock.now() });
    clock.advance(3_600_000);
    const url = pixel(a.id, r.recipientId);
    for (let i = 0; i < MAX_OPENS_PER_RECIPIENT + 5; i++) expectGif(await fetchPixel(url, HUMAN));
    expect(await opensOf(t.db, a.id, r.recipientId)).toHaveLength(MAX_OPENS_PER_RECIPIENT);
  });

  it("tracking settings: on by default, administrators turn opens off, and then nothing is recorded", async () => {
    const get = (tenant: TestTenant, role: "system" | "staff" | "administrator") =>
      t.inject({ method: "GET", url: "/v1/settings/tracking", headers: tenant.auth(role) });
    const put = (tenant: TestTenant, role: "system" | "staff" | "administrator", payload: unknown) =>
      t.inject({ method: "PUT", url: "/v1/settings/tracking", headers: tenant.auth(role), payload: payload as object });
    const tenant = await t.newTenant("Settings school");
    for (const role of ["system", "staff", "administrator"] as const) {
      expect(JSON.parse((await get(tenant, role)).body)).toEqual({ trackOpens: true });
    }
    for (const role of ["system", "staff"] as const) {
      expect((await put(tenant, role, { trackOpens: false })).statusCode).toBe(403);
    }
    expect((await put(tenant, "administrator", { trackOpens: "no" })).statusCode).toBe(400);
    expect((await put(tenant, "administrator", { trackOpens: false, extra: 1 })).statusCode).toBe(400);
    expect((await put(tenant, "administrator", {})).statusCode).toBe(400);
    const res = await put(tenant, "administrator", { trackOpens: false });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ trackOpens: false });
    expect(JSON.parse((await get(tenant, "staff")).body)).toEqual({ trackOpens: false });
    // Another tenant is unaffected.
    expect(JSON.parse((await get(b, "staff")).body)).toEqual({ trackOpens: true });
    expect((await t.inject({ method: "GET", url: "/v1/settings/tracking" })).statusCode).toBe(401);

    const r = await insertRecipient(t.db, tenant.id, { at: clock.now() });
    clock.advance(3_600_000);
    expectGif(await fetchPixel(pixel(tenant.id, r.recipientId), HUMAN));
    expect(await opensOf(t.db, tenant.id, r.recipientId)).toEqual([]);
    expect((await recipientOf(t.db, r.recipientId)).status).toBe("sent");
    expect((await put(tenant, "administrator", { trackOpens: true })).statusCode).toBe(200);
    expectGif(await fetchPixel(pixel(tenant.id, r.recipientId), HUMAN));
    expect((await recipientOf(t.db, r.recipientId)).status).toBe("opened");
  });

  it("a suppressed recipient's open does not touch the suppression", async () => {
    const r = await insertRecipient(t.db, a.id, { at: clock.now(), status: "spam", email: "angry@example.test" });
    await suppress(t.db, [
      { tenantId: a.id, email: r.email, reason: "spam", detail: null, recipientId: r.recipientId, at: clock.now() },
    ]);
    clock.advance(3_600_000);
    expectGif(await fetchPixel(pixel(a.id, r.recipientId), HUMAN));
    expect((await recipientOf(t.db, r.recipientId)).status).toBe("spam");
    const s = await t.db.selectFrom("suppressions").selectAll().where("tenant_id", "=", a.id).execute();
    expect(s.map((x) => [x.email, x.reason])).toEqual([["angry@example.test", "spam"]]);
  });
});
