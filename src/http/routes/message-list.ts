import { Type } from "typebox";
import { categories } from "../../email/categories.js";
import { recipientStatuses } from "../../email/statuses.js";
import { ApiError } from "../../errors/api-error.js";
import { listMessages } from "../../messages/message-store.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, Page, PageQuery, StringEnum } from "../schemas.js";
import { MessageFields, messageView } from "./message-get.js";

/** A list item: the message and how many recipients it has in each status, not the recipients. */
const MessageSummary = Type.Object({
  ...MessageFields,
  recipientCount: Type.Integer({ minimum: 0, description: "All recipients of the message (to, cc and bcc)" }),
  statusCounts: Type.Object(
    Object.fromEntries(recipientStatuses.map((s) => [s, Type.Optional(Type.Integer({ minimum: 1 }))])),
    {
      additionalProperties: false,
      description:
        "Recipients per current status. Only statuses that at least one recipient has appear; a missing status means 0. " +
        "GET /v1/messages/{id} lists the recipients themselves.",
    },
  ),
});

const Query = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(StringEnum(recipientStatuses)),
    category: Type.Optional(StringEnum(categories)),
    since: Type.Optional(Type.String({ format: "date-time", description: "Accepted at or after (ISO 8601)" })),
    until: Type.Optional(Type.String({ format: "date-time", description: "Accepted before (ISO 8601)" })),
  },
  { additionalProperties: false },
);

function time(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError("invalid_request", `${name} must be an ISO 8601 date-time`);
  return ms;
}

export function registerMessageListRoute(app: App, { database }: AppDeps): void {
  app.get(
    "/v1/messages",
    {
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["messages"],
        summary: "Messages, newest first, filtered by recipient status, category and time",
        querystring: Query,
        response: { 200: Page(MessageSummary), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const listed = await listMessages(database, tenantId, {
        status: q.status,
        category: q.category,
        since: time("since", q.since),
        until: time("until", q.until),
        before: decodeCursor(q.cursor),
        limit,
      });
      return {
        items: listed.map((l) => ({
          ...messageView(l.message),
          recipientCount: l.recipientCount,
          statusCounts: l.statusCounts,
        })),
        nextCursor: nextCursor(
          listed.map((l) => l.message),
          limit,
        ),
      };
    },
  );
}
