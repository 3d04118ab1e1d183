import { CompiledQuery, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database, refreshPlannerStatistics } from "../../src/db/database.js";
import { ManualClock } from "../../src/time/clock.js";
import { openTestDatabase, type TestDatabase } from "../support/databases.js";
import { acceptMessages, createTestTenant, message } from "../support/delivery.js";

/**
 * SQLite plans from statistics it is given: without them, `tenant_id = ?` looks as selective as
 * a handful of ids, and a look-up of a claim's rows by id scans every recipient of the school.
 * (SQLite only: PostgreSQL's autovacuum analyses its tables itself.)
 */
describe("SQLite planner statistics", () => {
  let test: TestDatabase;
  /** Open before the statistics exist, as the other thread's connection in `serve` is. */
  let other: Database;
  let tenantId: string;
  let ids: string[];

  beforeAll(async () => {
    test = await openTestDatabase("sqlite");
    other = createDatabase(test.url);
    const clock = new ManualClock();
    tenantId = await createTestTenant(test.database, clock);
    const to = Array.from({ length: 50 }, (_, i) => `parent${i}@example.test`);
    await acceptMessages(test.database, clock, tenantId, [message({ to })]);
    // 50 recipients become 5,000: one school's history of mail.
    const columns = (await sql<{ name: string }>`pragma table_info(recipients)`.execute(test.database.db)).rows.map(
      (c) => c.name,
    );
    const select = columns.map((c) => (c === "id" ? `id || '-' || n.k` : c)).join(", ");
    await sql
      .raw(
        `with recursive n(k) as (select 1 union all select k + 1 from n where k < 99)
         insert into recipients (${columns.join(", ")}) select ${select} from recipients, n`,
      )
      .execute(test.database.db);
    const rows = await test.database.db.selectFrom("recipients").select("id").limit(36).execute();
    ids = rows.map((r) => r.id);
  });
  afterAll(async () => {
    await other?.close();
    await test?.drop();
  });

  /** The plan of the claim's charge update (recipient-state.ts `recordCharge`) on a connection. */
  async function chargePlan(database: Database): Promise<string> {
    const compiled = database.db
      .updateTable("recipients")
      .set({ charge: "c" })
      .where("tenant_id", "in", [tenantId])
      .where("id", "in", ids)
      .compile();
    const plan = await database.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
    );
    return plan.rows.map((r) => r.detail).join("; ");
  }

  it("looks claimed rows up by id once analysed, on this connection and on one already open", async () => {
    const count = await test.database.db
      .selectFrom("recipients")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(5_000);
    // Without statistics: the whole school's recipients, through the tenant's index.
    expect(await chargePlan(test.database)).toMatch(/USING INDEX recipients_tenant_\w+ \(tenant_id=\?\)/);
    expect(await chargePlan(other)).toMatch(/\(tenant_id=\?\)/);

    await refreshPlannerStatistics(test.database);
    const stats = await sql<{ idx: string }>`select idx from sqlite_stat1 where tbl = 'recipients'`.execute(
      test.database.db,
    );
    expect(stats.rows.length).toBeGreaterThan(0);
    expect(await chargePlan(test.database)).toMatch(/USING INDEX sqlite_autoindex_recipients_1 \(id=\?\)/);
    // The other connection keeps its old plans until it looks, and then reloads.
    expect(await chargePlan(other)).toMatch(/\(tenant_id=\?\)/);
    await refreshPlannerStatistics(other);
    expect(await chargePlan(other)).toMatch(/USING INDEX sqlite_autoindex_recipients_1 \(id=\?\)/);
  });

  it("does nothing more while the data keeps its size", async () => {
    const before = await sql<{ stat: string }>`select stat from sqlite_stat1 order by tbl, idx`.execute(
      test.database.db,
    );
    await refreshPlannerStatistics(test.database);
    await refreshPlannerStatistics(other);
    const after = await sql<{ stat: string }>`select stat from sqlite_stat1 order by tbl, idx`.execute(
      test.database.db,
    );
    expect(after.rows).toEqual(before.rows);
  });
});
