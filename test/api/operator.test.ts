import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids.js";
import { dialects } from "../support/databases.js";
import { bearer, type ErrorReply, json, openTestApp, type TestApp, validMessage } from "../support/test-app.js";

interface TenantView {
  id: string;
  name: string;
  timezone: string;
  sendingMode: string;
  createdAt: string;
}

describe.each(dialects)("operator routes [%s]", (dialect) => {
  let t: TestApp;
  let operator: { authorization: string };
  beforeAll(async () => {
    t = await openTestApp(dialect);
    operator = await t.operatorAuth();
  });
  afterAll(async () => {
    await t?.close();
  });

  const createTenant = (payload: Record<string, unknown>) =>
    t.inject({ method: "POST", url: "/v1/operator/tenants", headers: operator, payload });

  it("creates a tenant: 201 with its id, the default time zone and the relay sending mode", async () => {
    const res = await createTenant({ name: "  Oak Hill Primary  " });
    expect(res.statusCode, res.body).toBe(201);
    const tenant = json<TenantView>(res);
    expect(tenant).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      name: "Oak Hill Primary",
      timezone: "Europe/London",
      pendingTimezone: null,
      timezoneEffectiveFrom: null,
      sendingMode: "relay",
      groupId: null,
      suspendedAt: null,
      suspendedNote: null,
      createdAt: new Date(t.clock.now()).toISOString(),
    });
    const row = await t.db.selectFrom("tenants").selectAll().where("id", "=", tenant.id).executeTakeFirst();
    expect(row?.name).toBe("Oak Hill Primary");
  });

  it("creates a tenant in a given time zone", async () => {
    const res = await createTenant({ name: "Schule am See", timezone: "Europe/Berlin" });
    expect(res.statusCode, res.body).toBe(201);
    expect(json<TenantView>(res).timezone).toBe("Europe/Berlin");
  });

  it.each([
    [{ name: "Bad zone", timezone: "Mars/Olympus_Mons" }, "invalid_request"],
    [{ name: "Offset", timezone: "+25:00" }, "invalid_request"],
    [{ name: "" }, "invalid_request"],
    [{ name: "   " }, "invalid_request"],
    [{ name: "Line\r\nbreak" }, "invalid_request"],
    [{ name: "x".repeat(201) }, "invalid_request"],
    [{}, "invalid_request"],
    [{ name: "Extra", plan: "gold" }, "unknown_field"],
    [{ name: 5 }, "invalid_request"],
  ])("refuses %j -> 400 %s, no tenant created", async (payload, code) => {
    const before = await t.db.selectFrom("tenants").select("id").execute();
    const res = await createTenant(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(json<ErrorReply>(res).error.code).toBe(code);
    expect(await t.db.selectFrom("tenants").select("id").execute()).toHaveLength(before.length);
  });

  it("lists tenants in pages, each exactly once, oldest first", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push(json<TenantView>(await createTenant({ name: `Paged ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/operator/tenants?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await t.inject({ method: "GET", url, headers: operator });
      expect(res.statusCode, res.body).toBe(200);
      const page = json<{ items: TenantView[]; nextCursor: string | null }>(res);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 1000);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen.filter((id) => created.includes(id))).toEqual(created);
    const total = await t.db.selectFrom("tenants").select("id").execute();
    expect(seen).toHaveLength(total.length);
  });

  it("tenant list: invalid cursor -> 400 invalid_cursor; limit out of range -> 400", async () => {
    for (const [query, code] of [
      ["cursor=bogus", "invalid_cursor"],
      ["limit=0", "invalid_request"],
      ["limit=1000", "invalid_request"],
    ] as const) {
      const res = await t.inject({ method: "GET", url: `/v1/operator/tenants?${query}`, headers: operator });
      expect(res.statusCode, query).toBe(400);
      expect(json<ErrorReply>(res).error.code).toBe(code);
    }
  });

  it("creates a key for a tenant (system by default), shown once, that works at once", async () => {
    const tenant = json<TenantView>(await createTenant({ name: "Keyed" }));
    const res = await t.inject({
      method: "POST",
      url: `/v1/operator/tenants/${tenant.id}/keys`,
      headers: operator,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = json<{ id: string; role: string; tenantId: string; key: string }>(res);
    expect(created).toMatchObject({ role: "system", tenantId: tenant.id });
    expect(created.key).toMatch(new RegExp(`^pb_${created.id}_[A-Za-z0-9_-]{32}$`));
    // Only a hash of the secret is stored.
    const row = await t.db.selectFrom("api_keys").selectAll().where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).not.toContain(created.key.slice(-32));
    expect(row.tenant_id).toBe(tenant.id);

    const sent = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: bearer(created.key),
      payload: validMessage(),
    });
    expect(sent.statusCode, sent.body).toBe(202);
    const stored = await t.db.selectFrom("messages").select("tenant_id").where("tenant_id", "=", tenant.id).execute();
    expect(stored).toHaveLength(1);
  });

  it("creates a key with a role and a name", async () => {
    const tenant = json<TenantView>(await createTenant({ name: "Roles" }));
    const res = await t.inject({
      method: "POST",
      url: `/v1/operator/tenants/${tenant.id}/keys`,
      headers: operator,
      payload: { role: "administrator", name: "Head's laptop" },
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = json<{ id: string; role: string }>(res);
    expect(created.role).toBe("administrator");
    const row = await t.db.selectFrom("api_keys").selectAll().where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: "administrator", name: "Head's laptop" });
  });

  it.each([
    ["an unknown tenant id", (): string => newId(), {}, 404, "not_found"],
    ["a junk tenant id", (): string => "not-a-tenant", {}, 404, "not_found"],
    ["the operator role", null, { role: "operator" }, 400, "invalid_request"],
    ["an unknown role", null, { role: "root" }, 400, "invalid_request"],
    ["an unknown field", null, { scopes: ["all"] }, 400, "unknown_field"],
  ] as const)("key for %s -> %i %s, no key created", async (_name, tenantId, payload, status, code) => {
    const tenant = json<TenantView>(await createTenant({ name: "Target" }));
    const before = await t.db.selectFrom("api_keys").select("id").execute();
    const id = tenantId ? tenantId() : tenant.id;
    const res = await t.inject({ method: "POST", url: `/v1/operator/tenants/${id}/keys`, headers: operator, payload });
    expect(res.statusCode, res.body).toBe(status);
    expect(json<ErrorReply>(res).error.code).toBe(code);
    expect(await t.db.selectFrom("api_keys").select("id").execute()).toHaveLength(before.length);
  });
});
