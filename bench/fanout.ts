/**
 * Fan-out benchmark: a 100,000-subject announcement with consolidation on SQLite. The audience
 * (families of 1-3 children, a second contact in some families, a few without an address or
 * not receiving mail) is written with bulk inserts; then a separate process, which does nothing
 * else, composes the announcement and fans it out, and reports its time and peak RSS.
 *
 *   npm run bench:fanout
 *   BENCH_SUBJECTS=200000 BENCH_CHUNK=5000 npm run bench:fanout
 *
 * Targets (issue 5): under 10 s and under 300 MB.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeAnnouncement } from "../src/announcements/compose.js";
import { fanOutAnnouncement } from "../src/announcements/fanout.js";
import { createDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrations.js";
import { systemClock } from "../src/time/clock.js";
import { seedSchool, YEARS } from "./school.js";

const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? 100_000);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 2_000);
const say = (text: string) => process.stdout.write(`${text}\n`);
const mb = (kb: number) => (kb / 1024).toFixed(0);

async function setup(file: string): Promise<{ tenantId: string; contacts: number; links: number }> {
  const database = createDatabase(`sqlite:${file}`);
  await migrate(database);
  const school = await seedSchool(database, SUBJECTS);
  await database.close();
  return school;
}

/** The measured process: compose, then fan out; prints one JSON line. */
async function run(file: string, tenantId: string): Promise<void> {
  const database = createDatabase(`sqlite:${file}`);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const { announcement } = await composeAnnouncement(
    database,
    systemClock,
    tenantId,
    {
      subject: "Sports day for {{subject.name}}",
      text: "Dear {{contact.name}},\n\nSports day is on Friday for {{subject.name}}.",
      audience: { subjectGroups: YEARS },
      consolidate: true,
      essential: false,
    },
    {
      limits: { maxMessageBytes: 10_000_000, maxRecipients: 50, senderDomain: "bench.test" },
      messageIdDomain: "bench.test",
      createdBy: null,
    },
  );
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  let firstChunkMs = 0;
  const outcome = await fanOutAnnouncement(database, systemClock, tenantId, announcement.id, {
    chunkContacts: CHUNK,
    onChunk: () => {
      firstChunkMs ||= performance.now() - t1;
    },
  });
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const row = await database.db
    .selectFrom("announcements")
    .select(["recipient_count"])
    .where("id", "=", announcement.id)
    .executeTakeFirstOrThrow();
  await database.close();
  process.stdout.write(
    `${JSON.stringify({
      outcome,
      recipients: row.recipient_count,
      composeMs: t1 - t0,
      fanoutMs: t2 - t1,
      firstChunkMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBeforeKb: Math.round(rssBefore / 1024),
      peakRssSampledKb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1024),
      maxRssKb: process.resourceUsage().maxRSS,
    })}\n`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === "--run") return run(process.argv[3] ?? "", process.argv[4] ?? "");
  const dir = mkdtempSync(join(tmpdir(), "postbag-bench-fanout-"));
  const file = join(dir, "postbag.db");
  try {
    say(`Setting up ${SUBJECTS.toLocaleString("en")} subjects on SQLite (${file}) …`);
    const s0 = performance.now();
    const { tenantId, contacts, links } = await setup(file);
    say(
      `  ${contacts.toLocaleString("en")} contacts, ${links.toLocaleString("en")} links, ` +
        `in ${((performance.now() - s0) / 1000).toFixed(1)} s`,
    );
    const child = spawn(
      process.execPath,
      ["--import", "tsx", new URL(import.meta.url).pathname, "--run", file, tenantId],
      {
        stdio: ["ignore", "pipe", "inherit"],
        env: process.env,
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    if (code !== 0) throw new Error(`fan-out process exited with ${code}: ${out}`);
    const r = JSON.parse(out.trim().split("\n").pop() ?? "{}") as {
      outcome: string;
      recipients: number;
      composeMs: number;
      fanoutMs: number;
      firstChunkMs: number;
      cpuMs: number;
      rssBeforeKb: number;
      peakRssSampledKb: number;
      maxRssKb: number;
    };
    say(
      `Fan-out (consolidated, chunks of ${CHUNK} contacts): ${r.outcome}, ${r.recipients.toLocaleString("en")} recipients`,
    );
    say(`  compose ${r.composeMs.toFixed(0)} ms, fan-out ${(r.fanoutMs / 1000).toFixed(2)} s (target < 10 s)`);
    say(
      `  of which audience resolved + first chunk ${(r.firstChunkMs / 1000).toFixed(2)} s; ` +
        `CPU of the fan-out process ${(r.cpuMs / 1000).toFixed(2)} s (the rest is waiting: disk, other processes)`,
    );
    say(
      `  RSS: ${mb(r.rssBeforeKb)} MB before, peak ${mb(r.peakRssSampledKb)} MB sampled, ` +
        `maxRSS ${mb(r.maxRssKb)} MB for the whole process (target < 300 MB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
