/**
 * Estimate benchmark: `POST /v1/announcements/estimate`'s work (`estimateAnnouncement`) for a
 * 100,000-subject audience, on SQLite and on PostgreSQL. The school is the fan-out benchmark's
 * (`school.ts`), plus some contacts opted out of announcements, on a weekly digest or at a
 * suppressed address, so every screening branch is taken. Each audience is estimated three
 * times (the first is cold); the audience is named by its seven year groups, then as a list of
 * all 100,000 subject ids.
 *
 *   npm run bench:estimate
 *   BENCH_SUBJECTS=200000 BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres npm run bench:estimate
 *
 * Target (issue 13): under 2 s on each dialect.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { estimateAnnouncement } from "../src/announcements/estimate.js";
import { createDatabase, type Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrations.js";
import { systemClock } from "../src/time/clock.js";
import { seedSchool, YEARS } from "./school.js";

const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? 100_000);
const PG_ADMIN = process.env.BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const say = (text: string) => process.stdout.write(`${text}\n`);

async function seed(database: Database): Promise<{ tenantId: string; subjects: string[] }> {
  const school = await seedSchool(database, SUBJECTS);
  const { db } = database;
  const t = school.tenantId;
  // Families whose number ends in 3 opted out, in 7 chose a weekly digest, in 11 bounced.
  await sql`insert into contact_opt_outs (tenant_id, contact_id, category, source, at)
            select tenant_id, id, 'announcement', 'api', 0 from contacts
            where tenant_id = ${t} and external_id like '%3-0'`.execute(db);
  await sql`update contacts set digest = 'weekly', digest_time = '17:00', digest_weekday = 5
            where tenant_id = ${t} and external_id like '%7-0'`.execute(db);
  await sql`insert into suppressions (tenant_id, email, reason, detail, recipient_id, created_at)
            select tenant_id, lower(email), 'hard_bounce', null, null, 0 from contacts
            where tenant_id = ${t} and email is not null and external_id like '%11-0'`.execute(db);
  // Fresh bulk-loaded tables: give PostgreSQL's planner statistics, as autovacuum would in time.
  if (database.dialect === "postgres") await sql`analyze`.execute(db);
  return { tenantId: t, subjects: school.subjects };
}

async function measure(name: string, database: Database): Promise<void> {
  const s0 = performance.now();
  const { tenantId, subjects } = await seed(database);
  say(`${name}: ${SUBJECTS.toLocaleString("en")} subjects seeded in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
  const audiences = [
    ["7 year groups", { subjectGroups: YEARS }],
    [`${subjects.length.toLocaleString("en")} subject ids`, { subjects }],
  ] as const;
  for (const [label, audience] of audiences) {
    const times: number[] = [];
    let last = "";
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const e = await estimateAnnouncement(
        database,
        systemClock,
        tenantId,
        { subject: "Sports day", text: "Dear {{contact.name}}", audience, consolidate: true, essential: false },
        { maxMessageBytes: 10_000_000, maxRecipients: 50, senderDomain: "bench.test" },
      );
      times.push(performance.now() - t0);
      last = `${e.recipients} recipients, ${e.emails.consolidated}/${e.emails.separate} emails, ${JSON.stringify(e.statuses)}`;
    }
    say(`  ${label}: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(", ")} (target < 2 s)`);
    say(`    ${last}`);
  }
}

async function main(): Promise<void> {
  const only = process.env.BENCH_DIALECT;
  if (only !== "postgres") await runSqlite();
  if (only !== "sqlite") await runPostgres();
}

async function runSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "postbag-bench-estimate-"));
  const sqlite = createDatabase(`sqlite:${join(dir, "postbag.db")}`);
  try {
    await migrate(sqlite);
    await measure("SQLite", sqlite);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPostgres(): Promise<void> {
  const name = `pb_bench_estimate_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    const postgres = createDatabase(url.toString());
    try {
      await migrate(postgres);
      await measure("PostgreSQL", postgres);
    } finally {
      await postgres.close();
    }
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

await main();
