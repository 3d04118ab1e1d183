import type { Logger } from "pino";
import { releaseHeld, tenantsWithHeldMail } from "../credits/held.js";
import { currentAvailability } from "../credits/meter.js";
import { getOperatorCreditSettings, tenantCreditRules } from "../credits/settings.js";
import type { Database } from "../db/database.js";
import type { Clock } from "../time/clock.js";
import type { ScheduledJob } from "./scheduler.js";

/**
 * Every minute: puts held mail back in the outbox for tenants that can send again. Purchases
 * and allocations release at once themselves; this sweep covers what happens without anyone
 * acting: a new month's allowance, a raised allowance, a policy turned soft, a tenant moved to
 * its own mail account.
 */
export function releaseHeldSweep(database: Database, clock: Clock, logger: Logger): ScheduledJob {
  return {
    name: "release-held",
    pattern: "30 * * * * *",
    async run() {
      const released = await sweepHeldMail(database, clock.now());
      for (const [tenantId, count] of released) logger.info({ tenantId, count }, "held mail released");
    },
  };
}

/**
 * Releases the held mail of every tenant whose mail would now be sent; returns how many
 * recipients per tenant. A tenant still over a hard limit keeps its mail held: releasing it
 * would only have metering hold it again on the next claim.
 */
export async function sweepHeldMail(database: Database, now: number): Promise<Map<string, number>> {
  const released = new Map<string, number>();
  const operator = await getOperatorCreditSettings(database.db);
  for (const tenantId of await tenantsWithHeldMail(database)) {
    const rules = await tenantCreditRules(database.db, tenantId, operator);
    if (!rules) continue;
    const credit = await currentAvailability(database, tenantId, now);
    const sendsAll = !rules.metered || rules.policy === "soft";
    const available = credit?.available ?? 0;
    if (!sendsAll && available === 0) continue;
    // Under a hard or grace limit, only as many as the credit pays for (critical mail is never
    // held, so what was held is all counted): a refund of one credit releases one email.
    const count = await releaseHeld(database, tenantId, now, sendsAll ? undefined : available);
    if (count > 0) released.set(tenantId, count);
  }
  return released;
}
