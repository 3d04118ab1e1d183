import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Metrics } from "../metrics/metrics.js";
import { createNetworkPolicy } from "../network/network-policy.js";
import { announcementFanout } from "../scheduler/announcement-fanout.js";
import { authHousekeeping } from "../scheduler/auth-housekeeping.js";
import { creditReminders } from "../scheduler/credit-reminders.js";
import { dailyUsageEmail } from "../scheduler/daily-usage-email.js";
import { delayedQueueWatch } from "../scheduler/delayed-queue-watch.js";
import { digestJob } from "../scheduler/digests.js";
import { domainRecheck } from "../scheduler/domain-recheck.js";
import { mailboxPoll } from "../scheduler/mailbox-poll.js";
import { releaseHeldSweep } from "../scheduler/release-held.js";
import { type Scheduler, startScheduler } from "../scheduler/scheduler.js";
import type { Clock } from "../time/clock.js";
import { WebhookSender } from "../tracking/webhook-sender.js";
import { createDnsLookup, createMailboxPoller } from "./runtime.js";

export interface RunningJobs {
  readonly scheduler: Scheduler;
  stop(): Promise<void>;
}

/**
 * The scheduled jobs, in `serve` and in every `worker` process alike: each job runs in one
 * process at a time, whichever takes its lease in `job_leases` (see scheduler/scheduler.ts).
 * `onFanoutChunk` wakes an in-process delivery worker when a fan-out queued mail.
 */
export function startJobs(
  config: Config,
  database: Database,
  clock: Clock,
  logger: Logger,
  options: { readonly metrics?: Metrics; readonly onFanoutChunk?: () => void } = {},
): RunningJobs {
  const schedulerLogger = logger.child({ component: "scheduler" });
  const notices = { senderDomain: config.senderDomain, publicUrl: config.publicUrl };
  const poller = createMailboxPoller(config, database, clock, logger);
  const onChunk = options.onFanoutChunk;
  const scheduler = startScheduler(
    [
      delayedQueueWatch(database, clock, config.delayedAfterMs, schedulerLogger),
      creditReminders(database, clock, notices),
      releaseHeldSweep(database, clock, schedulerLogger),
      dailyUsageEmail(database, clock, { ...notices, secretKey: config.secretKey }),
      mailboxPoll(poller, schedulerLogger),
      digestJob(database, clock, { senderDomain: config.senderDomain }),
      announcementFanout(database, clock, schedulerLogger, onChunk ? () => onChunk() : undefined),
      authHousekeeping(database, clock, { idleMs: config.sessionIdleMs, absoluteMs: config.sessionMaxMs }),
      domainRecheck(
        database,
        clock,
        createDnsLookup(config),
        {
          secretKey: config.secretKey,
          operatorDomain: config.senderDomain,
          spfInclude: config.spfInclude,
          notices,
        },
        schedulerLogger,
      ),
    ],
    {
      database,
      clock,
      logger: schedulerLogger,
      leaseMs: config.jobLeaseMs,
      pollMs: config.schedulerPollMs,
      ...(options.metrics ? { observer: options.metrics } : {}),
    },
  );
  return {
    scheduler,
    stop() {
      // A poll in progress stops after the message it is storing; nothing is lost (see poller.ts).
      poller.stop();
      return scheduler.stop();
    },
  };
}

/**
 * Webhook deliveries: they wait on the network, not the CPU, so a main thread's event loop
 * suffices. Rows are claimed with leases, so any number of processes may run a sender.
 */
export function startWebhookSender(config: Config, database: Database, clock: Clock, logger: Logger): WebhookSender {
  const webhooks = new WebhookSender({
    database,
    clock,
    policy: createNetworkPolicy(config),
    logger: logger.child({ component: "webhooks" }),
    settings: {
      secretKey: config.secretKey,
      timeoutMs: config.webhookTimeoutMs,
      pollMs: Math.max(config.workerPollMs, 500),
      concurrency: 8,
      leaseMs: config.webhookTimeoutMs + 60_000,
    },
  });
  webhooks.start();
  return webhooks;
}
