import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { loadDigestOffer } from "../../tracking/digest-offer.js";
import {
  applyPageChoice,
  findUnsubscribeTarget,
  isPageChoice,
  type PageChoice,
  type UnsubscribeProblem,
  unsubscribe,
} from "../../tracking/unsubscribe.js";
import { renderChoiceDone, renderPreferencePage, renderUnsubscribeProblem } from "../../tracking/unsubscribe-page.js";
import type { App, AppDeps } from "../route-context.js";

/** Form bodies here are one or two short fields; anything bigger is refused unread. */
export const UNSUBSCRIBE_BODY_LIMIT = 2048;
const MAX_FIELDS = 8;

/** A parsed form body (urlencoded or multipart), told apart from JSON the app's own parser yields. */
class FormBody {
  constructor(readonly fields: ReadonlyMap<string, string>) {}
}

class FormError extends Error {
  readonly statusCode = 400;
  override readonly name = "FormError";
}

function parseUrlEncoded(text: string): FormBody {
  const params = new URLSearchParams(text);
  const fields = new Map<string, string>();
  let count = 0;
  for (const [key, value] of params) {
    if (++count > MAX_FIELDS) throw new FormError("too many form fields");
    if (!fields.has(key)) fields.set(key, value);
  }
  return new FormBody(fields);
}

/**
 * RFC 8058 lets a mail client send the one-click body as multipart/form-data too. A minimal
 * reader for that: a few short text fields, nothing else (no files).
 */
function parseMultipart(text: string, contentType: string): FormBody {
  const boundary = /boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) throw new FormError("multipart body without a boundary");
  const fields = new Map<string, string>();
  const parts = text.split(`--${mark}`);
  // The preamble before the first boundary and the `--` after the last carry no fields.
  for (const part of parts.slice(1)) {
    if (part.startsWith("--")) break;
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) throw new FormError("malformed multipart part");
    const headers = part.slice(0, split);
    const name = /content-disposition:\s*form-data;\s*name="([^"]{1,100})"/i.exec(headers)?.[1];
    if (!name) throw new FormError("multipart part without a name");
    if (fields.size >= MAX_FIELDS) throw new FormError("too many form fields");
    if (!fields.has(name)) fields.set(name, part.slice(split + 4).replace(/\r\n$/, ""));
  }
  return new FormBody(fields);
}

/**
 * The page is reached through a token in the URL, so: nothing loads from elsewhere, the form
 * may post only back here, the URL never leaves in a Referer, and no cache, index or frame
 * keeps it.
 */
function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header(
      "content-security-policy",
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    .header("referrer-policy", "no-referrer")
    .header("x-content-type-options", "nosniff")
    .header("x-frame-options", "DENY")
    .header("x-robots-tag", "noindex, nofollow")
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8");
}

const problemStatus: Record<UnsubscribeProblem, number> = {
  invalid: 403,
  expired: 410,
  not_found: 404,
  no_contact: 404,
  not_optional: 409,
};

function isOneClick(request: FastifyRequest): boolean {
  const body = request.body;
  return body instanceof FormBody && body.fields.get("List-Unsubscribe") === "One-Click";
}

/**
 * `GET /u/:token` shows what unsubscribing would do, with a button; it never changes anything
 * (link scanners fetch every URL in an email). `POST /u/:token` opts out at once: from the
 * page's form (`confirm=yes`, answered with a page) or from a mail client's RFC 8058 one-click
 * request (`List-Unsubscribe=One-Click`, answered with a line of text). Only these routes take
 * form bodies; the JSON API keeps its strict parser.
 */
export function registerUnsubscribeRoutes(app: App, { database, clock, config }: AppDeps): void {
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: UNSUBSCRIBE_BODY_LIMIT },
      (_request, body, done) => {
        try {
          done(null, parseUrlEncoded(body as string));
        } catch (err) {
          done(err as Error, undefined);
        }
      },
    );
    scope.addContentTypeParser(
      "multipart/form-data",
      { parseAs: "string", bodyLimit: UNSUBSCRIBE_BODY_LIMIT },
      (request, body, done) => {
        try {
          done(null, parseMultipart(body as string, request.headers["content-type"] ?? ""));
        } catch (err) {
          done(err as Error, undefined);
        }
      },
    );

    // Errors on these routes are pages for people (or plain refusals for mail clients), not JSON.
    scope.setErrorHandler((err: FastifyError, request, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 500) request.log.error({ err }, "unsubscribe request failed");
      const kind =
        err.code === "FST_ERR_CTP_BODY_TOO_LARGE" || status === 413
          ? "too_large"
          : err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || status === 415
            ? "unsupported"
            : status >= 500
              ? "failed"
              : "bad_request";
      const code = { too_large: 413, unsupported: 415, failed: 500, bad_request: 400 }[kind];
      return pageHeaders(reply).code(code).send(renderUnsubscribeProblem(kind));
    });

    // A wildcard rather than a parameter: the router answers an over-long parameter with a bare
    // 414, and a person with a mangled link should see a page.
    const params = Type.Object({ "*": Type.String() });

    scope.get(
      "/u/*",
      { config: { access: { auth: "none" } }, schema: { hide: true, params } },
      async (request, reply) => {
        const found = await findUnsubscribeTarget(database.db, config.secretKey, request.params["*"], clock.now());
        if (!found.ok) {
          return pageHeaders(reply).code(problemStatus[found.problem]).send(renderUnsubscribeProblem(found.problem));
        }
        const offer = await loadDigestOffer(database.db, found.target.tenantId);
        return pageHeaders(reply).code(200).send(renderPreferencePage(found.target, offer));
      },
    );

    scope.post(
      "/u/*",
      {
        config: { access: { auth: "none" } },
        bodyLimit: UNSUBSCRIBE_BODY_LIMIT,
        schema: { hide: true, params },
      },
      async (request, reply) => {
        const body = request.body;
        if (!(body instanceof FormBody)) {
          const status = body === undefined || body === null ? 400 : 415;
          return pageHeaders(reply)
            .code(status)
            .send(renderUnsubscribeProblem(status === 400 ? "bad_request" : "unsupported"));
        }
        const oneClick = isOneClick(request);
        // The page's form: `choice` (a plain `confirm=yes` without one unsubscribes, as it always did).
        const given = body.fields.get("choice") ?? "unsubscribe";
        const choice: PageChoice | undefined = oneClick ? "unsubscribe" : isPageChoice(given) ? given : undefined;
        if (!oneClick && (body.fields.get("confirm") !== "yes" || choice === undefined)) {
          return pageHeaders(reply).code(400).send(renderUnsubscribeProblem("bad_request"));
        }
        const now = clock.now();
        const found = await findUnsubscribeTarget(database.db, config.secretKey, request.params["*"], now);
        if (!found.ok) {
          const status = problemStatus[found.problem];
          if (oneClick) {
            return pageHeaders(reply)
              .code(status)
              .type("text/plain; charset=utf-8")
              .send(`Not unsubscribed: ${found.problem}\n`);
          }
          return pageHeaders(reply).code(status).send(renderUnsubscribeProblem(found.problem));
        }
        if (oneClick) {
          await unsubscribe(database.db, found.target, "one_click", now);
          return pageHeaders(reply).code(200).type("text/plain; charset=utf-8").send("Unsubscribed.\n");
        }
        const offer = await loadDigestOffer(database.db, found.target.tenantId);
        if ((choice === "daily" || choice === "weekly") && !offer.offer) {
          return pageHeaders(reply).code(409).send(renderUnsubscribeProblem("no_digest"));
        }
        const digest = await applyPageChoice(
          database.db,
          found.target,
          choice ?? "unsubscribe",
          { time: offer.defaultTime, weekday: offer.defaultWeekday },
          now,
        );
        return pageHeaders(reply)
          .code(200)
          .send(renderChoiceDone(found.target, choice ?? "unsubscribe", digest, !found.target.optedOut));
      },
    );
  });
}
