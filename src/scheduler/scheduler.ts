import { Cron } from "croner";
import type { Logger } from "pino";

export interface ScheduledJob {
  readonly name: string;
  /** Cron pattern (croner syntax, seconds allowed). */
  readonly pattern: string;
  run(): Promise<void>;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Runs timed jobs. A job never overlaps itself (a slow run skips the next tick), and a failing
 * job is logged and tried again at its next tick; it never takes the process down.
 */
export function startScheduler(jobs: readonly ScheduledJob[], logger: Logger): Scheduler {
  const running = new Set<Promise<void>>();
  const crons = jobs.map(
    (job) =>
      new Cron(job.pattern, { protect: true, name: job.name }, async () => {
        const run = job.run().catch((err: unknown) => logger.error({ err, job: job.name }, "scheduled job failed"));
        running.add(run);
        await run;
        running.delete(run);
      }),
  );
  return {
    async stop() {
      for (const cron of crons) cron.stop();
      await Promise.all(running);
    },
  };
}
