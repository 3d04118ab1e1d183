import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  TEST_MAX_RECIPIENTS,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";

interface Summary {
  id: string;
  category: string;
  subject: string;
  createdAt: string;
  recipientCount: number;
  statusCounts: Record<string, number>;
}

interface Page {
  items: Summary[];
  nextCursor: string | null;
}

const HOUR = 3_600_000;

describe.each(dialects)("GET /v1/messages [%s]", (dialect) => {
  let t: TestApp;
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
  beforeAll(async () => {
    t = await openTestApp(dialect, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function send(tenant: TestTenant, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage(overrides),
    });
    expect(res.statusCode, res.body).toBe(202);
    return json<{ id: string }>(res).id;
  }

  async function list(tenant: TestTenant, query: string) {
    return t.inject({ method: "GET", url: `/v1/messages${query}`, headers: tenant.auth("staff") });
  }

  async function page(tenant: TestTenant, query: string): Promise<Page> {
    const res = await list(tenant, query);
    expect(res.statusCode, res.body).toBe(200);
    return json<Page>(res);
  }

  it("pages 7 messages 3 at a time: 3, 3, 1, newest first, no duplicates, nextCursor null at the end", async () => {
    const tenant = await t.newTenant();
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) {
      sent.push(await send(tenant, { subject: `Message ${i}` }));
      clock.advance(1000);
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const p: Page = await page(tenant, `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      sizes.push(p.items.length);
      seen.push(...p.items.map((m) => m.id));
      cursor = p.nextCursor;
    } while (cursor !== null && sizes.length < 10);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual([...sent].reverse());
    expect(new Set(seen).size).toBe(7);
  });

  it("a page exactly at the end hands out a cursor whose next page is empty", async () => {
    const tenant = await t.newTenant();
    for (let i = 0; i < 3; i++) await send(tenant);
    const first = await page(tenant, "?limit=3");
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    expect(await page(tenant, `?limit=3&cursor=${first.nextCursor}`)).toEqual({ items: [], nextCursor: null });
  });

  it("an empty tenant -> { items: [], nextCursor: null }", async () => {
    const tenant = await t.newTenant();
    expect(await page(tenant, "")).toEqual({ items: [], nextCursor: null });
  });

  it("shows each message's recipient count and its recipients per status, not the recipients", async () => {
    const tenant = await t.newTenant();
    const id = await send(tenant, { to: ["a@example.com", { name: "Nobody" }], cc: ["c@example.com"] });
    const p = await page(tenant, "");
    expect(p.items).toHaveLength(1);
    expect(p.items[0]).toMatchObject({ id, category: "announcement", subject: "School trip on Friday" });
    expect(p.items[0]?.recipientCount).toBe(3);
    // Only statuses some recipient has appear.
    expect(p.items[0]?.statusCounts).toEqual({ queued: 2, email_missing: 1 });
    expect(p.items[0]).not.toHaveProperty("recipients");
  });

  it("a page of large messages carries counts only", async () => {
    const tenant = await t.newTenant();
    const to = Array.from({ length: TEST_MAX_RECIPIENTS }, (_, i) => `parent${i}@example.com`);
    await send(tenant, { to });
    await send(tenant, { to });
    const res = await list(tenant, "");
    expect(res.statusCode).toBe(200);
    const p = json<Page>(res);
    expect(p.items.map((m) => [m.recipientCount, m.statusCounts])).toEqual([
      [TEST_MAX_RECIPIENTS, { queued: TEST_MAX_RECIPIENTS }],
      [TEST_MAX_RECIPIENTS, { queued: TEST_MAX_RECIPIENTS }],
    ]);
    expect(res.body).not.toContain("parent0@example.com");
  });

  it("filters by category", async () => {
    const tenant = await t.newTenant();
    const alert = await send(tenant, { category: "alert" });
    await send(tenant, { category: "announcement" });
    const invitation = await send(tenant, { category: "invitation" });
    const alert2 = await send(tenant, { category: "alert" });
    expect((await page(tenant, "?category=alert")).items.map((m) => m.id)).toEqual([alert2, alert]);
    expect((await page(tenant, "?category=invitation")).items.map((m) => m.id)).toEqual([invitation]);
    expect((await page(tenant, "?category=digest")).items).toEqual([]);
    const paged = await page(tenant, "?category=alert&limit=1");
    expect(paged.items.map((m) => m.id)).toEqual([alert2]);
    expect((await page(tenant, `?category=alert&limit=1&cursor=${paged.nextCursor}`)).items.map((m) => m.id)).toEqual([
      alert,
    ]);
  });

  it("filters by recipient status: a message matches when any recipient has it", async () => {
    const tenant = await t.newTenant();
    const queuedOnly = await send(tenant);
    const partlySent = await send(tenant, { to: ["a@example.com", "b@example.com"] });
    const missing = await send(tenant, { to: [{ name: "No address" }] });
    await t.db
      .updateTable("recipients")
      .set({ status: "sent", next_attempt_at: null })
      .where("tenant_id", "=", tenant.id)
      .where("message_id", "=", partlySent)
      .where("email", "=", "a@example.com")
      .execute();
    expect((await page(tenant, "?status=sent")).items.map((m) => m.id)).toEqual([partlySent]);
    expect((await page(tenant, "?status=queued")).items.map((m) => m.id)).toEqual([partlySent, queuedOnly]);
    expect((await page(tenant, "?status=email_missing")).items.map((m) => m.id)).toEqual([missing]);
    expect((await page(tenant, "?status=hard_bounce")).items).toEqual([]);
    // The listed message counts all its recipients, not only the matching one.
    const sent = await page(tenant, "?status=sent");
    expect(sent.items[0]).toMatchObject({ recipientCount: 2, statusCounts: { queued: 1, sent: 1 } });
    // Filters combine.
    expect((await page(tenant, "?status=sent&category=alert")).items).toEqual([]);
  });

  it("filters by time: since is inclusive, until exclusive", async () => {
    const tenant = await t.newTenant();
    clock.advance(HOUR);
    const t0 = clock.now();
    const first = await send(tenant);
    clock.advance(HOUR);
    const second = await send(tenant);
    clock.advance(HOUR);
    const third = await send(tenant);
    const at = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    expect((await page(tenant, `?since=${at(t0 + HOUR)}`)).items.map((m) => m.id)).toEqual([third, second]);
    expect((await page(tenant, `?until=${at(t0 + HOUR)}`)).items.map((m) => m.id)).toEqual([first]);
    expect((await page(tenant, `?since=${at(t0)}&until=${at(t0 + 2 * HOUR)}`)).items.map((m) => m.id)).toEqual([
      second,
      first,
    ]);
    expect((await page(tenant, `?since=${at(t0 + 3 * HOUR)}`)).items).toEqual([]);
    // Time zones in the query are honoured.
    expect((await page(tenant, `?since=${encodeURIComponent(offset(t0 + 2 * HOUR))}`)).items.map((m) => m.id)).toEqual([
      third,
    ]);
    const shown = (await page(tenant, `?since=${at(t0)}&limit=1`)).items[0];
    expect(shown?.createdAt).toBe(new Date(t0 + 2 * HOUR).toISOString());
  });

  it.each([
    ["cursor=bogus", "invalid_cursor"],
    ["cursor=dGhpcyBpcyBub3QgYSBjdXJzb3I", "invalid_cursor"],
    [`cursor=${Buffer.from("v1:not-an-id").toString("base64url")}`, "invalid_cursor"],
    ["limit=0", "invalid_request"],
    ["limit=-1", "invalid_request"],
    ["limit=1000", "invalid_request"],
    ["limit=2.5", "invalid_request"],
    ["limit=ten", "invalid_request"],
    ["status=delivered", "invalid_request"],
    ["category=newsletter", "invalid_request"],
    ["since=yesterday", "invalid_request"],
    ["until=2026-13-45T00:00:00Z", "invalid_request"],
    ["page=2", "unknown_field"],
  ])("?%s -> 400 %s", async (query, code) => {
    const tenant = await t.newTenant();
    const res = await list(tenant, `?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(json<ErrorReply>(res).error.code).toBe(code);
  });

  it("limit 1 and 200 are the bounds", async () => {
    const tenant = await t.newTenant();
    await send(tenant);
    await send(tenant);
    expect((await page(tenant, "?limit=1")).items).toHaveLength(1);
    expect((await page(tenant, "?limit=200")).items).toHaveLength(2);
  });
});

/** The instant `ms` written with a +02:00 offset instead of Z. */
function offset(ms: number): string {
  return `${new Date(ms + 2 * HOUR).toISOString().slice(0, 19)}+02:00`;
}
