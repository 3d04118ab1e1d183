import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ScheduledJob, type Scheduler, startScheduler } from "../../src/scheduler/scheduler.js";
import { ManualClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { waitUntil } from "../support/delivery.js";

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

/** A job whose runs the test controls: each run waits until `release()` is called. */
function gatedJob(name: string, pattern = "0 * * * * *") {
  let runs = 0;
  const pending: Array<() => void> = [];
  let started: () => void = () => {};
  let startedP = new Promise<void>((r) => (started = r));
  const job: ScheduledJob = {
    name,
    pattern,
    run() {
      runs++;
      started();
      return new Promise<void>((r) => pending.push(r));
    },
  };
  return {
    job,
    runs: () => runs,
    /** Lets every run in progress end. */
    release: () => {
      for (const r of pending.splice(0)) r();
    },
    started: () => startedP,
    reset() {
      startedP = new Promise<void>((r) => (started = r));
    },
  };
}

const MINUTE = 60_000;

for (const dialect of dialects) {
  describe(`scheduled jobs leased in the database [${dialect}]`, () => {
    let test: TestDatabase;
    let clock: ManualClock;
    const schedulers: Scheduler[] = [];
    const start = (jobs: ScheduledJob[], owner: string, leaseMs = 30_000) => {
      const scheduler = startScheduler(jobs, {
        database: test.database,
        clock,
        logger: pino({ level: "silent" }),
        leaseMs,
        pollMs: 0,
        owner,
      });
      schedulers.push(scheduler);
      return scheduler;
    };
    beforeAll(async () => {
      test = await openTestDatabase(dialect);
    });
    afterAll(async () => {
      await Promise.all(schedulers.map((s) => s.stop()));
      await test?.drop();
    });
    beforeEach(async () => {
      await Promise.all(schedulers.splice(0).map((s) => s.stop()));
      await test.database.db.deleteFrom("job_leases").execute();
      clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 0, 30));
    });

    const lease = (name: string) =>
      test.database.db.selectFrom("job_leases").selectAll().where("name", "=", name).executeTakeFirstOrThrow();

    it("waits for the first tick, runs once per tick across processes, and moves to the next tick", async () => {
      let runs = 0;
      const job: ScheduledJob = {
        name: "count",
        pattern: "0 * * * * *",
        async run() {
          runs++;
        },
      };
      const a = start([job], "a");
      const b = start([job], "b");
      await a.tick();
      await b.tick();
      expect(runs).toBe(0);
      expect((await lease("count")).next_due_at).toBe(Date.UTC(2026, 0, 15, 9, 1, 0));

      clock.set(Date.UTC(2026, 0, 15, 9, 1, 0));
      await Promise.all([a.tick(), b.tick()]);
      await Promise.all([a.tick(), b.tick()]);
      expect(runs).toBe(1);
      const row = await lease("count");
      expect(row).toMatchObject({ lease_owner: null, lease_until: null, last_error: null });
      expect(row.next_due_at).toBe(Date.UTC(2026, 0, 15, 9, 2, 0));
    });

    it("holds a running job for one runner; others skip it until the lease is released", async () => {
      const gated = gatedJob("slow");
      const a = start([gated.job], "a");
      const b = start([gated.job], "b");
      await a.tick();
      clock.advance(MINUTE);
      const running = a.tick();
      await gated.started();
      expect(await lease("slow")).toMatchObject({ lease_owner: "a" });
      await b.tick();
      await a.tick();
      expect(gated.runs()).toBe(1);
      gated.release();
      await running;
      expect(await lease("slow")).toMatchObject({ lease_owner: null });
      // Done for this tick: nobody runs it again until the next one.
      await b.tick();
      expect(gated.runs()).toBe(1);
    });

    it("a runner that died keeps the job until its lease runs out; then another runs it", async () => {
      const gated = gatedJob("crashy");
      const dead = start([gated.job], "dead", 10_000);
      const other = start([gated.job], "other", 10_000);
      await dead.tick();
      clock.advance(MINUTE);
      const deadRun = dead.tick();
      await gated.started();
      // "dead" never finishes nor renews (its clock stands still): a process killed mid-run.
      clock.advance(9_000);
      await other.tick();
      expect(gated.runs()).toBe(1);
      clock.advance(1_001);
      gated.reset();
      const rerun = other.tick();
      await gated.started();
      expect(gated.runs()).toBe(2);
      expect(await lease("crashy")).toMatchObject({ lease_owner: "other" });
      // Both end; the first runner's late finish (it was only slow after all) must not release
      // the lease the other holds: its conditional update names its own lease.
      gated.release();
      await Promise.all([rerun, deadRun]);
      const row = await lease("crashy");
      expect(row).toMatchObject({ lease_owner: null });
      expect(row.next_due_at).toBe(Date.UTC(2026, 0, 15, 9, 2, 0));
    });

    it("catches up a tick missed while no process ran, once", async () => {
      let runs = 0;
      const job: ScheduledJob = {
        name: "daily",
        pattern: "0 0 10 * * *",
        async run() {
          runs++;
        },
      };
      const first = start([job], "first");
      await first.tick();
      await first.stop();
      // Three days without any process.
      clock.advance(3 * 24 * 60 * MINUTE);
      const later = start([job], "later");
      await later.tick();
      await later.tick();
      expect(runs).toBe(1);
      expect((await lease("daily")).next_due_at).toBe(Date.UTC(2026, 0, 18, 10, 0, 0));
    });

    it("logs a failing job, records the error, and tries again at its next tick", async () => {
      const { logger, lines } = capturingLogger();
      let runs = 0;
      const scheduler = startScheduler(
        [
          {
            name: "boom",
            pattern: "0 * * * * *",
            async run() {
              runs++;
              throw new Error("boom");
            },
          },
        ],
        { database: test.database, clock, logger, leaseMs: 30_000, pollMs: 0, owner: "x" },
      );
      schedulers.push(scheduler);
      await scheduler.tick();
      clock.advance(MINUTE);
      await scheduler.tick();
      await scheduler.tick();
      expect(runs).toBe(1);
      expect(lines.filter((l) => l.msg === "scheduled job failed")).toHaveLength(1);
      expect(await lease("boom")).toMatchObject({ last_error: "boom", lease_owner: null });
      clock.advance(MINUTE);
      await scheduler.tick();
      expect(runs).toBe(2);
    });

    it("renews the lease while a job runs longer than it, and stop() waits for the run", async () => {
      const gated = gatedJob("long");
      const scheduler = start([gated.job], "renewer", 60);
      await scheduler.tick();
      clock.advance(MINUTE);
      void scheduler.tick();
      await gated.started();
      const before = (await lease("long")).lease_until ?? 0;
      clock.advance(1_000);
      // Renewal runs every leaseMs / 3 of real time: wait for the lease to move with the clock.
      const deadline = Date.now() + 10_000;
      while ((await lease("long")).lease_until === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await lease("long")).lease_until).toBe(clock.now() + 60);
      let stopped = false;
      const stopping = scheduler.stop().then(() => (stopped = true));
      await new Promise((r) => setImmediate(r));
      expect(stopped).toBe(false);
      gated.release();
      await stopping;
      expect(await lease("long")).toMatchObject({ lease_owner: null });
    });

    it("runs by itself every pollMs", async () => {
      let runs = 0;
      const ran = new Promise<void>((resolve) => {
        const scheduler = startScheduler(
          [
            {
              name: "polled",
              pattern: "* * * * * *",
              async run() {
                runs++;
                resolve();
              },
            },
          ],
          { database: test.database, clock, logger: pino({ level: "silent" }), leaseMs: 30_000, pollMs: 20 },
        );
        schedulers.push(scheduler);
      });
      // The first look only creates the row (due at the next second): once it is there, move the
      // clock past it.
      await waitUntil(
        "the scheduler has looked once",
        async () =>
          (await test.database.db.selectFrom("job_leases").select("name").where("name", "=", "polled").execute())
            .length === 1,
        10_000,
        10,
      );
      clock.advance(1_000);
      await ran;
      expect(runs).toBe(1);
    });
  });
}
