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
  opensByHour: Type.Array(
    Type.Object({ hour: Type.String({ format: "date-time" }), opens: Type.Integer({ minimum: 1 }) }),
    { description: "Opens that do not look automated, per hour, oldest first; hours without opens are left out" },
  ),
});

const RecipientQuery = {
  status: Type.Optional(StringEnum(recipientStatuses)),
  search: Type.Optional(
    Type.String({ maxLength: 200, description: "Part of the address, contact name or contact id" }),
  ),
  deliveries: Type.Optional(
    StringEnum(["latest", "all"] as const, {
      description: "latest (default): each recipient's latest delivery; all: replaced deliveries (before a resend) too",
    }),
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
  resendOf: Nullable(Type.String({ description: "The delivery this one resends" })),
  previousStatus: Nullable(StringEnum(recipientStatuses, { description: "How the delivery it resends ended" })),
  replacedAt: Nullable(Type.String({ format: "date-time", description: "When a resend replaced this delivery" })),
  suppressed: Type.Boolean({ description: "The address is on the suppression list" }),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function recipientView(r: AnnouncementRecipient) {
  return {
    ...r,
    subjects: [...r.subjects],
    updatedAt: new Date(r.updatedAt).toISOString(),
    sentAt: iso(r.sentAt),
    openedAt: iso(r.openedAt),
    replacedAt: iso(r.replacedAt),
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
  "resend_of",
  "replaced_at",
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
      return {
        id: announcement.id,
        state: announcement.state,
        ...stats,
        opensByHour: stats.opensByHour.map((h) => ({ hour: new Date(h.hour).toISOString(), opens: h.opens })),
      };
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
        allDeliveries: q.deliveries === "all",
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
      const filter = {
        status: request.query.status,
        search: request.query.search,
        allDeliveries: request.query.deliveries === "all",
      };
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
            r.resendOf,
            iso(r.replacedAt),
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
