import type { Db } from "../../src/db/database.js";
import { newId } from "../../src/db/ids.js";

/** Audience rows written directly (the sync API is separate), keyed by the tenant's external ids. */
export interface AudienceSeed {
  readonly contacts?: readonly { ext: string; name: string; email?: string | null }[];
  readonly subjects?: readonly { ext: string; name: string; groups?: readonly string[] }[];
  readonly links?: readonly { contact: string; subject: string; receivesMail?: boolean }[];
}

export interface SeededAudience {
  readonly contactIds: Map<string, string>;
  readonly subjectIds: Map<string, string>;
}

export async function seedAudience(db: Db, tenantId: string, now: number, seed: AudienceSeed): Promise<SeededAudience> {
  const contactIds = new Map<string, string>();
  const subjectIds = new Map<string, string>();
  for (const c of seed.contacts ?? []) {
    const id = newId(now);
    contactIds.set(c.ext, id);
    await db
      .insertInto("contacts")
      .values({
        id,
        tenant_id: tenantId,
        external_id: c.ext,
        name: c.name,
        email: c.email === undefined ? `${c.ext}@example.test` : c.email,
        email_given: null,
        email_problem: null,
        digest: "none",
        digest_time: null,
        digest_weekday: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  for (const s of seed.subjects ?? []) {
    const id = newId(now);
    subjectIds.set(s.ext, id);
    await db
      .insertInto("subjects")
      .values({
        id,
        tenant_id: tenantId,
        external_id: s.ext,
        name: s.name,
        groups: JSON.stringify(s.groups ?? []),
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const g of s.groups ?? []) {
      await db.insertInto("subject_groups").values({ tenant_id: tenantId, subject_id: id, name: g }).execute();
    }
  }
  for (const l of seed.links ?? []) {
    const contactId = contactIds.get(l.contact);
    const subjectId = subjectIds.get(l.subject);
    if (!contactId || !subjectId) throw new Error(`link ${l.contact} -> ${l.subject}: unknown contact or subject`);
    await db
      .insertInto("contact_subjects")
      .values({
        tenant_id: tenantId,
        contact_id: contactId,
        subject_id: subjectId,
        relationship: "parent",
        receives_mail: l.receivesMail === false ? 0 : 1,
        updated_at: now,
      })
      .execute();
  }
  return { contactIds, subjectIds };
}

/** Three siblings (s1-s3, group "Year 5") with two parents (p1, p2) each linked to all three. */
export const siblings: AudienceSeed = {
  contacts: [
    { ext: "p1", name: "Alex Parent" },
    { ext: "p2", name: "Sam Parent" },
  ],
  subjects: [
    { ext: "s1", name: "Ada", groups: ["Year 5"] },
    { ext: "s2", name: "Ben", groups: ["Year 5"] },
    { ext: "s3", name: "Cal", groups: ["Year 5", "Choir"] },
  ],
  links: ["p1", "p2"].flatMap((contact) => ["s1", "s2", "s3"].map((subject) => ({ contact, subject }))),
};
