import { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import {
  type MailboxRef,
  readMailboxState,
  resetMailboxCounter,
  tenantMailbox,
} from "../../src/mailboxes/mailbox-state.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { createTestTenant } from "../support/delivery.js";
import { type Dovecot, dovecotMissing, startDovecot } from "../support/dovecot.js";
import {
  dsn,
  forgedVerp,
  inboundRows,
  legacyRefFor,
  newPoller,
  plainMessage,
  receiveSettings,
  refFor,
  saveReceiving,
  sentMessage,
  verpFor,
} from "../support/mailboxes.js";

const missing = dovecotMissing();
const USERS = Array.from({ length: 40 }, (_, i) => ({
  user: `u${i}`,
  pass: `pw-${i}-${Math.random().toString(36).slice(2)}`,
}));

let dovecot: Dovecot;
let nextUser = 0;
beforeAll(async () => {
  if (missing === null) dovecot = await startDovecot({ users: USERS });
}, 30_000);
afterAll(async () => {
  await dovecot?.stop();
});

describeEachDialect("IMAP polling", (dialect) => {
  let test: TestDatabase;
  let database: Database;
  let clock: ManualClock;
  let tenantId: string;
  let user: { user: string; pass: string };
  let ref: MailboxRef;

  beforeEach(async (ctx) => {
    if (missing !== null) ctx.skip();
    test = await openTestDatabase(dialect);
    database = test.database;
    clock = new ManualClock();
    tenantId = await createTestTenant(database, clock);
    const u = USERS[nextUser++];
    if (!u) throw new Error("out of Dovecot users");
    user = u;
    ref = tenantMailbox(tenantId);
    await saveReceiving(database, tenantId, receiveSettings(dovecot, user.user), user.pass, clock.now());
  });
  afterEach(async () => {
    await test?.drop();
  });

  it("stores each new message once, with its attachments, and reads nothing twice", async () => {
    const boundary = "XYZ";
    await dovecot.deliver(
      user.user,
      [
        "From: Parent One <parent1@example.org>",
        "To: office@practice.example",
        "Subject: Form attached",
        "Message-ID: <form-1@example.org>",
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "",
        `--${boundary}`,
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Here is the signed form.",
        `--${boundary}`,
        'Content-Type: application/pdf; name="../../etc/form\r\n signed.pdf"',
        'Content-Disposition: attachment; filename="../../etc/form signed.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        Buffer.from("%PDF-1.4 pretend").toString("base64"),
        `--${boundary}--`,
        "",
      ].join("\r\n"),
    );
    await dovecot.deliver(user.user, plainMessage({ from: "parent2@example.org", subject: "Question" }));
    const poller = newPoller(database, clock, dovecot);
    const first = await poller.pollMailbox(ref);
    expect(first).toMatchObject({ status: "done", stored: 2, duplicates: 0, skipped: 0 });
    const rows = await inboundRows(database, ref.key);
    expect(rows.map((r) => [r.subject, r.kind, r.from_address, r.attachment_count, r.tenant_id])).toEqual([
      ["Form attached", "other", "parent1@example.org", 1, tenantId],
      ["Question", "other", "parent2@example.org", 0, tenantId],
    ]);
    expect(rows[0]?.text_body?.trim()).toBe("Here is the signed form.");
    const attachments = await database.db.selectFrom("inbound_attachments").selectAll().execute();
    expect(attachments.map((a) => [a.filename, a.content_type, a.content.toString(), a.position])).toEqual([
      ["form signed.pdf", "application/pdf", "%PDF-1.4 pretend", 1],
    ]);
    const state = await readMailboxState(database.db, ref);
    expect(state?.last_uid).toBe(2);
    expect(state?.lease_owner).toBeNull();
    expect(state?.last_error).toBeNull();

    // Nothing new: nothing stored, nothing even fetched.
    clock.advance(10 * 60_000);
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 0, duplicates: 0 });
    await dovecot.deliver(user.user, plainMessage({ from: "parent3@example.org", subject: "Third" }));
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 1 });
    expect(await inboundRows(database, ref.key)).toHaveLength(3);
  });

  it("links a reply to the message and contact it answers, only within the tenant", async () => {
    const sent = await sentMessage(database, clock, tenantId, ["mum@example.org", "dad@example.org"]);
    const otherTenant = await createTestTenant(database, clock);
    const foreign = await sentMessage(database, clock, otherTenant, ["mum@example.org"]);
    await dovecot.deliver(
      user.user,
      plainMessage({
        from: "Dad <DAD@example.org>",
        subject: "Re: Hello",
        headers: [`In-Reply-To: ${sent.messageIdHeader}`, `References: <older@x.example> ${sent.messageIdHeader}`],
      }),
    );
    await dovecot.deliver(
      user.user,
      plainMessage({
        from: "mum@example.org",
        subject: "Re: other",
        headers: [`In-Reply-To: ${foreign.messageIdHeader}`],
      }),
    );
    await newPoller(database, clock, dovecot).pollMailbox(ref);
    const [reply, notOurs] = await inboundRows(database, ref.key);
    const dad = sent.recipients.find((r) => r.email === "dad@example.org");
    expect(reply).toMatchObject({
      kind: "reply",
      message_id: sent.messageId,
      recipient_id: dad?.id,
      contact_id: dad?.contactId,
    });
    // Another tenant's Message-ID links nothing.
    expect(notOurs).toMatchObject({ kind: "other", message_id: null, recipient_id: null, contact_id: null });
  });

  it("applies a DSN through the VERP address: hard bounce, suppressed, linked", async () => {
    const sent = await sentMessage(database, clock, tenantId, ["gone@example.org"]);
    const recipient = sent.recipients[0];
    if (!recipient) throw new Error("no recipient");
    await dovecot.deliver(user.user, dsn({ to: verpFor(recipient.id), recipient: "gone@example.org" }));
    const outcome = await newPoller(database, clock, dovecot).pollMailbox(ref);
    expect(outcome).toMatchObject({ status: "done", stored: 1, moved: 1 });
    const row = await database.db
      .selectFrom("recipients")
      .selectAll()
      .where("id", "=", recipient.id)
      .executeTakeFirst();
    expect(row).toMatchObject({ status: "hard_bounce", last_enhanced_code: "5.1.1" });
    const suppressed = await database.db
      .selectFrom("suppressions")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(suppressed.map((s) => s.email)).toEqual(["gone@example.org"]);
    const [stored] = await inboundRows(database, ref.key);
    expect(stored).toMatchObject({ kind: "bounce", recipient_id: recipient.id, message_id: sent.messageId });
  });

  it("applies a DSN of own-account mail through the signed X-Postbag-Ref and Final-Recipient", async () => {
    const sent = await sentMessage(database, clock, tenantId, ["a@example.org", "b@example.org"]);
    const b = sent.recipients.find((r) => r.email === "b@example.org");
    await dovecot.deliver(
      user.user,
      dsn({
        to: "office@practice.example",
        recipient: "B@example.org",
        status: "5.2.1",
        diagnostic: "550 5.2.1 Mailbox disabled",
        returnedHeaders: [
          "From: office@practice.example",
          "To: a@example.org, b@example.org",
          `Message-ID: ${sent.messageIdHeader}`,
          `X-Postbag-Ref: ${refFor(tenantId, b?.id ?? "")}`,
        ],
      }),
    );
    await newPoller(database, clock, dovecot).pollMailbox(ref);
    const rows = await database.db
      .selectFrom("recipients")
      .select(["email", "status"])
      .where("message_id", "=", sent.messageId)
      .orderBy("email")
      .execute();
    expect(rows).toEqual([
      { email: "a@example.org", status: "sent" },
      { email: "b@example.org", status: "hard_bounce" },
    ]);
    expect((await inboundRows(database, ref.key))[0]).toMatchObject({ kind: "bounce", recipient_id: b?.id });
  });

  it("ignores forged signatures, bare Message-IDs and other tenants' recipients", async () => {
    const sent = await sentMessage(database, clock, tenantId, ["x@example.org"]);
    const recipient = sent.recipients[0];
    if (!recipient) throw new Error("no recipient");
    const forged = forgedVerp(verpFor(recipient.id));
    await dovecot.deliver(user.user, dsn({ to: forged, recipient: "x@example.org" }));
    // Only a quoted Message-ID (and an unsigned ref): never enough.
    await dovecot.deliver(
      user.user,
      dsn({
        to: "office@practice.example",
        recipient: "x@example.org",
        returnedHeaders: [`Message-ID: ${sent.messageIdHeader}`, `X-Postbag-Ref: ${sent.messageId}-0000000000000000`],
      }),
    );
    // A genuine VERP address of another tenant's recipient, arriving in this tenant's mailbox.
    const otherTenant = await createTestTenant(database, clock);
    const foreign = await sentMessage(database, clock, otherTenant, ["y@example.org"]);
    const foreignRecipient = foreign.recipients[0];
    if (!foreignRecipient) throw new Error("no recipient");
    await dovecot.deliver(user.user, dsn({ to: verpFor(foreignRecipient.id), recipient: "y@example.org" }));
    await dovecot.deliver(
      user.user,
      dsn({
        to: "office@practice.example",
        recipient: "y@example.org",
        returnedHeaders: [`X-Postbag-Ref: ${refFor(otherTenant, foreignRecipient.id)}`],
      }),
    );
    const outcome = await newPoller(database, clock, dovecot).pollMailbox(ref);
    expect(outcome).toMatchObject({ status: "done", stored: 4, moved: 0 });
    const statuses = await database.db.selectFrom("recipients").select("status").execute();
    expect(statuses.map((s) => s.status)).toEqual(["sent", "sent"]);
    expect(await database.db.selectFrom("suppressions").selectAll().execute()).toEqual([]);
    const rows = await inboundRows(database, ref.key);
    expect(rows.map((r) => [r.kind, r.recipient_id])).toEqual([
      ["bounce", null],
      ["bounce", null],
      ["bounce", null],
      ["bounce", null],
    ]);
  });

  it("a forged DSN quoting one recipient's reference touches that recipient only, whatever it lists", async () => {
    const sent = await sentMessage(database, clock, tenantId, ["a@example.org", "b@example.org", "c@example.org"]);
    const [a, b, c] = sent.recipients;
    if (!a || !b || !c) throw new Error("recipients");
    // Parent a forwards a DSN quoting the reference from their own copy, listing the others.
    await dovecot.deliver(
      user.user,
      dsn({
        to: "office@practice.example",
        recipient: b.email,
        alsoRecipients: [c.email],
        returnedHeaders: ["From: office@practice.example", `X-Postbag-Ref: ${refFor(tenantId, a.id)}`],
      }),
    );
    // The same with the old per-message reference: the message has three recipients, so no match.
    await dovecot.deliver(
      user.user,
      dsn({
        to: "office@practice.example",
        recipient: b.email,
        alsoRecipients: [c.email, a.email],
        returnedHeaders: [`X-Postbag-Ref: ${legacyRefFor(sent.messageId)}`],
      }),
    );
    const outcome = await newPoller(database, clock, dovecot).pollMailbox(ref);
    expect(outcome).toMatchObject({ status: "done", stored: 2, moved: 1 });
    const rows = await database.db
      .selectFrom("recipients")
      .select(["email", "status"])
      .where("message_id", "=", sent.messageId)
      .orderBy("email")
      .execute();
    expect(rows).toEqual([
      { email: "a@example.org", status: "hard_bounce" },
      { email: "b@example.org", status: "sent" },
      { email: "c@example.org", status: "sent" },
    ]);
    const suppressed = await database.db.selectFrom("suppressions").select("email").execute();
    expect(suppressed.map((s) => s.email)).toEqual(["a@example.org"]);
  });

  it("honours an old per-message reference for a message with a single recipient", async () => {
    const sent = await sentMessage(database, clock, tenantId, ["solo@example.org"]);
    await dovecot.deliver(
      user.user,
      dsn({
        to: "office@practice.example",
        recipient: "solo@example.org",
        returnedHeaders: [`X-Postbag-Ref: ${legacyRefFor(sent.messageId)}`],
      }),
    );
    await newPoller(database, clock, dovecot).pollMailbox(ref);
    const row = await database.db
      .selectFrom("recipients")
      .select("status")
      .where("message_id", "=", sent.messageId)
      .executeTakeFirst();
    expect(row?.status).toBe("hard_bounce");
  });

  it("reads an ARF complaint as spam, a delay as a soft bounce, an auto-reply as no bounce", async () => {
    const sent = await sentMessage(database, clock, tenantId, ["c1@example.org", "c2@example.org", "c3@example.org"]);
    const [c1, c2, c3] = sent.recipients;
    if (!c1 || !c2 || !c3) throw new Error("recipients");
    await dovecot.deliver(user.user, arf(verpFor(c1.id), c1.email));
    await dovecot.deliver(
      user.user,
      dsn({
        to: verpFor(c2.id),
        recipient: c2.email,
        action: "delayed",
        status: "4.2.2",
        diagnostic: "452 4.2.2 Mailbox full",
      }),
    );
    await dovecot.deliver(
      user.user,
      plainMessage({
        from: c3.email,
        subject: "Automatic reply: Hello",
        headers: ["Auto-Submitted: auto-replied", `In-Reply-To: ${sent.messageIdHeader}`],
        body: "I am away until Monday. Mail to gone@example.org bounces: 550 5.1.1 user unknown",
      }),
    );
    await newPoller(database, clock, dovecot).pollMailbox(ref);
    const byId = new Map(
      (await database.db.selectFrom("recipients").select(["id", "status"]).execute()).map((r) => [r.id, r.status]),
    );
    expect([byId.get(c1.id), byId.get(c2.id), byId.get(c3.id)]).toEqual(["spam", "soft_bounce", "sent"]);
    const rows = await inboundRows(database, ref.key);
    expect(rows.map((r) => [r.kind, r.recipient_id])).toEqual([
      ["complaint", c1.id],
      ["delay", c2.id],
      ["auto_reply", c3.id],
    ]);
    const suppressed = await database.db.selectFrom("suppressions").select(["email", "reason"]).execute();
    expect(suppressed).toEqual([{ email: c1.email, reason: "spam" }]);
  });

  it("reset mailbox counter reads the mailbox afresh without importing anything twice", async () => {
    for (let i = 0; i < 3; i++) await dovecot.deliver(user.user, plainMessage({ from: `p${i}@example.org` }));
    const poller = newPoller(database, clock, dovecot);
    await poller.pollMailbox(ref);
    const before = await readMailboxState(database.db, ref);
    const reset = await resetMailboxCounter(database.db, ref, "imap", clock.now());
    expect(reset.generation).toBe((before?.generation ?? 0) + 1);
    const after = await readMailboxState(database.db, ref);
    expect(after).toMatchObject({ last_uid: null, uidvalidity: null, last_poll_at: null });
    await dovecot.deliver(user.user, plainMessage({ from: "late@example.org" }));
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 1, duplicates: 3 });
    expect(await inboundRows(database, ref.key)).toHaveLength(4);
    expect((await readMailboxState(database.db, ref))?.last_uid).toBe(4);
  });

  it("a poll stopped mid-way (crash) and polled again stores every message exactly once", async () => {
    for (let i = 0; i < 6; i++) await dovecot.deliver(user.user, plainMessage({ from: `p${i}@example.org` }));
    const controller = new AbortController();
    let seen = 0;
    const crashed = newPoller(database, clock, dovecot, { owner: "crashed" });
    const outcome = await crashed.pollMailbox(ref, {
      signal: controller.signal,
      onProgress: () => {
        if (++seen === 2) controller.abort();
      },
    });
    expect(outcome).toEqual({ status: "aborted", stored: 2 });
    expect(await inboundRows(database, ref.key)).toHaveLength(2);
    // The crashed poller still holds the lease: another one waits until it expires.
    const other = newPoller(database, clock, dovecot, { owner: "other" });
    expect(await other.pollMailbox(ref)).toEqual({ status: "busy" });
    clock.advance(6 * 60_000);
    expect(await other.pollMailbox(ref)).toMatchObject({ status: "done", stored: 4, duplicates: 0 });
    const rows = await inboundRows(database, ref.key);
    expect(rows.map((r) => r.from_address)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `p${i}@example.org`));
  });

  it("a poller shut down mid-poll hands the mailbox back at once, still due", async () => {
    for (let i = 0; i < 4; i++) await dovecot.deliver(user.user, plainMessage({ from: `s${i}@example.org` }));
    const stopping = newPoller(database, clock, dovecot, { owner: "stopping" });
    let seen = 0;
    const outcome = await stopping.pollMailbox(ref, {
      onProgress: () => {
        if (++seen === 1) stopping.stop();
      },
    });
    expect(outcome).toEqual({ status: "aborted", stored: 1 });
    const next = newPoller(database, clock, dovecot, { owner: "next" });
    expect((await next.pollDue()).get(ref.key)).toMatchObject({ status: "done", stored: 3 });
    expect(await inboundRows(database, ref.key)).toHaveLength(4);
  });

  it("starts afresh after a UIDVALIDITY change without storing anything twice", async () => {
    // A folder deleted and created again gets a new UIDVALIDITY: every UID starts over.
    const folder = "Bounces";
    await saveReceiving(
      database,
      tenantId,
      receiveSettings(dovecot, user.user, { mailbox: folder }),
      user.pass,
      clock.now(),
    );
    const messages = [
      plainMessage({ from: "p0@example.org" }),
      plainMessage({ from: "p1@example.org" }),
      plainMessage({ from: "noid@example.org", messageId: null }),
    ];
    await withImap(user, async (imap) => {
      await imap.mailboxCreate(folder);
      for (const m of messages) await imap.append(folder, m);
    });
    const poller = newPoller(database, clock, dovecot);
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 3 });
    const before = await readMailboxState(database.db, ref);
    await new Promise((r) => setTimeout(r, 1100));
    await withImap(user, async (imap) => {
      await imap.mailboxDelete(folder);
      await imap.mailboxCreate(folder);
      for (const m of [...messages, plainMessage({ from: "new@example.org" })]) await imap.append(folder, m);
    });
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 1, duplicates: 3 });
    const after = await readMailboxState(database.db, ref);
    expect(after?.uidvalidity).not.toBe(before?.uidvalidity);
    expect(after?.last_uid).toBe(4);
    expect((await inboundRows(database, ref.key)).map((r) => r.from_address)).toEqual([
      "p0@example.org",
      "p1@example.org",
      "noid@example.org",
      "new@example.org",
    ]);
  });

  it("skips a message over the byte cap without loading it, and goes on", async () => {
    await dovecot.deliver(user.user, plainMessage({ from: "small@example.org" }));
    await dovecot.deliver(user.user, plainMessage({ from: "huge@example.org", body: "x".repeat(300_000) }));
    await dovecot.deliver(user.user, plainMessage({ from: "after@example.org" }));
    const outcome = await newPoller(database, clock, dovecot, { inboundMaxBytes: 100_000 }).pollMailbox(ref);
    expect(outcome).toMatchObject({ status: "done", stored: 2, skipped: 1 });
    expect((await inboundRows(database, ref.key)).map((r) => r.from_address)).toEqual([
      "small@example.org",
      "after@example.org",
    ]);
    expect((await readMailboxState(database.db, ref))?.last_uid).toBe(3);
  });

  it("two pollers at once never import a message twice", async () => {
    for (let i = 0; i < 8; i++) await dovecot.deliver(user.user, plainMessage({ from: `p${i}@example.org` }));
    const a = newPoller(database, clock, dovecot, { owner: "a" });
    const b = newPoller(database, clock, dovecot, { owner: "b" });
    const [oa, ob] = await Promise.all([a.pollMailbox(ref), b.pollMailbox(ref), a.pollDue(), b.pollDue()]);
    expect([oa, ob].map((o) => o.status).sort()).toEqual(["busy", "done"]);
    const rows = await inboundRows(database, ref.key);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.source_key)).size).toBe(8);
  });
});

function arf(to: string, recipient: string): string {
  return [
    "From: feedbackloop@isp.example",
    `To: ${to}`,
    "Subject: Complaint about message",
    "Message-ID: <arf-1@isp.example>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"',
    "",
    "--ARF",
    "Content-Type: text/plain",
    "",
    "This is an email abuse report.",
    "--ARF",
    "Content-Type: message/feedback-report",
    "",
    "Feedback-Type: abuse",
    "User-Agent: isp-fbl/1.0",
    "Version: 1",
    `Original-Rcpt-To: ${recipient}`,
    "",
    "--ARF",
    "Content-Type: message/rfc822",
    "",
    "From: office@practice.example",
    `To: ${recipient}`,
    "Subject: Hello",
    "",
    "Hello there",
    "--ARF--",
    "",
  ].join("\r\n");
}

async function withImap(user: { user: string; pass: string }, run: (imap: ImapFlow) => Promise<void>): Promise<void> {
  const imap = new ImapFlow({
    host: dovecot.host,
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.user, pass: user.pass },
    logger: false,
  });
  await imap.connect();
  try {
    await run(imap);
  } finally {
    await imap.logout();
  }
}
