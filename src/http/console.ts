import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { App } from "./route-context.js";

/**
 * The web console (web/, built by Vite into `dir`) served from the API process:
 * `/` and every page of the single-page app get index.html, `/assets/*` the hashed bundles.
 * The API keeps `/v1/*` (an unknown path there stays a JSON 404), and the other paths
 * Postbag serves (`/u/*`, `/o/*`, `/usage/:token`, `/healthz`, `/readyz`, `/openapi.json`) are
 * routes of their own, so they win over the fallback.
 */
export interface ConsoleServing {
  /** Answers a GET that matched no route: index.html for a browser page, or false. */
  fallback(request: FastifyRequest, reply: FastifyReply): FastifyReply | false;
}

const NONE = { access: { auth: "none" } } as const;

// Mantine sets styles through style attributes and one <style> element; scripts only from us.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Postbag</title>
<meta http-equiv="refresh" content="10"></head>
<body><main><h1>The Postbag console is not ready</h1>
<p>It is being built, or its build failed (see Postbag's log). <code>npm install</code> builds it, and
<code>npm start</code> builds it when it is missing or out of date. This page reloads itself; the API under
<code>/v1</code> works meanwhile.</p></main></body></html>`;

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header("cache-control", "no-cache")
    .header("content-security-policy", CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY");
}

/** Whether a request is a browser asking for a page (not an API client, not an image or a script). */
function wantsPage(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const path = request.url.split("?")[0] ?? "";
  if (path === "/v1" || path.startsWith("/v1/") || path.startsWith("/assets/")) return false;
  return (request.headers.accept ?? "").includes("text/html");
}

export async function registerConsole(app: App, dir: string): Promise<ConsoleServing> {
  // The build may finish after start (`postbag serve` builds a stale console in the background).
  let builtOnce = false;
  const built = () => (builtOnce ||= existsSync(join(dir, "index.html")));
  const sendIndex = (reply: FastifyReply) => {
    pageHeaders(reply);
    if (!built()) return reply.code(503).header("retry-after", "10").type("text/html; charset=utf-8").send(NOT_BUILT);
    return reply.sendFile("index.html", dir, { cacheControl: false });
  };

  // Only for reply.sendFile, which is always given its root; the parent exists before the build.
  await app.register(fastifyStatic, { root: dirname(dir), serve: false });

  app.get("/", { config: NONE, schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  app.get<{ Params: { "*": string } }>("/assets/*", { config: NONE, schema: { hide: true } }, (request, reply) => {
    if (!built()) return reply.code(404).type("text/plain; charset=utf-8").send("not found");
    // File names carry a content hash, so they never change.
    return reply
      .header("x-content-type-options", "nosniff")
      .sendFile(request.params["*"], join(dir, "assets"), { immutable: true, maxAge: "365d" });
  });

  return {
    fallback(request, reply) {
      return wantsPage(request) ? sendIndex(reply) : false;
    },
  };
}
