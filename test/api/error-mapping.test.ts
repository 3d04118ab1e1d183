import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";

// Only Fastify's own body-parser errors become 400 invalid_json (the prototype-poisoning cases
// are in bad-input.test.ts); the same kinds of error thrown by Postbag's code are bugs: 500.
const serverBugs = [
  [
    "a TypeError mentioning prototype",
    () => new TypeError("Cannot read properties of undefined (reading 'prototype')"),
  ],
  ["an Error mentioning prototype", () => new Error("Object.prototype was changed")],
  ["a SyntaxError (say, JSON.parse of a stored value)", () => new SyntaxError("Unexpected token } in JSON")],
] as const;

describe.each(dialects)("error mapping [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect, {
      routes: (app) => {
        serverBugs.forEach(([, make], i) => {
          app.post(`/test/bug/${i}`, { config: { access: { auth: "none" } } }, async () => {
            throw make();
          });
        });
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(serverBugs.map(([name], i) => [name, i] as const))("%s from a handler -> 500 internal", async (_, i) => {
    const res = await t.inject({ method: "POST", url: `/test/bug/${i}`, payload: { ok: true } });
    expect(res.statusCode, res.body).toBe(500);
    expect(json<ErrorReply>(res).error).toEqual({ code: "internal", message: "internal error" });
  });

  it("a __proto__ key in the body of the same route is still 400 invalid_json", async () => {
    const res = await t.inject({
      method: "POST",
      url: "/test/bug/0",
      headers: { "content-type": "application/json" },
      payload: '{"__proto__": {"isAdmin": true}}',
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(json<ErrorReply>(res).error.code).toBe("invalid_json");
  });
});
