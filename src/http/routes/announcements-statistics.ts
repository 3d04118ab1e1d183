import { Readable } from "node:stream";
import { Type } from "typebox";
import {
  type AnnouncementRecipient,
  announcementStats,
  eachAnnouncementRecipient,
  listAnnouncementRecipients,
} from "../../announcements/announcement-statistics.js";
import { csvLine } from "../../announcements/csv.js";
import { recipientStatuses } from "../../email/statuses.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, IdParams, Nullable, PageQuery, StringEnum } from "../schemas.js";
import { announcementRoles, requireAnnouncement } from "./announcements.js";
import { FailureReasonSchema } from "./message-get.js";

const Stats = Type.Object({
  id: Type.String(),
  state: Type.String(),
  counts: Type.Object(Object.fromEntries(recipientStatuses.map((s) => [s, Type.Integer({ minimum: 0 })])), {
    description: "Recipients per current status; every status is present, zeros included",
  }),
  total: Type.Integer(),
  delivered: Type.Integer({ description: "sent + opened + spam: accepted by the recipient's server" }),
  delayed: Type.Integer({ description: "Still queued after the delayed threshold (POSTBAG_DELAYED_AFTER_MINUTES)" }),
  deliveryRate: Type.Number({ description: "delivered ÷ total" }),
  openRate: Type.Number({ description: "opened ÷ delivered" }),
  automatedOpens: Type.Integer({ description: "Opens that look automated (privacy proxies, scanners)" }),
  humanOpens: Type.Integer({ description: "Recipients with at least one open that does not look automated" }),
});

const RecipientQuery = {
  status: Type.Optional(StringEnum(recipientStatuses)),
  search: Type.Optional(
    Type.String({ maxLength: 200, description: "Part of the address, contact name or contact id" }),
  ),
};

const RecipientItem = Type.Object({
  recipientId: Type.String(),
  email: Type.String({ description: "'' when the contact has no usable address" }),
  contactExternalId: Nullable(Type.String()),
  contactName: Nullable(Type.String()),
  contactDeleted: Type.Boolean({ description: "For a contact deleted since: name and address erased" }),
  subjects: Type.Array(Type.String(), { description: "Names of the subjects this email is about" }),
  status: StringEnum(recipientStatuses),
  updatedAt: Type.String({ format: "date-time" }),
  sentAt: Nullable(Type.String({ format: "date-time" })),
  openedAt: Nullable(Type.String({ format: "date-time" })),
  lastSmtpCode: Nullable(Type.Integer()),
  lastText: Nullable(Type.String()),
  reason: Nullable(FailureReasonSchema),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function recipientView(r: AnnouncementRecipient) {
  return {
    ...r,
    subjects: [...r.subjects],
    updatedAt: new Date(r.updatedAt).toISOString(),
    sentAt: iso(r.sentAt),
    openedAt: iso(r.openedAt),
  };
}

const CSV_HEADER = [
  "recipient_id",
  "email",
  "contact_external_id",
  "contact_name",
  "subjects",
  "status",
  "updated_at",
  "sent_at",
  "opened_at",
  "last_smtp_code",
  "last_text",
  "reason",
];

export function registerAnnouncementStatisticsRoutes(app: App, deps: AppDeps): void {
  const { database, clock, config } = deps;

  app.get(
    "/v1/announcements/:id/stats",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "Counts per status, delivery and open rates of one announcement",
        params: IdParams,
        response: { 200: Stats, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { announcement } = await requireAnnouncement(deps, tenantId, request.params.id);
      const stats = await announcementStats(
        database,
        tenantId,
        announcement.message_id,
        clock.now(),
        config.delayedAfterMs,
      );
      return { id: announcement.id, state: announcement.state, ...stats };
    },
  );

  app.get(
    "/v1/announcements/:id/recipients",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "One announcement's recipients (one per email), filtered by status and searchable",
        params: IdParams,
        querystring: Type.Object({ ...PageQuery, ...RecipientQuery }, { additionalProperties: false }),
        response: {
          200: Type.Object({ items: Type.Array(RecipientItem), nextCursor: Nullable(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { announcement } = await requireAnnouncement(deps, tenantId, request.params.id);
      const q = request.query;
      const limit = q.limit ?? 50;
      const items = await listAnnouncementRecipients(database, tenantId, announcement.message_id, {
        status: q.status,
        search: q.search,
        after: decodeCursor(q.cursor),
        limit,
      });
      const last = items[items.length - 1];
      return {
        items: items.map(recipientView),
        nextCursor: items.length === limit && last ? encodeCursor(last.recipientId) : null,
      };
    },
  );

  app.get(
    "/v1/announcements/:id/recipients.csv",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "The recipient list as CSV (streamed; same filters as the JSON list)",
        description:
          "Cells a spreadsheet would read as a formula (starting with = + - @) are prefixed with a single quote.",
        params: IdParams,
        querystring: Type.Object(RecipientQuery, { additionalProperties: false }),
        produces: ["text/csv"],
        // A stream is piped as it is, never passed to the JSON serializer.
        response: { 200: Type.Unknown({ description: "text/csv" }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const { announcement } = await requireAnnouncement(deps, tenantId, request.params.id);
      const filter = { status: request.query.status, search: request.query.search };
      async function* lines(): AsyncGenerator<string> {
        yield csvLine(CSV_HEADER);
        for await (const r of eachAnnouncementRecipient(database, tenantId, announcement.message_id, filter)) {
          yield csvLine([
            r.recipientId,
            r.email,
            r.contactExternalId,
            r.contactDeleted ? "deleted contact" : r.contactName,
            r.subjects.join("; "),
            r.status,
            iso(r.updatedAt),
            iso(r.sentAt),
            iso(r.openedAt),
            r.lastSmtpCode,
            r.lastText,
            r.reason,
          ]);
        }
      }
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="announcement-${announcement.id}-recipients.csv"`)
        .send(Readable.from(lines()));
    },
  );
}
