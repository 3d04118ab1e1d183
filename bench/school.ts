/**
 * The benchmarks' school: families of 1-3 children, a second contact in some families, a few
 * without an address or not receiving mail, spread over seven year groups. Deterministic, so every
 * run builds the same school; written with bulk inserts.
 */
import type { Database } from "../src/db/database.js";
import { newId } from "../src/db/ids.js";
import { createTenant } from "../src/tenants/tenants.js";
import { systemClock } from "../src/time/clock.js";

export const YEARS = ["Year 1", "Year 2", "Year 3", "Year 4", "Year 5", "Year 6", "Year 7"];

/** A small deterministic generator, so every run builds the same school. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Creates a tenant and its school of `count` subjects in a migrated database. */
export async function seedSchool(
  database: Database,
  count: number,
): Promise<{ tenantId: string; contacts: number; links: number; subjects: string[] }> {
  const tenant = await createTenant(database.db, systemClock, { name: "Bench Academy Trust" });
  const now = Date.now();
  const rand = random(42);
  type Row = Record<string, string | number | null>;
  const contacts: Row[] = [];
  const subjects: Row[] = [];
  const groups: Row[] = [];
  const links: Row[] = [];
  let family = 0;
  while (subjects.length < count) {
    family++;
    const r = rand();
    const children = r < 0.45 ? 1 : r < 0.85 ? 2 : 3;
    const parents = rand() < 0.1 ? 2 : 1;
    const parentIds: string[] = [];
    for (let p = 0; p < parents; p++) {
      const id = newId(now);
      parentIds.push(id);
      const noEmail = rand() < 0.02;
      contacts.push({
        id,
        tenant_id: tenant.id,
        external_id: `c-${family}-${p}`,
        name: `Parent ${family}-${p}`,
        email: noEmail ? null : `parent${family}.${p}@example.test`,
        email_given: null,
        email_problem: null,
        digest: "none",
        digest_time: null,
        digest_weekday: null,
        created_at: now,
        updated_at: now,
      });
    }
    for (let c = 0; c < children && subjects.length < count; c++) {
      const id = newId(now);
      const year = YEARS[Math.floor(rand() * YEARS.length)] ?? "Year 1";
      subjects.push({
        id,
        tenant_id: tenant.id,
        external_id: `s-${subjects.length}`,
        name: `Pupil ${subjects.length}`,
        groups: JSON.stringify([year]),
        created_at: now,
        updated_at: now,
      });
      groups.push({ tenant_id: tenant.id, subject_id: id, name: year });
      for (const contactId of parentIds) {
        links.push({
          tenant_id: tenant.id,
          contact_id: contactId,
          subject_id: id,
          relationship: "parent",
          receives_mail: rand() < 0.02 ? 0 : 1,
          updated_at: now,
        });
      }
    }
  }
  // Rows in slices of 1,000 (SQLite caps bound parameters per statement), one transaction.
  await database.db.transaction().execute(async (tx) => {
    const insert = async (table: "contacts" | "subjects" | "subject_groups" | "contact_subjects", rows: Row[]) => {
      for (let i = 0; i < rows.length; i += 1_000) {
        await tx
          .insertInto(table)
          .values(rows.slice(i, i + 1_000) as never)
          .execute();
      }
    };
    await insert("contacts", contacts);
    await insert("subjects", subjects);
    await insert("subject_groups", groups);
    await insert("contact_subjects", links);
  });
  return {
    tenantId: tenant.id,
    contacts: contacts.length,
    links: links.length,
    subjects: subjects.map((s) => String(s.external_id)),
  };
}
