import { afterAll, beforeAll, expect, it } from "vitest";
import { suppress, suppressedAmong } from "../../src/messages/suppressions.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect } from "../support/databases.js";
import { json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";

interface Item {
  email: string;
  reason: string;
  createdAt: string;
}
interface Reset {
  id: string;
  email: string;
  reason: string;
  suppressedAt: string;
  resetBy: string;
  note: string;
  at: string;
}

describeEachDialect("suppressions API", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let a: TestTenant;
  let b: TestTenant;

  const list = (tenant: TestTenant, query = "", role: "staff" | "administrator" | "system" = "staff") =>
    t.inject({ method: "GET", url: `/v1/suppressions${query}`, headers: tenant.auth(role) });
  const reset = (
    tenant: TestTenant,
    email: string,
    payload: unknown,
    role: "staff" | "administrator" | "system" = "administrator",
  ) =>
    t.inject({
      method: "DELETE",
      url: `/v1/suppressions/${encodeURIComponent(email)}`,
      headers: tenant.auth(role),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const keyIdOf = (key: string) => key.split("_")[1];

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0));
    t = await openTestApp(dialect, { clock });
    a = await t.newTenant("Oakwood");
    b = await t.newTenant("Other");
    const at = clock.now();
    const entry = (tenantId: string, email: string, reason: "hard_bounce" | "spam") => ({
      tenantId,
      email,
      reason,
      detail: `${reason} detail`,
      recipientId: null,
      at,
    });
    await suppress(t.db, [
      entry(a.id, "Zed@Example.test", "hard_bounce"),
      entry(a.id, "amy@example.test", "spam"),
      entry(a.id, "bob@school.test", "hard_bounce"),
      entry(a.id, "under_score@example.test", "hard_bounce"),
      entry(a.id, "underXscore@example.test", "hard_bounce"),
      entry(b.id, "amy@example.test", "hard_bounce"),
      entry(b.id, "only-b@example.test", "hard_bounce"),
    ]);
  });
  afterAll(() => t.close());

  it("lists a tenant's own suppressions in address order, paged, for staff and administrators", async () => {
    for (const role of ["staff", "administrator"] as const) {
      const res = await list(a, "", role);
      expect(res.statusCode).toBe(200);
      const body = json<{ items: Item[]; nextCursor: string | null }>(res);
      expect(body.items.map((i) => i.email)).toEqual([
        "amy@example.test",
        "bob@school.test",
        "under_score@example.test",
        "underxscore@example.test",
        "zed@example.test",
      ]);
      expect(body.items[0]).toMatchObject({ reason: "spam", createdAt: new Date(clock.now()).toISOString() });
      expect(body.nextCursor).toBeNull();
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(a, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      const page = json<{ items: Item[]; nextCursor: string | null }>(res);
      seen.push(...page.items.map((i) => i.email));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect((await list(a, "", "system")).statusCode).toBe(403);
    expect((await t.inject({ method: "GET", url: "/v1/suppressions" })).statusCode).toBe(401);
    expect((await list(a, "?cursor=bm9wZQ")).statusCode).toBe(400);
    expect((await list(a, "?limit=0")).statusCode).toBe(400);
    expect((await list(a, "?limit=1000")).statusCode).toBe(400);
    expect((await list(a, "?bogus=1")).statusCode).toBe(400);
  });

  it("searches by part of an address, case-insensitively, with LIKE characters taken literally", async () => {
    const emails = async (q: string) =>
      json<{ items: Item[] }>(await list(a, `?search=${encodeURIComponent(q)}`)).items.map((i) => i.email);
    expect(await emails("SCHOOL")).toEqual(["bob@school.test"]);
    expect(await emails("under_")).toEqual(["under_score@example.test"]);
    expect(await emails("%")).toEqual([]);
    expect(await emails("only-b")).toEqual([]);
    expect(await emails("a'); drop table suppressions; --")).toEqual([]);
    expect((await list(a, `?search=${"x".repeat(300)}`)).statusCode).toBe(400);
  });

  it("resets an address for administrators only, with a note, and audits who, when, why and what", async () => {
    for (const role of ["staff", "system"] as const) {
      expect((await reset(a, "bob@school.test", { note: "new mailbox" }, role)).statusCode).toBe(403);
    }
    expect((await reset(a, "bob@school.test", undefined)).statusCode).toBe(400);
    expect((await reset(a, "bob@school.test", {})).statusCode).toBe(400);
    expect((await reset(a, "bob@school.test", { note: "" })).statusCode).toBe(400);
    expect((await reset(a, "bob@school.test", { note: "   " })).statusCode).toBe(400);
    expect((await reset(a, "bob@school.test", { note: "x".repeat(501) })).statusCode).toBe(400);
    expect((await reset(a, "bob@school.test", { note: "ok", extra: 1 })).statusCode).toBe(400);
    expect((await reset(a, "bob@school.test", { note: "line\u0000break" })).statusCode).toBe(400);
    expect(await suppressedAmong(t.db, a.id, ["bob@school.test"])).toEqual(
      new Map([["bob@school.test", "hard_bounce"]]),
    );

    const suppressedAt = clock.now();
    clock.advance(86_400_000);
    const res = await reset(a, "BOB@School.test", { note: "Parent phoned: mailbox fixed" });
    expect(res.statusCode).toBe(200);
    const body = json<Reset>(res);
    expect(body).toMatchObject({
      email: "bob@school.test",
      reason: "hard_bounce",
      suppressedAt: new Date(suppressedAt).toISOString(),
      resetBy: keyIdOf(a.keys.administrator),
      note: "Parent phoned: mailbox fixed",
      at: new Date(clock.now()).toISOString(),
    });
    expect(await suppressedAmong(t.db, a.id, ["bob@school.test"])).toEqual(new Map());
    // Again: nothing left to reset.
    const again = await reset(a, "bob@school.test", { note: "twice" });
    expect(again.statusCode).toBe(404);
    expect(json<{ error: { code: string } }>(again).error.code).toBe("not_found");

    const log = await t.inject({ method: "GET", url: "/v1/suppressions/resets", headers: a.auth("staff") });
    expect(log.statusCode).toBe(200);
    expect(json<{ items: Reset[] }>(log).items).toEqual([body]);
    expect(
      (await t.inject({ method: "GET", url: "/v1/suppressions/resets", headers: a.auth("system") })).statusCode,
    ).toBe(403);
  });

  it("keeps tenants apart: B can neither see nor reset A's suppressions", async () => {
    const bList = json<{ items: Item[] }>(await list(b)).items.map((i) => i.email);
    expect(bList).toEqual(["amy@example.test", "only-b@example.test"]);
    // A's own address that B does not have: 404, and A's row stays.
    expect((await reset(b, "zed@example.test", { note: "not mine" })).statusCode).toBe(404);
    expect(await suppressedAmong(t.db, a.id, ["zed@example.test"])).toEqual(
      new Map([["zed@example.test", "hard_bounce"]]),
    );
    // The same address in both: B's reset removes only B's.
    expect((await reset(b, "amy@example.test", { note: "B's own" })).statusCode).toBe(200);
    expect(await suppressedAmong(t.db, a.id, ["amy@example.test"])).toEqual(new Map([["amy@example.test", "spam"]]));
    expect(await suppressedAmong(t.db, b.id, ["amy@example.test"])).toEqual(new Map());
    const aLog = json<{ items: Reset[] }>(
      await t.inject({ method: "GET", url: "/v1/suppressions/resets", headers: a.auth("administrator") }),
    ).items;
    expect(aLog.map((r) => r.note)).toEqual(["Parent phoned: mailbox fixed"]);
    const bLog = json<{ items: Reset[] }>(
      await t.inject({ method: "GET", url: "/v1/suppressions/resets", headers: b.auth("administrator") }),
    ).items;
    expect(bLog.map((r) => r.note)).toEqual(["B's own"]);
  });

  it("pages the reset log newest first", async () => {
    const tenant = await t.newTenant("Log school");
    const emails = ["p1@example.test", "p2@example.test", "p3@example.test"];
    await suppress(
      t.db,
      emails.map((email) => ({
        tenantId: tenant.id,
        email,
        reason: "hard_bounce" as const,
        detail: null,
        recipientId: null,
        at: clock.now(),
      })),
    );
    for (const email of emails) {
      clock.advance(1000);
      expect((await reset(tenant, email, { note: `reset ${email}` })).statusCode).toBe(200);
    }
    const first = json<{ items: Reset[]; nextCursor: string }>(
      await t.inject({ method: "GET", url: "/v1/suppressions/resets?limit=2", headers: tenant.auth("staff") }),
    );
    expect(first.items.map((r) => r.email)).toEqual(["p3@example.test", "p2@example.test"]);
    const second = json<{ items: Reset[]; nextCursor: string | null }>(
      await t.inject({
        method: "GET",
        url: `/v1/suppressions/resets?limit=2&cursor=${first.nextCursor}`,
        headers: tenant.auth("staff"),
      }),
    );
    expect(second.items.map((r) => r.email)).toEqual(["p1@example.test"]);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses odd addresses in the path without a server error", async () => {
    for (const email of ["%", "a\r\nb@example.test", "x".repeat(300), "   "]) {
      const res = await reset(a, email, { note: "try" });
      expect(res.statusCode, email).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, email).toBeLessThan(500);
    }
  });
});
