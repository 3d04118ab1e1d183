import { sql } from "kysely";
import { type CreditForecast, forecastCredits } from "../credits/forecast.js";
import type { Database } from "../db/database.js";
import type { PrepareLimits } from "../messages/prepare.js";
import type { Clock } from "../time/clock.js";
import { type AnnouncementInput, checkAnnouncement, resolveAudience, type UnresolvedAudience } from "./compose.js";
import { audienceSelects } from "./fanout.js";

/** How the emails of an announcement would end on their first attempt, by status. */
export interface EstimatedStatuses {
  /** Would be sent (queued, then metered). */
  readonly queued: number;
  readonly email_missing: number;
  readonly opted_out: number;
  /** Suppressed address. */
  readonly rejected: number;
  readonly pending_digest: number;
}

export interface AnnouncementEstimate {
  /** Contacts reached. */
  readonly recipients: number;
  /** Distinct subjects (students) the announcement is about. */
  readonly subjects: number;
  readonly emails: { readonly consolidated: number; readonly separate: number };
  /** For the body's own `consolidate` choice. */
  readonly statuses: EstimatedStatuses;
  readonly credits: CreditForecast | null;
  readonly unresolved: UnresolvedAudience;
}

interface EstimateRow {
  outcome: string;
  contacts: number | string;
  separate: number | string | null;
  subjects: number | string;
}

/**
 * Estimates an announcement without storing or sending anything: the body is checked as compose
 * checks it, the audience is resolved by the fan-out's own queries (`audienceSelects`) inside
 * one set-based query that screens each contact in the order delivery screens
 * (`delivery/screen.ts`): suppressed address -> opted out of the category (unless Essential) ->
 * digest chosen (unless Essential, address present) -> no address. Credits are forecast by the
 * metering's own rules. Contacts' choices and credit may change before the sending.
 */
export async function estimateAnnouncement(
  database: Database,
  clock: Clock,
  tenantId: string,
  input: AnnouncementInput,
  limits: PrepareLimits,
): Promise<AnnouncementEstimate> {
  const now = clock.now();
  const { category } = await checkAnnouncement(database, now, tenantId, input, limits);
  const { audience, unresolved } = await resolveAudience(database, tenantId, input.audience);
  let subjects = 0;
  const essential = input.essential ? 1 : 0;
  // The fan-out's own audience queries. Repeats (a subject in two groups) are counted once by
  // `count(distinct …)`, as the fan-out's primary key drops them; the audience is read once.
  const [first, ...more] = audienceSelects(database.db, database.dialect, tenantId, audience);
  const rows: EstimateRow[] = [];
  if (first) {
    const audienceRows = more.reduce((q, next) => q.unionAll(next), first);
    const result = await sql<EstimateRow>`
      with aud as materialized ${audienceRows},
      per_contact as (
        select a.contact_id, count(distinct nullif(a.subject_id, '')) as subjects
        from aud a
        group by a.contact_id
      ),
      screened as (
        select p.subjects,
               case
                 when c.email is not null and exists (
                   select 1 from suppressions s where s.tenant_id = ${tenantId} and s.email = lower(trim(c.email))
                 ) then 'rejected'
                 when ${essential} = 0 and exists (
                   select 1 from contact_opt_outs o
                   where o.tenant_id = ${tenantId} and o.contact_id = p.contact_id and o.category = ${category}
                 ) then 'opted_out'
                 when ${essential} = 0 and c.email is not null and c.email <> ''
                      and c.digest in ('daily', 'weekly') then 'pending_digest'
                 when c.email is null or c.email = '' then 'email_missing'
                 else 'queued'
               end as outcome
        from per_contact p
        join contacts c on c.id = p.contact_id and c.tenant_id = ${tenantId}
      )
      select outcome,
             count(*) as contacts,
             sum(case when subjects > 1 then subjects else 1 end) as separate,
             (select count(distinct nullif(subject_id, '')) from aud) as subjects
      from screened
      group by outcome
    `.execute(database.db);
    rows.push(...result.rows);
  }
  const statuses = { queued: 0, email_missing: 0, opted_out: 0, rejected: 0, pending_digest: 0 };
  let recipients = 0;
  let separate = 0;
  for (const r of rows) {
    const contacts = Number(r.contacts);
    const emails = input.consolidate ? contacts : Number(r.separate ?? 0);
    recipients += contacts;
    separate += Number(r.separate ?? 0);
    subjects = Number(r.subjects);
    if (r.outcome in statuses) statuses[r.outcome as keyof EstimatedStatuses] += emails;
  }
  const credits = await forecastCredits(database, tenantId, category, statuses.queued, now);
  return {
    recipients,
    subjects,
    emails: { consolidated: recipients, separate },
    statuses,
    credits: credits ?? null,
    unresolved,
  };
}
