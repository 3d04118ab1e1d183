import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, openTestDatabase, type TestDatabase } from "../../test/support/databases.js";
import { newId } from "../db/ids.js";
import { canMoveAfterDelivery, recipientStatuses } from "../email/statuses.js";
import { createTenant } from "../tenants/tenants.js";
import { ManualClock } from "../time/clock.js";
import {
  assertTransition,
  cancelWaiting,
  canTransition,
  holdForNoCredit,
  IllegalTransition,
  insertRecipients,
  newRecipient,
  releaseNoCreditHold,
  transitions,
  writeOutcomes,
} from "./recipient-state.js";

describe("the recipient status table", () => {
  it("allows the moves delivery, metering, cancelling and late events make", () => {
    expect(canTransition("queued", "sent")).toBe(true);
    expect(canTransition("soft_bounce", "soft_bounce")).toBe(true);
    expect(canTransition("queued", "held_no_credit")).toBe(true);
    expect(canTransition("held_no_credit", "queued")).toBe(true);
    expect(canTransition("pending_digest", "sent")).toBe(true);
    expect(canTransition("sent", "opened")).toBe(true);
    expect(canTransition("opened", "spam")).toBe(true);
  });

  it("throws on an illegal move", () => {
    expect(() => assertTransition("sent", "queued")).toThrow(IllegalTransition);
    expect(() => assertTransition("cancelled", "sent")).toThrow("illegal recipient status move: cancelled -> sent");
    expect(() => assertTransition("held_no_credit", "sent")).toThrow(IllegalTransition);
    expect(() => assertTransition("queued", "no_such_status")).toThrow(IllegalTransition);
    expect(() => assertTransition("opened", "sent")).toThrow(IllegalTransition);
  });

  it("has final statuses with no way out, and covers every late-event move", () => {
    for (const s of ["spam", "email_missing", "opted_out", "cancelled"] as const) expect(transitions[s]).toEqual([]);
    for (const from of recipientStatuses) {
      expect(transitions[from]).toBeDefined();
      // What DSNs, complaints and opens report.
      for (const to of ["opened", "soft_bounce", "rejected", "hard_bounce", "spam"] as const) {
        if (canMoveAfterDelivery(from, to)) expect(canTransition(from, to)).toBe(true);
      }
    }
  });

  it("creates rows only as queued or email_missing", () => {
    const base = { tenantId: "t", messageId: "m", email: "a@example.com", name: null, kind: "to", at: 1 };
    expect(newRecipient(base).recipient).toMatchObject({ status: "queued", next_attempt_at: 1, hold_reason: null });
    expect(newRecipient({ ...base, status: "email_missing" }).recipient.next_attempt_at).toBeNull();
    expect(() => newRecipient({ ...base, status: "sent" })).toThrow(IllegalTransition);
  });
});

describe.each(dialects)("recipient state machine [%s]", (dialect) => {
  let test: TestDatabase;
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
  beforeAll(async () => {
    test = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await test?.drop();
  });

  async function queuedRecipients(count: number) {
    const db = test.database.db;
    const tenant = await createTenant(db, clock, { name: "State machine" });
    const messageId = newId(clock.now());
    const now = clock.now();
    await db
      .insertInto("messages")
      .values({
        id: messageId,
        tenant_id: tenant.id,
        category: "alert",
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
        created_at: now,
      })
      .execute();
    const planned = Array.from({ length: count }, (_, i) =>
      newRecipient({ tenantId: tenant.id, messageId, email: `p${i}@example.com`, name: null, kind: "to", at: now }),
    );
    await db.transaction().execute((tx) =>
      insertRecipients(
        tx,
        planned.map((p) => p.recipient),
        planned.map((p) => p.event),
      ),
    );
    return { tenantId: tenant.id, messageId, ids: planned.map((p) => p.recipient.id as string) };
  }

  const statuses = async (tenantId: string) =>
    test.database.db
      .selectFrom("recipients")
      .select(["id", "status", "hold_reason"])
      .where("tenant_id", "=", tenantId)
      .orderBy("id")
      .execute();

  it("holds for no credit and releases with the reason set and cleared, each with an event", async () => {
    const { tenantId, messageId, ids } = await queuedRecipients(3);
    const now = clock.now();
    await test.database.db.transaction().execute((tx) =>
      holdForNoCredit(
        tx,
        tenantId,
        ids.map((id) => ({ recipientId: id, messageId, status: "queued" })),
        now,
      ),
    );
    expect((await statuses(tenantId)).map((r) => [r.status, r.hold_reason])).toEqual(
      ids.map(() => ["held_no_credit", "no_credit"]),
    );
    const released = await test.database.db.transaction().execute((tx) => releaseNoCreditHold(tx, tenantId, now, 2));
    expect(released).toBe(2);
    expect((await statuses(tenantId)).filter((r) => r.status === "queued" && r.hold_reason === null)).toHaveLength(2);
    const events = await test.database.db
      .selectFrom("events")
      .select("status")
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(events.map((e) => e.status).sort()).toEqual([
      "held_no_credit",
      "held_no_credit",
      "held_no_credit",
      "queued",
      "queued",
      "queued",
      "queued",
      "queued",
    ]);
  });

  it("refuses an illegal delivery outcome and writes nothing of the batch", async () => {
    const { tenantId, messageId, ids } = await queuedRecipients(2);
    const [a, b] = ids;
    const delivery = (id: string | undefined, status: string) => ({
      id: id ?? "",
      tenantId,
      messageId,
      email: "p@example.com",
      charge: null,
      status,
      contactId: null,
    });
    const outcome = { attempts: 1, nextAttemptAt: null, smtpCode: 250, enhancedCode: null, smtpText: "ok", at: 1 };
    await expect(
      test.database.db.transaction().execute((tx) =>
        writeOutcomes(tx, test.database.dialect, "worker", [
          { ...outcome, delivery: delivery(a, "queued"), status: "sent" },
          { ...outcome, delivery: delivery(b, "cancelled"), status: "sent" },
        ]),
      ),
    ).rejects.toThrow(IllegalTransition);
    expect((await statuses(tenantId)).map((r) => r.status)).toEqual(["queued", "queued"]);
  });

  it("cancels waiting rows once, with a webhook event each", async () => {
    const { tenantId, messageId } = await queuedRecipients(2);
    const first = await test.database.db
      .transaction()
      .execute((tx) => cancelWaiting(tx, tenantId, messageId, clock.now()));
    expect(first).toHaveLength(2);
    const again = await test.database.db
      .transaction()
      .execute((tx) => cancelWaiting(tx, tenantId, messageId, clock.now()));
    expect(again).toHaveLength(0);
    expect((await statuses(tenantId)).map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
  });
});
