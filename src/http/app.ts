import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyReply, LogController } from "fastify";
import { StoredJsonError } from "../db/json-codec.js";
import { ApiError, type ErrorCode, type ErrorDetail } from "../errors/api-error.js";

import { createAuthenticator, createLimits, RateLimitedError } from "./authenticate.js";
import { type ConsoleServing, registerConsole } from "./console.js";
import type { App, AppDeps } from "./route-context.js";
import { routes } from "./routes.js";
import { guardSlowBodies } from "./slow-clients.js";

export type { Access, App, AppDeps } from "./route-context.js";
export { tenantOf } from "./route-context.js";

const formats = (ajv: Ajv): Ajv => addFormats.default(ajv);

function renderError(reply: FastifyReply, code: ErrorCode, message: string, details?: readonly ErrorDetail[]) {
  const status = new ApiError(code, message).statusCode;
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send({ error: { code, message, ...(details && details.length > 0 ? { details } : {}) } });
}

/** Maps Fastify's own errors (parsing, validation, limits) onto Postbag's closed set of codes. */
function toApiError(err: FastifyError): ApiError {
  if (err instanceof ApiError) return err;
  if (err.validation) {
    const unknown = err.validation.find((v) => v.keyword === "additionalProperties");
    const details = err.validation.slice(0, 20).map((v) => {
      const extra = (v.params as { additionalProperty?: string }).additionalProperty;
      return {
        path: `${v.instancePath}${extra ? `/${extra}` : ""}` || "/",
        message: v.message ?? "invalid",
      };
    });
    if (unknown) {
      const name = (unknown.params as { additionalProperty?: string }).additionalProperty ?? "?";
      return new ApiError(
        "unknown_field",
        `unknown field ${JSON.stringify(name)} at ${unknown.instancePath || "/"}`,
        details,
      );
    }
    const first = details[0];
    return new ApiError(
      "invalid_request",
      `${err.validationContext ?? "request"}${first?.path ?? ""} ${first?.message ?? "is invalid"}`,
      details,
    );
  }
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError("payload_too_large", "request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError("unsupported_media_type", "send JSON with Content-Type: application/json");
    // Fastify 5's JSON parser (secure-json-parse) reports a `__proto__` or
    // `constructor.prototype` key as FST_ERR_CTP_INVALID_JSON_BODY too, since
    // onProtoPoisoning/onConstructorPoisoning are "error". A SyntaxError or a message that
    // mentions "prototype" from anywhere else is a server bug: it falls through to 500.
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ApiError("invalid_json", "request body is not valid JSON");
  }
  const status = err.statusCode ?? 500;
  if (status === 404) return new ApiError("not_found", "not found");
  if (status === 405) return new ApiError("method_not_allowed", "method not allowed");
  if (status === 413) return new ApiError("payload_too_large", "request body is too large");
  if (status === 415) return new ApiError("unsupported_media_type", "unsupported content type");
  if (status >= 400 && status < 500) return new ApiError("invalid_request", err.message);
  // A stored JSON value that lost its shape: the log names the column (StoredJsonError).
  if (err instanceof StoredJsonError)
    return new ApiError("internal", "a stored value is damaged; the server's log names it", undefined, { cause: err });
  return new ApiError("internal", "internal error", undefined, { cause: err });
}

/**
 * Builds the HTTP API: validation and the OpenAPI document both come from the TypeBox route
 * schemas; every error leaves as `{ error: { code, message } }`.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, database, logger } = deps;
  // Attachments arrive base64-encoded (4/3 larger) inside JSON.
  const bodyLimit = Math.ceil((config.maxMessageBytes * 4) / 3) + 256 * 1024;
  const httpLogger: FastifyBaseLogger = logger.child({ component: "http" });
  const app = Fastify({
    loggerInstance: httpLogger,
    // Per-request lines would dominate the log at thousands of messages a second; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // Only these proxies' X-Forwarded-For names the client (request.ip); from others it is ignored.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    // Slow headers: a request whose headers take longer is answered 408 and closed (Node checks
    // every second here rather than every 30 s). Slow bodies: `guardSlowBodies` below.
    http: { headersTimeout: config.httpHeadersTimeoutMs, connectionsCheckingInterval: 1_000 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  guardSlowBodies(app, config.bodyMinBytesPerSecond);
  // Fastify parses text/plain by default; the API takes only JSON, so a JSON text sent as
  // text/plain gets 415 unsupported_media_type rather than a misleading "body must be object".
  app.removeContentTypeParser("text/plain");
  const timed = deps.onRequestTimed;
  if (timed) {
    app.addHook("onResponse", async (request, reply) =>
      timed(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000),
    );
  }

  // Bodies are checked strictly (no coercion, unknown fields refused); query strings and path
  // parameters arrive as text and are coerced to the declared types.
  const strict = formats(
    new Ajv({ removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false, strict: false }),
  );
  const lenient = formats(
    new Ajv({ removeAdditional: false, coerceTypes: "array", useDefaults: true, allErrors: false, strict: false }),
  );
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === "body" ? strict : lenient).compile(schema as object),
  );

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Postbag API",
        version: "1",
        description: "Multi-tenant email: send, track every recipient, meter and report.",
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A Postbag API key: pb_…" } },
      },
      security: [{ apiKey: [] }],
    },
  });

  app.decorateRequest("principal", undefined);
  app.decorateRequest("signedIn", undefined);
  await app.register(cookie);
  const limits = deps.limits ?? createLimits(config, database, deps.clock);
  if (!deps.limits) app.addHook("onClose", async () => limits.store.close?.());
  const authenticate = createAuthenticator({ database, clock: deps.clock, config, limits });
  // No route matched: nothing to protect (the 404 answer, or a console page, follows).
  app.addHook("onRequest", async (request) => (request.is404 ? undefined : authenticate(request)));

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const apiError = toApiError(err);
    if (apiError.statusCode >= 500) request.log.error({ err }, "request failed");
    if (err instanceof RateLimitedError) reply.header("retry-after", String(err.retryAfterSeconds));
    return renderError(reply, apiError.code, apiError.message, apiError.details);
  });
  let webConsole: ConsoleServing | undefined;
  app.setNotFoundHandler(
    (request, reply) =>
      webConsole?.fallback(request, reply) ||
      renderError(reply, "not_found", `no route ${request.method} ${request.url.split("?")[0]?.slice(0, 200)}`),
  );
  if (deps.consoleDir !== undefined) webConsole = await registerConsole(app, deps.consoleDir);

  for (const register of routes) register(app, { ...deps, limits });

  app.get("/openapi.json", { config: { access: { auth: "none" } }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
