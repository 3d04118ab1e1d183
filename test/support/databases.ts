import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe } from "vitest";
import { createDatabase, type Database, type Dialect } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrations.js";

/** A migrated database of its own for one test file (or test); `drop()` removes every trace. */
export interface TestDatabase {
  readonly database: Database;
  readonly url: string;
  drop(): Promise<void>;
}

const adminUrl = process.env.POSTBAG_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Shown without the password, if the URL has one. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

async function probePostgres(): Promise<boolean> {
  try {
    await withAdmin((client) => client.query("select 1"));
    return true;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // CI has PostgreSQL by contract; skipping there would hide a broken environment.
    if (process.env.CI === "true") {
      throw new Error(`PostgreSQL not reachable at ${redacted(adminUrl)} (${reason}); it is required when CI=true`, {
        cause: err,
      });
    }
    console.warn(`PostgreSQL not reachable at ${redacted(adminUrl)} (${reason}): PostgreSQL tests skipped`);
    return false;
  }
}

// Top-level await: test files use `dialects` while collecting (`describe.each`, for-loops).
const postgresAvailable = await probePostgres();

/** The dialects to run on: always SQLite, PostgreSQL when reachable (required when CI=true). */
export const dialects: readonly Dialect[] = postgresAvailable ? ["sqlite", "postgres"] : ["sqlite"];

/** Creates and migrates a fresh database: a file in a new temp dir, or a new PostgreSQL database. */
export async function openTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  return dialect === "sqlite" ? openSqlite() : openPostgres();
}

async function openSqlite(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), "postbag-test-"));
  const url = `sqlite:${join(dir, "postbag.db")}`;
  const database = createDatabase(url);
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    database,
    url,
    drop: once(async () => {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    }),
  };
}

async function openPostgres(): Promise<TestDatabase> {
  // One database per call, so test files (separate processes) never share tables.
  const name = `pb_t_${randomBytes(8).toString("hex")}`;
  await withAdmin((client) => client.query(`create database "${name}"`));
  const dropDatabase = () => withAdmin((client) => client.query(`drop database if exists "${name}" with (force)`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const database = createDatabase(url);
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    await dropDatabase();
    throw err;
  }
  return {
    database,
    url,
    drop: once(async () => {
      await database.close();
      await dropDatabase();
    }),
  };
}

function once(run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= run();
    return done;
  };
}

/** `describe(name [dialect], …)` once per available dialect. */
export function describeEachDialect(name: string, fn: (dialect: Dialect) => void): void {
  for (const dialect of dialects) describe(`${name} [${dialect}]`, () => fn(dialect));
}
