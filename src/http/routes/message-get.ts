import { Type } from "typebox";
import { isId } from "../../db/ids.js";
import type { EventRow, RecipientRow } from "../../db/tables.js";
import { FAILURE_REASONS, type FailureReason, isFailureReason } from "../../email/failure-reasons.js";
import { ApiError } from "../../errors/api-error.js";
import { getMessage, type ListedMessage } from "../../messages/message-store.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, IdParams, Nullable } from "../schemas.js";

/** Why a delivery failed: one of a closed list (docs/own-account.md, "Why a delivery failed"). */
export const FailureReasonSchema = Type.Unsafe<FailureReason>({
  type: "string",
  enum: [...FAILURE_REASONS],
  description: "Why the delivery failed (closed list); null when it did not fail or nobody said why.",
});

const reasonOf = (value: string | null): FailureReason | null => (isFailureReason(value) ? value : null);

export const EventSchema = Type.Object({
  at: Type.String({ format: "date-time" }),
  status: Type.String(),
  attempt: Type.Integer(),
  smtpCode: Nullable(Type.Integer()),
  enhancedCode: Nullable(Type.String()),
  smtpText: Nullable(Type.String()),
  reason: Nullable(FailureReasonSchema),
});

export const RecipientSchema = Type.Object({
  id: Type.String(),
  email: Nullable(Type.String()),
  name: Nullable(Type.String()),
  kind: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: "date-time" })),
  lastSmtpCode: Nullable(Type.Integer()),
  lastSmtpText: Nullable(Type.String()),
  lastReason: Nullable(FailureReasonSchema),
  updatedAt: Type.String({ format: "date-time" }),
});

/** What the list and the detail view both show of a message. */
export const MessageFields = {
  id: Type.String(),
  category: Type.String(),
  from: Type.String(),
  subject: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  messageId: Type.String(),
};

const MessageDetail = Type.Object({
  ...MessageFields,
  recipients: Type.Array(Type.Object({ ...RecipientSchema.properties, events: Type.Array(EventSchema) })),
  attachments: Type.Array(Type.Object({ filename: Type.String(), contentType: Type.String(), size: Type.Integer() })),
});

const iso = (ms: number) => new Date(ms).toISOString();

export function recipientView(r: RecipientRow) {
  return {
    id: r.id,
    email: r.email || null,
    name: r.name,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    // While a worker holds the row, next_attempt_at is its lease: not a scheduled retry.
    nextAttemptAt: r.next_attempt_at !== null && r.lease_owner === null ? iso(r.next_attempt_at) : null,
    lastSmtpCode: r.last_smtp_code,
    lastSmtpText: r.last_smtp_text,
    lastReason: reasonOf(r.last_reason),
    updatedAt: iso(r.updated_at),
  };
}

export function messageView(m: ListedMessage["message"]) {
  return {
    id: m.id,
    category: m.category,
    from: m.from_name ? `${m.from_name} <${m.from_address}>` : m.from_address,
    subject: m.subject,
    createdAt: iso(m.created_at),
    messageId: m.message_id_header,
  };
}

function eventView(e: EventRow) {
  return {
    at: iso(e.at),
    status: e.status,
    attempt: e.attempt,
    smtpCode: e.smtp_code,
    enhancedCode: e.enhanced_code,
    smtpText: e.smtp_text,
    reason: reasonOf(e.reason),
  };
}

export function registerMessageGetRoute(app: App, { database }: AppDeps): void {
  app.get(
    "/v1/messages/:id",
    {
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["messages"],
        summary: "A message with each recipient's status and event history",
        params: IdParams,
        response: { 200: MessageDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { id } = request.params;
      // Another tenant's message is "not found", exactly like one that does not exist.
      const found = isId(id) ? await getMessage(database, tenantId, id) : undefined;
      if (!found) throw new ApiError("not_found", `no message ${id.slice(0, 40)}`);
      return {
        ...messageView(found.message),
        recipients: found.recipients.map((r) => ({
          ...recipientView(r),
          events: found.events.filter((e) => e.recipient_id === r.id).map(eventView),
        })),
        attachments: found.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.content_type,
          size: a.size_bytes,
        })),
      };
    },
  );
}
