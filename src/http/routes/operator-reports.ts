import { Type } from "typebox";
import { recordAudit } from "../../auth/audit.js";
import { ApiError } from "../../errors/api-error.js";
import {
  lastContacted,
  listOperatorNotices,
  MAX_NOTICE_MESSAGE,
  noticeTemplates,
  sendOperatorNotice,
} from "../../reports/operator-notices.js";
import { overLimitTenants } from "../../reports/over-limit-tenants.js";
import { repeatOffenders } from "../../reports/repeat-offenders.js";
import { decodeCursor, encodeCursor, nextCursor } from "../cursor.js";
import type { App, AppDeps } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams, Nullable, Page, PageQuery, StringEnum } from "../schemas.js";
import { NoticeSchema } from "./operator-tenants.js";
import { actorOf } from "./people.js";

const LastContactedAt = Nullable(
  Type.String({ format: "date-time", description: "When the operator last sent the school a notice (Contact)" }),
);

const OverLimitTenant = Type.Object({
  tenantId: Type.String(),
  tenantName: Type.String(),
  month: Type.String({ description: "YYYY-MM in the tenant's time zone" }),
  counted: Type.Integer({ description: "Counted mail charged this month, whatever paid for it" }),
  allowance: Type.Integer({ description: "The tenant's monthly allowance (as set now)" }),
  overSince: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description: "When the tenant first needed credit it did not have this month",
  }),
  lastReminderAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  lastContactedAt: LastContactedAt,
});

const RepeatOffender = Type.Object({
  tenantId: Type.String(),
  tenantName: Type.String(),
  run: Type.Integer({ minimum: 2, description: "Longest run of consecutive months over the limit" }),
  months: Type.Array(Type.String(), { description: "The months of that run, oldest first" }),
  overMonths: Type.Array(Type.String(), { description: "Every month over the limit in the window, oldest first" }),
  lastContactedAt: LastContactedAt,
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Operator reports across tenants: only operator keys reach them. Pages are in tenant id order. */
export function registerOperatorReportRoutes(app: App, { database, clock, config }: AppDeps): void {
  const operator = { access: { auth: "operator" } } as const;
  app.get(
    "/v1/operator/reports/over-limit",
    {
      config: operator,
      schema: {
        tags: ["operator", "reports"],
        summary: "Tenants over their credit limit in a month",
        description:
          "Over the limit: the tenant needed credit it did not have, or sent more counted mail than its " +
          "allowance without package credit. A page may hold fewer than `limit` items and still have a next one.",
        querystring: Type.Object(
          {
            ...PageQuery,
            month: Type.Optional(
              Type.String({
                pattern: "^\\d{4}-(0[1-9]|1[0-2])$",
                description: "YYYY-MM; default: each tenant's current month in its own time zone",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(OverLimitTenant), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await overLimitTenants(database.db, {
        month: q.month,
        after: decodeCursor(q.cursor),
        limit: q.limit ?? 50,
        now: clock.now(),
      });
      const contacted = await lastContacted(
        database.db,
        page.items.map((i) => i.tenantId),
      );
      return {
        items: page.items.map((i) => ({
          ...i,
          overSince: iso(i.overSince),
          lastReminderAt: iso(i.lastReminderAt),
          lastContactedAt: iso(contacted.get(i.tenantId) ?? null),
        })),
        nextCursor: page.scanned === null ? null : encodeCursor(page.scanned),
      };
    },
  );

  app.get(
    "/v1/operator/reports/repeat-offenders",
    {
      config: operator,
      schema: {
        tags: ["operator", "reports"],
        summary: "Tenants over their credit limit in two or more consecutive months",
        description:
          "Looks at each tenant's current month and the months before it, in the tenant's time zone. " +
          "A page may hold fewer than `limit` items and still have a next one.",
        querystring: Type.Object(
          {
            ...PageQuery,
            months: Type.Optional(
              Type.Integer({ minimum: 2, maximum: 36, default: 12, description: "Months to look back over" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(RepeatOffender), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await repeatOffenders(database.db, {
        months: q.months ?? 12,
        after: decodeCursor(q.cursor),
        limit: q.limit ?? 50,
        now: clock.now(),
      });
      const contacted = await lastContacted(
        database.db,
        page.items.map((i) => i.tenantId),
      );
      return {
        items: page.items.map((i) => ({
          ...i,
          months: [...i.months],
          overMonths: [...i.overMonths],
          lastContactedAt: iso(contacted.get(i.tenantId) ?? null),
        })),
        nextCursor: page.scanned === null ? null : encodeCursor(page.scanned),
      };
    },
  );

  app.post(
    "/v1/operator/tenants/:id/notices",
    {
      config: operator,
      schema: {
        tags: ["operator", "reports"],
        summary: "Contact a school: send its administrators a templated notice from the operator",
        description:
          "over_limit: the school is over its limit this month; repeat_offender: over in two or more months " +
          "running (409 conflict when the report does not say so, or the school has no administrator with an " +
          "email address). The notice goes to each administrator as Postbag's own mail and is recorded on the " +
          "tenant (GET /v1/operator/tenants/:id/notices).",
        params: IdParams,
        body: Type.Object(
          {
            template: StringEnum(noticeTemplates),
            message: Type.Optional(
              Type.String({
                maxLength: MAX_NOTICE_MESSAGE,
                description: "The operator's own words, added to the notice",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: NoticeSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const now = clock.now();
      const actor = actorOf(request);
      const notice = await sendOperatorNotice(
        database,
        { senderDomain: config.senderDomain, publicUrl: config.publicUrl },
        {
          tenantId: request.params.id,
          template: request.body.template,
          message: request.body.message,
          sentBy: actor.name,
        },
        now,
      );
      await recordAudit(
        database.db,
        {
          tenantId: notice.tenantId,
          actor,
          action: "operator.notice_sent",
          target: notice.template,
          detail: notice.subject,
        },
        now,
      );
      return reply.code(201).send({ ...notice, at: new Date(notice.at).toISOString() });
    },
  );

  app.get(
    "/v1/operator/tenants/:id/notices",
    {
      config: operator,
      schema: {
        tags: ["operator", "reports"],
        summary: "The notices the operator sent a school, newest first",
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(NoticeSchema), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await database.db
        .selectFrom("tenants")
        .select("id")
        .where("id", "=", request.params.id)
        .executeTakeFirst();
      if (!tenant) throw new ApiError("not_found", `no tenant ${request.params.id.slice(0, 40)}`);
      const limit = request.query.limit ?? 50;
      const rows = await listOperatorNotices(database.db, tenant.id, decodeCursor(request.query.cursor), limit);
      return {
        items: rows.map((n) => ({ ...n, at: new Date(n.at).toISOString() })),
        nextCursor: nextCursor(rows, limit),
      };
    },
  );
}
