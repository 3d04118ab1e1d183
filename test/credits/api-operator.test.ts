import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids.js";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";

interface Credits {
  monthlyAllowance: number;
  usedThisPeriod: number;
  packageBalance: number;
  available: number;
  state: string;
}

interface GroupDetail {
  id: string;
  name: string;
  bundleBalance: number;
  tenants: { id: string; name: string; allocated: number }[];
  allocations: { id: string; tenantId: string; credits: number; grantId: string | null; note: string | null }[];
}

describe.each(dialects)("operator credits API [%s]", (dialect) => {
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

  const op = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    t.inject({ method, url, headers: operator, ...(payload === undefined ? {} : { payload: payload as object }) });

  const credits = async (tenant: TestTenant) =>
    json<Credits>(await t.inject({ method: "GET", url: "/v1/credits", headers: tenant.auth() }));

  const grantsOf = (tenantId: string) =>
    t.db
      .selectFrom("credit_grants")
      .select(["id", "source", "credits", "remaining", "expires_at"])
      .where("tenant_id", "=", tenantId)
      .orderBy("id")
      .execute();

  it("operator routes refuse tenant keys of every role (403) and requests without a key (401)", async () => {
    const tenant = await t.newTenant();
    const id = tenant.id;
    const routes: [string, string, unknown?][] = [
      ["GET", "/v1/operator/credit-settings"],
      ["PUT", "/v1/operator/credit-settings", { defaultAllowance: 1 }],
      ["GET", `/v1/operator/tenants/${id}/credit-settings`],
      ["PUT", `/v1/operator/tenants/${id}/credit-settings`, { monthlyAllowance: 1_000_000 }],
      ["POST", "/v1/operator/packages", { name: "Free lunch", credits: 1_000_000 }],
      ["GET", "/v1/operator/packages"],
      ["DELETE", `/v1/operator/packages/${newId()}`],
      ["POST", `/v1/operator/tenants/${id}/adjustments`, { credits: 1_000_000, note: "me" }],
      ["POST", "/v1/operator/groups", { name: "Mine" }],
      ["GET", "/v1/operator/groups"],
      ["GET", `/v1/operator/groups/${newId()}`],
      ["PUT", `/v1/operator/tenants/${id}/group`, { groupId: null }],
      ["POST", `/v1/operator/groups/${newId()}/top-ups`, { credits: 5, note: "x" }],
      ["POST", `/v1/operator/groups/${newId()}/allocations`, { tenantId: id, credits: 5 }],
    ];
    for (const [method, url, payload] of routes) {
      for (const role of ["system", "staff", "administrator"] as const) {
        const res = await t.inject({
          method: method as "GET",
          url,
          headers: tenant.auth(role),
          ...(payload ? { payload: payload as object } : {}),
        });
        expect(res.statusCode, `${role} ${method} ${url}: ${res.body}`).toBe(403);
        expect(json<ErrorReply>(res).error.code).toBe("forbidden");
      }
      const anonymous = await t.inject({
        method: method as "GET",
        url,
        ...(payload ? { payload: payload as object } : {}),
      });
      expect(anonymous.statusCode).toBe(401);
    }
    expect(await credits(tenant)).toMatchObject({ monthlyAllowance: 3000, packageBalance: 0 });
  });

  it("credit settings: defaults, partial change, validation; the default applies to tenants without an override", async () => {
    const before = await op("GET", "/v1/operator/credit-settings");
    expect(json(before)).toEqual({
      defaultAllowance: 3000,
      exemptCategories: ["password_reset_system"],
      criticalCategories: ["password_reset_system", "password_reset_parent"],
      defaultPolicy: "soft",
      defaultGraceDays: 7,
    });
    const tenant = await t.newTenant();
    try {
      const res = await op("PUT", "/v1/operator/credit-settings", { defaultAllowance: 5000, defaultPolicy: "grace" });
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)).toMatchObject({ defaultAllowance: 5000, defaultPolicy: "grace", defaultGraceDays: 7 });
      expect(await credits(tenant)).toMatchObject({ monthlyAllowance: 5000, available: 5000 });

      for (const [payload, code] of [
        [{ exemptCategories: ["newsletter"] }, "invalid_request"],
        [{ criticalCategories: ["alert", "alert"] }, "invalid_request"],
        [{ defaultPolicy: "lenient" }, "invalid_request"],
        [{ defaultAllowance: -1 }, "invalid_request"],
        [{ defaultAllowance: 10_000_001 }, "invalid_request"],
        [{ defaultAllowance: 2.5 }, "invalid_request"],
        [{ defaultAllowance: "3000" }, "invalid_request"],
        [{ defaultGraceDays: 366 }, "invalid_request"],
        [{ surprise: true }, "unknown_field"],
      ] as const) {
        const bad = await op("PUT", "/v1/operator/credit-settings", payload);
        expect(bad.statusCode, `${JSON.stringify(payload)}: ${bad.body}`).toBe(400);
        expect(json<ErrorReply>(bad).error.code).toBe(code);
      }
      const after = await op("GET", "/v1/operator/credit-settings");
      expect(json(after)).toMatchObject({ defaultAllowance: 5000, exemptCategories: ["password_reset_system"] });
    } finally {
      await op("PUT", "/v1/operator/credit-settings", json(before));
    }
  });

  it("a tenant's overrides: set, shown with what applies, cleared with null; unknown tenant -> 404", async () => {
    const tenant = await t.newTenant();
    const url = `/v1/operator/tenants/${tenant.id}/credit-settings`;
    const set = await op("PUT", url, { monthlyAllowance: 500, overLimitPolicy: "grace", graceDays: 2 });
    expect(set.statusCode, set.body).toBe(200);
    expect(json(set)).toEqual({
      tenantId: tenant.id,
      monthlyAllowance: 500,
      overLimitPolicy: "grace",
      graceDays: 2,
      lowCreditRecipients: [],
      effective: { monthlyAllowance: 500, overLimitPolicy: "grace", graceDays: 2 },
    });
    expect(await credits(tenant)).toMatchObject({ monthlyAllowance: 500, available: 500 });

    // Absent fields are kept; null clears one override.
    const cleared = await op("PUT", url, { monthlyAllowance: null, lowCreditRecipients: ["bursar@example.org"] });
    expect(json(cleared)).toMatchObject({
      monthlyAllowance: null,
      overLimitPolicy: "grace",
      lowCreditRecipients: ["bursar@example.org"],
      effective: { monthlyAllowance: 3000, overLimitPolicy: "grace", graceDays: 2 },
    });
    expect(json(await op("GET", url))).toEqual(json(cleared));
    expect(await credits(tenant)).toMatchObject({ monthlyAllowance: 3000 });

    for (const [payload, code] of [
      [{ monthlyAllowance: -5 }, "invalid_request"],
      [{ monthlyAllowance: 10_000_001 }, "invalid_request"],
      [{ overLimitPolicy: "never" }, "invalid_request"],
      [{ graceDays: 1.5 }, "invalid_request"],
      [{ lowCreditRecipients: [newId()] }, "invalid_request"],
      [{ lowCreditRecipients: ["not an address@"] }, "invalid_address"],
      [{ lowCreditRecipients: Array.from({ length: 51 }, (_, i) => `a${i}@example.org`) }, "invalid_request"],
      [{ allowance: 5 }, "unknown_field"],
    ] as const) {
      const bad = await op("PUT", url, payload);
      expect(bad.statusCode, `${JSON.stringify(payload)}: ${bad.body}`).toBe(400);
      expect(json<ErrorReply>(bad).error.code).toBe(code);
    }
    expect(json(await op("GET", url))).toEqual(json(cleared));

    for (const id of [newId(), "junk"]) {
      expect((await op("PUT", `/v1/operator/tenants/${id}/credit-settings`, { monthlyAllowance: 1 })).statusCode).toBe(
        404,
      );
      expect((await op("GET", `/v1/operator/tenants/${id}/credit-settings`)).statusCode).toBe(404);
    }
  });

  it("packages: created with an id, listed with those off sale, bad input refused", async () => {
    const res = await op("POST", "/v1/operator/packages", {
      name: "Ten thousand",
      credits: 10_000,
      expiresInDays: 365,
    });
    expect(res.statusCode, res.body).toBe(201);
    const pkg = json<{ id: string }>(res);
    expect(pkg).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      name: "Ten thousand",
      credits: 10_000,
      expiresInDays: 365,
      active: true,
      createdAt: new Date(clock.now()).toISOString(),
      price: null,
    });
    const off = await op("DELETE", `/v1/operator/packages/${pkg.id}`);
    expect(json(off)).toMatchObject({ id: pkg.id, active: false });
    const listed = json<{ items: { id: string; active: boolean }[] }>(
      await op("GET", "/v1/operator/packages?limit=200"),
    );
    expect(listed.items.find((p) => p.id === pkg.id)).toMatchObject({ active: false });
    expect((await op("DELETE", `/v1/operator/packages/${newId()}`)).statusCode).toBe(404);

    for (const [payload, code] of [
      [{ name: "Zero", credits: 0 }, "invalid_request"],
      [{ name: "Negative", credits: -10 }, "invalid_request"],
      [{ name: "Huge", credits: 10_000_001 }, "invalid_request"],
      [{ name: "Half", credits: 10.5 }, "invalid_request"],
      [{ name: "x".repeat(201), credits: 10 }, "invalid_request"],
      [{ name: "   ", credits: 10 }, "invalid_request"],
      [{ name: "Line\nbreak", credits: 10 }, "invalid_request"],
      [{ name: "Never", credits: 10, expiresInDays: 0 }, "invalid_request"],
      [{ credits: 10 }, "invalid_request"],
      [{ name: "Priced", credits: 10, price: 5 }, "invalid_request"],
      [{ name: "Priced", credits: 10, price: { amount: 5, currency: "euro" } }, "invalid_request"],
      [{ name: "Priced", credits: 10, cost: 5 }, "unknown_field"],
    ] as const) {
      const bad = await op("POST", "/v1/operator/packages", payload);
      expect(bad.statusCode, `${JSON.stringify(payload)}: ${bad.body}`).toBe(400);
      expect(json<ErrorReply>(bad).error.code).toBe(code);
    }
  });

  it("adjustments: positive gives, negative takes soonest-expiring first, never below zero (409)", async () => {
    clock.set(Date.UTC(2026, 0, 15, 9, 0));
    const tenant = await t.newTenant();
    const url = `/v1/operator/tenants/${tenant.id}/adjustments`;
    const pkg = json<{ id: string }>(
      await op("POST", "/v1/operator/packages", { name: "Term", credits: 100, expiresInDays: 90 }),
    ).id;
    await t.inject({ method: "POST", url: `/v1/packages/${pkg}/purchase`, headers: tenant.auth("administrator") });

    const given = await op("POST", url, { credits: 500, note: "apology for the outage" });
    expect(given.statusCode, given.body).toBe(201);
    expect(json(given)).toMatchObject({ tenantId: tenant.id, credits: 500, grantId: expect.any(String), taken: [] });
    expect(await credits(tenant)).toMatchObject({ packageBalance: 600, available: 3000 });

    const taken = await op("POST", url, { credits: -150, note: "double grant by mistake" });
    expect(taken.statusCode, taken.body).toBe(201);
    const grants = await grantsOf(tenant.id);
    expect(grants.map((g) => [g.source, g.remaining])).toEqual([
      ["package", 0],
      ["adjustment", 450],
    ]);
    expect(json<{ taken: unknown[] }>(taken).taken).toEqual([
      { grantId: grants[0]?.id, credits: 100 },
      { grantId: grants[1]?.id, credits: 50 },
    ]);

    const tooMuch = await op("POST", url, { credits: -451, note: "more than there is" });
    expect(tooMuch.statusCode, tooMuch.body).toBe(409);
    expect(json<ErrorReply>(tooMuch).error.code).toBe("conflict");
    expect((await grantsOf(tenant.id)).map((g) => g.remaining)).toEqual([0, 450]);

    const ledger = await t.db
      .selectFrom("credit_ledger")
      .select(["kind", "amount", "grant_id", "actor", "note"])
      .where("tenant_id", "=", tenant.id)
      .where("kind", "=", "adjustment")
      .orderBy("id")
      .execute();
    expect(ledger.map((r) => [r.amount, r.note])).toEqual([
      [500, "apology for the outage"],
      [-100, "double grant by mistake"],
      [-50, "double grant by mistake"],
    ]);
    for (const r of ledger) expect(r.actor).toMatch(/^[0-9A-Z]{26}$/);
    // Every grant reconciles with its ledger rows.
    for (const g of await grantsOf(tenant.id)) {
      const rows = await t.db.selectFrom("credit_ledger").select("amount").where("grant_id", "=", g.id).execute();
      expect(rows.reduce((s, r) => s + r.amount, 0)).toBe(g.remaining);
    }

    for (const [payload, code] of [
      [{ credits: 0, note: "nothing" }, "invalid_request"],
      [{ credits: 10_000_001, note: "too much" }, "invalid_request"],
      [{ credits: -10_000_001, note: "too much" }, "invalid_request"],
      [{ credits: 5 }, "invalid_request"],
      [{ credits: 5, note: "" }, "invalid_request"],
      [{ credits: 5, note: "x".repeat(501) }, "invalid_request"],
      [{ credits: "5", note: "text" }, "invalid_request"],
      [{ credits: 5, note: "ok", by: "me" }, "unknown_field"],
    ] as const) {
      const bad = await op("POST", url, payload);
      expect(bad.statusCode, `${JSON.stringify(payload)}: ${bad.body}`).toBe(400);
      expect(json<ErrorReply>(bad).error.code).toBe(code);
    }
    const unknown = await op("POST", `/v1/operator/tenants/${newId()}/adjustments`, { credits: 5, note: "who" });
    expect(unknown.statusCode).toBe(404);
    expect(await credits(tenant)).toMatchObject({ packageBalance: 450 });
  });

  it("groups: a bundle is allocated to the group's tenants, never beyond it and never outside the group", async () => {
    clock.set(Date.UTC(2026, 0, 15, 9, 0));
    const created = await op("POST", "/v1/operator/groups", { name: "Riverside Trust" });
    expect(created.statusCode, created.body).toBe(201);
    const group = json<{ id: string }>(created).id;
    const a = await t.newTenant("Riverside North");
    const b = await t.newTenant("Riverside South");
    const outsider = await t.newTenant("Hilltop");
    for (const tenant of [a, b]) {
      const res = await op("PUT", `/v1/operator/tenants/${tenant.id}/group`, { groupId: group });
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)).toEqual({ tenantId: tenant.id, groupId: group });
    }

    const topUp = await op("POST", `/v1/operator/groups/${group}/top-ups`, { credits: 1000, note: "trust bundle" });
    expect(topUp.statusCode, topUp.body).toBe(201);
    expect(json<GroupDetail>(topUp).bundleBalance).toBe(1000);

    const allocated = await op("POST", `/v1/operator/groups/${group}/allocations`, { tenantId: a.id, credits: 300 });
    expect(allocated.statusCode, allocated.body).toBe(201);
    const detail = json<GroupDetail>(allocated);
    expect(detail).toMatchObject({ id: group, name: "Riverside Trust", bundleBalance: 700 });
    expect(detail.tenants).toEqual([
      { id: a.id, name: "Riverside North", allocated: 300 },
      { id: b.id, name: "Riverside South", allocated: 0 },
    ]);
    expect(detail.allocations).toEqual([
      expect.objectContaining({ tenantId: a.id, credits: 300, grantId: expect.any(String) }),
    ]);
    expect(await credits(a)).toMatchObject({ packageBalance: 300, available: 3000 });
    expect(await credits(b)).toMatchObject({ packageBalance: 0 });

    // Both sides of the allocation are in the ledger; the tenant sees only its own.
    const sides = await t.db
      .selectFrom("credit_ledger")
      .select(["tenant_id", "group_id", "amount"])
      .where("group_id", "=", group)
      .where("kind", "=", "group_allocation")
      .orderBy("id")
      .execute();
    expect(sides).toEqual([
      { tenant_id: null, group_id: group, amount: -300 },
      { tenant_id: a.id, group_id: group, amount: 300 },
    ]);
    const aLedger = json<{ items: { kind: string; amount: number }[] }>(
      await t.inject({ method: "GET", url: "/v1/credits/ledger", headers: a.auth() }),
    );
    expect(aLedger.items).toEqual([expect.objectContaining({ kind: "group_allocation", amount: 300 })]);

    const over = await op("POST", `/v1/operator/groups/${group}/allocations`, { tenantId: b.id, credits: 701 });
    expect(over.statusCode, over.body).toBe(409);
    expect(json<ErrorReply>(over).error.code).toBe("conflict");
    const outside = await op("POST", `/v1/operator/groups/${group}/allocations`, { tenantId: outsider.id, credits: 1 });
    expect(outside.statusCode, outside.body).toBe(409);
    expect(await credits(outsider)).toMatchObject({ packageBalance: 0 });

    // A tenant taken out of the group keeps what it was given, and gets no more.
    await op("PUT", `/v1/operator/tenants/${a.id}/group`, { groupId: null });
    const left = await op("POST", `/v1/operator/groups/${group}/allocations`, { tenantId: a.id, credits: 1 });
    expect(left.statusCode).toBe(409);
    expect(await credits(a)).toMatchObject({ packageBalance: 300 });

    const after = json<GroupDetail>(await op("GET", `/v1/operator/groups/${group}`));
    expect(after.bundleBalance).toBe(700);
    expect(after.tenants.map((x) => x.id)).toEqual([b.id]);

    const all = json<{ items: { id: string }[] }>(await op("GET", "/v1/operator/groups?limit=200"));
    expect(all.items.map((g) => g.id)).toContain(group);

    for (const [method, url, payload] of [
      ["GET", `/v1/operator/groups/${newId()}`, undefined],
      ["POST", `/v1/operator/groups/${newId()}/top-ups`, { credits: 5, note: "x" }],
      ["POST", `/v1/operator/groups/${newId()}/allocations`, { tenantId: b.id, credits: 5 }],
      ["POST", `/v1/operator/groups/${group}/allocations`, { tenantId: newId(), credits: 5 }],
      ["PUT", `/v1/operator/tenants/${b.id}/group`, { groupId: newId() }],
      ["PUT", `/v1/operator/tenants/${newId()}/group`, { groupId: group }],
    ] as const) {
      const res = await op(method, url, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
    }
    for (const [url, payload] of [
      [`/v1/operator/groups/${group}/top-ups`, { credits: 0, note: "x" }],
      [`/v1/operator/groups/${group}/top-ups`, { credits: 10_000_001, note: "x" }],
      [`/v1/operator/groups/${group}/top-ups`, { credits: 5 }],
      [`/v1/operator/groups/${group}/allocations`, { tenantId: b.id, credits: -5 }],
      [`/v1/operator/groups/${group}/allocations`, { tenantId: b.id }],
      ["/v1/operator/groups", { name: "" }],
      ["/v1/operator/groups", { name: "x".repeat(201) }],
    ] as const) {
      const res = await op("POST", url, payload);
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}: ${res.body}`).toBe(400);
    }
    expect(json<GroupDetail>(await op("GET", `/v1/operator/groups/${group}`)).bundleBalance).toBe(700);
  });
});
