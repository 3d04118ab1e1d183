import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, openTestDatabase, type TestDatabase } from "../../test/support/databases.js";
import { newId } from "../db/ids.js";
import { canMoveAfterDelivery, type RecipientStatus, recipientStatuses } from "../email/statuses.js";
import { optOutFromReports } from "../mailboxes/import-message.js";
import { createTenant } from "../tenants/tenants.js";
import { ManualClock } from "../time/clock.js";
import { applyLateEvents } from "./status-change.js";
import { suppressedAmong } from "./suppressions.js";

describe("canMoveAfterDelivery", () => {
  it("moves only forwards, and never out of statuses decided without sending or still in the outbox", () => {
    expect(canMoveAfterDelivery("sent", "opened")).toBe(true);
    expect(canMoveAfterDelivery("sent", "hard_bounce")).toBe(true);
    expect(canMoveAfterDelivery("opened", "spam")).toBe(true);
    expect(canMoveAfterDelivery("sent", "soft_bounce")).toBe(true);
    expect(canMoveAfterDelivery("hard_bounce", "opened")).toBe(false);
    expect(canMoveAfterDelivery("opened", "soft_bounce")).toBe(false);
    expect(canMoveAfterDelivery("spam", "hard_bounce")).toBe(false);
    for (const to of recipientStatuses) {
      for (const from of ["queued", "held_no_credit", "pending_digest", "email_missing", "opted_out", "cancelled"]) {
        expect(canMoveAfterDelivery(from as RecipientStatus, to)).toBe(false);
      }
    }
  });
});

describe.each(dialects)("applyLateEvents [%s]", (dialect) => {
  let test: TestDatabase;
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
  beforeAll(async () => {
    test = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await test?.drop();
  });

  async function sentRecipient(email = "parent@example.com", category = "alert") {
    const db = test.database.db;
    const tenant = await createTenant(db, clock, { name: "Late events" });
    const messageId = newId(clock.now());
    const recipientId = newId(clock.now());
    await db
      .insertInto("messages")
      .values({
        id: messageId,
        tenant_id: tenant.id,
        category,
        source: "api",
        from_address: "noreply@postbag.test",
        from_name: null,
        reply_to: null,
        subject: "Hello",
        text_body: "Hi",
        html_body: null,
        header_recipients: "{}",
        headers: "{}",
        message_id_header: `<${messageId}@postbag.test>`,
        idempotency_key: null,
        request_hash: null,
        size_bytes: 10,
        attachment_count: 0,
        created_at: clock.now(),
      })
      .execute();
    await db
      .insertInto("recipients")
      .values({
        id: recipientId,
        tenant_id: tenant.id,
        message_id: messageId,
        email,
        name: null,
        kind: "to",
        status: "sent",
        attempts: 1,
        next_attempt_at: null,
        lease_owner: null,
        last_smtp_code: 250,
        last_enhanced_code: null,
        last_smtp_text: "ok",
        charge: "uncounted",
        sent_at: clock.now(),
        retry_from: null,
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .execute();
    return { tenantId: tenant.id, recipientId, messageId };
  }

  const statusOf = async (id: string) =>
    (await test.database.db.selectFrom("recipients").select("status").where("id", "=", id).executeTakeFirstOrThrow())
      .status;
  const eventsOf = async (id: string) =>
    test.database.db
      .selectFrom("events")
      .select("status")
      .where("recipient_id", "=", id)
      .orderBy("id")
      .execute()
      .then((rows) => rows.map((r) => r.status));

  it("moves sent to hard_bounce, suppresses the address, and keeps a later open as an event only", async () => {
    const { tenantId, recipientId } = await sentRecipient("Bounced@Example.com");
    const at = clock.now() + 60_000;
    const result = await test.database.db.transaction().execute((tx) =>
      applyLateEvents(tx, [
        {
          tenantId,
          recipientId,
          status: "hard_bounce",
          at,
          smtpCode: 550,
          enhancedCode: "5.1.1",
          text: "no such user",
        },
      ]),
    );
    expect([...result.moved]).toEqual([recipientId]);
    expect(await statusOf(recipientId)).toBe("hard_bounce");
    expect(await suppressedAmong(test.database.db, tenantId, ["bounced@example.com"])).toEqual(
      new Map([["bounced@example.com", "hard_bounce"]]),
    );
    const open = await test.database.db
      .transaction()
      .execute((tx) => applyLateEvents(tx, [{ tenantId, recipientId, status: "opened", at: at + 1000 }]));
    expect(open.moved.size).toBe(0);
    expect(open.found.has(recipientId)).toBe(true);
    expect(await statusOf(recipientId)).toBe("hard_bounce");
    expect(await eventsOf(recipientId)).toEqual(["hard_bounce", "opened"]);
  });

  it("never touches another tenant's recipient", async () => {
    const { recipientId } = await sentRecipient();
    const other = await createTenant(test.database.db, clock, { name: "Other" });
    const result = await test.database.db
      .transaction()
      .execute((tx) => applyLateEvents(tx, [{ tenantId: other.id, recipientId, status: "spam", at: clock.now() + 1 }]));
    expect(result.found.size).toBe(0);
    expect(await statusOf(recipientId)).toBe("sent");
    expect(await eventsOf(recipientId)).toEqual([]);
  });

  it("records the first open time and a complaint suppresses over an earlier bounce reason", async () => {
    const { tenantId, recipientId } = await sentRecipient("reader@example.com");
    const t0 = clock.now() + 5_000;
    await test.database.db.transaction().execute(async (tx) => {
      await applyLateEvents(tx, [{ tenantId, recipientId, status: "opened", at: t0 }]);
      await applyLateEvents(tx, [{ tenantId, recipientId, status: "spam", at: t0 + 10 }]);
    });
    const row = await test.database.db
      .selectFrom("recipients")
      .select(["status", "opened_at"])
      .where("id", "=", recipientId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "spam", opened_at: t0 });
    expect((await suppressedAmong(test.database.db, tenantId, ["reader@example.com"])).get("reader@example.com")).toBe(
      "spam",
    );
  });

  it("keeps the failure reason on the event, the recipient and the webhook event", async () => {
    const { tenantId, recipientId } = await sentRecipient("full@example.com");
    await test.database.db
      .insertInto("webhook_endpoints")
      .values({
        id: newId(clock.now()),
        tenant_id: tenantId,
        url: "https://hooks.example.com/postbag",
        secret: "sealed",
        events: '["*"]',
        description: null,
        active: 1,
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .execute();
    await test.database.db.transaction().execute((tx) =>
      applyLateEvents(tx, [
        {
          tenantId,
          recipientId,
          status: "soft_bounce",
          at: clock.now() + 1_000,
          smtpCode: 552,
          enhancedCode: "5.2.2",
          text: "552 5.2.2 Mailbox full",
          reason: "mailbox_full",
        },
      ]),
    );
    const event = await test.database.db
      .selectFrom("events")
      .select(["status", "reason"])
      .where("recipient_id", "=", recipientId)
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ status: "soft_bounce", reason: "mailbox_full" });
    const row = await test.database.db
      .selectFrom("recipients")
      .select(["status", "last_reason"])
      .where("id", "=", recipientId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "soft_bounce", last_reason: "mailbox_full" });
    const queued = await test.database.db
      .selectFrom("webhook_deliveries")
      .select("payload")
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(queued.map((q) => JSON.parse(q.payload).data.reason)).toEqual(["mailbox_full"]);
  });

  it("turns an opt-out report into an opt-out of the message's category, not a complaint", async () => {
    const { tenantId, recipientId } = await sentRecipient("leaving@example.com", "announcement");
    const contactId = newId(clock.now());
    await test.database.db
      .insertInto("contacts")
      .values({
        id: contactId,
        tenant_id: tenantId,
        external_id: "c-leaving",
        name: "Leaving Parent",
        email: "leaving@example.com",
        email_given: null,
        email_problem: null,
        digest_time: null,
        digest_weekday: null,
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .execute();
    await test.database.db
      .updateTable("recipients")
      .set({ contact_id: contactId })
      .where("id", "=", recipientId)
      .execute();
    const events = [
      { tenantId, recipientId, status: "opted_out" as const, at: clock.now() + 2_000, text: "unsubscribe" },
    ];
    const result = await test.database.db.transaction().execute(async (tx) => {
      const applied = await applyLateEvents(tx, events);
      await optOutFromReports(tx, events);
      return applied;
    });
    expect(result.moved.size).toBe(0);
    expect(await statusOf(recipientId)).toBe("sent");
    expect(await eventsOf(recipientId)).toEqual(["opted_out"]);
    expect(await suppressedAmong(test.database.db, tenantId, ["leaving@example.com"])).toEqual(new Map());
    const optOuts = await test.database.db
      .selectFrom("contact_opt_outs")
      .select(["category", "source"])
      .where("contact_id", "=", contactId)
      .execute();
    expect(optOuts).toEqual([{ category: "announcement", source: "feedback_report" }]);
  });
});
