import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meterBatch } from "../../src/credits/meter.js";
import { newId } from "../../src/db/ids.js";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  TEST_MAX_RECIPIENTS,
  TEST_SENDER_DOMAIN,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";

interface Credits {
  period: string;
  periodStart: string;
  periodEnd: string;
  monthlyAllowance: number;
  usedThisPeriod: number;
  packageBalance: number;
  available: number;
  state: "ok" | "low" | "over";
}

interface LedgerEntry {
  id: string;
  at: string;
  period: string;
  kind: string;
  amount: number;
  grantId: string | null;
  recipientId: string | null;
  actor: string | null;
  note: string | null;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const notices = { senderDomain: TEST_SENDER_DOMAIN, publicUrl: "http://postbag.test" };

/** The id part of a key `pb_<id>_<secret>`: what the ledger records as the actor. */
const keyId = (key: string) => key.split("_")[1];

describe.each(dialects)("tenant credits API [%s]", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let operator: { authorization: string };
  beforeAll(async () => {
    t = await openTestApp(dialect);
    clock = t.clock as ManualClock;
    operator = await t.operatorAuth();
  });
  afterAll(async () => {
    await t?.close();
  });

  const credits = async (tenant: TestTenant, role: "system" | "staff" | "administrator" = "system") => {
    const res = await t.inject({ method: "GET", url: "/v1/credits", headers: tenant.auth(role) });
    expect(res.statusCode, res.body).toBe(200);
    return json<Credits>(res);
  };

  const newPackage = async (credits: number, expiresInDays?: number) => {
    const res = await t.inject({
      method: "POST",
      url: "/v1/operator/packages",
      headers: operator,
      payload: { name: `${credits} emails`, credits, ...(expiresInDays ? { expiresInDays } : {}) },
    });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };

  const purchase = (
    tenant: TestTenant,
    packageId: string,
    role: "system" | "staff" | "administrator" = "administrator",
  ) => t.inject({ method: "POST", url: `/v1/packages/${packageId}/purchase`, headers: tenant.auth(role) });

  /** Accepts `count` counted recipients through the API and meters them as a worker does at claim time. */
  async function sendCounted(tenant: TestTenant, count: number, category = "announcement"): Promise<string[]> {
    const messageIds: string[] = [];
    for (let sent = 0; sent < count; sent += TEST_MAX_RECIPIENTS) {
      const n = Math.min(TEST_MAX_RECIPIENTS, count - sent);
      const res = await t.inject({
        method: "POST",
        url: "/v1/messages",
        headers: tenant.auth(),
        payload: validMessage({ category, to: Array.from({ length: n }, (_, i) => `parent${sent + i}@example.com`) }),
      });
      expect(res.statusCode, res.body).toBe(202);
      messageIds.push(json<{ id: string }>(res).id);
    }
    await t.writer.whenIdle();
    const rows = await t.db
      .selectFrom("recipients")
      .select(["id", "message_id"])
      .where("tenant_id", "=", tenant.id)
      .where("message_id", "in", messageIds)
      .orderBy("id")
      .execute();
    for (let i = 0; i < rows.length; i += 500) {
      await meterBatch(
        t.database,
        rows
          .slice(i, i + 500)
          .map((r) => ({ recipientId: r.id, tenantId: tenant.id, messageId: r.message_id, category })),
        clock.now(),
        notices,
      );
    }
    return messageIds;
  }

  it("a fresh tenant has this month's 3000 free credits, periods in its own time zone", async () => {
    clock.set(Date.UTC(2026, 0, 15, 9, 0));
    const tenant = await t.newTenant();
    expect(await credits(tenant)).toEqual({
      period: "2026-01",
      periodStart: "2026-01-01T00:00:00.000Z",
      periodEnd: "2026-02-01T00:00:00.000Z",
      monthlyAllowance: 3000,
      usedThisPeriod: 0,
      packageBalance: 0,
      available: 3000,
      state: "ok",
      overLimitPolicy: "soft",
      graceDays: 7,
    });

    // New York: the month starts at local midnight, 05:00 UTC.
    const res = await t.inject({
      method: "POST",
      url: "/v1/operator/tenants",
      headers: operator,
      payload: { name: "Brooklyn", timezone: "America/New_York" },
    });
    const ny = json<{ id: string }>(res).id;
    const key = await t.inject({
      method: "POST",
      url: `/v1/operator/tenants/${ny}/keys`,
      headers: operator,
      payload: { role: "staff" },
    });
    const nyCredits = await t.inject({
      method: "GET",
      url: "/v1/credits",
      headers: { authorization: `Bearer ${json<{ key: string }>(key).key}` },
    });
    expect(json<Credits>(nyCredits)).toMatchObject({
      periodStart: "2026-01-01T05:00:00.000Z",
      periodEnd: "2026-02-01T05:00:00.000Z",
      available: 3000,
    });
  });

  it("buying 10,000 at the start of a month gives 10,000 that month, not 13,000", async () => {
    clock.set(Date.UTC(2026, 2, 1, 0, 30));
    const tenant = await t.newTenant();
    const pkg = await newPackage(10_000);

    const bought = await purchase(tenant, pkg);
    expect(bought.statusCode, bought.body).toBe(201);
    const balance = json<Credits>(bought);
    expect(balance).toMatchObject({
      period: "2026-03",
      monthlyAllowance: 3000,
      usedThisPeriod: 0,
      packageBalance: 10_000,
      available: 10_000,
      state: "ok",
    });
    // The purchase answers the same balance GET /v1/credits shows.
    expect(await credits(tenant)).toEqual(balance);
  });

  it("after 2,000 counted emails from the allowance, buying 10,000 gives 10,000; the package is spent first", async () => {
    clock.set(Date.UTC(2026, 3, 10, 8, 0));
    const tenant = await t.newTenant();
    await sendCounted(tenant, 2000);
    expect(await credits(tenant)).toMatchObject({ usedThisPeriod: 2000, packageBalance: 0, available: 1000 });

    const bought = await purchase(tenant, await newPackage(10_000));
    expect(bought.statusCode, bought.body).toBe(201);
    expect(json<Credits>(bought)).toMatchObject({ usedThisPeriod: 2000, packageBalance: 10_000, available: 10_000 });

    await sendCounted(tenant, 100);
    expect(await credits(tenant)).toMatchObject({ usedThisPeriod: 2100, packageBalance: 9900, available: 9900 });
    const uses = await t.db
      .selectFrom("credit_ledger")
      .select((eb) => ["kind", eb.fn.countAll<number | string>().as("n")])
      .where("tenant_id", "=", tenant.id)
      .where("amount", "=", -1)
      .groupBy("kind")
      .execute();
    expect(Object.fromEntries(uses.map((u) => [u.kind, Number(u.n)]))).toEqual({
      allowance_use: 2000,
      package_use: 100,
    });
  });

  it("unused allowance does not roll over; purchased credit does", async () => {
    clock.set(Date.UTC(2026, 4, 20, 12, 0));
    const tenant = await t.newTenant();
    await sendCounted(tenant, 100);
    await purchase(tenant, await newPackage(500));
    await sendCounted(tenant, 50);
    expect(await credits(tenant)).toMatchObject({ period: "2026-05", usedThisPeriod: 150, packageBalance: 450 });

    clock.set(Date.UTC(2026, 5, 1, 9, 0));
    expect(await credits(tenant)).toMatchObject({
      period: "2026-06",
      usedThisPeriod: 0,
      packageBalance: 450,
      // 450 purchased; the fresh 3000 is not stacked on it.
      available: 3000,
    });
  });

  it("purchase needs the administrator role: staff and system keys get 403 forbidden and nothing is bought", async () => {
    clock.set(Date.UTC(2026, 0, 20, 9, 0));
    const tenant = await t.newTenant();
    const pkg = await newPackage(10_000);
    for (const role of ["staff", "system"] as const) {
      const res = await purchase(tenant, pkg, role);
      expect(res.statusCode, res.body).toBe(403);
      expect(json<ErrorReply>(res).error.code).toBe("forbidden");
    }
    const byOperator = await t.inject({ method: "POST", url: `/v1/packages/${pkg}/purchase`, headers: operator });
    expect(byOperator.statusCode).toBe(403);
    expect(await credits(tenant)).toMatchObject({ packageBalance: 0, available: 3000 });
    const grants = await t.db.selectFrom("credit_grants").select("id").where("tenant_id", "=", tenant.id).execute();
    expect(grants).toEqual([]);
  });

  it("purchase of a package not on sale, unknown or junk -> 404 not_found", async () => {
    const tenant = await t.newTenant();
    const pkg = await newPackage(1000);
    const off = await t.inject({ method: "DELETE", url: `/v1/operator/packages/${pkg}`, headers: operator });
    expect(off.statusCode, off.body).toBe(200);
    for (const id of [pkg, newId(), "nope", "' or 1=1 --"]) {
      const res = await purchase(tenant, encodeURIComponent(id));
      expect(res.statusCode, res.body).toBe(404);
      expect(json<ErrorReply>(res).error.code).toBe("not_found");
    }
    expect(await credits(tenant)).toMatchObject({ packageBalance: 0 });
  });

  it("GET /v1/packages lists only packages on sale", async () => {
    const tenant = await t.newTenant();
    const on = await newPackage(2500, 365);
    const off = await newPackage(777);
    await t.inject({ method: "DELETE", url: `/v1/operator/packages/${off}`, headers: operator });
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/packages?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await t.inject({ method: "GET", url, headers: tenant.auth("staff") });
      expect(res.statusCode, res.body).toBe(200);
      const page = json<Page<{ id: string; credits: number; expiresInDays: number | null; active: boolean }>>(res);
      for (const p of page.items) expect(p.active).toBe(true);
      ids.push(...page.items.map((p) => p.id));
      const found = page.items.find((p) => p.id === on);
      if (found) expect(found).toMatchObject({ credits: 2500, expiresInDays: 365 });
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toContain(on);
    expect(ids).not.toContain(off);
  });

  it("expired purchased credit does not count", async () => {
    clock.set(Date.UTC(2026, 0, 10, 9, 0));
    const tenant = await t.newTenant();
    const res = await purchase(tenant, await newPackage(10_000, 30));
    expect(json<Credits>(res)).toMatchObject({ packageBalance: 10_000, available: 10_000 });

    clock.set(Date.UTC(2026, 1, 8, 9, 0));
    expect(await credits(tenant)).toMatchObject({ packageBalance: 10_000, available: 10_000 });

    clock.set(Date.UTC(2026, 1, 9, 9, 0));
    expect(await credits(tenant)).toMatchObject({ packageBalance: 0, available: 3000, usedThisPeriod: 0 });
    await sendCounted(tenant, 10);
    expect(await credits(tenant)).toMatchObject({ packageBalance: 0, available: 2990, usedThisPeriod: 10 });
    const uses = await t.db
      .selectFrom("credit_ledger")
      .select("kind")
      .where("tenant_id", "=", tenant.id)
      .where("amount", "<", 0)
      .execute();
    expect(new Set(uses.map((u) => u.kind))).toEqual(new Set(["allowance_use"]));
  });

  it("the ledger explains each movement, newest first, in pages, each row once", async () => {
    clock.set(Date.UTC(2026, 6, 1, 10, 0));
    const tenant = await t.newTenant();
    const pkg = await newPackage(200);
    const bought = await purchase(tenant, pkg);
    expect(bought.statusCode).toBe(201);
    for (let i = 1; i <= 3; i++) {
      clock.advance(60_000);
      const adj = await t.inject({
        method: "POST",
        url: `/v1/operator/tenants/${tenant.id}/adjustments`,
        headers: operator,
        payload: { credits: i * 10, note: `goodwill ${i}` },
      });
      expect(adj.statusCode, adj.body).toBe(201);
    }
    clock.advance(60_000);
    await sendCounted(tenant, 2);

    const rows: LedgerEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/credits/ledger?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await t.inject({ method: "GET", url, headers: tenant.auth("staff") });
      expect(res.statusCode, res.body).toBe(200);
      const page = json<Page<LedgerEntry>>(res);
      expect(page.items.length).toBeLessThanOrEqual(2);
      rows.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.id)).size).toBe(6);
    expect(rows.map((r) => r.kind)).toEqual([
      "package_use",
      "package_use",
      "adjustment",
      "adjustment",
      "adjustment",
      "package_purchase",
    ]);
    const [use, , adj3, , , purchaseRow] = rows;
    expect(use).toMatchObject({ period: "2026-07", amount: -1, actor: null });
    expect(use?.recipientId).toMatch(/^[0-9A-Z]{26}$/);
    expect(adj3).toMatchObject({ amount: 30, note: "goodwill 3", recipientId: null });
    expect(purchaseRow).toMatchObject({
      at: "2026-07-01T10:00:00.000Z",
      period: "2026-07",
      amount: 200,
      actor: keyId(tenant.keys.administrator),
      recipientId: null,
    });
    expect(purchaseRow?.note).toContain("200 emails");
    // The charge and the purchase name the same grant: the package the email was paid from.
    const grant = await t.db
      .selectFrom("credit_grants")
      .selectAll()
      .where("id", "=", purchaseRow?.grantId ?? "")
      .executeTakeFirstOrThrow();
    expect(grant).toMatchObject({ tenant_id: tenant.id, source: "package", package_id: pkg, credits: 200 });
    // Adjustments were added later but expire no sooner, so the package (oldest) is spent first.
    expect(use?.grantId).toBe(purchaseRow?.grantId);

    const june = await t.inject({ method: "GET", url: "/v1/credits/ledger?period=2026-06", headers: tenant.auth() });
    expect(json<Page<LedgerEntry>>(june).items).toEqual([]);
    for (const bad of ["period=2026-13", "period=26-01", "cursor=nope", "limit=0", "limit=201", "extra=1"]) {
      const res = await t.inject({ method: "GET", url: `/v1/credits/ledger?${bad}`, headers: tenant.auth() });
      expect(res.statusCode, `${bad}: ${res.body}`).toBe(400);
    }
  });

  it("one tenant never sees another's credit, ledger or purchases", async () => {
    clock.set(Date.UTC(2026, 0, 21, 9, 0));
    const a = await t.newTenant("School A");
    const b = await t.newTenant("School B");
    await purchase(a, await newPackage(5000));
    await sendCounted(a, 3);
    expect(await credits(b)).toMatchObject({ usedThisPeriod: 0, packageBalance: 0, available: 3000 });
    const ledger = await t.inject({ method: "GET", url: "/v1/credits/ledger", headers: b.auth("administrator") });
    expect(json<Page<LedgerEntry>>(ledger).items).toEqual([]);
    // A cursor made from A's ledger gives B nothing of A's.
    const aPage = json<Page<LedgerEntry>>(
      await t.inject({ method: "GET", url: "/v1/credits/ledger?limit=1", headers: a.auth() }),
    );
    expect(aPage.nextCursor).not.toBeNull();
    const bPage = await t.inject({
      method: "GET",
      url: `/v1/credits/ledger?cursor=${aPage.nextCursor}`,
      headers: b.auth(),
    });
    expect(json<Page<LedgerEntry>>(bPage).items).toEqual([]);
  });

  it("credit routes need a key", async () => {
    for (const url of ["/v1/credits", "/v1/credits/ledger", "/v1/packages"]) {
      const res = await t.inject({ method: "GET", url });
      expect(res.statusCode).toBe(401);
      expect(json<ErrorReply>(res).error.code).toBe("unauthorized");
    }
    const tenantOnly = await t.inject({ method: "GET", url: "/v1/credits", headers: operator });
    expect(tenantOnly.statusCode).toBe(403);
  });

  it("mail held for lack of credit under the hard policy goes back to the outbox when credit is bought", async () => {
    clock.set(Date.UTC(2026, 0, 22, 9, 0));
    const tenant = await t.newTenant();
    const set = await t.inject({
      method: "PUT",
      url: `/v1/operator/tenants/${tenant.id}/credit-settings`,
      headers: operator,
      payload: { monthlyAllowance: 0, overLimitPolicy: "hard" },
    });
    expect(set.statusCode, set.body).toBe(200);
    const [messageId] = await sendCounted(tenant, 3);

    const statuses = async () => {
      const res = await t.inject({ method: "GET", url: `/v1/messages/${messageId}`, headers: tenant.auth() });
      return json<{ recipients: { status: string }[] }>(res).recipients.map((r) => r.status);
    };
    expect(await statuses()).toEqual(["held_no_credit", "held_no_credit", "held_no_credit"]);
    expect(await credits(tenant)).toMatchObject({ monthlyAllowance: 0, available: 0, state: "over" });

    clock.advance(60_000);
    const bought = await purchase(tenant, await newPackage(2));
    expect(bought.statusCode, bought.body).toBe(201);
    expect(await statuses()).toEqual(["queued", "queued", "queued"]);
    const rows = await t.db
      .selectFrom("recipients")
      .select(["id", "message_id", "charge", "next_attempt_at", "created_at"])
      .where("tenant_id", "=", tenant.id)
      .orderBy("id")
      .execute();
    for (const r of rows) expect(r).toMatchObject({ charge: null, next_attempt_at: r.created_at });

    // Metered again at the next claim: two go on the package, the third is held again.
    const { held } = await meterBatch(
      t.database,
      rows.map((r) => ({ recipientId: r.id, tenantId: tenant.id, messageId: r.message_id, category: "announcement" })),
      clock.now(),
      notices,
    );
    expect(held.size).toBe(1);
    expect((await statuses()).sort()).toEqual(["held_no_credit", "queued", "queued"]);
    expect(await credits(tenant)).toMatchObject({ usedThisPeriod: 2, packageBalance: 0, available: 0 });
  });
  it("held mail also goes back when the operator softens the policy or gives credit", async () => {
    clock.set(Date.UTC(2026, 0, 23, 9, 0));
    const tenant = await t.newTenant();
    const settings = `/v1/operator/tenants/${tenant.id}/credit-settings`;
    await t.inject({
      method: "PUT",
      url: settings,
      headers: operator,
      payload: { monthlyAllowance: 0, overLimitPolicy: "hard" },
    });
    const held = async () =>
      (
        await t.db
          .selectFrom("recipients")
          .select("status")
          .where("tenant_id", "=", tenant.id)
          .where("status", "=", "held_no_credit")
          .execute()
      ).length;

    await sendCounted(tenant, 2);
    expect(await held()).toBe(2);
    const soft = await t.inject({
      method: "PUT",
      url: settings,
      headers: operator,
      payload: { overLimitPolicy: "soft" },
    });
    expect(soft.statusCode, soft.body).toBe(200);
    expect(await held()).toBe(0);

    await t.inject({ method: "PUT", url: settings, headers: operator, payload: { overLimitPolicy: "hard" } });
    await sendCounted(tenant, 1);
    expect(await held()).toBe(1);
    const given = await t.inject({
      method: "POST",
      url: `/v1/operator/tenants/${tenant.id}/adjustments`,
      headers: operator,
      payload: { credits: 1, note: "one on us" },
    });
    expect(given.statusCode, given.body).toBe(201);
    expect(await held()).toBe(0);
  });

  it("every credit route is in the OpenAPI document", async () => {
    const doc = json<{ paths: Record<string, Record<string, unknown>> }>(
      await t.inject({ method: "GET", url: "/openapi.json" }),
    );
    const expected: [string, string][] = [
      ["/v1/credits", "get"],
      ["/v1/credits/ledger", "get"],
      ["/v1/credits/low-credit-recipients", "put"],
      ["/v1/packages", "get"],
      ["/v1/packages/{id}/purchase", "post"],
      ["/v1/users", "post"],
      ["/v1/users/{id}", "delete"],
      ["/v1/operator/credit-settings", "put"],
      ["/v1/operator/tenants/{id}/credit-settings", "put"],
      ["/v1/operator/packages", "post"],
      ["/v1/operator/tenants/{id}/adjustments", "post"],
      ["/v1/operator/groups", "post"],
      ["/v1/operator/tenants/{id}/group", "put"],
      ["/v1/operator/groups/{id}/top-ups", "post"],
      ["/v1/operator/groups/{id}/allocations", "post"],
      ["/v1/operator/groups/{id}", "get"],
    ];
    for (const [path, method] of expected) expect(doc.paths[path], `${method} ${path}`).toHaveProperty([method]);
  });
});
