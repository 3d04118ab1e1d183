import { Type } from "typebox";
import { loadAccount } from "../../accounts/account-settings.js";
import { ApiError } from "../../errors/api-error.js";
import { resetMailboxCounter, tenantMailbox } from "../../mailboxes/mailbox-state.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses } from "../schemas.js";

const ResetResult = Type.Object({
  protocol: Type.String(),
  generation: Type.Integer({ description: "How many times the counter was reset, plus one" }),
  resetAt: Type.String({ format: "date-time" }),
  nextPollAt: Type.String({ format: "date-time", description: "The mailbox is read again at the next poller tick" }),
});

/**
 * `POST /v1/account/reset-mailbox-counter` (docs/own-account.md, "Reset Mailbox Counter"): Postbag forgets
 * where it got to in the mailbox and, at the next poll, reads every message that is in the
 * mailbox now, from the first, storing only those it does not already have (recognised by
 * their identity in the mailbox, their Message-ID or their exact bytes). Mail that an earlier
 * position skipped (after the provider moved or renumbered the mailbox) comes in; nothing
 * already stored comes in twice; nothing is deleted. Administrators only.
 */
export function registerMailboxResetRoute(app: App, { database, clock, config }: AppDeps): void {
  app.post(
    "/v1/account/reset-mailbox-counter",
    {
      config: { access: { auth: "tenant", roles: ["administrator"] } },
      schema: {
        tags: ["account"],
        summary: "Read the mailbox afresh from its first message, without importing anything twice",
        response: { 200: ResetResult, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      // No body, or an empty JSON object: the reset takes no options.
      const body: unknown = request.body;
      if (body !== undefined && body !== null) {
        if (typeof body !== "object" || Array.isArray(body))
          throw new ApiError("invalid_request", "send no body or {}");
        const name = Object.keys(body)[0];
        if (name !== undefined)
          throw new ApiError("unknown_field", `unknown field ${JSON.stringify(name.slice(0, 50))} at /`);
      }
      const account = await loadAccount(database.db, config.secretKey, tenantId);
      const receive = account?.settings.receive;
      if (!receive) throw new ApiError("conflict", "receiving mail is not set up for this account");
      const now = clock.now();
      const reset = await resetMailboxCounter(database.db, tenantMailbox(tenantId), receive.protocol, now);
      return {
        protocol: receive.protocol,
        generation: reset.generation,
        resetAt: new Date(reset.resetAt).toISOString(),
        nextPollAt: new Date(now).toISOString(),
      };
    },
  );
}
