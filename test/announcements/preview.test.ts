import { simpleParser } from "mailparser";
import { afterAll, beforeAll, expect, it } from "vitest";
import { composeAnnouncement } from "../../src/announcements/compose.js";
import { fanOutAnnouncement } from "../../src/announcements/fanout.js";
import { previewAnnouncement } from "../../src/announcements/preview.js";
import { queueTestCopies } from "../../src/announcements/test-copy.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { createTestTenant, newTestWorker, PUBLIC_URL, SECRET_KEY, SENDER_DOMAIN } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { seedAudience, siblings } from "./audience-fixtures.js";

/** Signed links differ by the recipient row they name; the rest must be byte for byte the same. */
const withoutTokens = (s: string | null | undefined) => (s ?? "").replace(/\/u\/[A-Za-z0-9._~-]+/g, "/u/TOKEN");

describeEachDialect("an announcement's preview is the email delivery sends", (dialect) => {
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

  it("consolidated sections, merge fields, signature and footer match the sent copy; the test copy is it as it is", async () => {
    const clock = new ManualClock();
    const tenantId = await createTestTenant(test.database, clock);
    await seedAudience(test.database.db, tenantId, clock.now(), {
      ...siblings,
      contacts: [{ ext: "p1", name: "Alex Parent" }],
      links: ["s1", "s2", "s3"].map((subject) => ({ contact: "p1", subject })),
    });
    await test.database.db
      .insertInto("tenant_signatures")
      .values({ tenant_id: tenantId, enabled: 1, text: "Oakwood office", html: "<p>Oakwood office</p>", updated_at: 0 })
      .execute();
    // No open pixel in the sent copy either: the comparison is then whole.
    await test.database.db
      .insertInto("tracking_settings")
      .values({ tenant_id: tenantId, track_opens: 0, updated_at: 0 })
      .execute();
    const input = {
      subject: "Trip for {{subject.name}}",
      text: "Dear {{contact.name}}, {{subject.name}} ({{subject.class}}) goes on Friday.",
      html: "<p>Dear {{contact.name}}, <b>{{subject.name}}</b> ({{subject.class}}) goes on Friday.</p>",
      audience: { subjectGroups: ["Year 5"] },
      consolidate: true,
      essential: false,
      useSignature: true,
      mergeData: { s2: { class: "5B" } },
    };
    const limits = { maxMessageBytes: 1_000_000, maxRecipients: 50, senderDomain: SENDER_DOMAIN };
    const preview = await previewAnnouncement(
      test.database,
      clock,
      tenantId,
      input,
      {},
      {
        limits,
        links: { publicUrl: PUBLIC_URL, secretKey: SECRET_KEY },
      },
    );
    expect(preview.recipient).toMatchObject({
      contact: { externalId: "p1", name: "Alex Parent", email: "p1@example.test" },
      subjects: [{ name: "Ada" }, { name: "Ben" }, { name: "Cal" }],
      emails: 1,
    });
    expect(preview.subject).toBe("Trip for Ada, Ben and Cal");
    expect(preview.html).toContain("Part 2 of 3: about Ben");
    expect(preview.html).toContain("(5B)");
    expect(preview.text).toContain("Oakwood office");
    expect(preview.text).toContain(`${PUBLIC_URL}/u/`);

    const { announcement } = await composeAnnouncement(test.database, clock, tenantId, input, {
      limits,
      messageIdDomain: SENDER_DOMAIN,
      createdBy: null,
    });
    expect(await fanOutAnnouncement(test.database, clock, tenantId, announcement.id)).toBe("sent");
    const { worker, transport } = newTestWorker({ database: test.database, clock, server });
    try {
      let handled = 0;
      for (let i = 0; i < 10 && handled < 1; i++) handled += await worker.runOnce();
      const [received] = await server.waitForMessages(1, 5_000);
      const mail = await simpleParser(received?.raw ?? Buffer.alloc(0));
      expect(mail.subject).toBe(preview.subject);
      expect(withoutTokens(mail.text)).toBe(withoutTokens(preview.text));
      expect(withoutTokens(typeof mail.html === "string" ? mail.html : "")).toBe(withoutTokens(preview.html));

      // The test copy is that email as it is: no second signature or footer, marked in its subject.
      const [queued] = await queueTestCopies(test.database, clock.now(), tenantId, preview, ["me@school.test"], {
        limits,
        messageIdDomain: SENDER_DOMAIN,
      });
      for (let i = 0; i < 10 && (await worker.runOnce()) < 1; i++);
      const copies = await server.waitForMessages(2, 5_000);
      const copy = await simpleParser(copies[1]?.raw ?? Buffer.alloc(0));
      expect(copies[1]?.rcptTo).toEqual(["me@school.test"]);
      expect(copy.subject).toBe(`[Test] ${preview.subject}`);
      expect(copy.text).toBe(preview.text);
      expect(copy.text?.split("Oakwood office")).toHaveLength(2);
      const row = await test.database.db
        .selectFrom("recipients")
        .select("status")
        .where("message_id", "=", queued?.id ?? "")
        .executeTakeFirstOrThrow();
      expect(row.status).toBe("sent");
    } finally {
      await transport.close();
    }
  });
});
