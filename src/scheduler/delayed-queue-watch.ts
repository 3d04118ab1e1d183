import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import { queueStats } from "../delivery/queue-stats.js";
import type { Clock } from "../time/clock.js";
import type { ScheduledJob } from "./scheduler.js";

/**
 * Every minute: tells the operator (a warning in the log, which is where an operator's
 * alerting looks) when mail has been waiting longer than the delayed threshold.
 */
export function delayedQueueWatch(
  database: Database,
  clock: Clock,
  delayedAfterMs: number,
  logger: Logger,
): ScheduledJob {
  return {
    name: "delayed-queue-watch",
    pattern: "0 * * * * *",
    async run() {
      const stats = await queueStats(database, clock.now(), delayedAfterMs);
      if (stats.delayed > 0) {
        logger.warn(
          {
            delayed: stats.delayed,
            waiting: stats.waiting,
            oldestWaitingSince: stats.oldestWaitingSince ? new Date(stats.oldestWaitingSince).toISOString() : null,
            tenants: stats.delayedTenants,
          },
          `mail delayed: ${stats.delayed} recipient(s) waiting over ${Math.round(delayedAfterMs / 60000)} minutes`,
        );
      }
    },
  };
}
