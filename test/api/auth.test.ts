import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { newId } from "../../src/db/ids.js";
import { createApiKey } from "../../src/tenants/tenants.js";
import { dialects } from "../support/databases.js";
import { bearer, expectRefused, json, openTestApp, type TestApp, validMessage } from "../support/test-app.js";

const tenantRoutes = [
  { method: "POST", url: "/v1/messages" },
  { method: "GET", url: "/v1/messages" },
  { method: "GET", url: `/v1/messages/${newId()}` },
] as const;

const operatorRoutes = [
  { method: "GET", url: "/v1/operator/tenants" },
  { method: "POST", url: "/v1/operator/tenants" },
  { method: "POST", url: `/v1/operator/tenants/${newId()}/keys` },
] as const;

describe.each(dialects)("API keys [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const send = (headers: Record<string, string>) =>
    t.inject({ method: "POST", url: "/v1/messages", headers, payload: validMessage() });

  /** A key in the right shape whose secret part is not the one that was issued. */
  const forge = (key: string) => {
    const [prefix, id] = key.split("_");
    return `${prefix}_${id}_${"A".repeat(32)}`;
  };

  describe.each([
    ["no Authorization header", () => ({})],
    ["an empty bearer token", () => ({ authorization: "Bearer " })],
    ["another auth scheme", () => ({ authorization: `Basic ${Buffer.from("a:b").toString("base64")}` })],
    ["a lower-case scheme and no space", () => ({ authorization: "bearer" })],
    ["a malformed key", () => ({ authorization: "Bearer not-a-postbag-key" })],
    ["a key with a truncated secret", () => ({ authorization: `Bearer pb_${newId()}_short` })],
    ["a key for an id that does not exist", () => bearer(`pb_${newId()}_${"x".repeat(32)}`)],
  ])("%s", (_name, headers) => {
    it.each(tenantRoutes)("$method $url -> 401 unauthorized", async (route) => {
      const res = await t.inject({ ...route, headers: headers(), ...(route.method === "POST" ? { payload: {} } : {}) });
      expect(res.statusCode, res.body).toBe(401);
      expect(json(res)).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    });
    it.each([...operatorRoutes, { method: "GET", url: "/v1/sandbox/messages" } as const])(
      "$method $url -> 401 unauthorized",
      async (route) => {
        const res = await t.inject({ ...route, headers: headers() });
        expect(res.statusCode, res.body).toBe(401);
        expect(json(res).error).toMatchObject({ code: "unauthorized" });
      },
    );
  });

  it("a refused key stores nothing, even with a valid body", async () => {
    const tenant = await t.newTenant();
    await expectRefused(t, tenant.id, await send({}), 401, "unauthorized");
    await expectRefused(t, tenant.id, await send(bearer(forge(tenant.keys.system))), 401, "unauthorized");
  });

  it("a forged key (a real key id, the wrong secret) -> 401", async () => {
    const tenant = await t.newTenant();
    await expectRefused(t, tenant.id, await send(bearer(forge(tenant.keys.administrator))), 401, "unauthorized");
    // The real key still works afterwards.
    expect((await send(tenant.auth("administrator"))).statusCode).toBe(202);
  });

  it("a key with a valid key's secret but another key's id -> 401", async () => {
    const tenant = await t.newTenant();
    const other = await t.newTenant();
    const secret = tenant.keys.system.split("_").slice(2).join("_");
    const otherId = other.keys.system.split("_")[1];
    await expectRefused(t, tenant.id, await send(bearer(`pb_${otherId}_${secret}`)), 401, "unauthorized");
    expect(await send(bearer(`pb_${otherId}_${secret}`))).toMatchObject({ statusCode: 401 });
  });

  it("a key whose row was deleted -> 401", async () => {
    const tenant = await t.newTenant();
    const key = await createApiKey(t.db, t.clock, { tenantId: tenant.id, role: "system" });
    await t.db.deleteFrom("api_keys").where("id", "=", key.id).execute();
    await expectRefused(t, tenant.id, await send(bearer(key.key)), 401, "unauthorized");
  });

  it("a revoked key -> 401", async () => {
    const tenant = await t.newTenant();
    const key = await createApiKey(t.db, t.clock, { tenantId: tenant.id, role: "system" });
    await t.db.updateTable("api_keys").set({ revoked_at: t.clock.now() }).where("id", "=", key.id).execute();
    await expectRefused(t, tenant.id, await send(bearer(key.key)), 401, "unauthorized");
  });

  it("a key revoked while in use is refused from the next request, by every process", async () => {
    const tenant = await t.newTenant();
    const key = await createApiKey(t.db, t.clock, { tenantId: tenant.id, role: "system" });
    const list = (app: TestApp["app"]) => app.inject({ method: "GET", url: "/v1/messages", headers: bearer(key.key) });
    expect((await list(t.app)).statusCode).toBe(200);
    await t.db.updateTable("api_keys").set({ revoked_at: t.clock.now() }).where("id", "=", key.id).execute();

    // A fresh app (a restart, or another API process) has no cached principal.
    const fresh = await t.freshApp();
    const refused = await list(fresh);
    expect(refused.statusCode).toBe(401);
    expect(json(refused).error).toMatchObject({ code: "unauthorized" });

    // The running app that accepted it a moment ago refuses it too: no cache.
    expect((await list(t.app)).statusCode).toBe(401);
  });

  it("an operator key on tenant routes -> 403 forbidden, nothing stored", async () => {
    const operator = await t.operatorAuth();
    for (const route of tenantRoutes) {
      const res = await t.inject({
        ...route,
        headers: operator,
        ...(route.method === "POST" ? { payload: validMessage({ subject: "operator-sent" }) } : {}),
      });
      expect(res.statusCode, `${route.method} ${route.url}: ${res.body}`).toBe(403);
      expect(json(res).error).toMatchObject({ code: "forbidden" });
    }
    const anyMessage = await t.db.selectFrom("messages").select("id").where("subject", "=", "operator-sent").execute();
    expect(anyMessage).toEqual([]);
  });

  it("a tenant key of any role on operator routes -> 403 forbidden", async () => {
    const tenant = await t.newTenant();
    const before = await t.db.selectFrom("tenants").select("id").execute();
    for (const role of ["system", "staff", "administrator"] as const) {
      for (const route of operatorRoutes) {
        const res = await t.inject({
          ...route,
          url: route.url.replace(/tenants\/[^/]+\/keys/, `tenants/${tenant.id}/keys`),
          headers: tenant.auth(role),
          ...(route.method === "POST" ? { payload: { name: "Sneaky" } } : {}),
        });
        expect(res.statusCode, `${role} ${route.method} ${route.url}: ${res.body}`).toBe(403);
        expect(json(res).error).toMatchObject({ code: "forbidden" });
      }
    }
    // Neither a tenant nor a key was created.
    expect(await t.db.selectFrom("tenants").select("id").execute()).toHaveLength(before.length);
    const keys = await t.db.selectFrom("api_keys").select("id").where("tenant_id", "=", tenant.id).execute();
    expect(keys).toHaveLength(3);
  });

  it("health and the OpenAPI document need no key", async () => {
    for (const url of ["/healthz", "/readyz", "/openapi.json"]) {
      expect((await t.inject({ method: "GET", url })).statusCode, url).toBe(200);
    }
  });
});
