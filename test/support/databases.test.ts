import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, openTestDatabase, type TestDatabase } from "./databases.js";

describe.each(dialects)("openTestDatabase [%s]", (dialect) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("connects to the dialect it was asked for", async () => {
    expect(test.database.dialect).toBe(dialect);
    expect(test.url.startsWith(dialect === "sqlite" ? "sqlite:" : "postgres://")).toBe(true);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(test.database.db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it("is migrated", async () => {
    const id = randomUUID();
    const createdAt = Date.now();
    await test.database.db
      .insertInto("tenants")
      .values({
        id,
        name: "Test school",
        timezone: "Europe/Berlin",
        sending_mode: "relay",
        group_id: null,
        created_at: createdAt,
      })
      .execute();
    const row = await test.database.db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toEqual({
      id,
      name: "Test school",
      timezone: "Europe/Berlin",
      sending_mode: "relay",
      group_id: null,
      created_at: createdAt,
      pending_timezone: null,
      timezone_effective_from: null,
      open_received_attachments: 1,
      suspended_at: null,
      suspended_note: null,
    });
  });

  it("gives each call its own database", async () => {
    const other = await openTestDatabase(dialect);
    try {
      expect(other.url).not.toBe(test.url);
      const rows = await other.database.db.selectFrom("tenants").selectAll().execute();
      expect(rows).toEqual([]);
    } finally {
      await other.drop();
    }
  });
});
