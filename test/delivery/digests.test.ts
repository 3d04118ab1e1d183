import { simpleParser } from "mailparser";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import type { DeliveryWorker } from "../../src/delivery/worker.js";
import { sendDueDigests } from "../../src/scheduler/digests.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { createTestTenant, newTestWorker, SENDER_DOMAIN } from "../support/delivery.js";
import { type ReceivedMessage, startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { insertAnnouncement, insertContact, insertSubject, insertWebhookEndpoint } from "./announcement-rows.js";

const MINUTE = 60_000;
const settings = { senderDomain: SENDER_DOMAIN };

describeEachDialect("digests", (dialect) => {
  let test: TestDatabase;
  let database: Database;
  let server: TestSmtpServer;
  let clock: ManualClock;
  let tenantId: string;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    test = await openTestDatabase(dialect);
    database = test.database;
    server = await startTestSmtpServer();
  });
  afterAll(async () => {
    await server?.close();
    await test?.drop();
  });
  beforeEach(async () => {
    // Thursday 15 January 2026, 09:00 in London (GMT).
    clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 0));
    tenantId = await createTestTenant(database, clock);
    server.setBehaviour({ kind: "accept" });
    server.messages.length = 0;
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await database.db
      .updateTable("recipients")
      .set({ next_attempt_at: null })
      .where("next_attempt_at", "is not", null)
      .execute();
    // Digest items of earlier tests must not fall due in later ones.
    await database.db.updateTable("digest_items").set({ digest_message_id: "done" }).execute();
  });

  function newWorker(): DeliveryWorker {
    const { worker, transport } = newTestWorker({ database, clock, server });
    stops.push(() => transport.close());
    return worker;
  }

  const row = (id: string) =>
    database.db.selectFrom("recipients").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  async function digestContact(email = `d-${Math.random().toString(36).slice(2)}@example.test`) {
    const contactId = await insertContact(database, clock, tenantId, {
      name: "Dana Parent",
      email,
      digest: "daily",
      digestTime: "17:00",
    });
    return { contactId, email };
  }

  it("three announcements wait as pending_digest; at digest time one email lists them and each becomes sent", async () => {
    const p = await digestContact();
    const ann = await insertSubject(database, clock, tenantId, "Ann");
    const items = [];
    for (const [i, title] of ["Trip on Friday", "Bake sale", "Sports day"].entries()) {
      items.push(
        await insertAnnouncement(database, clock, tenantId, {
          subject: `${title} for {{subject.name}}`,
          text: `Dear {{contact.name}}, item ${i + 1} about {{subject.name}} in {{subject.class}}.`,
          mergeData: { [ann.externalId]: { class: "4B" } },
          recipients: [{ ...p, subjectIds: [ann.id] }],
        }),
      );
      clock.advance(MINUTE);
    }
    // Essential mail never waits for the digest.
    const essential = await insertAnnouncement(database, clock, tenantId, {
      subject: "School closed",
      essential: true,
      recipients: [p],
    });
    const worker = newWorker();
    expect(await worker.runOnce()).toBe(4);
    expect(server.messages.map((m) => m.raw.toString().match(/^Subject: (.*)$/m)?.[1])).toEqual(["School closed"]);
    const dueAt = Date.UTC(2026, 0, 15, 17, 0);
    for (const a of items) {
      const id = a.recipientIds[0] ?? "";
      expect(await row(id)).toMatchObject({
        status: "pending_digest",
        next_attempt_at: null,
        charge: null,
        attempts: 0,
      });
      const item = await database.db
        .selectFrom("digest_items")
        .selectAll()
        .where("recipient_id", "=", id)
        .executeTakeFirstOrThrow();
      expect(item).toMatchObject({
        tenant_id: tenantId,
        contact_id: p.contactId,
        due_at: dueAt,
        digest_message_id: null,
      });
    }
    expect(await row(essential.recipientIds[0] ?? "")).toMatchObject({ status: "sent" });

    clock.set(dueAt - 1);
    expect(await sendDueDigests(database, clock.now(), settings)).toEqual([]);
    clock.set(dueAt);
    const endpoint = await insertWebhookEndpoint(database, clock, tenantId);
    const [digestId] = await sendDueDigests(database, clock.now(), settings);
    expect(digestId).toBeDefined();
    expect(await sendDueDigests(database, clock.now(), settings)).toEqual([]);
    const digest = await database.db
      .selectFrom("messages")
      .selectAll()
      .where("id", "=", digestId ?? "")
      .executeTakeFirstOrThrow();
    expect(digest).toMatchObject({ tenant_id: tenantId, source: "digest", category: "digest", essential: 0 });

    server.messages.length = 0;
    expect(await worker.runOnce()).toBe(1);
    expect(server.messages).toHaveLength(1);
    const received = server.messages[0] as ReceivedMessage;
    expect(received.rcptTo).toEqual([p.email]);
    const mail = await simpleParser(received.raw);
    expect(mail.subject).toMatch(/^Your daily digest from .+: 3 messages$/);
    const text = mail.text ?? "";
    expect(text).toContain("1 of 3: Trip on Friday for Ann");
    expect(text).toContain("Dear Dana Parent, item 1 about Ann in 4B.");
    expect(text).toContain("2 of 3: Bake sale for Ann");
    expect(text).toContain("3 of 3: Sports day for Ann");
    // A digest is not essential: it carries the unsubscribe headers.
    const unfolded = received.raw.toString().replace(/\r?\n[ \t]+/g, " ");
    expect(unfolded).toMatch(/^List-Unsubscribe: <https:\/\/postbag\.test\/u\/[^>]+>/m);

    const digestRow = await database.db
      .selectFrom("recipients")
      .selectAll()
      .where("message_id", "=", digestId ?? "")
      .executeTakeFirstOrThrow();
    expect(digestRow).toMatchObject({ status: "sent", contact_id: p.contactId, charge: `allowance:2026-01` });
    for (const a of items) {
      const id = a.recipientIds[0] ?? "";
      expect(await row(id)).toMatchObject({ status: "sent", sent_at: dueAt, charge: null });
      const events = await database.db
        .selectFrom("events")
        .select("status")
        .where("recipient_id", "=", id)
        .orderBy("id")
        .execute();
      expect(events.map((e) => e.status)).toEqual(["pending_digest", "sent"]);
    }
    // Charged once for the digest (and once for the essential email), never for the items.
    const ledger = await database.db
      .selectFrom("credit_ledger")
      .select("recipient_id")
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(ledger.map((l) => l.recipient_id).sort()).toEqual([digestRow.id, essential.recipientIds[0]].sort());
    const hooks = await database.db
      .selectFrom("webhook_deliveries")
      .select(["event_type", "payload"])
      .where("endpoint_id", "=", endpoint)
      .execute();
    expect(hooks).toHaveLength(4);
    expect(new Set(hooks.map((h) => h.event_type))).toEqual(new Set(["message.sent"]));
  });

  it("a digest contact without an address is email_missing at once, not held for the digest", async () => {
    const contactId = await insertContact(database, clock, tenantId, {
      name: "No Address",
      email: null,
      digest: "daily",
      digestTime: "17:00",
    });
    const a = await insertAnnouncement(database, clock, tenantId, {
      subject: "Trip",
      recipients: [{ contactId, email: "" }],
    });
    expect(await newWorker().runOnce()).toBe(1);
    const id = a.recipientIds[0] ?? "";
    expect(await row(id)).toMatchObject({ status: "email_missing", charge: null, next_attempt_at: null });
    const items = await database.db
      .selectFrom("digest_items")
      .select("recipient_id")
      .where("recipient_id", "=", id)
      .execute();
    expect(items).toEqual([]);
  });

  it("several schedulers at once: every item is in exactly one digest", async () => {
    const p = await digestContact();
    for (const subject of ["One", "Two"])
      await insertAnnouncement(database, clock, tenantId, { subject, recipients: [p] });
    await newWorker().runOnce();
    clock.set(Date.UTC(2026, 0, 15, 17, 0));
    const runs = await Promise.all([1, 2, 3].map(() => sendDueDigests(database, clock.now(), settings)));
    expect(runs.flat()).toHaveLength(1);
    const digests = await database.db
      .selectFrom("messages")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("source", "=", "digest")
      .execute();
    expect(digests).toHaveLength(1);
  });

  it("a digest that hard-bounces takes its items with it, and suppresses the address", async () => {
    const p = await digestContact();
    const a = await insertAnnouncement(database, clock, tenantId, { subject: "One", recipients: [p] });
    const worker = newWorker();
    await worker.runOnce();
    clock.set(Date.UTC(2026, 0, 15, 17, 0));
    await sendDueDigests(database, clock.now(), settings);
    server.setBehaviour({ kind: "reply", code: 550, message: "5.1.1 unknown user", at: "rcpt" });
    await worker.runOnce();
    expect(await row(a.recipientIds[0] ?? "")).toMatchObject({ status: "hard_bounce", sent_at: null });
    const suppressed = await database.db
      .selectFrom("suppressions")
      .select("email")
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(suppressed).toEqual([{ email: p.email }]);
  });

  it("a weekly digest is due on the chosen weekday at the chosen time", async () => {
    const contactId = await insertContact(database, clock, tenantId, {
      name: "W",
      email: "weekly@example.test",
      digest: "weekly",
      digestTime: "16:30",
      digestWeekday: 5,
    });
    const a = await insertAnnouncement(database, clock, tenantId, {
      subject: "Weekly",
      recipients: [{ contactId, email: "weekly@example.test" }],
    });
    await newWorker().runOnce();
    const item = await database.db
      .selectFrom("digest_items")
      .select("due_at")
      .where("recipient_id", "=", a.recipientIds[0] ?? "")
      .executeTakeFirstOrThrow();
    // Friday 16 January 2026, 16:30 London time.
    expect(item.due_at).toBe(Date.UTC(2026, 0, 16, 16, 30));
  });
});
