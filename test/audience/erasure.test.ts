import { afterAll, beforeAll, expect, it } from "vitest";
import { composeAnnouncement } from "../../src/announcements/compose.js";
import { fanOutAnnouncement } from "../../src/announcements/fanout.js";
import { newId } from "../../src/db/ids.js";
import { newRecipient } from "../../src/messages/recipient-state.js";
import { suppress } from "../../src/messages/suppressions.js";
import type { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect } from "../support/databases.js";
import { newTestWorker, SENDER_DOMAIN } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { type ErrorReply, json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { counts, ndjsonText, postNdjson, type Summary, syncJson } from "./support.js";

const audience = {
  contacts: [
    { externalId: "P1", name: "Mary Jones", email: "mary@example.test" },
    { externalId: "P2", name: "Sam Patel", email: "sam@example.test" },
  ],
  subjects: [{ externalId: "S1", name: "Priya Jones", groups: ["Year 5"] }],
  links: [
    { contactExternalId: "P1", subjectExternalId: "S1", relationship: "mother" },
    { contactExternalId: "P2", subjectExternalId: "S1", relationship: "carer" },
  ],
};

describeEachDialect("deleting contacts and students (DELETE /v1/contacts|subjects/:externalId)", (dialect) => {
  let t: TestApp;
  let server: TestSmtpServer;
  beforeAll(async () => {
    t = await openTestApp(dialect);
    server = await startTestSmtpServer();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  async function announce(tenant: TestTenant, subject: string, sendAt?: string) {
    const { announcement } = await composeAnnouncement(
      t.database,
      t.clock,
      tenant.id,
      {
        subject,
        text: "Dear {{contact.name}}, see you on Friday.",
        audience: { subjectGroups: ["Year 5"] },
        consolidate: true,
        essential: false,
        ...(sendAt ? { sendAt } : {}),
      },
      {
        limits: { maxMessageBytes: 1_000_000, maxRecipients: 50, senderDomain: SENDER_DOMAIN },
        messageIdDomain: SENDER_DOMAIN,
        createdBy: null,
      },
    );
    expect(await fanOutAnnouncement(t.database, t.clock, tenant.id, announcement.id)).toBe("sent");
    return announcement;
  }

  const rowsOf = (tenantId: string, messageId: string) =>
    t.db
      .selectFrom("recipients")
      .select(["id", "email", "name", "status", "contact_id", "last_smtp_text"])
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", messageId)
      .orderBy("id")
      .execute();

  it("erases the contact's name and address from their mail, cancels what waits, keeps counts and suppressions", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, audience);
    const first = await announce(tenant, "Trip");
    const { worker, transport } = newTestWorker({ database: t.database, clock: t.clock, server });
    try {
      let handled = 0;
      for (let i = 0; i < 10 && handled < 2; i++) handled += await worker.runOnce();
      expect(handled).toBe(2);
    } finally {
      await transport.close();
    }
    // A second announcement still waiting when the contact is deleted.
    (t.clock as ManualClock).advance(1_000);
    const second = await announce(tenant, "Concert");
    await suppress(t.db, [
      {
        tenantId: tenant.id,
        email: "mary@example.test",
        reason: "hard_bounce",
        detail: null,
        recipientId: null,
        at: 1,
      },
    ]);
    const before = await rowsOf(tenant.id, first.message_id);
    const maryId = before.find((r) => r.email === "mary@example.test")?.contact_id;
    expect(before.map((r) => r.status)).toEqual(["sent", "sent"]);

    // A digest sent to her earlier: one message of her own.
    const digestId = newId(t.clock.now());
    await t.db
      .insertInto("messages")
      .values({
        id: digestId,
        tenant_id: tenant.id,
        category: "digest",
        source: "digest",
        from_address: "office@school.test",
        from_name: null,
        reply_to: null,
        subject: "Your digest",
        text_body: "Dear Mary Jones, this week: …",
        html_body: "<p>Dear Mary Jones</p>",
        header_recipients: JSON.stringify({ to: [{ email: "mary@example.test", name: "Mary Jones" }], cc: [] }),
        headers: "{}",
        message_id_header: `<${digestId}@school.test>`,
        idempotency_key: null,
        request_hash: null,
        size_bytes: 10,
        attachment_count: 0,
        created_at: t.clock.now(),
      })
      .execute();
    const { recipient } = newRecipient({
      tenantId: tenant.id,
      messageId: digestId,
      email: "mary@example.test",
      name: "Mary Jones",
      kind: "to",
      at: t.clock.now(),
      status: "email_missing",
      contactId: maryId ?? null,
    });
    await t.db.insertInto("recipients").values(recipient).execute();

    const res = await t.inject({ method: "DELETE", url: "/v1/contacts/P1", headers: tenant.auth("administrator") });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toEqual({ externalId: "P1", deleted: true, recipientsErased: 3, recipientsCancelled: 1 });
    const digest = await t.db.selectFrom("messages").selectAll().where("id", "=", digestId).executeTakeFirstOrThrow();
    expect(JSON.stringify(digest)).not.toContain("Mary");
    expect(JSON.stringify(digest)).not.toContain("mary@");

    const sentRows = await rowsOf(tenant.id, first.message_id);
    const erased = sentRows.find((r) => r.contact_id === maryId);
    expect(erased).toMatchObject({ email: "", name: null, status: "sent", last_smtp_text: null });
    expect(sentRows.find((r) => r.contact_id !== maryId)).toMatchObject({ email: "sam@example.test", status: "sent" });
    const waiting = await rowsOf(tenant.id, second.message_id);
    expect(waiting.find((r) => r.contact_id === maryId)).toMatchObject({ email: "", status: "cancelled" });
    expect(waiting.find((r) => r.contact_id !== maryId)).toMatchObject({ status: "queued" });
    const events = await t.db
      .selectFrom("events")
      .select(["smtp_text"])
      .where("recipient_id", "=", erased?.id ?? "")
      .execute();
    expect(JSON.stringify(events)).not.toContain("mary");

    // The report still counts both sent emails; the contact is gone from it.
    const stats = await t.inject({
      method: "GET",
      url: `/v1/announcements/${first.id}/recipients`,
      headers: tenant.auth("staff"),
    });
    expect(stats.statusCode, stats.body).toBe(200);
    expect(stats.body).not.toContain("Mary");
    expect(stats.body).not.toContain("mary@");
    const items = json<{ items: { contactDeleted: boolean; email: string }[] }>(stats).items;
    expect(items.map((i) => [i.contactDeleted, i.email]).sort()).toEqual([
      [false, "sam@example.test"],
      [true, ""],
    ]);
    const csv = await t.inject({
      method: "GET",
      url: `/v1/announcements/${first.id}/recipients.csv`,
      headers: tenant.auth("staff"),
    });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.body).toContain("deleted contact");
    expect(csv.body).not.toContain("Mary");

    expect((await t.inject({ method: "GET", url: "/v1/contacts/P1", headers: tenant.auth() })).statusCode).toBe(404);
    const student = await t.inject({ method: "GET", url: "/v1/subjects/S1", headers: tenant.auth() });
    expect(json<{ links: { contactExternalId: string }[] }>(student).links.map((l) => l.contactExternalId)).toEqual([
      "P2",
    ]);
    const suppressed = await t.db
      .selectFrom("suppressions")
      .select("email")
      .where("tenant_id", "=", tenant.id)
      .execute();
    expect(suppressed).toEqual([{ email: "mary@example.test" }]);
    const audit = await t.inject({ method: "GET", url: "/v1/audit", headers: tenant.auth("administrator") });
    expect(audit.body).toContain("contact.deleted");
  });

  it("a later sync does not recreate a deleted contact or student unless the row says restore", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, audience);
    expect((await t.inject({ method: "DELETE", url: "/v1/contacts/P1", headers: tenant.auth() })).statusCode).toBe(200);
    expect((await t.inject({ method: "DELETE", url: "/v1/subjects/S1", headers: tenant.auth() })).statusCode).toBe(200);

    const again = await syncJson(t, tenant, audience);
    expect(again.contacts).toEqual(counts(0, 0, 1, 1));
    expect(again.subjects).toEqual(counts(0, 0, 0, 1));
    expect(again.links.failed).toBe(2);
    expect(again.errors.map((e) => [e.kind, e.externalId ?? e.contactExternalId, e.code])).toEqual([
      ["contact", "P1", "deleted"],
      ["subject", "S1", "deleted"],
      ["link", "P1", "deleted"],
      ["link", "P2", "deleted"],
    ]);
    const list = await t.inject({ method: "GET", url: "/v1/contacts", headers: tenant.auth() });
    expect(json<{ items: { externalId: string }[] }>(list).items.map((c) => c.externalId)).toEqual(["P2"]);

    // NDJSON: the same rule, and `restore` brings them back.
    const lines = ndjsonText([
      { type: "contact", externalId: "P1", name: "Mary Jones", email: "mary@example.test" },
      { type: "subject", externalId: "S1", name: "Priya Jones", groups: ["Year 5"], restore: true },
      { type: "link", contactExternalId: "P2", subjectExternalId: "S1" },
    ]);
    const refused = json<Summary>(await postNdjson(t, tenant, lines));
    expect(refused.errors.map((e) => [e.line, e.code])).toEqual([[1, "deleted"]]);
    expect(refused.subjects).toEqual(counts(1));
    expect(refused.links).toEqual(counts(1));

    const restored = await syncJson(t, tenant, {
      contacts: [{ externalId: "P1", name: "Mary Jones", email: "mary@example.test", restore: true }],
      links: [{ contactExternalId: "P1", subjectExternalId: "S1" }],
    });
    expect(restored.contacts).toEqual(counts(1));
    expect(restored.links).toEqual(counts(1));
    // Restored for good: the next plain sync is an ordinary one.
    expect((await syncJson(t, tenant, { contacts: audience.contacts })).contacts).toEqual(counts(0, 0, 2));
  });

  it("refuses bad input, another tenant's ids, staff keys, and a second delete", async () => {
    const tenant = await t.newTenant();
    const other = await t.newTenant();
    await syncJson(t, tenant, audience);
    const del = (url: string, headers = tenant.auth("administrator")) => t.inject({ method: "DELETE", url, headers });

    expect((await del("/v1/contacts/P1", other.auth("administrator"))).statusCode).toBe(404);
    expect((await del("/v1/subjects/S1", other.auth("system"))).statusCode).toBe(404);
    for (const url of ["/v1/contacts/P1", "/v1/subjects/S1"]) {
      const staff = await del(url, tenant.auth("staff"));
      expect(staff.statusCode, staff.body).toBe(403);
      expect((await t.inject({ method: "DELETE", url })).statusCode).toBe(401);
    }
    const tooLong = await del(`/v1/contacts/${"x".repeat(101)}`);
    expect(tooLong.statusCode).toBe(400);
    expect(json<ErrorReply>(tooLong).error.code).toBe("invalid_request");
    expect((await del("/v1/subjects/nobody")).statusCode).toBe(404);
    expect((await del(`/v1/contacts/${encodeURIComponent("P1' OR 1=1 --")}`)).statusCode).toBe(404);

    // Nothing of the tenant's was touched by the refused requests.
    const list = await t.inject({ method: "GET", url: "/v1/contacts", headers: tenant.auth() });
    expect(json<{ items: unknown[] }>(list).items).toHaveLength(2);
    expect((await del("/v1/contacts/P1")).statusCode).toBe(200);
    expect((await del("/v1/contacts/P1")).statusCode).toBe(404);
    const restoreBad = await syncJson(t, tenant, {
      contacts: [{ externalId: "P1", name: "Mary", restore: "yes" }],
    });
    expect(restoreBad.errors.map((e) => e.code)).toEqual(["invalid_field"]);
  });

  it("searches students and shows one with its contacts", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, audience);
    const found = await t.inject({ method: "GET", url: "/v1/subjects?search=PRIYA", headers: tenant.auth() });
    expect(json<{ items: { externalId: string }[] }>(found).items.map((s) => s.externalId)).toEqual(["S1"]);
    const none = await t.inject({ method: "GET", url: "/v1/subjects?search=%25", headers: tenant.auth() });
    expect(json<{ items: unknown[] }>(none).items).toEqual([]);
    const detail = await t.inject({ method: "GET", url: "/v1/subjects/S1", headers: tenant.auth("staff") });
    expect(json(detail)).toMatchObject({
      externalId: "S1",
      links: [
        { contactExternalId: "P1", contactName: "Mary Jones", relationship: "mother", receivesMail: true },
        { contactExternalId: "P2", contactName: "Sam Patel", relationship: "carer", receivesMail: true },
      ],
    });
    const other = await t.newTenant();
    expect((await t.inject({ method: "GET", url: "/v1/subjects/S1", headers: other.auth() })).statusCode).toBe(404);
  });
});
