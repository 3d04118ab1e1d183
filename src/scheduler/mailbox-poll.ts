import type { Logger } from "pino";
import type { MailboxPoller } from "../mailboxes/poller.js";
import type { ScheduledJob } from "./scheduler.js";

/**
 * Every 20 seconds: polls each mailbox whose time has come (a tenant's "every N minutes" or
 * preset times, the operator's bounce mailbox every POSTBAG_BOUNCE_MAILBOX_POLL_SECONDS). The
 * tick is short so preset times are met closely; a mailbox is only read when due, and the lease
 * in mailbox_states keeps several schedulers from reading one mailbox at once.
 */
export function mailboxPoll(poller: MailboxPoller, logger: Logger): ScheduledJob {
  return {
    name: "mailbox-poll",
    pattern: "*/20 * * * * *",
    async run() {
      const outcomes = await poller.pollDue();
      for (const [mailbox, outcome] of outcomes) {
        if (outcome.status === "failed") logger.warn({ mailbox, reason: outcome.reason }, "mailbox poll failed");
        else if (outcome.status === "done" && outcome.stored + outcome.skipped > 0) {
          logger.info({ mailbox, ...outcome }, "mailbox polled");
        }
      }
    },
  };
}
