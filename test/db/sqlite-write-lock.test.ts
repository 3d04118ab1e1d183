import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../src/db/database.js";
import { openTestDatabase, type TestDatabase } from "../support/databases.js";

/**
 * `serve` opens one SQLite file twice (the API thread and the worker thread). A writer that finds
 * the write lock taken waits for it on a timer, not inside SQLite: its event loop keeps running,
 * and it gets the lock soon after it is released. (SQLite only: PostgreSQL has row locks.)
 */
describe("waiting for SQLite's write lock", () => {
  let test: TestDatabase;
  let second: Database;
  beforeEach(async () => {
    test = await openTestDatabase("sqlite");
    second = createDatabase(test.url);
  });
  afterEach(async () => {
    await second.close();
    await test.drop();
  });

  it("does not block the event loop, and writes soon after the holder commits", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    let locked: () => void = () => {};
    const hasLock = new Promise<void>((r) => (locked = r));
    const holder = test.database.db.transaction().execute(async (tx) => {
      await tx.insertInto("operator_settings").values({ key: "a", value: "1", updated_at: 1 }).execute();
      locked();
      await held;
    });
    await hasLock;

    let writtenAt = 0;
    const writer = second.db
      .insertInto("operator_settings")
      .values({ key: "b", value: "2", updated_at: 2 })
      .execute()
      .then(() => (writtenAt = performance.now()));
    // While the writer waits, timers on this thread still fire on time.
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (++ticks === 10) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    expect(writtenAt).toBe(0);
    const releasedAt = performance.now();
    release();
    await holder;
    await writer;
    expect(writtenAt - releasedAt).toBeLessThan(1_000);
    const keys = await test.database.db.selectFrom("operator_settings").select("key").orderBy("key").execute();
    expect(keys.map((k) => k.key)).toEqual(["a", "b"]);
  });
});
