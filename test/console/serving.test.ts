// How the API process serves the console: pages get index.html, assets their files, and the
// API and Postbag's other paths keep their meaning. A stand-in build (no Vite) is enough here.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { createDatabase, type Database } from "../../src/db/database.js";
import { type App, createApp } from "../../src/http/app.js";
import { MessageWriter } from "../../src/messages/message-store.js";
import { systemClock } from "../../src/time/clock.js";

const INDEX = "<!doctype html><title>Postbag test console</title>";
const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

async function appWith(consoleDir: string, database: Database): Promise<App> {
  const config = loadConfig({});
  const writer = new MessageWriter({ database, clock: systemClock, messageIdDomain: config.senderDomain });
  const app = await createApp({
    database,
    clock: systemClock,
    config,
    logger: pino({ level: "silent" }),
    writer,
    consoleDir,
  });
  await app.ready();
  return app;
}

describe("the console served at /", () => {
  let dir: string;
  let database: Database;
  let app: App;
  let unbuilt: App;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "postbag-console-"));
    await mkdir(join(dir, "dist", "assets"), { recursive: true });
    await writeFile(join(dir, "dist", "index.html"), INDEX);
    await writeFile(join(dir, "dist", "assets", "index-abc123.js"), "console.log(1)");
    database = createDatabase("sqlite::memory:");
    app = await appWith(join(dir, "dist"), database);
    unbuilt = await appWith(join(dir, "missing"), database);
  });
  afterAll(async () => {
    await app?.close();
    await unbuilt?.close();
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves index.html at / and at every page of the app, with a CSP and no caching", async () => {
    for (const url of ["/", "/sign-in/link", "/people", "/invitation?x=1"]) {
      const res = await app.inject({ method: "GET", url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.body).toBe(INDEX);
      expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(res.headers["cache-control"]).toBe("no-cache");
    }
  });

  it("serves hashed assets for a year; a missing asset is a 404, not the page", async () => {
    const js = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toMatch(/javascript/);
    expect(js.headers["cache-control"]).toContain("immutable");
    const missing = await app.inject({ method: "GET", url: "/assets/nope.js", headers: html });
    expect(missing.statusCode).toBe(404);
    const traversal = await app.inject({ method: "GET", url: "/assets/..%2f..%2fpackage.json" });
    expect(traversal.statusCode).not.toBe(200);
  });

  it("keeps /v1 a JSON API: an unknown path there is a JSON 404 even for a browser", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/nothing", headers: html });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: "not_found" } });
    const post = await app.inject({ method: "POST", url: "/people", headers: html, payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.headers["content-type"]).toMatch(/json/);
  });

  it("answers an API client (no text/html) on an unknown path with JSON, as before", async () => {
    const res = await app.inject({ method: "GET", url: "/v2/nothing" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("leaves Postbag's own paths alone", async () => {
    expect((await app.inject({ method: "GET", url: "/healthz", headers: html })).json()).toEqual({ status: "ok" });
    const doc = await app.inject({ method: "GET", url: "/openapi.json", headers: html });
    expect(doc.json()).toHaveProperty("openapi");
    expect(doc.json().paths).not.toHaveProperty(["/"]);
    const unsubscribe = await app.inject({ method: "GET", url: "/u/not-a-token", headers: html });
    expect(unsubscribe.body).not.toBe(INDEX);
  });

  it("without a build, a page says how to build the console (503), never a stack trace", async () => {
    const res = await unbuilt.inject({ method: "GET", url: "/sign-in", headers: html });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain("npm install");
    expect((await unbuilt.inject({ method: "GET", url: "/v1/nothing" })).statusCode).toBe(404);
  });
});
