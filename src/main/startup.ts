// What every command needs first, the logger and the database, kept apart from runtime.ts so
// that one-shot commands (`tenant create`, `key create`, …) load no mail or HTTP code.
import { chmodSync, mkdirSync, statSync } from "node:fs";
import pino, { type Logger } from "pino";
import type { Config } from "../config/config.js";
import { createDatabase, type Database, refreshPlannerStatistics } from "../db/database.js";
import { migrate } from "../db/migrations.js";

/**
 * Services log JSON to stdout; one-shot commands log to stderr so that what they print (an id,
 * a key) is all that stdout carries.
 */
export function createLogger(config: Config, name: string, to: "stdout" | "stderr" = "stdout"): Logger {
  return pino({ name, level: config.logLevel, base: { pid: process.pid } }, pino.destination(to === "stdout" ? 1 : 2));
}

/**
 * The data folder (the SQLite database, the secret key) is the owner's only: created 0700, and
 * tightened to 0700 when it was created more openly before.
 */
export function secureDataDir(dataDir: string, logger: Logger): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stat = statSync(dataDir);
  if ((stat.mode & 0o077) === 0) return;
  try {
    chmodSync(dataDir, 0o700);
  } catch (err) {
    logger.warn({ err, dataDir }, "the data folder can be read by other users and could not be made private");
  }
}

export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  secureDataDir(config.dataDir, logger);
  const database = createDatabase(config.databaseUrl, {
    // The query in flight fails (and its caller retries); the pool reconnects on the next one.
    onConnectionError: (err) => logger.warn({ err }, "database connection lost; reconnecting on the next query"),
  });
  const result = await migrate(database);
  const applied = (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  await refreshPlannerStatistics(database);
  return database;
}
