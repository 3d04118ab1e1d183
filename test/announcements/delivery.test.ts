import { afterAll, beforeAll, expect, it } from "vitest";
import { composeAnnouncement } from "../../src/announcements/compose.js";
import { fanOutAnnouncement } from "../../src/announcements/fanout.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { createTestTenant, newTestWorker, SENDER_DOMAIN } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { seedAudience, siblings } from "./audience-fixtures.js";

describeEachDialect("announcement delivered by the real worker to a real SMTP server", (dialect) => {
  let test: TestDatabase;
  let server: TestSmtpServer;
  beforeAll(async () => {
    test = await openTestDatabase(dialect);
    server = await startTestSmtpServer();
  });
  afterAll(async () => {
    await server?.close();
    await test?.drop();
  });

  it("fanned-out recipients are sent, one email per parent; a parent without an address is email_missing", async () => {
    const clock = new ManualClock();
    const tenantId = await createTestTenant(test.database, clock);
    await seedAudience(test.database.db, tenantId, clock.now(), {
      ...siblings,
      contacts: [...(siblings.contacts ?? []), { ext: "p3", name: "No Address", email: null }],
      links: [...(siblings.links ?? []), { contact: "p3", subject: "s1" }],
    });
    const { announcement } = await composeAnnouncement(
      test.database,
      clock,
      tenantId,
      {
        subject: "Trip for {{subject.name}}",
        text: "Dear {{contact.name}}, the trip is on Friday.",
        html: "<p>Dear {{contact.name}}, the trip is on <b>Friday</b>.</p>",
        audience: { subjectGroups: ["Year 5"] },
        consolidate: true,
        essential: false,
      },
      {
        limits: { maxMessageBytes: 1_000_000, maxRecipients: 50, senderDomain: SENDER_DOMAIN },
        messageIdDomain: SENDER_DOMAIN,
        createdBy: null,
      },
    );
    expect(await fanOutAnnouncement(test.database, clock, tenantId, announcement.id)).toBe("sent");

    const { worker, transport } = newTestWorker({ database: test.database, clock, server });
    try {
      let handled = 0;
      for (let i = 0; i < 10 && handled < 3; i++) handled += await worker.runOnce();
      expect(handled).toBe(3);
      const received = await server.waitForMessages(2, 5_000);
      expect(received.flatMap((m) => m.rcptTo).sort()).toEqual(["p1@example.test", "p2@example.test"]);
    } finally {
      await transport.close();
    }
    const rows = await test.database.db
      .selectFrom("recipients")
      .select(["email", "status", "sent_at"])
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", announcement.message_id)
      .orderBy("email")
      .execute();
    expect(rows.map((r) => [r.email, r.status])).toEqual([
      ["", "email_missing"],
      ["p1@example.test", "sent"],
      ["p2@example.test", "sent"],
    ]);
    const events = await test.database.db
      .selectFrom("events")
      .select(["status"])
      .where("message_id", "=", announcement.message_id)
      .execute();
    expect(events.filter((e) => e.status === "queued")).toHaveLength(3);
    expect(events.filter((e) => e.status === "sent")).toHaveLength(2);
  });
});
