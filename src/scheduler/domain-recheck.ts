import type { Logger } from "pino";
import { type NoticeSender, prepareNotice, queueNotice } from "../credits/notices.js";
import type { Database } from "../db/database.js";
import type { TxtLookup } from "../domains/dns-check.js";
import { administratorAddresses, type DomainSettings, recheckDomains } from "../domains/domain-store.js";
import type { Clock } from "../time/clock.js";
import type { ScheduledJob } from "./scheduler.js";

/**
 * Daily at 03:15: every sending domain's records checked again. A verified domain whose DKIM
 * record is gone stops being used (its mail goes From the operator's domain) and its
 * administrators get a notice, once, in the transaction that marks it failed — so several
 * schedulers running the job at once tell them once.
 */
export function domainRecheck(
  database: Database,
  clock: Clock,
  lookup: TxtLookup,
  settings: DomainSettings & { readonly notices: NoticeSender },
  logger: Logger,
): ScheduledJob {
  return {
    name: "domain-recheck",
    pattern: "0 15 3 * * *",
    async run() {
      const results = await recheckDomains(
        database.db,
        lookup,
        settings,
        clock.now(),
        async (tx, tenantId, domain, records) => {
          const dkim = records.find((r) => r.purpose === "dkim");
          const text =
            `Postbag checked the DNS records of ${domain} and its DKIM record (${dkim?.name ?? "the DKIM record"}) ` +
            `is ${dkim?.status ?? "missing"}.\n\n` +
            `Until it is published again, your mail goes out From noreply@${settings.operatorDomain}, with your ` +
            `generic address as the Reply-To.\n\nPublish the record again, then press Verify on the domain in Postbag:\n` +
            `${settings.notices.publicUrl}\n`;
          const to = await administratorAddresses(tx, tenantId);
          await queueNotice(
            tx,
            settings.notices,
            tenantId,
            clock.now(),
            prepareNotice(settings.notices, to, `Action needed: ${domain} is no longer verified`, text),
          );
        },
      );
      for (const r of results) {
        if (r.after === "unchecked")
          logger.warn({ tenantId: r.tenantId, domain: r.domain }, "sending domain: DNS did not answer");
        else if (r.before !== r.after) logger.info(r, "sending domain status changed");
      }
    },
  };
}
