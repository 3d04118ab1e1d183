import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SqliteDatabase from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  type LogConfig,
  PostgresDialect,
  type QueryResult,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
  type Transaction,
} from "kysely";
import pg from "pg";
import type { Tables } from "./tables.js";

export type Dialect = "sqlite" | "postgres";
export type Db = Kysely<Tables>;
export type Tx = Transaction<Tables>;

/** The one seam to storage: a Kysely instance plus what callers need to know of its dialect. */
export interface Database {
  readonly db: Db;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/** How long a statement waits for SQLite's write lock before it fails with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Kysely opens SQLite transactions with a deferred `begin`; a deferred transaction that later
 * writes can fail with SQLITE_BUSY without waiting when another process holds the write lock.
 * `begin immediate` takes the write lock up front, so writers queue for it.
 *
 * They queue here, not in SQLite: with `busy_timeout`, a statement that finds the lock taken
 * sleeps inside SQLite, blocking its thread's event loop, in steps that grow to 25-100 ms
 * however soon the lock is free. `serve` shares one database file between the API thread and
 * the delivery worker thread, so every worker commit stalled the whole API. Instead the
 * connection has no busy timeout, and a statement refused with SQLITE_BUSY is retried after
 * 1-4 ms on a timer: the event loop keeps answering requests meanwhile (and more of them join
 * the next group commit), and the lock is taken within a few milliseconds of its release.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    return new BusyRetryConnection(await super.acquireConnection());
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_"));
}

class BusyRetryConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection;
  constructor(inner: DatabaseConnection) {
    this.#inner = inner;
  }
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#inner.executeQuery<R>(query);
      } catch (err) {
        // A refused statement did nothing, so running it again is safe (`commit` included).
        if (!isBusy(err) || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1 + (attempt >> 4), 4)));
      }
    }
  }
  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.#inner.streamQuery<R>(query, chunkSize);
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

// pg returns int8 (bigint) and numeric as strings; Postgres stores Postbag's millisecond
// times and counters as bigint, all far below 2^53.
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

const STATEMENT_CACHE_SIZE = 256;

/** How often each SQLite connection looks at its planner statistics (see refreshPlannerStatistics). */
const STATISTICS_EVERY_MS = 10 * 60_000;

/**
 * Keeps SQLite's query planner informed of how the data is shaped. Without statistics it takes
 * an equality on an index's first column to match about 10 rows, so for `tenant_id = ? and id in
 * (…36 ids)` it scans the tenant's index (every recipient the school ever had) instead of
 * looking up 36 ids: with 40,000 recipients that update took 10 ms instead of 0.1 ms, inside
 * the delivery worker's claim, holding the write lock the API waits for.
 *
 * `PRAGMA optimize=0x10012` runs ANALYZE on tables whose size changed about tenfold since they
 * were last analysed (0x10000: every table, not only those this connection has used; 0x2: run
 * ANALYZE), and does nothing otherwise; 0x10 keeps SQLite's temporary analysis limit, so that on
 * a large database it reads a sample of each index rather than all of it. A
 * connection reads the statistics only when it loads the schema, and another connection's
 * ANALYZE does not make it reload, so each connection compares the statistics with those it
 * last loaded and reloads them (`ANALYZE sqlite_schema`) when they changed; its prepared
 * statements are then planned afresh. PostgreSQL's autovacuum keeps its own statistics.
 */
export async function refreshPlannerStatistics(database: Database): Promise<void> {
  if (database.dialect !== "sqlite") return;
  const state = statisticsSeen.get(database) ?? { seen: "" };
  statisticsSeen.set(database, state);
  await sql`pragma optimize=0x10012`.execute(database.db);
  const table = await sql`select 1 from sqlite_master where name = 'sqlite_stat1'`.execute(database.db);
  if (table.rows.length === 0) return;
  const { rows } = await sql<{ stats: string | null }>`
    select group_concat(tbl || ' ' || coalesce(idx, '') || ' ' || stat, ';') as stats from sqlite_stat1
  `.execute(database.db);
  const stats = rows[0]?.stats ?? "";
  if (stats === state.seen) return;
  await sql`analyze sqlite_schema`.execute(database.db);
  state.seen = stats;
}

/** Per SQLite database: the statistics its connection last loaded. */
const statisticsSeen = new WeakMap<Database, { seen: string }>();

/**
 * Kysely prepares every query afresh; better-sqlite3's prepare costs about as much as running a
 * small statement. Postbag's queries are few distinct shapes, so prepared statements are kept
 * by SQL text (least recently used dropped first). Statements run synchronously one at a time
 * on this connection, so sharing one is safe.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig["database"] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/**
 * The database holds every tenant's mail and contacts: its folder is created 0700 and the file
 * 0600 (owner only) before SQLite opens it, and an existing file is tightened to 0600.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, "a", 0o600));
  tighten(file);
}

function tighten(file: string): void {
  try {
    if (existsSync(file)) chmodSync(file, 0o600);
  } catch {
    // Not ours to change (a file another user owns): SQLite's own checks decide.
  }
}

export interface DatabaseOptions {
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /** Kysely query logging, for profiling (see bench/README.md). */
  readonly log?: LogConfig;
  /** Told when PostgreSQL ends a connection (restart, failover, `pg_terminate_backend`). */
  readonly onConnectionError?: (err: Error) => void;
}

/** Opens `sqlite:PATH` or `postgres://…`. Does not migrate. */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length);
    if (file !== ":memory:") createPrivately(file);
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma("journal_mode = WAL");
    // SQLite gives the -wal and -shm files the database file's mode when it creates them; these
    // may be left from an older, laxer start.
    if (file !== ":memory:") for (const extra of ["-wal", "-shm"]) tighten(`${file}${extra}`);
    // FULL: a 202 means the message survives a power cut, not only a process crash.
    sqlite.pragma("synchronous = FULL");
    // No waiting inside SQLite: BusyRetryConnection waits on a timer instead.
    sqlite.pragma("busy_timeout = 0");
    sqlite.pragma("foreign_keys = ON");
    const db = new Kysely<Tables>({
      dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
      ...(options.log ? { log: options.log } : {}),
    });
    const database: Database = {
      db,
      dialect: "sqlite",
      close: () => {
        clearInterval(statistics);
        return db.destroy();
      },
    };
    // A failed look (the lock held past the busy timeout) is tried again at the next one: the
    // statistics only make plans better, and the old ones stay in force meanwhile.
    const statistics = setInterval(
      () => void refreshPlannerStatistics(database).catch(() => undefined),
      STATISTICS_EVERY_MS,
    );
    statistics.unref();
    return database;
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes,
    application_name: "postbag",
    // A pool whose server is gone must fail a checkout rather than wait for ever.
    connectionTimeoutMillis: 10_000,
  });
  const onError = (err: Error) => options.onConnectionError?.(err);
  // A connection PostgreSQL ends emits 'error'. pg-pool listens only while the client is idle;
  // while it is checked out (a query or transaction in flight) an unhandled 'error' event would
  // end the process. With a listener on every client, the query in flight fails instead, the
  // pool drops the dead client when it is released, and the next checkout connects afresh.
  pool.on("connect", (client) => client.on("error", onError));
  pool.on("error", onError);
  const db = new Kysely<Tables>({
    dialect: new PostgresDialect({ pool }),
    ...(options.log ? { log: options.log } : {}),
  });
  return { db, dialect: "postgres", close: () => db.destroy() };
}
