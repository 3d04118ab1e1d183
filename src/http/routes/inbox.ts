import { Type } from "typebox";
import { loadOpenReceivedAttachments } from "../../accounts/account-settings.js";
import { isId } from "../../db/ids.js";
import { escapeHtml } from "../../email/html.js";
import { hasRemoteImages, sanitizeInboundHtml, sanitizeInboundHtmlWithImages } from "../../email/html-sanitiser.js";
import { ApiError } from "../../errors/api-error.js";
import {
  getInbound,
  getInboundAttachment,
  type InboundSummary,
  inboundKinds,
  listInbound,
} from "../../mailboxes/inbound-store.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, IdParams, Nullable, Page, PageQuery, StringEnum } from "../schemas.js";

/** Staff and administrators read the inbox; system (integration) keys do not. */
const READERS = ["staff", "administrator"] as const;

const InboxItem = Type.Object({
  id: Type.String(),
  kind: StringEnum(inboundKinds, {
    description:
      "reply: answers one of our messages; bounce, delay, complaint: a report about one; auto_reply: an out-of-office; other: anything else",
  }),
  fromAddress: Nullable(Type.String()),
  fromName: Nullable(Type.String()),
  subject: Nullable(Type.String()),
  sentAt: Nullable(Type.String({ format: "date-time", description: "The message's Date header" })),
  receivedAt: Type.String({ format: "date-time", description: "When Postbag read it from the mailbox" }),
  messageId: Nullable(Type.String({ description: "Our message it answers or reports on" })),
  recipientId: Nullable(Type.String()),
  contactId: Nullable(Type.String()),
  attachmentCount: Type.Integer(),
  size: Type.Integer(),
});

const InboxDetail = Type.Object({
  ...InboxItem.properties,
  messageIdHeader: Nullable(Type.String()),
  text: Nullable(Type.String()),
  html: Nullable(
    Type.String({ description: "Sanitised: no scripts, styles, frames, forms, images or event handlers" }),
  ),
  message: Nullable(Type.Object({ id: Type.String(), subject: Type.String(), createdAt: Type.String() })),
  recipient: Nullable(Type.Object({ id: Type.String(), email: Type.String(), status: Type.String() })),
  contact: Nullable(
    Type.Object({ id: Type.String(), externalId: Type.String(), name: Type.String(), email: Nullable(Type.String()) }),
  ),
  remoteImages: Type.Boolean({
    description: "The HTML has images from elsewhere; /body?images=true shows them, /body alone blocks them",
  }),
  attachments: Type.Array(
    Type.Object({
      position: Type.Integer({ minimum: 1 }),
      filename: Type.String(),
      contentType: Type.String(),
      size: Type.Integer(),
    }),
  ),
});

const ListQuery = Type.Object(
  {
    ...PageQuery,
    kind: Type.Optional(StringEnum(inboundKinds)),
    automatic: Type.Optional(
      Type.Boolean({
        description: "false: leave out bounces, delays, complaints and auto-replies; true: only those; absent: all",
      }),
    ),
    search: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "Found in the sender, the subject or the text" }),
    ),
  },
  { additionalProperties: false },
);

const AttachmentParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  position: Type.Integer({ minimum: 1, maximum: 10_000 }),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function itemView(m: InboundSummary) {
  return {
    id: m.id,
    kind: m.kind as (typeof inboundKinds)[number],
    fromAddress: m.from_address,
    fromName: m.from_name,
    subject: m.subject,
    sentAt: iso(m.sent_at),
    receivedAt: new Date(m.received_at).toISOString(),
    messageId: m.message_id,
    recipientId: m.recipient_id,
    contactId: m.contact_id,
    attachmentCount: m.attachment_count,
    size: m.size_bytes,
  };
}

/** Types a browser might run or render in our origin are downloaded as opaque bytes instead. */
const ACTIVE_TYPES =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript|application\/x-javascript|text\/css|multipart\/)/i;

/** `attachment; filename="ascii"; filename*=UTF-8''pct-encoded` (RFC 6266), nothing injectable. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%;]/g, "_").slice(0, 150) || "attachment";
  const encoded = encodeURIComponent(filename.slice(0, 200)).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function registerInboxRoutes(app: App, { database }: AppDeps): void {
  app.get(
    "/v1/inbox",
    {
      config: { access: { auth: "tenant", roles: READERS } },
      schema: {
        tags: ["inbox"],
        summary: "Mail read from the tenant's own mailbox, newest first: replies, bounces, auto-replies and the rest",
        querystring: ListQuery,
        response: { 200: Page(InboxItem), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const items = await listInbound(database.db, tenantId, {
        kind: q.kind,
        automatic: q.automatic,
        search: q.search,
        before: decodeCursor(q.cursor),
        limit,
      });
      return { items: items.map(itemView), nextCursor: nextCursor(items, limit) };
    },
  );

  app.get(
    "/v1/inbox/:id",
    {
      config: { access: { auth: "tenant", roles: READERS } },
      schema: {
        tags: ["inbox"],
        summary: "One inbound message: text, sanitised HTML, what it answers, its attachments",
        params: IdParams,
        response: { 200: InboxDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { id } = request.params;
      const found = isId(id) ? await getInbound(database.db, tenantId, id) : undefined;
      if (!found) throw new ApiError("not_found", `no inbound message ${id.slice(0, 40)}`);
      const m = found.message;
      const message = m.message_id
        ? await database.db
            .selectFrom("messages")
            .select(["id", "subject", "created_at"])
            .where("tenant_id", "=", tenantId)
            .where("id", "=", m.message_id)
            .executeTakeFirst()
        : undefined;
      const recipient = m.recipient_id
        ? await database.db
            .selectFrom("recipients")
            .select(["id", "email", "status"])
            .where("tenant_id", "=", tenantId)
            .where("id", "=", m.recipient_id)
            .executeTakeFirst()
        : undefined;
      const contact = m.contact_id
        ? await database.db
            .selectFrom("contacts")
            .select(["id", "external_id as externalId", "name", "email"])
            .where("tenant_id", "=", tenantId)
            .where("id", "=", m.contact_id)
            .executeTakeFirst()
        : undefined;
      return {
        ...itemView(m),
        messageIdHeader: m.message_id_header,
        text: m.text_body,
        html: m.html_body === null ? null : sanitizeInboundHtml(m.html_body),
        remoteImages: m.html_body !== null && hasRemoteImages(m.html_body),
        message: message
          ? { id: message.id, subject: message.subject, createdAt: new Date(message.created_at).toISOString() }
          : null,
        recipient: recipient ?? null,
        contact: contact ?? null,
        attachments: found.attachments.map((a) => ({
          position: a.position,
          filename: a.filename,
          contentType: a.content_type,
          size: a.size_bytes,
        })),
      };
    },
  );

  app.get(
    "/v1/inbox/:id/body",
    {
      config: { access: { auth: "tenant", roles: READERS } },
      schema: {
        tags: ["inbox"],
        summary: "One inbound message as a page to read in a sandboxed frame; images from elsewhere only when asked",
        description:
          "Sanitised HTML (or the text) in a document of its own whose Content-Security-Policy runs nothing, " +
          "loads nothing from elsewhere unless `images=true` (then https images only), and sandboxes the page.",
        params: IdParams,
        querystring: Type.Object({ images: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: {
          200: Type.Unsafe<string>({ type: "string", description: "text/html" }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const { id } = request.params;
      const found = isId(id) ? await getInbound(database.db, tenantId, id) : undefined;
      if (!found) throw new ApiError("not_found", `no inbound message ${id.slice(0, 40)}`);
      const m = found.message;
      const images = request.query.images === true;
      const body =
        m.html_body !== null
          ? sanitizeInboundHtmlWithImages(m.html_body)
          : `<pre>${escapeHtml(m.text_body ?? "")}</pre>`;
      const page =
        '<!doctype html><html><head><meta charset="utf-8">' +
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:12px;overflow-wrap:anywhere}" +
        "pre{white-space:pre-wrap;font:inherit}img{max-width:100%;height:auto}</style>" +
        `</head><body>${body}</body></html>`;
      return reply
        .header(
          "content-security-policy",
          `default-src 'none'; style-src 'unsafe-inline'; img-src data:${images ? " https:" : ""}; ` +
            "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; " +
            "sandbox allow-popups allow-popups-to-escape-sandbox",
        )
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("cache-control", "private, no-store")
        .type("text/html; charset=utf-8")
        .send(page);
    },
  );

  app.get(
    "/v1/inbox/:id/attachments/:position",
    {
      config: { access: { auth: "tenant", roles: READERS } },
      schema: {
        tags: ["inbox"],
        summary: "Downloads one attachment of an inbound message (always as a download, never shown inline)",
        description:
          "403 attachments_not_allowed when the school turned off opening received attachments " +
          "(`openReceivedAttachments` in the settings wizard).",
        params: AttachmentParams,
        response: {
          200: Type.Unsafe<Buffer>({ type: "string", format: "binary", description: "The attachment's bytes" }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const { id, position } = request.params;
      // The school's setting (the settings wizard's Attachments step): received attachments stay closed.
      if (!(await loadOpenReceivedAttachments(database.db, tenantId))) {
        throw new ApiError(
          "attachments_not_allowed",
          "opening received attachments is turned off for this school (email settings, Attachments and Signatures)",
        );
      }
      const found = isId(id) ? await getInboundAttachment(database.db, tenantId, id, position) : undefined;
      if (!found) throw new ApiError("not_found", "no such attachment");
      const type = ACTIVE_TYPES.test(found.content_type) ? "application/octet-stream" : found.content_type;
      return reply
        .header("content-disposition", contentDisposition(found.filename))
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, no-store")
        .type(type)
        .send(found.content);
    },
  );
}
