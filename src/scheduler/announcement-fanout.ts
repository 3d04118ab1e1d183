import type { Logger } from "pino";
import { runDueFanouts } from "../announcements/fanout.js";
import type { Database } from "../db/database.js";
import type { Clock } from "../time/clock.js";
import type { ScheduledJob } from "./scheduler.js";

/**
 * Every 5 seconds: fans out announcements whose time has come, and resumes fan-outs whose
 * process stopped (their lease ran out). Safe with several schedulers: each announcement is
 * claimed by a lease and each chunk checks the cursor it started from.
 */
export function announcementFanout(
  database: Database,
  clock: Clock,
  logger: Logger,
  onChunk?: (recipients: number) => void,
): ScheduledJob {
  return {
    name: "announcement-fanout",
    pattern: "*/5 * * * * *",
    async run() {
      const completed = await runDueFanouts(database, clock, onChunk ? { onChunk } : {});
      if (completed > 0) logger.info({ completed }, "announcements fanned out");
    },
  };
}
