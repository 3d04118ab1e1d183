import type { App, AppDeps } from "./route-context.js";
import { registerAccountRoutes } from "./routes/account.js";
import { registerAnnouncementRoutes } from "./routes/announcements.js";
import { registerAnnouncementPreviewRoutes } from "./routes/announcements-preview.js";
import { registerAnnouncementResendRoute } from "./routes/announcements-resend.js";
import { registerAnnouncementStatisticsRoutes } from "./routes/announcements-statistics.js";
import { registerAudienceContactRoutes } from "./routes/audience-contacts.js";
import { registerAudienceSubjectRoutes } from "./routes/audience-subjects.js";
import { registerAudienceSyncRoute } from "./routes/audience-sync.js";
import { registerCreditBalanceRoutes } from "./routes/credits-balance.js";
import { registerCreditPackageRoutes } from "./routes/credits-packages.js";
import { registerCreditRecipientRoutes } from "./routes/credits-recipients.js";
import { registerDigestOfferRoutes } from "./routes/digest-offer.js";
import { registerDomainRoutes } from "./routes/domains.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerInboxRoutes } from "./routes/inbox.js";
import { registerKeyRoutes } from "./routes/keys.js";
import { registerMailboxResetRoute } from "./routes/mailbox-reset.js";
import { registerMessageCancelRoute } from "./routes/message-cancel.js";
import { registerMessageGetRoute } from "./routes/message-get.js";
import { registerMessageListRoute } from "./routes/message-list.js";
import { registerMessageSendRoute } from "./routes/message-send.js";
import { registerOpenPixelRoute } from "./routes/open-pixel.js";
import { registerOperatorCreditAdjustmentRoute } from "./routes/operator-credits-adjustments.js";
import { registerOperatorCreditGroupRoutes } from "./routes/operator-credits-groups.js";
import { registerOperatorCreditPackageRoutes } from "./routes/operator-credits-packages.js";
import { registerOperatorCreditSettingRoutes } from "./routes/operator-credits-settings.js";
import { registerOperatorQueueRoute } from "./routes/operator-queue.js";
import { registerOperatorReportRoutes } from "./routes/operator-reports.js";
import { registerOperatorTenantRoutes } from "./routes/operator-tenants.js";
import { registerPeopleRoutes } from "./routes/people.js";
import { registerReportRoutes } from "./routes/reports.js";
import { registerSandboxRoutes } from "./routes/sandbox.js";
import { registerSenderSettingsRoutes } from "./routes/sender-settings.js";
import { registerSessionRoutes } from "./routes/session.js";
import { registerSuppressionRoutes } from "./routes/suppressions.js";
import { registerTenantRoutes } from "./routes/tenant.js";
import { registerTrackingSettingsRoutes } from "./routes/tracking-settings.js";
import { registerUnsubscribeRoutes } from "./routes/unsubscribe.js";
import { registerUsagePageRoute } from "./routes/usage-page.js";
import { registerUserRoutes } from "./routes/users.js";
import { registerWebhookRoutes } from "./routes/webhooks.js";

/** Every route module, in registration order: a new route file adds its `register…` here. */
export const routes: readonly ((app: App, deps: AppDeps) => void)[] = [
  registerHealthRoutes,
  registerMessageSendRoute,
  registerMessageGetRoute,
  registerMessageListRoute,
  registerMessageCancelRoute,
  registerSandboxRoutes,
  registerOperatorTenantRoutes,
  registerOperatorQueueRoute,
  registerUsagePageRoute,
  registerCreditBalanceRoutes,
  registerCreditPackageRoutes,
  registerCreditRecipientRoutes,
  registerUserRoutes,
  registerOperatorCreditSettingRoutes,
  registerOperatorCreditPackageRoutes,
  registerOperatorCreditAdjustmentRoute,
  registerOperatorCreditGroupRoutes,
  registerReportRoutes,
  registerOperatorReportRoutes,
  registerInboxRoutes,
  registerMailboxResetRoute,
  registerAccountRoutes,
  registerAudienceSyncRoute,
  registerAudienceContactRoutes,
  registerAudienceSubjectRoutes,
  registerUnsubscribeRoutes,
  registerOpenPixelRoute,
  registerTrackingSettingsRoutes,
  registerDigestOfferRoutes,
  registerSuppressionRoutes,
  registerWebhookRoutes,
  registerAnnouncementRoutes,
  registerAnnouncementPreviewRoutes,
  registerAnnouncementStatisticsRoutes,
  registerAnnouncementResendRoute,
  registerSessionRoutes,
  registerPeopleRoutes,
  registerKeyRoutes,
  registerTenantRoutes,
  registerDomainRoutes,
  registerSenderSettingsRoutes,
];
