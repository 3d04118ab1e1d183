import { Type } from "typebox";
import { loadAttachmentPolicy } from "../../accounts/account-settings.js";
import { loadSenderRules } from "../../domains/sender-settings.js";
import { categories } from "../../email/categories.js";
import { recipientStatuses } from "../../email/statuses.js";
import { prepareMessage } from "../../messages/prepare.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { ErrorBody, errorResponses, StringEnum } from "../schemas.js";

const Address = Type.Union([
  Type.String({ description: "A bare address: user@example.com" }),
  Type.Object(
    {
      email: Type.Optional(
        Type.Union([Type.String(), Type.Null()], { description: "Missing: recorded as email_missing" }),
      ),
      name: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
]);

export const SendMessageBody = Type.Object(
  {
    from: Type.Optional(Address),
    to: Type.Array(Address, { minItems: 1 }),
    cc: Type.Optional(Type.Array(Address)),
    bcc: Type.Optional(Type.Array(Address)),
    replyTo: Type.Optional(Address),
    subject: Type.String({ minLength: 1 }),
    text: Type.Optional(Type.String()),
    html: Type.Optional(Type.String()),
    category: Type.String({ description: `One of: ${categories.filter((c) => c !== "notice").join(", ")}` }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "Extra X- headers" })),
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
  },
  { additionalProperties: false },
);

const Accepted = Type.Object({
  id: Type.String(),
  recipients: Type.Array(
    Type.Object({
      email: Type.Union([Type.String(), Type.Null()]),
      status: StringEnum(recipientStatuses),
    }),
  ),
});

export function registerMessageSendRoute(app: App, { config, database, writer, onAccepted }: AppDeps): void {
  app.post(
    "/v1/messages",
    {
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["messages"],
        summary: "Accept a message for delivery",
        description:
          "Answers 202 once the message is committed. Repeating a request with the same Idempotency-Key " +
          "returns the original message instead of sending twice.",
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String({ maxLength: 200 })) }),
        body: SendMessageBody,
        response: { 202: Accepted, 409: ErrorBody, 413: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      // Only a message with attachments pays for the policy's query.
      const [attachmentPolicy, sender] = await Promise.all([
        request.body.attachments?.length ? loadAttachmentPolicy(database.db, tenantId) : null,
        loadSenderRules(database.db, config.secretKey, tenantId),
      ]);
      const prepared = prepareMessage(request.body, request.headers["idempotency-key"], {
        maxMessageBytes: config.maxMessageBytes,
        maxRecipients: config.maxRecipients,
        senderDomain: config.senderDomain,
        sender,
        attachmentPolicy,
        allowAddressLiterals: config.allowAddressLiterals,
      });
      const accepted = await writer.accept(tenantId, prepared);
      if (!accepted.replayed) onAccepted?.();
      return reply.code(202).send({
        id: accepted.id,
        recipients: accepted.recipients.map((r) => ({ email: r.email, status: r.status })),
      });
    },
  );
}
