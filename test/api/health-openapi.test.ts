import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";

interface OpenApi {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
  security?: unknown[];
}

interface ItemSchema {
  properties: Record<string, { description?: string; additionalProperties?: boolean; properties?: object }>;
}

describe.each(dialects)("health and the OpenAPI document [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("GET /healthz -> 200", async () => {
    const res = await t.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: "ok" });
  });

  it("GET /readyz -> 200 while the database answers", async () => {
    const res = await t.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: "ready" });
  });

  it("GET /openapi.json describes the API and its bearer security scheme", async () => {
    const res = await t.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const doc = json<OpenApi>(res);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe("Postbag API");
    for (const path of [
      "/v1/messages",
      "/v1/messages/{id}",
      "/v1/sandbox/messages",
      "/v1/sandbox/messages/{id}",
      "/v1/sandbox/messages/{id}/raw",
      "/v1/operator/tenants",
      "/v1/operator/tenants/{id}/keys",
      "/healthz",
      "/readyz",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(Object.keys(doc.paths["/v1/messages"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(doc.paths["/v1/messages"]?.post?.requestBody).toBeDefined();
    expect(doc.paths["/v1/messages"]?.post?.responses).toHaveProperty(["202"]);
    expect(doc.components.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: "http", scheme: "bearer" }),
    });
    expect(doc.paths).not.toHaveProperty(["/openapi.json"]);
  });

  it("the message list documents counts per status, not embedded recipients", async () => {
    const doc = json<OpenApi>(await t.inject({ method: "GET", url: "/openapi.json" }));
    const ok = doc.paths["/v1/messages"]?.get?.responses?.["200"] as {
      content: { "application/json": { schema: { properties: { items: { items: ItemSchema } } } } };
    };
    const item = ok.content["application/json"].schema.properties.items.items;
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(["id", "recipientCount", "statusCounts"]));
    expect(item.properties).not.toHaveProperty("recipients");
    const counts = item.properties.statusCounts;
    expect(counts?.additionalProperties).toBe(false);
    expect(counts?.description).toMatch(/only statuses/i);
    expect(Object.keys(counts?.properties ?? {})).toEqual(expect.arrayContaining(["queued", "sent", "hard_bounce"]));
  });

  it("an unknown route -> 404 not_found with the error shape", async () => {
    const res = await t.inject({ method: "GET", url: "/v2/nothing", headers: (await t.newTenant()).auth() });
    expect(res.statusCode).toBe(404);
    expect(json<ErrorReply>(res).error.code).toBe("not_found");
  });
});

describe.each(dialects)("GET /readyz with the database gone [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("-> 503 unavailable, while /healthz (the process) stays 200", async () => {
    expect((await t.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    await t.database.close();
    const res = await t.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode, res.body).toBe(503);
    expect(json<ErrorReply>(res)).toEqual({ error: { code: "unavailable", message: "database is not reachable" } });
    expect((await t.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });
});
