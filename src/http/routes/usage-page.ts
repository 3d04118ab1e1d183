import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { loadUsagePage, renderLinkProblem, renderUsagePage, USAGE_TOKEN_PURPOSE } from "../../reports/usage-page.js";
import { verifyToken } from "../../tracking/tokens.js";
import type { App, AppDeps } from "../route-context.js";

/**
 * The page a token in the URL opens, so: nothing loads from elsewhere, the URL never leaves in a
 * Referer, no cache or index keeps it, and no other site can frame it.
 */
function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header(
      "content-security-policy",
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    .header("referrer-policy", "no-referrer")
    .header("x-content-type-options", "nosniff")
    .header("x-frame-options", "DENY")
    .header("x-robots-tag", "noindex, nofollow")
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8");
}

/**
 * `GET /usage/:token[?month=YYYY-MM]`: the usage page linked from the daily usage email. No
 * login: the signed token names the tenant and expires. Any problem with the token is a 403
 * page that says nothing about any tenant; a month outside the tenant's life is a 404 page.
 */
export function registerUsagePageRoute(app: App, { database, clock, config }: AppDeps): void {
  app.get(
    "/usage/:token",
    {
      config: { access: { auth: "none" } },
      // HTML for people, not part of the JSON API. The query is read by hand so that a bad
      // month is an HTML page too, not a JSON validation error.
      schema: { hide: true, params: Type.Object({ token: Type.String() }) },
    },
    async (request, reply) => {
      const now = clock.now();
      const check = verifyToken(config.secretKey, request.params.token, USAGE_TOKEN_PURPOSE, now);
      if (!check.ok) {
        return pageHeaders(reply)
          .code(403)
          .send(renderLinkProblem(check.reason === "expired" ? "expired" : "invalid"));
      }
      const month = (request.query as Record<string, unknown> | undefined)?.month;
      if (month !== undefined && typeof month !== "string") {
        return pageHeaders(reply).code(404).send(renderLinkProblem("not_found"));
      }
      const page = await loadUsagePage(database, check.payload.tenantId, month, now);
      if (!page) return pageHeaders(reply).code(404).send(renderLinkProblem("not_found"));
      return pageHeaders(reply).code(200).send(renderUsagePage(page, check.payload.expiresAt));
    },
  );
}
