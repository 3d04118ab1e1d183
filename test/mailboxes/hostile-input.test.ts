import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { type MailboxRef, tenantMailbox } from "../../src/mailboxes/mailbox-state.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { createTestTenant } from "../support/delivery.js";
import { type Dovecot, dovecotMissing, startDovecot } from "../support/dovecot.js";
import { inboundRows, newPoller, plainMessage, receiveSettings, saveReceiving } from "../support/mailboxes.js";

const missing = dovecotMissing();
const USERS = Array.from({ length: 4 }, (_, i) => ({
  user: `h${i}`,
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

/** Messages built to hurt a parser: each must end up stored (as `other`) or skipped, never stop the poll. */
function hostileMessages(): Record<string, string> {
  let deep = "";
  for (let i = 0; i < 2000; i++) deep += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
  const head = (subject: string) => `From: attacker@example.org\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n`;
  return {
    deepNesting: `${head("deep")}${deep}Content-Type: text/plain\r\n\r\nbottom\r\n`,
    endlessLine: `${head("endless")}\r\n${"x".repeat(3_000_000)}`,
    headerFlood: `${head("flood")}${"X-H: v\r\n".repeat(150_000)}\r\nbody\r\n`,
    hugeHeader: `${head("huge header")}X-Big: ${"s".repeat(2_000_000)}\r\n\r\nbody\r\n`,
    manyParts: `${head("parts")}Content-Type: multipart/mixed; boundary="q"\r\n\r\n${"--q\r\nContent-Type: text/plain\r\n\r\nx\r\n".repeat(40_000)}--q--\r\n`,
    zeroesBase64: `${head("zeroes")}Content-Type: multipart/mixed; boundary="q"\r\n\r\n--q\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename="bomb.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.alloc(3_000_000).toString("base64").replace(/.{76}/g, "$&\r\n")}\r\n--q--\r\n`,
    missingBoundary: `${head("no boundary")}Content-Type: multipart/mixed\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nhello`,
    unclosedBoundary: `${head("unclosed")}Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; ${"a".repeat(100_000)}@x`,
    binaryJunk: `${head("junk")}Content-Type: text/plain; charset=x-unknown-charset\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${"=FF=00=ZZ\u0000\u0001".repeat(100_000)}`,
    nestedHtml: `${head("html")}Content-Type: text/html\r\n\r\n${"<div>".repeat(150_000)}`,
  };
}

describeEachDialect("Hostile inbound mail", (dialect) => {
  let test: TestDatabase;
  let database: Database;
  let clock: ManualClock;
  let user: { user: string; pass: string };
  let ref: MailboxRef;

  beforeEach(async (ctx) => {
    if (missing !== null) ctx.skip();
    test = await openTestDatabase(dialect);
    database = test.database;
    clock = new ManualClock();
    const tenantId = await createTestTenant(database, clock);
    const u = USERS[nextUser++];
    if (!u) throw new Error("out of Dovecot users");
    user = u;
    ref = tenantMailbox(tenantId);
    await saveReceiving(database, tenantId, receiveSettings(dovecot, user.user), user.pass, clock.now());
  });
  afterEach(async () => {
    await test?.drop();
  });

  it("keeps polling with bounded time and memory; every bad message is stored as other or skipped", async () => {
    const messages = hostileMessages();
    for (const raw of Object.values(messages)) await dovecot.deliver(user.user, raw);
    await dovecot.deliver(user.user, plainMessage({ from: "fine@example.org", subject: "still here" }));
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const outcome = await newPoller(database, clock, dovecot, { inboundMaxBytes: 5_000_000 }).pollMailbox(ref);
    const elapsed = performance.now() - started;
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      status: "done",
      stored: Object.keys(messages).length + 1,
      skipped: 0,
    });
    // Generous bounds for a loaded 2-core machine; what matters is that they are bounds at all.
    expect(elapsed).toBeLessThan(60_000);
    expect(heapGrowth).toBeLessThan(400 * 1024 * 1024);
    const rows = await inboundRows(database, ref.key);
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(["other"]));
    expect(rows.at(-1)).toMatchObject({ subject: "still here", from_address: "fine@example.org" });
    for (const r of rows) {
      expect(r.text_body?.length ?? 0).toBeLessThanOrEqual(1024 * 1024);
      expect(r.subject?.length ?? 0).toBeLessThanOrEqual(1000);
    }
  }, 120_000);
});
