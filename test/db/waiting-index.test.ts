import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queueDepth, queueDepthQuery } from "../../src/delivery/queue-stats.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { acceptMessages, createTestTenant, message } from "../support/delivery.js";

/** The queue-depth gauge reads the partial index of waiting rows (migration 0011), not every recipient. */
describeEachDialect("queue depth without a table scan", (dialect) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(dialect);
  });
  afterAll(() => test?.drop());

  it("counts waiting rows by status through recipients_waiting", async () => {
    const { database } = test;
    const clock = new ManualClock();
    const tenantId = await createTestTenant(database, clock);
    await acceptMessages(database, clock, tenantId, [
      message({ to: ["a@example.com", "b@example.com", "c@example.com"] }),
    ]);
    // One sent long ago and one leased: neither sent rows nor leases change what is counted.
    await database.db
      .updateTable("recipients")
      .set({ status: "sent", next_attempt_at: null })
      .where("email", "=", "a@example.com")
      .execute();
    await database.db
      .updateTable("recipients")
      .set({ lease_owner: "w-1" })
      .where("email", "=", "b@example.com")
      .execute();
    const depth = await queueDepth(database);
    expect(depth.byStatus.get("queued")).toBe(2);
    expect(depth.byStatus.get("soft_bounce")).toBe(0);
    expect(depth.inFlight).toBe(1);

    // The plan of the gauge's own statement.
    const compiled = queueDepthQuery(database).compile();
    let plan: string;
    if (dialect === "sqlite") {
      const rows = await sql
        .raw<{ detail: string }>(`explain query plan ${compiled.sql}`)
        .execute(database.db)
        .then((r) => r.rows);
      plan = rows.map((r) => r.detail).join("\n");
    } else {
      // A handful of rows: without this PostgreSQL rightly prefers reading the table; the
      // question here is whether the index can serve the statement at all.
      plan = await database.db.connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        const rows = await sql.raw<{ "QUERY PLAN": string }>(`explain ${compiled.sql}`).execute(conn);
        await sql`reset enable_seqscan`.execute(conn);
        return rows.rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
    }
    expect(plan).toContain("recipients_waiting");
  });
});
