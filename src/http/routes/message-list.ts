import { Type } from "typebox";
import { ApiError } from "../../errors/api-error.js";
import { categories } from "../../messages/categories.js";
import { listMessages } from "../../messages/message-store.js";
import { recipientStatuses } from "../../messages/statuses.js";
import { type App, type AppDeps, tenantOf } from "../app.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { errorResponses, Page, PageQuery, StringEnum } from "../schemas.js";
import { MessageSummary, messageView } from "./message-get.js";

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
      const { messages, recipients } = await listMessages(database, tenantId, {
        status: q.status,
        category: q.category,
        since: time("since", q.since),
        until: time("until", q.until),
        before: decodeCursor(q.cursor),
        limit,
      });
      return {
        items: messages.map((m) =>
          messageView(
            m,
            recipients.filter((r) => r.message_id === m.id),
          ),
        ),
        nextCursor: nextCursor(messages, limit),
      };
    },
  );
}
