import { afterAll, beforeAll, expect, it } from "vitest";
import { cancelAnnouncement } from "../../src/announcements/announcement-store.js";
import { type AnnouncementInput, composeAnnouncement } from "../../src/announcements/compose.js";
import { DEFAULT_FANOUT_LEASE_MS, fanOutAnnouncement, runDueFanouts } from "../../src/announcements/fanout.js";
import { announcementFanout } from "../../src/scheduler/announcement-fanout.js";
import type { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect } from "../support/databases.js";
import { silentLogger } from "../support/delivery.js";
import { openTestApp, TEST_SENDER_DOMAIN, type TestApp } from "../support/test-app.js";
import { seedAudience, siblings } from "./audience-fixtures.js";

const options = {
  limits: { maxMessageBytes: 100_000, maxRecipients: 50, senderDomain: TEST_SENDER_DOMAIN },
  messageIdDomain: TEST_SENDER_DOMAIN,
  createdBy: null,
};

function input(overrides: Partial<AnnouncementInput> = {}): AnnouncementInput {
  return {
    subject: "Trip for {{subject.name}}",
    text: "Dear {{contact.name}}, {{subject.name}} goes on a trip.",
    audience: { subjects: ["s1", "s2", "s3"] },
    consolidate: true,
    essential: false,
    ...overrides,
  };
}

describeEachDialect("announcement fan-out", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  beforeAll(async () => {
    t = await openTestApp(dialect);
    clock = t.clock as ManualClock;
  });
  afterAll(() => t.close());

  async function tenantWith(seed = siblings) {
    const tenant = await t.newTenant();
    const audience = await seedAudience(t.db, tenant.id, clock.now(), seed);
    return { tenantId: tenant.id, ...audience };
  }

  async function compose(tenantId: string, overrides: Partial<AnnouncementInput> = {}) {
    return (await composeAnnouncement(t.database, clock, tenantId, input(overrides), options)).announcement;
  }

  function recipients(tenantId: string, messageId: string) {
    return t.db
      .selectFrom("recipients")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", messageId)
      .orderBy("id")
      .execute();
  }

  it("consolidates siblings: one email per contact naming all three subjects, with a queued event each", async () => {
    const { tenantId, contactIds, subjectIds } = await tenantWith();
    const a = await compose(tenantId);
    expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id)).toBe("sent");
    const rows = await recipients(tenantId, a.message_id);
    expect(rows).toHaveLength(2);
    const all = [...subjectIds.values()].sort();
    for (const r of rows) {
      expect(r).toMatchObject({ status: "queued", kind: "to", next_attempt_at: clock.now(), attempts: 0 });
      expect(JSON.parse(r.subject_ids ?? "null")).toEqual(all);
    }
    expect(rows.map((r) => r.contact_id).sort()).toEqual([contactIds.get("p1"), contactIds.get("p2")].sort());
    expect(rows.map((r) => r.email).sort()).toEqual(["p1@example.test", "p2@example.test"]);
    const events = await t.db.selectFrom("events").selectAll().where("message_id", "=", a.message_id).execute();
    expect(events.map((e) => e.recipient_id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(events.every((e) => e.status === "queued")).toBe(true);
    const after = await t.db.selectFrom("announcements").selectAll().where("id", "=", a.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      state: "sent",
      recipient_count: 2,
      fanned_out_at: clock.now(),
      fanout_lease_until: null,
    });
    const left = await t.db
      .selectFrom("announcement_audience")
      .selectAll()
      .where("announcement_id", "=", a.id)
      .execute();
    expect(left).toEqual([]);
    // Done is done: another run finds nothing to claim.
    expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id)).toBe("busy");
    expect(await recipients(tenantId, a.message_id)).toHaveLength(2);
  });

  it("without consolidation sends one email per contact and subject", async () => {
    const { tenantId } = await tenantWith();
    const a = await compose(tenantId, { consolidate: false });
    expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id)).toBe("sent");
    const rows = await recipients(tenantId, a.message_id);
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(JSON.parse(r.subject_ids ?? "null")).toHaveLength(1);
    const pairs = new Set(rows.map((r) => `${r.contact_id}:${r.subject_ids}`));
    expect(pairs.size).toBe(6);
  });

  it("keeps a contact without an address (email ''), leaves out links that do not receive mail", async () => {
    const { tenantId, contactIds } = await tenantWith({
      contacts: [
        { ext: "has", name: "Has Email" },
        { ext: "none", name: "No Email", email: null },
        { ext: "quiet", name: "Receives Nothing" },
      ],
      subjects: [{ ext: "s1", name: "Ada" }],
      links: [
        { contact: "has", subject: "s1" },
        { contact: "none", subject: "s1" },
        { contact: "quiet", subject: "s1", receivesMail: false },
      ],
    });
    const a = await compose(tenantId, { audience: { subjects: ["s1"] } });
    await fanOutAnnouncement(t.database, clock, tenantId, a.id);
    const rows = await recipients(tenantId, a.message_id);
    expect(rows.map((r) => [r.contact_id, r.email]).sort()).toEqual(
      [
        [contactIds.get("has"), "has@example.test"],
        [contactIds.get("none"), ""],
      ].sort(),
    );
    expect(rows.every((r) => r.status === "queued")).toBe(true);
  });

  it("reaches a group's subjects, and mails a contact listed directly and through subjects once", async () => {
    const { tenantId, contactIds, subjectIds } = await tenantWith({
      ...siblings,
      contacts: [...(siblings.contacts ?? []), { ext: "gov", name: "A Governor" }],
    });
    const a = await compose(tenantId, {
      audience: { subjectGroups: ["Year 5", "Choir"], subjects: ["s3"], contacts: ["p1", "gov", "p1"] },
    });
    await fanOutAnnouncement(t.database, clock, tenantId, a.id);
    const rows = await recipients(tenantId, a.message_id);
    expect(rows).toHaveLength(3);
    const byContact = new Map(rows.map((r) => [r.contact_id, JSON.parse(r.subject_ids ?? "null") as string[]]));
    expect(byContact.get(contactIds.get("gov") ?? "")).toEqual([]);
    expect(byContact.get(contactIds.get("p1") ?? "")).toHaveLength(3);
    expect(new Set(byContact.get(contactIds.get("p2") ?? ""))).toEqual(new Set(subjectIds.values()));

    const b = await compose(tenantId, {
      consolidate: false,
      audience: { subjectGroups: ["Year 5", "Choir"], contacts: ["p1"] },
    });
    await fanOutAnnouncement(t.database, clock, tenantId, b.id);
    // Cal is in both groups: still one email per (contact, subject), and p1 not again on its own.
    expect(await recipients(tenantId, b.message_id)).toHaveLength(6);
  });

  it("resumes an interrupted fan-out from its cursor without duplicates, once the lease has run out", async () => {
    const contacts = Array.from({ length: 7 }, (_, i) => ({ ext: `c${i}`, name: `Contact ${i}` }));
    const { tenantId } = await tenantWith({
      contacts,
      subjects: [
        { ext: "s1", name: "Ada" },
        { ext: "s2", name: "Ben" },
      ],
      links: contacts.flatMap((c) => [
        { contact: c.ext, subject: "s1" },
        { contact: c.ext, subject: "s2" },
      ]),
    });
    const a = await compose(tenantId, { audience: { subjects: ["s1", "s2"] } });
    expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id, { chunkContacts: 3, maxChunks: 1 })).toBe(
      "interrupted",
    );
    expect(await recipients(tenantId, a.message_id)).toHaveLength(3);
    const midway = await t.db.selectFrom("announcements").selectAll().where("id", "=", a.id).executeTakeFirstOrThrow();
    expect(midway).toMatchObject({ state: "sending", recipient_count: 3 });
    // The "crashed" fan-out still holds its lease: nobody else takes over yet.
    expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id, { chunkContacts: 3 })).toBe("busy");
    clock.advance(DEFAULT_FANOUT_LEASE_MS + 1);
    expect(await runDueFanouts(t.database, clock, { chunkContacts: 3 })).toBe(1);
    const rows = await recipients(tenantId, a.message_id);
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.contact_id)).size).toBe(7);
    const done = await t.db.selectFrom("announcements").selectAll().where("id", "=", a.id).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ state: "sent", recipient_count: 7 });
  });

  it("a fan-out whose lease was taken over stops at its next chunk instead of writing twice", async () => {
    const contacts = Array.from({ length: 4 }, (_, i) => ({ ext: `c${i}`, name: `Contact ${i}` }));
    const { tenantId } = await tenantWith({
      contacts,
      subjects: [{ ext: "s1", name: "Ada" }],
      links: contacts.map((c) => ({ contact: c.ext, subject: "s1" })),
    });
    const a = await compose(tenantId, { audience: { subjects: ["s1"] } });
    let tookOver = false;
    // The first fan-out stalls after its first chunk long enough for its lease to run out, and
    // a second scheduler takes over and does a chunk; then the first one carries on.
    const first = await fanOutAnnouncement(t.database, clock, tenantId, a.id, {
      chunkContacts: 1,
      onChunk: async () => {
        if (tookOver) return;
        tookOver = true;
        clock.advance(DEFAULT_FANOUT_LEASE_MS + 1);
        expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id, { chunkContacts: 1, maxChunks: 1 })).toBe(
          "interrupted",
        );
      },
    });
    expect(first).toBe("lost");
    expect(await recipients(tenantId, a.message_id)).toHaveLength(2);
    clock.advance(DEFAULT_FANOUT_LEASE_MS + 1);
    expect(await runDueFanouts(t.database, clock)).toBe(1);
    const rows = await recipients(tenantId, a.message_id);
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.contact_id)).size).toBe(4);
  });

  it("a scheduled announcement waits for its time; a cancelled one never fans out", async () => {
    const { tenantId } = await tenantWith();
    const later = new Date(clock.now() + 3_600_000).toISOString();
    const a = await compose(tenantId, { sendAt: later });
    const b = await compose(tenantId, { sendAt: later });
    expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id)).toBe("busy");
    expect((await cancelAnnouncement(t.database, clock, tenantId, b.id))?.state).toBe("cancelled");
    clock.advance(3_600_000);
    const due = await runDueFanouts(t.database, clock);
    expect(due).toBeGreaterThanOrEqual(1);
    expect(await recipients(tenantId, a.message_id)).toHaveLength(2);
    expect(await recipients(tenantId, b.message_id)).toHaveLength(0);
    expect(await fanOutAnnouncement(t.database, clock, tenantId, b.id)).toBe("busy");
  });

  it("a cancel that lands while a scheduler holds the lease still stops the fan-out", async () => {
    const { tenantId } = await tenantWith();
    const a = await compose(tenantId);
    // Another scheduler has claimed it (lease set) but not started when the cancel comes in.
    await t.db
      .updateTable("announcements")
      .set({ fanout_lease_until: clock.now() + 60_000 })
      .where("id", "=", a.id)
      .execute();
    expect((await cancelAnnouncement(t.database, clock, tenantId, a.id))?.state).toBe("cancelled");
    clock.advance(120_000);
    expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id)).toBe("busy");
    expect(await runDueFanouts(t.database, clock)).toBe(0);
    expect(await recipients(tenantId, a.message_id)).toHaveLength(0);
  });

  it("the scheduler job fans out what is due", async () => {
    const { tenantId } = await tenantWith();
    const a = await compose(tenantId, { sendAt: new Date(clock.now() + 10_000).toISOString() });
    const poked: number[] = [];
    const job = announcementFanout(t.database, clock, silentLogger, (n) => void poked.push(n));
    await job.run();
    expect(await recipients(tenantId, a.message_id)).toHaveLength(0);
    clock.advance(10_000);
    await job.run();
    expect(await recipients(tenantId, a.message_id)).toHaveLength(2);
    expect(poked).toContain(2);
  });

  it("stops at a chunk boundary when asked, gives the lease back, and another run finishes it", async () => {
    const contacts = Array.from({ length: 5 }, (_, i) => ({ ext: `c${i}`, name: `Contact ${i}` }));
    const { tenantId } = await tenantWith({
      contacts,
      subjects: [{ ext: "s1", name: "Ada" }],
      links: contacts.map((c) => ({ contact: c.ext, subject: "s1" })),
    });
    const a = await compose(tenantId, { audience: { subjects: ["s1"] } });
    const stop = new AbortController();
    const outcome = await fanOutAnnouncement(t.database, clock, tenantId, a.id, {
      chunkContacts: 2,
      signal: stop.signal,
      onChunk: () => stop.abort(),
    });
    expect(outcome).toBe("interrupted");
    expect(await recipients(tenantId, a.message_id)).toHaveLength(2);
    // No waiting for the lease: it was given back.
    expect(await fanOutAnnouncement(t.database, clock, tenantId, a.id, { chunkContacts: 2 })).toBe("sent");
    const rows = await recipients(tenantId, a.message_id);
    expect(new Set(rows.map((r) => r.contact_id)).size).toBe(5);
    expect(rows).toHaveLength(5);
  });
});
