import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { type MailboxRef, resetMailboxCounter, tenantMailbox } from "../../src/mailboxes/mailbox-state.js";
import { Pop3Client } from "../../src/mailboxes/pop3-client.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { createTestTenant } from "../support/delivery.js";
import { type Dovecot, dovecotMissing, startDovecot } from "../support/dovecot.js";
import {
  dsn,
  inboundRows,
  newPoller,
  plainMessage,
  receiveSettings,
  saveReceiving,
  sentMessage,
  verpFor,
} from "../support/mailboxes.js";

const missing = dovecotMissing();
const USERS = Array.from({ length: 20 }, (_, i) => ({
  user: `p${i}`,
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

async function uidlCount(user: { user: string; pass: string }): Promise<number> {
  const client = await Pop3Client.connect({
    host: "127.0.0.1",
    port: dovecot.pop3Port,
    security: "none",
    timeoutMs: 5000,
  });
  await client.login(user.user, user.pass);
  const n = (await client.uidl()).length;
  await client.quit();
  return n;
}

describeEachDialect("POP3 polling", (dialect) => {
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
    // STLS with the self-signed certificate, password login.
    await saveReceiving(
      database,
      tenantId,
      receiveSettings(dovecot, user.user, { protocol: "pop3" }),
      user.pass,
      clock.now(),
    );
  });
  afterEach(async () => {
    await test?.drop();
  });

  it("stores each message once with its attachments and leaves the mail on the server", async () => {
    await dovecot.deliver(
      user.user,
      [
        "From: parent@example.org",
        "Subject: Photo",
        "Message-ID: <photo@example.org>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "See the photo.",
        "--b",
        "Content-Type: image/png",
        'Content-Disposition: attachment; filename="photo.png"',
        "Content-Transfer-Encoding: base64",
        "",
        Buffer.from("not really a png").toString("base64"),
        "--b--",
        "",
      ].join("\r\n"),
    );
    await dovecot.deliver(user.user, plainMessage({ from: "second@example.org", body: ".a line with a leading dot" }));
    const poller = newPoller(database, clock, dovecot);
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 2 });
    const rows = await inboundRows(database, ref.key);
    expect(rows.map((r) => [r.from_address, r.attachment_count, r.source_key.startsWith("pop3:")])).toEqual([
      ["parent@example.org", 1, true],
      ["second@example.org", 0, true],
    ]);
    expect(rows[1]?.text_body).toContain(".a line with a leading dot");
    const [attachment] = await database.db.selectFrom("inbound_attachments").selectAll().execute();
    expect([attachment?.filename, attachment?.content_type, attachment?.content.toString()]).toEqual([
      "photo.png",
      "image/png",
      "not really a png",
    ]);
    expect(await uidlCount(user)).toBe(2);

    clock.advance(5 * 60_000);
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 0, duplicates: 2 });
    await dovecot.deliver(user.user, plainMessage({ from: "third@example.org" }));
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 1, duplicates: 2 });
    expect(await inboundRows(database, ref.key)).toHaveLength(3);
  });

  it("applies a bounce read over POP3", async () => {
    const sent = await sentMessage(database, clock, tenantId, ["gone@example.org"]);
    const recipient = sent.recipients[0];
    if (!recipient) throw new Error("no recipient");
    await dovecot.deliver(user.user, dsn({ to: verpFor(recipient.id), recipient: recipient.email }));
    expect(await newPoller(database, clock, dovecot).pollMailbox(ref)).toMatchObject({ stored: 1, moved: 1 });
    const row = await database.db
      .selectFrom("recipients")
      .select("status")
      .where("id", "=", recipient.id)
      .executeTakeFirst();
    expect(row?.status).toBe("hard_bounce");
  });

  it("skips an oversized message (the session ends mid-RETR) and reads the rest", async () => {
    await dovecot.deliver(user.user, plainMessage({ from: "before@example.org" }));
    await dovecot.deliver(user.user, plainMessage({ from: "huge@example.org", body: "y".repeat(200_000) }));
    await dovecot.deliver(user.user, plainMessage({ from: "after@example.org" }));
    const poller = newPoller(database, clock, dovecot, { inboundMaxBytes: 50_000 });
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 2, skipped: 1 });
    expect((await inboundRows(database, ref.key)).map((r) => r.from_address)).toEqual([
      "before@example.org",
      "after@example.org",
    ]);
    // The same process does not read it again.
    expect(await poller.pollMailbox(ref)).toMatchObject({ status: "done", stored: 0, skipped: 0 });
    expect(await uidlCount(user)).toBe(3);
  });

  it("a crash mid-poll, a reset and a second poller never import twice", async () => {
    for (let i = 0; i < 5; i++) await dovecot.deliver(user.user, plainMessage({ from: `m${i}@example.org` }));
    const controller = new AbortController();
    let seen = 0;
    const outcome = await newPoller(database, clock, dovecot, { owner: "one" }).pollMailbox(ref, {
      signal: controller.signal,
      onProgress: () => {
        if (++seen === 3) controller.abort();
      },
    });
    expect(outcome).toEqual({ status: "aborted", stored: 3 });
    clock.advance(6 * 60_000);
    await resetMailboxCounter(database.db, ref, "pop3", clock.now());
    const [a, b] = await Promise.all([
      newPoller(database, clock, dovecot, { owner: "two" }).pollMailbox(ref),
      newPoller(database, clock, dovecot, { owner: "three" }).pollMailbox(ref),
    ]);
    expect([a.status, b.status].sort()).toEqual(["busy", "done"]);
    const rows = await inboundRows(database, ref.key);
    expect(rows.map((r) => r.from_address).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `m${i}@example.org`));
  });

  it("reports a wrong password as a failed poll and records it", async () => {
    await saveReceiving(
      database,
      tenantId,
      receiveSettings(dovecot, user.user, { protocol: "pop3" }),
      "wrong",
      clock.now(),
    );
    const outcome = await newPoller(database, clock, dovecot).pollMailbox(ref);
    expect(outcome).toMatchObject({ status: "failed", stored: 0 });
    if (outcome.status === "failed") expect(outcome.reason).toMatch(/login failed/);
    const state = await database.db.selectFrom("mailbox_states").selectAll().executeTakeFirst();
    expect(state).toMatchObject({ lease_owner: null, last_error: expect.stringMatching(/login failed/) });
    expect(state?.last_error).not.toContain("wrong");
  });

  it("logs in with an OAuth2 access token, asking for a fresh one once after a refusal", async () => {
    await saveReceiving(
      database,
      tenantId,
      receiveSettings(dovecot, user.user, {
        protocol: "pop3",
        auth: {
          method: "oauth2",
          provider: "microsoft",
          user: user.user,
          clientId: "client",
          tokenUrl: "https://login.example/token",
          scope: null,
        },
      }),
      "",
      clock.now(),
    );
    const asked: boolean[] = [];
    const poller = newPoller(database, clock, dovecot, {
      accessToken: async (account, options) => {
        expect(account.tenantId).toBe(tenantId);
        asked.push(options.forceRefresh ?? false);
        return { ok: true, accessToken: `token-${asked.length}` };
      },
    });
    // This Dovecot offers no XOAUTH2, so the server refuses the token both times.
    const outcome = await poller.pollMailbox(ref);
    expect(outcome).toMatchObject({ status: "failed" });
    expect(asked).toEqual([false, true]);
    const failing = newPoller(database, clock, dovecot, {
      accessToken: async () => ({ ok: false, reason: "the provider revoked the sign-in" }),
    });
    clock.advance(10 * 60_000);
    expect(await failing.pollMailbox(ref)).toEqual({
      status: "failed",
      reason: "the provider revoked the sign-in",
      stored: 0,
    });
  });
});
