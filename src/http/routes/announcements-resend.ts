import { Type } from "typebox";
import { MAX_RESEND_IDS, resendAnnouncement } from "../../announcements/resend.js";
import { recipientStatuses } from "../../email/statuses.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, IdParams, StringEnum } from "../schemas.js";
import { announcementRoles, requireAnnouncement } from "./announcements.js";

const skipReasons = ["already_sent", "waiting", "final", "replaced", "no_address", "suppressed", "busy"] as const;

const ResendBody = Type.Object(
  {
    recipientIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: MAX_RESEND_IDS,
        description: "Recipients (deliveries) of this announcement to resend",
      }),
    ),
    failed: Type.Optional(
      Type.Boolean({
        description:
          "Resend to every recipient whose latest delivery is email_missing, hard_bounce, soft_bounce or rejected",
      }),
    ),
    includeSent: Type.Optional(
      Type.Boolean({
        description: "Resend named recipients whose latest delivery is sent or opened too (default false)",
      }),
    ),
  },
  { additionalProperties: false },
);

const Resent = Type.Object({
  deliveries: Type.Array(
    Type.Object({
      recipientId: Type.String({ description: "The new delivery" }),
      resendOf: Type.String({ description: "The delivery it replaces" }),
      email: Type.String({ description: "The contact's address now" }),
      status: StringEnum(recipientStatuses),
    }),
  ),
  skipped: Type.Array(
    Type.Object({
      recipientId: Type.String(),
      status: StringEnum(recipientStatuses),
      reason: StringEnum(skipReasons, {
        description:
          "already_sent (sent or opened; pass includeSent), waiting (not failed yet), final (opted out, spam, cancelled), " +
          "replaced (a later delivery exists), no_address, suppressed (reset it first), busy (being retried right now)",
      }),
    }),
  ),
});

export function registerAnnouncementResendRoute(app: App, deps: AppDeps): void {
  const { database, clock, onAccepted } = deps;
  app.post(
    "/v1/announcements/:id/resend",
    {
      config: { access: { auth: "tenant", roles: announcementRoles } },
      schema: {
        tags: ["announcements"],
        summary: "Resend an announcement to some recipients, or to all failed ones",
        description:
          "Each resend is a new delivery to the contact's address as it is now, linked to the one it replaces " +
          "(`resendOf`), queued and charged like any email. The statistics count each recipient once, by its latest " +
          "delivery. A soft bounce still waiting for its retry stops retrying, so only one copy goes. Recipients that " +
          "cannot be resent are listed in `skipped` with the reason; an id that is not this announcement's is 404.",
        params: IdParams,
        body: ResendBody,
        response: { 200: Resent, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { announcement } = await requireAnnouncement(deps, tenantId, request.params.id);
      const result = await resendAnnouncement(database, clock, tenantId, announcement.message_id, request.body);
      if (result.deliveries.length > 0) onAccepted?.();
      return {
        deliveries: [...result.deliveries],
        skipped: result.skipped.map((s) => ({ ...s, status: s.status as (typeof recipientStatuses)[number] })),
      };
    },
  );
}
