import type { Db } from "../db/database.js";
import type { ReportWeek } from "./report-calendar.js";
import { type SentCounts, sentByBucket, sumCounts } from "./sent-counts.js";

export interface WeekOverview {
  readonly days: readonly (SentCounts & { readonly date: string })[];
  readonly totals: SentCounts;
}

/** Mail the tenant sent in `week`, per local day and category (one query for the week). */
export async function weekOverview(db: Db, tenantId: string, week: ReportWeek): Promise<WeekOverview> {
  const counts = await sentByBucket(db, tenantId, [...week.days.map((d) => d.start), week.end]);
  const days = week.days.map((d, i) => ({ date: d.date, ...(counts[i] ?? sumCounts([])) }));
  return { days, totals: sumCounts(days) };
}
