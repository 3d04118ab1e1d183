import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { OPERATOR_MAILBOX, readMailboxState, tenantMailbox } from "../../src/mailboxes/mailbox-state.js";
import { createTenant } from "../../src/tenants/tenants.js";
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
const USERS = Array.from({ length: 8 }, (_, i) => ({
  user: `o${i}`,
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

function takeUser() {
  const u = USERS[nextUser++];
  if (!u) throw new Error("out of Dovecot users");
  return u;
}

describeEachDialect("The operator's bounce mailbox and the schedule", (dialect) => {
  let test: TestDatabase;
  let database: Database;
  let clock: ManualClock;

  beforeEach(async (ctx) => {
    if (missing !== null) ctx.skip();
    test = await openTestDatabase(dialect);
    database = test.database;
    clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 0, 0));
  });
  afterEach(async () => {
    await test?.drop();
  });

  it("applies every tenant's bounces from the operator's mailbox, on its own interval", async () => {
    const bounces = takeUser();
    const url = `imap://${bounces.user}:${encodeURIComponent(bounces.pass)}@127.0.0.1:${dovecot.imapPort}/INBOX`;
    const a = await createTestTenant(database, clock);
    const b = await createTestTenant(database, clock);
    const sentA = await sentMessage(database, clock, a, ["a@example.org"]);
    const sentB = await sentMessage(database, clock, b, ["b@example.org"]);
    const ra = sentA.recipients[0];
    const rb = sentB.recipients[0];
    if (!ra || !rb) throw new Error("recipients");
    await dovecot.deliver(bounces.user, dsn({ to: verpFor(ra.id), recipient: ra.email }));
    await dovecot.deliver(
      bounces.user,
      dsn({
        to: verpFor(rb.id),
        recipient: rb.email,
        status: "5.7.1",
        diagnostic: "550 5.7.1 Message rejected as spam",
      }),
    );
    await dovecot.deliver(bounces.user, dsn({ to: forgedVerp(verpFor(ra.id)), recipient: ra.email }));
    const poller = newPoller(database, clock, dovecot, { bounceMailboxUrl: url, bounceMailboxPollMs: 300_000 });

    const first = await poller.pollDue();
    expect(first.get(OPERATOR_MAILBOX.key)).toMatchObject({ status: "done", stored: 3, moved: 2 });
    const statuses = await database.db.selectFrom("recipients").select(["id", "status"]).execute();
    expect(new Map(statuses.map((s) => [s.id, s.status]))).toEqual(
      new Map([
        [ra.id, "hard_bounce"],
        [rb.id, "rejected"],
      ]),
    );
    const rows = await inboundRows(database, OPERATOR_MAILBOX.key);
    expect(rows.map((r) => [r.tenant_id, r.kind, r.recipient_id])).toEqual([
      [null, "bounce", ra.id],
      [null, "bounce", rb.id],
      [null, "bounce", null],
    ]);

    // Not due again until the interval has passed.
    await dovecot.deliver(bounces.user, plainMessage({ from: "someone@example.org" }));
    clock.advance(60_000);
    expect((await poller.pollDue()).size).toBe(0);
    clock.advance(240_000);
    expect((await poller.pollDue()).get(OPERATOR_MAILBOX.key)).toMatchObject({ status: "done", stored: 1 });
  });

  it("matches relay mail by its VERP address only: a forged DSN touches no other recipient", async () => {
    const bounces = takeUser();
    const url = `imap://${bounces.user}:${encodeURIComponent(bounces.pass)}@127.0.0.1:${dovecot.imapPort}/INBOX`;
    const a = await createTestTenant(database, clock);
    const b = await createTestTenant(database, clock);
    const sent = await sentMessage(database, clock, a, ["one@example.org", "two@example.org", "three@example.org"]);
    const [one, two, three] = sent.recipients;
    const other = (await sentMessage(database, clock, b, ["b@example.org"])).recipients[0];
    if (!one || !two || !three || !other) throw new Error("recipients");
    // To parent one's own VERP address, listing the others: only parent one is touched.
    await dovecot.deliver(
      bounces.user,
      dsn({ to: verpFor(one.id), recipient: two.email, alsoRecipients: [three.email] }),
    );
    // To the bounce domain with the old per-message reference relay mail carried: no match.
    await dovecot.deliver(
      bounces.user,
      dsn({
        to: "bounces@bounces.example",
        recipient: two.email,
        alsoRecipients: [three.email],
        returnedHeaders: [`X-Postbag-Ref: ${legacyRefFor(sent.messageId)}`],
      }),
    );
    // A signed per-recipient reference names its tenant and recipient: only that one matches.
    await dovecot.deliver(
      bounces.user,
      dsn({
        to: "bounces@bounces.example",
        recipient: two.email,
        returnedHeaders: [`X-Postbag-Ref: ${refFor(b, other.id)}`],
      }),
    );
    const poller = newPoller(database, clock, dovecot, { bounceMailboxUrl: url });
    expect((await poller.pollDue()).get(OPERATOR_MAILBOX.key)).toMatchObject({ status: "done", stored: 3, moved: 2 });
    const statuses = await database.db.selectFrom("recipients").select(["id", "status"]).execute();
    expect(new Map(statuses.map((s) => [s.id, s.status]))).toEqual(
      new Map([
        [one.id, "hard_bounce"],
        [two.id, "sent"],
        [three.id, "sent"],
        [other.id, "hard_bounce"],
      ]),
    );
    const suppressed = await database.db.selectFrom("suppressions").select(["tenant_id", "email"]).execute();
    expect(suppressed.map((s) => [s.tenant_id, s.email]).sort()).toEqual(
      [
        [a, "one@example.org"],
        [b, "b@example.org"],
      ].sort(),
    );
  });

  it("polls a tenant every N minutes or at preset times of day in the tenant's zone", async () => {
    const every = takeUser();
    const times = takeUser();
    const everyTenant = await createTestTenant(database, clock);
    const timesTenant = (await createTenant(database.db, clock, { name: "Zoned", timezone: "America/New_York" })).id;
    await saveReceiving(
      database,
      everyTenant,
      receiveSettings(dovecot, every.user, { schedule: { mode: "every", minutes: 10 } }),
      every.pass,
      clock.now(),
    );
    await saveReceiving(
      database,
      timesTenant,
      receiveSettings(dovecot, times.user, {
        protocol: "pop3",
        schedule: { mode: "times", times: ["07:30", "13:00"] },
      }),
      times.pass,
      clock.now(),
    );
    const poller = newPoller(database, clock, dovecot);
    const keys = async () => [...(await poller.pollDue()).keys()].sort();
    const e = tenantMailbox(everyTenant).key;
    const t = tenantMailbox(timesTenant).key;
    // 09:00 UTC = 04:00 in New York. Never polled: both due now.
    expect(await keys()).toEqual([e, t].sort());
    clock.advance(9 * 60_000);
    expect(await keys()).toEqual([]);
    clock.advance(60_000);
    expect(await keys()).toEqual([e]);
    // 07:30 New York = 12:30 UTC.
    clock.set(Date.UTC(2026, 0, 15, 12, 29, 0));
    expect(await keys()).toEqual([e]);
    clock.set(Date.UTC(2026, 0, 15, 12, 30, 0));
    expect(await keys()).toEqual([t]);
    clock.set(Date.UTC(2026, 0, 15, 17, 59, 0));
    expect(await keys()).toEqual([e]);
    clock.set(Date.UTC(2026, 0, 15, 18, 0, 0));
    expect(await keys()).toEqual([t]);
    const state = await readMailboxState(database.db, tenantMailbox(timesTenant));
    // Next: 07:30 New York tomorrow.
    expect(state?.next_poll_at).toBe(Date.UTC(2026, 0, 16, 12, 30, 0));
  });
});
