import type { FastifyRequest } from "fastify";
import { type Static, Type } from "typebox";
import { previewAnnouncement } from "../../announcements/preview.js";
import { queueTestCopies, testAddresses } from "../../announcements/test-copy.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { ErrorBody, errorResponses, Nullable } from "../schemas.js";
import { announcementLimits, announcementRoles, ComposeBody } from "./announcements.js";

const PreviewBody = Type.Object(
  {
    ...ComposeBody.properties,
    recipient: Type.Optional(
      Type.Object(
        {
          contact: Type.Optional(
            Type.String({ minLength: 1, maxLength: 200, description: "External id of a contact in the audience" }),
          ),
          subject: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: "Without consolidation, which of the contact's subjects (external id) the email is about",
            }),
          ),
        },
        {
          additionalProperties: false,
          description: "Whose email to show; default: the contact reached through the most subjects",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

const Preview = Type.Object({
  recipient: Type.Object({
    contact: Type.Object({ externalId: Type.String(), name: Type.String(), email: Nullable(Type.String()) }),
    subjects: Type.Array(Type.Object({ externalId: Type.String(), name: Type.String() }), {
      description: "The subjects this email is about: several are the sections of a consolidated email",
    }),
    emails: Type.Integer({ minimum: 1, description: "How many emails this contact gets from the announcement" }),
  }),
  from: Type.Object({ email: Type.String(), name: Nullable(Type.String()) }),
  subject: Type.String(),
  text: Nullable(Type.String()),
  html: Nullable(Type.String()),
});

const TestSent = Type.Object({
  messages: Type.Array(
    Type.Object({ id: Type.String({ description: "See GET /v1/messages/:id" }), to: Type.String() }),
  ),
});

export function registerAnnouncementPreviewRoutes(app: App, deps: AppDeps): void {
  const { database, clock, config } = deps;

  async function preview(request: FastifyRequest<{ Body: Static<typeof PreviewBody> }>, tenantId: string) {
    const { recipient, ...input } = request.body;
    return previewAnnouncement(database, clock, tenantId, input, recipient ?? {}, {
      limits: await announcementLimits(deps, tenantId),
      links: { publicUrl: config.publicUrl, secretKey: config.secretKey },
    });
  }

  app.post(
    "/v1/announcements/preview",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "One recipient's email of an announcement, as delivery would render it, without storing or sending",
        description:
          "Takes the body of POST /v1/announcements plus an optional `recipient`. Answers the subject, HTML and " +
          "text that contact would get: merge fields filled in, consolidated sections, signature and unsubscribe " +
          "footer, made by the same code as the real emails. Links in a preview name no recipient: they open a " +
          "page saying the link is not valid. The open pixel is left out.",
        body: PreviewBody,
        response: { 200: Preview, 413: ErrorBody, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const shown = await preview(request, tenantId);
      return {
        recipient: { ...shown.recipient, subjects: [...shown.recipient.subjects] },
        from: shown.from,
        subject: shown.subject,
        text: shown.text,
        html: shown.html,
      };
    },
  );

  app.post(
    "/v1/announcements/test",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "Send the preview to yourself as a test, never to the audience",
        description:
          'Takes the body of POST /v1/announcements/preview and queues its email, subject marked "[Test] ", to ' +
          "the signed-in person's own address; for an API key, to each of the tenant's administrators with an " +
          "address (409 when there is none). A test is ordinary mail of the announcement's category: charged " +
          "like any email, listed in /v1/messages (source `test`).",
        body: PreviewBody,
        response: { 202: TestSent, 413: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const shown = await preview(request, tenantId);
      const to = await testAddresses(database.db, tenantId, request.signedIn?.person.email ?? null);
      const messages = await queueTestCopies(database, clock.now(), tenantId, shown, to, {
        limits: await announcementLimits(deps, tenantId),
        messageIdDomain: config.senderDomain,
      });
      deps.onAccepted?.();
      return reply.code(202).send({ messages });
    },
  );
}
