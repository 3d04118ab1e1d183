import type { Kysely, Migration } from "kysely";
import { columnTypes } from "../column-types.js";
import type { Dialect } from "../database.js";

/**
 * Scheduled jobs run by any process: one row per job, holding when it is next due and which
 * process holds it (until when). A process runs a job only after taking its lease here, so any
 * number of `serve` and `worker` processes share the jobs with one runner at a time per job.
 */
export function jobLeasesMigration(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("job_leases")
        .addColumn("name", "text", (c) => c.primaryKey())
        // The job's next tick; a tick missed while no process ran is in the past and runs at once.
        .addColumn("next_due_at", t.time, (c) => c.notNull())
        // Set only while a process runs the job; a runner that dies lets the lease run out.
        .addColumn("lease_owner", "text")
        .addColumn("lease_until", t.time)
        .addColumn("last_started_at", t.time)
        .addColumn("last_finished_at", t.time)
        .addColumn("last_error", "text")
        .execute();
    },
  };
}
