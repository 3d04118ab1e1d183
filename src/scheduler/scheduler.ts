import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Cron } from "croner";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import type { Clock } from "../time/clock.js";

export interface ScheduledJob {
  readonly name: string;
  /** Cron pattern (croner syntax, seconds allowed; UTC). */
  readonly pattern: string;
  run(): Promise<void>;
}

/** What the scheduler reports about each run (metrics); never per tenant. */
export interface JobRunObserver {
  jobRun(name: string, outcome: "ok" | "failed", seconds: number): void;
}

export interface SchedulerOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a runner holds a job without renewing it; a runner that dies frees it after this. */
  readonly leaseMs: number;
  /** How often this process looks for due jobs. 0: never by itself (tests call `tick()`). */
  readonly pollMs: number;
  /** Names this process in `job_leases.lease_owner` (default: host, pid and a random part). */
  readonly owner?: string;
  readonly observer?: JobRunObserver;
}

export interface Scheduler {
  readonly owner: string;
  /** Takes every due job that no process holds and runs it; resolves when those runs end. */
  tick(): Promise<void>;
  /** Stops looking for jobs and waits for this process's runs to end. */
  stop(): Promise<void>;
}

/** The owner string of this process: `host/pid/random` (the pid tells an operator which process). */
export function processOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;
}

/**
 * Runs timed jobs in any number of processes sharing one database. Each job has a row in
 * `job_leases` holding its next tick (`next_due_at`) and, while it runs, the runner's lease:
 * a process runs a job only after a conditional UPDATE gave it the lease, so one runner at a
 * time per job across all processes. The runner renews the lease while the job runs and, when
 * it ends (well or not), clears it and moves `next_due_at` to the pattern's next tick after
 * now. A tick missed while no process ran is in the past and runs at the next look, once. A
 * runner that dies keeps the job until its lease runs out; then another process runs it again
 * (every job is idempotent: see each job's module). A failing job is logged and tried again at
 * its next tick; it never takes the process down.
 */
export function startScheduler(jobs: readonly ScheduledJob[], options: SchedulerOptions): Scheduler {
  const { database, clock, logger, leaseMs } = options;
  const db = database.db;
  const owner = options.owner ?? processOwner();
  const crons = new Map(jobs.map((job) => [job.name, new Cron(job.pattern, { paused: true, timezone: "UTC" })]));
  const running = new Map<string, Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<unknown> = Promise.resolve();

  const nextTick = (job: ScheduledJob, after: number): number =>
    crons.get(job.name)?.nextRun(new Date(after))?.getTime() ?? Number.MAX_SAFE_INTEGER;

  async function runJob(job: ScheduledJob): Promise<void> {
    const started = performance.now();
    let lost = false;
    const renew = setInterval(
      () => {
        void db
          .updateTable("job_leases")
          .set({ lease_until: clock.now() + leaseMs })
          .where("name", "=", job.name)
          .where("lease_owner", "=", owner)
          .executeTakeFirst()
          .then((r) => {
            if (r.numUpdatedRows === 0n && !lost) {
              lost = true;
              logger.warn({ job: job.name }, "scheduled job lost its lease while running");
            }
          })
          .catch((err: unknown) => logger.warn({ err, job: job.name }, "scheduled job lease renewal failed"));
      },
      Math.max(Math.floor(leaseMs / 3), 10),
    );
    let error: string | null = null;
    logger.debug({ job: job.name, owner }, "scheduled job started");
    try {
      await job.run();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      logger.error({ err, job: job.name }, "scheduled job failed");
    } finally {
      clearInterval(renew);
    }
    const seconds = (performance.now() - started) / 1000;
    options.observer?.jobRun(job.name, error === null ? "ok" : "failed", seconds);
    const now = clock.now();
    try {
      await db
        .updateTable("job_leases")
        .set({
          lease_owner: null,
          lease_until: null,
          last_finished_at: now,
          last_error: error,
          next_due_at: nextTick(job, now),
        })
        .where("name", "=", job.name)
        .where("lease_owner", "=", owner)
        .execute();
    } catch (err) {
      // The lease runs out by itself; the job then runs again (it is idempotent).
      logger.warn({ err, job: job.name }, "scheduled job could not release its lease");
    }
    logger.debug({ job: job.name, owner, seconds, error }, "scheduled job finished");
  }

  /** Takes the due jobs this process can run; returns their runs. */
  async function claimDue(): Promise<Promise<void>[]> {
    const now = clock.now();
    const rows = new Map(
      (await db.selectFrom("job_leases").selectAll().execute()).map((row) => [row.name, row] as const),
    );
    const runs: Promise<void>[] = [];
    for (const job of jobs) {
      if (stopped || running.has(job.name)) continue;
      const row = rows.get(job.name);
      if (!row) {
        // First start on this database: the job waits for its first tick, as a cron job would.
        await db
          .insertInto("job_leases")
          .values({ name: job.name, next_due_at: nextTick(job, now) })
          .onConflict((oc) => oc.column("name").doNothing())
          .execute();
        continue;
      }
      if (row.next_due_at > now) continue;
      if (row.lease_until !== null && row.lease_until > now) continue;
      const taken = await db
        .updateTable("job_leases")
        .set({ lease_owner: owner, lease_until: now + leaseMs, last_started_at: now })
        .where("name", "=", job.name)
        .where("next_due_at", "<=", now)
        .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", now)]))
        .executeTakeFirst();
      if (taken.numUpdatedRows !== 1n) continue;
      const run = runJob(job).finally(() => running.delete(job.name));
      running.set(job.name, run);
      runs.push(run);
    }
    return runs;
  }

  const loop = () => {
    looking = claimDue()
      .catch((err: unknown) => logger.warn({ err }, "scheduler could not look for due jobs"))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.pollMs).unref();
      });
  };
  if (options.pollMs > 0) timer = setTimeout(loop, 0).unref();

  return {
    owner,
    async tick() {
      const look = claimDue();
      looking = look.catch(() => undefined);
      await Promise.all(await look);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await looking;
      await Promise.all(running.values());
    },
  };
}
