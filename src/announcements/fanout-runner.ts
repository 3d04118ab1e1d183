import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import type { Clock } from "../time/clock.js";
import { fanOutAnnouncement } from "./fanout.js";

/**
 * Starts fan-outs in the background of the process that accepted an announcement, so a
 * "send now" goes out at once without the request waiting for a large fan-out. Nothing here is
 * the source of truth: if the process stops, the scheduler's sweep finds the announcement due
 * (or its lease expired) and continues from its cursor.
 */
export class FanoutRunner {
  readonly #database: Database;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onChunk: ((recipients: number) => void) | undefined;
  readonly #running = new Set<Promise<void>>();
  readonly #stopping = new AbortController();

  constructor(options: { database: Database; clock: Clock; logger: Logger; onChunk?: (recipients: number) => void }) {
    this.#database = options.database;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#onChunk = options.onChunk;
  }

  /** Begins the fan-out of one announcement; failures are logged, the scheduler retries. */
  start(tenantId: string, announcementId: string): void {
    if (this.#stopping.signal.aborted) return;
    const run = fanOutAnnouncement(this.#database, this.#clock, tenantId, announcementId, {
      signal: this.#stopping.signal,
      ...(this.#onChunk ? { onChunk: this.#onChunk } : {}),
    })
      .then(() => undefined)
      .catch((err: unknown) =>
        this.#logger.error({ err, tenantId, announcementId }, "announcement fan-out failed; the scheduler retries it"),
      )
      .finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /**
   * Stops the fan-outs started here at their next chunk boundary and waits for them; what is
   * left is resumed by a scheduler (the lease is given back).
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.whenIdle();
  }

  /** Resolves when no fan-out started here is running (before closing the database). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
