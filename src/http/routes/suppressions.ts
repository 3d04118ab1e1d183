import { Type } from "typebox";
import { ApiError } from "../../errors/api-error.js";
import { suppressionKey } from "../../messages/suppressions.js";
import {
  listSuppressionResets,
  listSuppressions,
  resetSuppression,
  type Suppression,
  type SuppressionReset,
} from "../../tracking/suppression-resets.js";
import { auditRequest } from "../audit.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, Nullable, Page, PageQuery } from "../schemas.js";

const SuppressionSchema = Type.Object({
  email: Type.String(),
  reason: Type.String({ description: "`hard_bounce` or `spam`" }),
  detail: Nullable(Type.String()),
  recipientId: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
});

const ResetSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  reason: Type.String({ description: "Why the address had been suppressed" }),
  suppressedAt: Type.String({ format: "date-time" }),
  resetBy: Type.String({ description: "The id of the API key that reset it" }),
  note: Type.String(),
  at: Type.String({ format: "date-time" }),
});

const iso = (ms: number) => new Date(ms).toISOString();

function suppressionView(s: Suppression) {
  return {
    email: s.email,
    reason: s.reason,
    detail: s.detail,
    recipientId: s.recipientId,
    createdAt: iso(s.createdAt),
  };
}

function resetView(r: SuppressionReset) {
  return {
    id: r.id,
    email: r.email,
    reason: r.reason,
    suppressedAt: iso(r.suppressedAt),
    resetBy: r.resetBy,
    note: r.note,
    at: iso(r.at),
  };
}

/** Suppressions are listed by address, so their cursor carries the last address seen. */
function encodeEmailCursor(email: string): string {
  return Buffer.from(`s1:${email}`).toString("base64url");
}

function decodeEmailCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith("s1:") || text.length < 4 || text.length > 300) {
    throw new ApiError("invalid_cursor", "cursor is not one this API gave out");
  }
  return text.slice(3);
}

/**
 * The tenant's suppression list (staff and administrators) and its reset (administrators only,
 * with a required note; audited). The note travels in a JSON body rather than the query string,
 * so it stays out of access logs and proxies' URLs.
 */
export function registerSuppressionRoutes(app: App, { database, clock }: AppDeps): void {
  const readers = { access: { auth: "tenant", roles: ["staff", "administrator"] } } as const;
  const administrator = { access: { auth: "tenant", roles: ["administrator"] } } as const;

  app.get(
    "/v1/suppressions",
    {
      config: readers,
      schema: {
        tags: ["suppressions"],
        summary:
          "Suppressed addresses (hard bounces, complaints), in address order; `search` matches part of an address",
        querystring: Type.Object(
          { ...PageQuery, search: Type.Optional(Type.String({ maxLength: 254 })) },
          { additionalProperties: false },
        ),
        response: { 200: Page(SuppressionSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listSuppressions(database.db, tenantId, {
        after: decodeEmailCursor(request.query.cursor),
        search: request.query.search?.trim() || undefined,
        limit,
      });
      const last = rows[rows.length - 1];
      return {
        items: rows.map(suppressionView),
        nextCursor: rows.length === limit && last ? encodeEmailCursor(last.email) : null,
      };
    },
  );

  app.get(
    "/v1/suppressions/resets",
    {
      config: readers,
      schema: {
        tags: ["suppressions"],
        summary: "The audit log of suppression resets, newest first",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(ResetSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listSuppressionResets(database.db, tenantId, {
        before: decodeCursor(request.query.cursor),
        limit,
      });
      return { items: rows.map(resetView), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.delete(
    "/v1/suppressions/:email",
    {
      config: administrator,
      schema: {
        tags: ["suppressions"],
        summary: "Reset a suppressed address so mail goes to it again (administrator keys only); audited",
        description:
          'The body `{ "note": "why" }` is required: the reason is kept in the reset log with the key that made the reset.',
        params: Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }),
        body: Type.Object(
          { note: Type.String({ minLength: 1, maxLength: 500, pattern: "\\S" }) },
          { additionalProperties: false },
        ),
        response: { 200: ResetSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const note = request.body.note.trim();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
      if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(note)) {
        throw new ApiError("invalid_request", "note must not contain control characters");
      }
      const keyId = request.principal?.keyId ?? "unknown";
      const reset = await resetSuppression(database.db, tenantId, {
        email: request.params.email,
        resetBy: keyId,
        note,
        at: clock.now(),
      });
      if (!reset) {
        throw new ApiError("not_found", `${suppressionKey(request.params.email).slice(0, 254)} is not suppressed`);
      }
      await auditRequest(database.db, request, clock.now(), "suppression.reset", request.params.email, note);
      return resetView(reset);
    },
  );
}
