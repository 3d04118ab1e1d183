import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { DAILY_USAGE_HOUR } from "../../src/scheduler/daily-usage-email.js";
import { createTenant } from "../../src/tenants/tenants.js";
import { createUser } from "../../src/tenants/users.js";
import { systemClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { ProcessTestResources, type WorkerProcess, waitUntil, workerEnv } from "../support/delivery.js";
import { type ServeProcess, startServe } from "../support/postbag-process.js";
import { parsePrometheus, sample } from "../support/prometheus.js";

// Enough that the job is still running when the test sees its first tenant done (it polls every
// 10 ms), few enough that it finishes promptly on a busy host.
const TENANTS = 150;
const JOB = "daily-usage-email";

/** An `Etc/GMT±N` zone whose local hour is now well past the daily email's hour (and not near midnight). */
function zoneWhereDailyEmailIsDue(): string {
  const utcHour = new Date().getUTCHours();
  const offset = ((DAILY_USAGE_HOUR + 3 - utcHour + 36) % 24) - 12;
  // Etc/GMT names have the sign reversed: UTC+8 is Etc/GMT-8.
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

/** The metrics URL a process announced: `serve` in its banner, `worker` in its log. */
function metricsUrlOf(output: string): string | undefined {
  return (/Prometheus metrics: (\S+)/.exec(output) ?? /"url":"(http:[^"]+\/metrics)"/.exec(output))?.[1];
}

interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly job?: string;
  readonly owner?: string;
}

function jobLines(output: string): LogLine[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((l) => l.job === JOB && (l.msg === "scheduled job started" || l.msg === "scheduled job finished"));
}

// Several processes on one database are a PostgreSQL deployment; SQLite has one writer by design.
describe.runIf(dialects.includes("postgres"))("scheduled jobs in three processes on PostgreSQL", () => {
  const res = new ProcessTestResources();
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    await serve?.stop("SIGKILL");
    await res.cleanup();
  });

  it("one runner at a time; a runner killed mid-job is replaced and no tenant gets its daily email twice", async () => {
    const test = await res.openDatabase("postgres");
    const { db } = test.database;
    const timezone = zoneWhereDailyEmailIsDue();
    const now = Date.now();
    // Twenty at a time: the setup is not what this test measures.
    for (let from = 0; from < TENANTS; from += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, TENANTS - from) }, async (_, k) => {
          const i = from + k;
          const tenant = await createTenant(db, systemClock, { name: `School ${i}`, timezone });
          const head = { name: `Head ${i}`, email: `head${i}@school${i}.test`, role: "administrator" } as const;
          await createUser(db, tenant.id, head, now);
        }),
      );
    }
    // The job's last tick was missed while no process ran: the first process to look catches up.
    await db.insertInto("job_leases").values({ name: JOB, next_due_at: 0 }).execute();

    const server = await res.startServer();
    const dataDir = await res.makeDataDir("postbag-jobs-");
    const env = {
      ...workerEnv({ databaseUrl: test.url, smtpPort: server.port, dataDir }),
      POSTBAG_LOG_LEVEL: "debug",
      POSTBAG_JOB_LEASE_SECONDS: "2",
      POSTBAG_SCHEDULER_POLL_MS: "100",
      POSTBAG_WORKER_POLL_MS: "100",
    };
    const workers: WorkerProcess[] = [res.spawnWorker(env, []), res.spawnWorker(env, [])];
    serve = await startServe(
      { ...env, POSTBAG_HTTP_PORT: "0", POSTBAG_SANDBOX_SMTP_PORT: "0" },
      ["--no-worker"],
      90_000,
    );
    const processes = [
      ...workers.map((w) => ({ pid: w.child.pid, output: () => w.output(), kill: () => w.child.kill("SIGKILL") })),
      { pid: serve.child.pid, output: () => serve?.stdout() ?? "", kill: () => serve?.child.kill("SIGKILL") },
    ];
    const runs = async () =>
      Number(
        (await db.selectFrom("daily_usage_runs").select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()).n,
      );

    // Kill whichever process runs the job once it is part of the way through.
    let killed: (typeof processes)[number] | undefined;
    let doneAtKill = 0;
    await waitUntil(
      "a runner is part of the way through the job",
      async () => {
        const lease = await db.selectFrom("job_leases").selectAll().where("name", "=", JOB).executeTakeFirst();
        if (!lease?.lease_owner) return false;
        doneAtKill = await runs();
        if (doneAtKill === 0) return false;
        const pid = Number(lease.lease_owner.split("/")[1]);
        killed = processes.find((p) => p.pid === pid);
        return killed !== undefined;
      },
      60_000,
      10,
    );
    killed?.kill();
    const killedAt = Date.now();
    expect(doneAtKill).toBeLessThan(TENANTS);

    await waitUntil(
      "another process finishes the job",
      async () => {
        const lease = await db.selectFrom("job_leases").selectAll().where("name", "=", JOB).executeTakeFirstOrThrow();
        return lease.lease_owner === null && lease.last_finished_at !== null && (await runs()) === TENANTS;
      },
      120_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${processes.map((p) => p.output()).join("\n")}`);
    });

    // Every tenant's day is done once, with one email.
    expect(await runs()).toBe(TENANTS);
    const emails = await db
      .selectFrom("messages")
      .select(["tenant_id", sql<number>`count(*)`.as("n")])
      .where("subject", "like", "Email usage for%")
      .groupBy("tenant_id")
      .execute();
    expect(emails).toHaveLength(TENANTS);
    expect(emails.every((e) => Number(e.n) === 1)).toBe(true);

    // One runner at a time: each run starts after the previous one ended (the killed one ends
    // when it was killed; its successor waited for its lease to run out).
    const killedOwnerPid = killed?.pid;
    const lines = processes.flatMap((p) => jobLines(p.output()));
    const starts = lines.filter((l) => l.msg === "scheduled job started").sort((a, b) => a.time - b.time);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    const intervals = starts.map((start) => {
      const finish = lines.find(
        (l) => l.msg === "scheduled job finished" && l.owner === start.owner && l.time >= start.time,
      );
      return { owner: start.owner ?? "", from: start.time, to: finish?.time ?? killedAt };
    });
    for (let i = 1; i < intervals.length; i++) {
      expect(intervals[i]?.from).toBeGreaterThanOrEqual(intervals[i - 1]?.to ?? 0);
    }
    const unfinished = intervals.filter(
      (i) => !lines.some((l) => l.msg === "scheduled job finished" && l.owner === i.owner && l.time >= i.from),
    );
    expect(unfinished.map((i) => Number(i.owner.split("/")[1]))).toEqual([killedOwnerPid]);
    // The successor is another process, and it waited for the dead runner's lease.
    const successor = intervals.find((i) => i.from > killedAt - 50);
    expect(successor).toBeDefined();
    expect(Number(successor?.owner.split("/")[1])).not.toBe(killedOwnerPid);

    // Each process serves its own metrics: the successor counts the run it finished.
    const successorProcess = processes.find((p) => p.pid === Number(successor?.owner.split("/")[1]));
    const metricsUrl = metricsUrlOf(successorProcess?.output() ?? "");
    expect(metricsUrl).toBeDefined();
    const urls = processes.filter((p) => p !== killed).map((p) => metricsUrlOf(p.output()));
    expect(new Set(urls).size).toBe(2);
    const families = parsePrometheus(await (await fetch(metricsUrl ?? "")).text());
    expect(sample(families, "postbag_job_runs_total", { job: JOB, outcome: "ok" })).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
