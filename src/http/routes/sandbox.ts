import { Type } from "typebox";
import { isId } from "../../db/ids.js";
import type { SandboxMessageRow } from "../../db/tables.js";
import { ApiError } from "../../errors/api-error.js";
import { getCaptured, listCaptured, rcptToColumn, type SandboxScope } from "../../sandbox/sandbox-store.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import type { App, AppDeps } from "../route-context.js";
import { errorResponses, IdParams, Page, PageQuery } from "../schemas.js";

const Captured = Type.Object({
  id: Type.String(),
  receivedAt: Type.String({ format: "date-time" }),
  mailFrom: Type.String(),
  rcptTo: Type.Array(Type.String()),
  subject: Type.Union([Type.String(), Type.Null()]),
  messageId: Type.Union([Type.String(), Type.Null()]),
  size: Type.Integer(),
});

const CapturedDetail = Type.Object({
  ...Captured.properties,
  raw: Type.String({ description: "The whole MIME message" }),
});

function scopeOf(principal: import("../../tenants/tenants.js").Principal | undefined): SandboxScope {
  if (!principal) throw new ApiError("unauthorized", "send an API key");
  return principal.kind === "operator" ? "all" : { tenantId: principal.tenantId };
}

function view(row: Omit<SandboxMessageRow, "raw">) {
  return {
    id: row.id,
    receivedAt: new Date(row.received_at).toISOString(),
    mailFrom: row.mail_from,
    rcptTo: rcptToColumn.decode(row.rcpt_to),
    subject: row.subject,
    messageId: row.message_id_header,
    size: row.size_bytes,
  };
}

/**
 * Sandbox mode keeps every message it would have sent. A tenant key sees its own tenant's
 * captured mail; an operator key sees all of it.
 */
export function registerSandboxRoutes(app: App, { database }: AppDeps): void {
  const access = { access: { auth: "any" } } as const;
  app.get(
    "/v1/sandbox/messages",
    {
      config: access,
      schema: {
        tags: ["sandbox"],
        summary: "Messages captured by the sandbox relay, newest first",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(Captured), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listCaptured(database, scopeOf(request.principal), decodeCursor(request.query.cursor), limit);
      return { items: rows.map(view), nextCursor: nextCursor(rows, limit) };
    },
  );

  async function find(principal: Parameters<typeof scopeOf>[0], id: string) {
    const row = isId(id) ? await getCaptured(database, scopeOf(principal), id) : undefined;
    if (!row) throw new ApiError("not_found", `no captured message ${id.slice(0, 40)}`);
    return row;
  }

  app.get(
    "/v1/sandbox/messages/:id",
    {
      config: access,
      schema: {
        tags: ["sandbox"],
        summary: "One captured message with its raw MIME",
        params: IdParams,
        response: { 200: CapturedDetail, ...errorResponses },
      },
    },
    async (request) => {
      const row = await find(request.principal, request.params.id);
      return { ...view(row), raw: row.raw.toString("utf8") };
    },
  );

  app.get(
    "/v1/sandbox/messages/:id/raw",
    {
      config: access,
      schema: {
        tags: ["sandbox"],
        summary: "One captured message as message/rfc822",
        params: IdParams,
        produces: ["message/rfc822"],
      },
    },
    async (request, reply) => {
      const row = await find(request.principal, request.params.id);
      return reply
        .type("message/rfc822")
        .header("content-disposition", `attachment; filename="${row.id}.eml"`)
        .send(row.raw);
    },
  );
}
