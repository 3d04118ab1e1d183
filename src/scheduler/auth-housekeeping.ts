import { purgeExpired, type SessionSettings } from "../auth/sessions.js";
import { applyDueTimezones } from "../auth/timezone.js";
import type { Database } from "../db/database.js";
import type { Clock } from "../time/clock.js";
import type { ScheduledJob } from "./scheduler.js";

/**
 * Every minute: a tenant's pending time zone becomes its zone once the next credit period has
 * begun, and expired sessions, links and rate-limit counters are removed.
 */
export function authHousekeeping(database: Database, clock: Clock, sessions: SessionSettings): ScheduledJob {
  return {
    name: "auth-housekeeping",
    pattern: "15 * * * * *",
    async run() {
      const now = clock.now();
      await applyDueTimezones(database.db, now);
      await purgeExpired(database.db, now, sessions);
    },
  };
}
