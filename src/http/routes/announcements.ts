import { Type } from "typebox";
import { cancelAnnouncement, getAnnouncement, listAnnouncements } from "../../announcements/announcement-store.js";
import { composeAnnouncement, MAX_AUDIENCE_ENTRIES } from "../../announcements/compose.js";
import { estimateAnnouncement } from "../../announcements/estimate.js";
import { FanoutRunner } from "../../announcements/fanout-runner.js";
import { isId } from "../../db/ids.js";
import type { AnnouncementRow } from "../../db/tables.js";
import { loadSenderRules } from "../../domains/sender-settings.js";
import { ApiError } from "../../errors/api-error.js";
import { audienceColumn, mergeDataColumn } from "../../messages/message-columns.js";
import type { PrepareLimits } from "../../messages/prepare.js";
import type { TenantRole } from "../../tenants/tenants.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams, Nullable, Page, PageQuery, StringEnum } from "../schemas.js";

/** Announcements are people's work (docs/announcements.md: staff compose); system keys are for transactional mail. */
export const announcementRoles: readonly TenantRole[] = ["staff", "administrator"];

const ExternalIds = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: MAX_AUDIENCE_ENTRIES });

const Audience = Type.Object(
  {
    contacts: Type.Optional(ExternalIds),
    subjects: Type.Optional(ExternalIds),
    subjectGroups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 })),
  },
  {
    additionalProperties: false,
    description:
      "External ids of contacts and subjects, and subject group names. A subject reaches the contacts linked to it " +
      "who receive mail about it; a group reaches its subjects.",
  },
);

export const ComposeBody = Type.Object(
  {
    subject: Type.String({ minLength: 1, description: "May carry merge fields: {{contact.name}}, {{subject.name}}" }),
    text: Type.Optional(Type.String()),
    html: Type.Optional(
      Type.String({ description: "Sanitised: scripts, event handlers and javascript: URLs removed" }),
    ),
    audience: Audience,
    consolidate: Type.Boolean({
      description: "One email per contact covering all their subjects (siblings), instead of one per subject",
    }),
    essential: Type.Boolean({ description: "Reaches contacts who opted out of the category (never suppressed ones)" }),
    category: Type.Optional(Type.String({ description: "announcement (default), invitation, alert or scheduled" })),
    sendAt: Type.Optional(Type.String({ format: "date-time", description: "Default now; at most a year ahead" })),
    attachments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            filename: Type.String(),
            content: Type.String({ description: "base64" }),
            contentType: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    useSignature: Type.Optional(Type.Boolean({ description: "Add the tenant's signature" })),
    mergeData: Type.Optional(
      Type.Record(Type.String({ maxLength: 200 }), Type.Record(Type.String({ maxLength: 64 }), Type.String()), {
        description: "Per-subject values for {{subject.<field>}}: { <subject externalId>: { field: value } }",
      }),
    ),
  },
  { additionalProperties: false },
);

const AudienceView = Type.Object({
  contacts: Type.Array(Type.String()),
  subjects: Type.Array(Type.String()),
  subjectGroups: Type.Array(Type.String()),
});

const AnnouncementFields = {
  id: Type.String(),
  state: Type.String({ description: "scheduled, sending, sent or cancelled" }),
  subject: Type.String(),
  category: Type.String(),
  essential: Type.Boolean(),
  consolidate: Type.Boolean(),
  useSignature: Type.Boolean(),
  sendAt: Type.String({ format: "date-time" }),
  createdAt: Type.String({ format: "date-time" }),
  fannedOutAt: Nullable(Type.String({ format: "date-time" })),
  cancelledAt: Nullable(Type.String({ format: "date-time" })),
  recipientCount: Type.Integer({ description: "Recipient rows (emails) queued so far" }),
  messageId: Type.String({ description: "The template message" }),
};

const AnnouncementSummary = Type.Object(AnnouncementFields);

const AnnouncementDetail = Type.Object({
  ...AnnouncementFields,
  audience: AudienceView,
  text: Nullable(Type.String()),
  html: Nullable(Type.String()),
  mergeData: Type.Record(Type.String(), Type.Record(Type.String(), Type.String())),
  attachments: Type.Array(Type.Object({ filename: Type.String(), contentType: Type.String(), size: Type.Integer() })),
});

const Composed = Type.Object({
  ...AnnouncementFields,
  unresolved: Type.Object(
    {
      contacts: Type.Array(Type.String()),
      subjects: Type.Array(Type.String()),
      subjectGroups: Type.Array(Type.String()),
    },
    { description: "Audience entries that matched nothing of this tenant's (the rest is sent)" },
  ),
});

const Count = Type.Integer({ minimum: 0 });

const Estimate = Type.Object({
  recipients: Type.Integer({ minimum: 0, description: "Contacts reached" }),
  subjects: Type.Integer({ minimum: 0, description: "Distinct subjects (students) the audience names" }),
  emails: Type.Object({
    consolidated: Type.Integer({ minimum: 0, description: "Emails with consolidation: one per contact" }),
    separate: Type.Integer({ minimum: 0, description: "Emails without: one per contact and subject" }),
  }),
  statuses: Type.Object(
    { queued: Count, email_missing: Count, opted_out: Count, rejected: Count, pending_digest: Count },
    { description: "The emails of the body's consolidate choice by the status their first attempt would give" },
  ),
  credits: Nullable(
    Type.Object({
      charged: Type.Boolean({ description: "False when this mail is not charged (own account, exempt category)" }),
      needed: Count,
      available: Count,
      fits: Type.Boolean(),
      policy: Type.String({ description: "The over-limit policy: soft, hard or grace" }),
      overLimit: Type.Integer({ minimum: 0, description: "Emails beyond what is available" }),
      overLimitAction: Type.String({
        description: "none (it fits), sent (charged over the limit) or held (held_no_credit until credit comes)",
      }),
    }),
  ),
  unresolved: Type.Object({
    contacts: Type.Array(Type.String()),
    subjects: Type.Array(Type.String()),
    subjectGroups: Type.Array(Type.String()),
  }),
});

const iso = (ms: number) => new Date(ms).toISOString();

function announcementView(a: AnnouncementRow, subject: string, category: string) {
  return {
    id: a.id,
    state: a.state,
    subject,
    category,
    essential: a.essential === 1,
    consolidate: a.consolidate === 1,
    useSignature: a.use_signature === 1,
    sendAt: iso(a.send_at),
    createdAt: iso(a.created_at),
    fannedOutAt: a.fanned_out_at === null ? null : iso(a.fanned_out_at),
    cancelledAt: a.cancelled_at === null ? null : iso(a.cancelled_at),
    recipientCount: a.recipient_count,
    messageId: a.message_id,
  };
}

/** The announcement of the request's tenant, or 404 (another tenant's is not found either). */
export async function requireAnnouncement(deps: Pick<AppDeps, "database">, tenantId: string, id: string) {
  const found = isId(id) ? await getAnnouncement(deps.database, tenantId, id) : undefined;
  if (!found) throw new ApiError("not_found", `no announcement ${id.slice(0, 40)}`);
  return found;
}

/** The limits an announcement's template is checked against: the API's, and the tenant's sender rules. */
export async function announcementLimits(
  { database, config }: Pick<AppDeps, "database" | "config">,
  tenantId: string,
): Promise<PrepareLimits> {
  return {
    maxMessageBytes: config.maxMessageBytes,
    maxRecipients: config.maxRecipients,
    senderDomain: config.senderDomain,
    sender: await loadSenderRules(database.db, config.secretKey, tenantId),
  };
}

export function registerAnnouncementRoutes(app: App, deps: AppDeps): void {
  const { database, clock, config, logger, onAccepted } = deps;
  const fanouts = new FanoutRunner({
    database,
    clock,
    logger: logger.child({ component: "announcements" }),
    ...(onAccepted ? { onChunk: () => onAccepted() } : {}),
  });
  // On shutdown a fan-out started by a request stops at its next chunk boundary (a scheduler
  // carries on from the cursor), before the database it writes to is closed.
  app.addHook("onClose", () => fanouts.stop());

  app.post(
    "/v1/announcements",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "Compose an announcement to contacts, subjects or subject groups, now or at sendAt",
        description:
          "Answers 202 once the announcement is stored; its fan-out to recipients runs in the background " +
          "(at once, or at sendAt). Unknown audience entries are listed in `unresolved`; if nothing at all " +
          "matches, the request is refused.",
        body: ComposeBody,
        response: { 202: Composed, 413: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const principal = request.principal;
      const { announcement, unresolved } = await composeAnnouncement(database, clock, tenantId, request.body, {
        limits: await announcementLimits(deps, tenantId),
        messageIdDomain: config.senderDomain,
        createdBy: principal?.kind === "tenant" ? principal.keyId : null,
      });
      if (announcement.send_at <= clock.now()) fanouts.start(tenantId, announcement.id);
      return reply.code(202).send({
        ...announcementView(announcement, request.body.subject, request.body.category ?? "announcement"),
        unresolved: {
          contacts: [...unresolved.contacts],
          subjects: [...unresolved.subjects],
          subjectGroups: [...unresolved.subjectGroups],
        },
      });
    },
  );

  app.post(
    "/v1/announcements/estimate",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "Estimate an announcement: recipients, emails, statuses and credits, without sending or storing",
        description:
          "Takes the body of POST /v1/announcements and checks it the same way; counts come from the same " +
          "audience resolution, screening order and credit rules as the sending, at the time of the request.",
        body: ComposeBody,
        response: { 200: Estimate, 413: ErrorBody, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const estimate = await estimateAnnouncement(database, clock, tenantId, request.body, {
        maxMessageBytes: config.maxMessageBytes,
        maxRecipients: config.maxRecipients,
        senderDomain: config.senderDomain,
      });
      return {
        ...estimate,
        unresolved: {
          contacts: [...estimate.unresolved.contacts],
          subjects: [...estimate.unresolved.subjects],
          subjectGroups: [...estimate.unresolved.subjectGroups],
        },
      };
    },
  );

  app.get(
    "/v1/announcements",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "Announcements, newest first; searchable by subject, filtered by state",
        querystring: Type.Object(
          {
            ...PageQuery,
            search: Type.Optional(Type.String({ maxLength: 200, description: "Part of the subject, any case" })),
            state: Type.Optional(
              Type.Array(StringEnum(["scheduled", "sending", "sent", "cancelled"] as const), {
                maxItems: 4,
                description: "Only these states (repeat the parameter for several)",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(AnnouncementSummary), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listAnnouncements(database, tenantId, {
        before: decodeCursor(request.query.cursor),
        limit,
        search: request.query.search?.trim() || undefined,
        states: request.query.state,
      });
      return {
        items: rows.map((r) => announcementView(r.announcement, r.subject, r.category)),
        nextCursor: nextCursor(
          rows.map((r) => r.announcement),
          limit,
        ),
      };
    },
  );

  app.get(
    "/v1/announcements/:id",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "One announcement: its content, audience and state",
        params: IdParams,
        response: { 200: AnnouncementDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const found = await requireAnnouncement(deps, tenantId, request.params.id);
      const a = found.announcement;
      const audience = audienceColumn.decode(a.audience);
      return {
        ...announcementView(a, found.subject, found.category),
        audience: {
          contacts: audience.contacts ?? [],
          subjects: audience.subjects ?? [],
          subjectGroups: audience.subjectGroups ?? [],
        },
        text: found.text,
        html: found.html,
        mergeData: mergeDataColumn.decode(a.merge_data),
        attachments: found.attachments.map((x) => ({
          filename: x.filename,
          contentType: x.content_type,
          size: x.size_bytes,
        })),
      };
    },
  );

  app.post(
    "/v1/announcements/:id/cancel",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "Cancel an announcement before its fan-out begins",
        description:
          "409 once recipients are being queued or were queued; cancelling twice answers the cancelled announcement.",
        params: IdParams,
        response: { 200: AnnouncementSummary, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const found = await requireAnnouncement(deps, tenantId, request.params.id);
      const cancelled = await cancelAnnouncement(database, clock, tenantId, found.announcement.id);
      if (!cancelled) throw new ApiError("not_found", `no announcement ${request.params.id.slice(0, 40)}`);
      return announcementView(cancelled, found.subject, found.category);
    },
  );
}
