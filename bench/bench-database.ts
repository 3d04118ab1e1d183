import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDatabase, type Database } from "../src/db/database.js";

/** Where benchmarks create (and drop) their PostgreSQL databases: the tests' server. */
export const PG_ADMIN = process.env.POSTBAG_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A database of a benchmark's own: a file in a new temp dir, or a new PostgreSQL database. */
export interface BenchDatabase {
  readonly url: string;
  readonly database: Database;
  drop(): Promise<void>;
}

/** Creates an empty database (not migrated) named after the benchmark (`prefix`). */
export async function freshDatabase(dialect: string, prefix: string): Promise<BenchDatabase> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), `postbag-${prefix}-`));
    const url = `sqlite:${join(dir, "bench.db")}`;
    const database = createDatabase(url);
    return {
      url,
      database,
      async drop() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `pb_${prefix}_${Math.random().toString(16).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
  const database = createDatabase(url);
  return {
    url,
    database,
    async drop() {
      await database.close();
      const a = new pg.Client({ connectionString: PG_ADMIN });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
