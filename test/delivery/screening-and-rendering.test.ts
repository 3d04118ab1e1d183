import { simpleParser } from "mailparser";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { optOut } from "../../src/audience/preferences.js";
import type { Database } from "../../src/db/database.js";
import type { DeliveryWorker } from "../../src/delivery/worker.js";
import { suppress } from "../../src/messages/suppressions.js";
import { ManualClock } from "../../src/time/clock.js";
import { readLink } from "../../src/tracking/links.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  newTestWorker,
  PUBLIC_URL,
  SECRET_KEY,
} from "../support/delivery.js";
import { type ReceivedMessage, startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { insertAnnouncement, insertContact, insertSubject, insertWebhookEndpoint } from "./announcement-rows.js";

/** A header of a raw message, unfolded; undefined when absent. */
function header(raw: Buffer, name: string): string | undefined {
  const head = (raw.toString("latin1").split(/\r?\n\r?\n/, 1)[0] ?? "").replace(/\r?\n[ \t]+/g, " ");
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, "im");
  return re.exec(head)?.[1];
}

function to(received: ReceivedMessage): string {
  return received.rcptTo.join(",");
}

describeEachDialect("screening and per-recipient rendering", (dialect) => {
  let test: TestDatabase;
  let database: Database;
  let server: TestSmtpServer;
  let clock: ManualClock;
  let tenantId: string;
  let connections = 0;
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
    clock = new ManualClock();
    tenantId = await createTestTenant(database, clock);
    server.setBehaviour({ kind: "accept" });
    server.messages.length = 0;
    connections = server.connections;
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await database.db
      .updateTable("recipients")
      .set({ next_attempt_at: null })
      .where("next_attempt_at", "is not", null)
      .execute();
  });

  function newWorker(): DeliveryWorker {
    const { worker, transport } = newTestWorker({ database, clock, server });
    stops.push(() => transport.close());
    return worker;
  }

  async function row(id: string) {
    return database.db.selectFrom("recipients").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  }

  async function statuses(id: string): Promise<string[]> {
    const events = await database.db
      .selectFrom("events")
      .select("status")
      .where("recipient_id", "=", id)
      .orderBy("id")
      .execute();
    return events.map((e) => e.status);
  }

  async function parent(name = "Sam Parent", email = `sam-${Math.random().toString(36).slice(2)}@example.test`) {
    return { contactId: await insertContact(database, clock, tenantId, { name, email }), email };
  }

  it("a suppressed address is rejected with the reason and never sent; Essential does not override it", async () => {
    const p = await parent();
    await suppress(database.db, [
      { tenantId, email: p.email.toUpperCase(), reason: "hard_bounce", detail: "550", recipientId: null, at: 0 },
    ]);
    const plain = await insertAnnouncement(database, clock, tenantId, { subject: "News", recipients: [p] });
    const essential = await insertAnnouncement(database, clock, tenantId, {
      subject: "Closure",
      essential: true,
      recipients: [p],
    });
    const [api] = await acceptMessages(database, clock, tenantId, [message({ to: [p.email] })]);
    expect(await newWorker().runOnce()).toBe(3);
    for (const id of [plain.recipientIds[0], essential.recipientIds[0], api?.recipients[0]?.id]) {
      const r = await row(id ?? "");
      expect(r).toMatchObject({
        status: "rejected",
        attempts: 0,
        next_attempt_at: null,
        lease_owner: null,
        charge: null,
      });
      expect(r.last_smtp_text).toContain("suppressed");
      expect(r.last_smtp_text).toContain("hard_bounce");
    }
    expect(await statuses(plain.recipientIds[0] ?? "")).toEqual(["rejected"]);
    expect(server.messages).toHaveLength(0);
    const ledger = await database.db
      .selectFrom("credit_ledger")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(ledger).toHaveLength(0);
  });

  it("screens every attempt: an address suppressed while its mail waits for a retry is not tried again", async () => {
    const p = await parent();
    server.setBehaviour((rcpt) =>
      rcpt === p.email
        ? { kind: "reply", code: 451, message: "4.3.0 try again later", at: "rcpt" }
        : { kind: "accept" },
    );
    const [api] = await acceptMessages(database, clock, tenantId, [message({ to: [p.email] })]);
    const id = api?.recipients[0]?.id ?? "";
    await newWorker().runOnce();
    expect(await row(id)).toMatchObject({ status: "soft_bounce", attempts: 1 });
    // Suppressed meanwhile (say, a bounce of other mail to the address read from the mailbox).
    await suppress(database.db, [
      { tenantId, email: p.email, reason: "hard_bounce", detail: "550", recipientId: null, at: clock.now() },
    ]);
    server.setBehaviour({ kind: "accept" });
    clock.advance(24 * 3_600_000);
    expect(await newWorker().runOnce()).toBe(1);
    const r = await row(id);
    expect(r).toMatchObject({ status: "rejected", attempts: 1, next_attempt_at: null, lease_owner: null });
    expect(r.last_smtp_text).toContain("suppressed");
    expect(server.messages).toHaveLength(0);
    expect(await statuses(id)).toEqual(["queued", "soft_bounce", "rejected"]);
  });

  it("an opted-out contact: opted_out without Essential, sent with Essential", async () => {
    const p = await parent();
    await optOut(database.db, { tenantId, contactId: p.contactId, category: "announcement", source: "api", at: 0 });
    const plain = await insertAnnouncement(database, clock, tenantId, { subject: "Bake sale", recipients: [p] });
    const essential = await insertAnnouncement(database, clock, tenantId, {
      subject: "School closed today",
      essential: true,
      recipients: [p],
    });
    // Another category is not affected by the opt-out.
    const other = await insertAnnouncement(database, clock, tenantId, {
      subject: "Alert",
      category: "alert",
      recipients: [p],
    });
    await newWorker().runOnce();
    expect(await row(plain.recipientIds[0] ?? "")).toMatchObject({ status: "opted_out", attempts: 0, charge: null });
    expect(await statuses(plain.recipientIds[0] ?? "")).toEqual(["opted_out"]);
    expect(await row(essential.recipientIds[0] ?? "")).toMatchObject({ status: "sent", attempts: 1 });
    expect(await row(other.recipientIds[0] ?? "")).toMatchObject({ status: "sent" });
    expect(server.messages.map((m) => header(m.raw, "Subject")).sort()).toEqual(["Alert", "School closed today"]);
  });

  it("a contact without an address: email_missing, never charged, before any SMTP", async () => {
    const contactId = await insertContact(database, clock, tenantId, { name: "No Email", email: null });
    const a = await insertAnnouncement(database, clock, tenantId, {
      subject: "x",
      recipients: [{ contactId, email: "" }],
    });
    expect(await newWorker().runOnce()).toBe(1);
    expect(await row(a.recipientIds[0] ?? "")).toMatchObject({ status: "email_missing", attempts: 0, charge: null });
    expect(server.connections).toBe(connections);
  });

  it("a hard bounce from SMTP suppresses the address: the next email to it is rejected", async () => {
    const p = await parent();
    server.setBehaviour((rcpt) =>
      rcpt === p.email ? { kind: "reply", code: 550, message: "5.1.1 no such user", at: "rcpt" } : { kind: "accept" },
    );
    const first = await insertAnnouncement(database, clock, tenantId, { subject: "One", recipients: [p] });
    await newWorker().runOnce();
    expect(await row(first.recipientIds[0] ?? "")).toMatchObject({ status: "hard_bounce" });
    const s = await database.db
      .selectFrom("suppressions")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    expect(s).toMatchObject({ email: p.email, reason: "hard_bounce", recipient_id: first.recipientIds[0] });
    const [again] = await acceptMessages(database, clock, tenantId, [message({ to: [p.email] })]);
    await newWorker().runOnce();
    expect(await row(again?.recipients[0]?.id ?? "")).toMatchObject({ status: "rejected", attempts: 0 });
  });

  it("status changes are queued for the tenant's webhook endpoints, and only for tenants with one", async () => {
    const [before] = await acceptMessages(database, clock, tenantId, [message({ to: ["a@example.test"] })]);
    await newWorker().runOnce();
    expect(await row(before?.recipients[0]?.id ?? "")).toMatchObject({ status: "sent" });
    expect(
      await database.db.selectFrom("webhook_deliveries").select("id").where("tenant_id", "=", tenantId).execute(),
    ).toHaveLength(0);

    const endpoint = await insertWebhookEndpoint(database, clock, tenantId);
    const p = await parent();
    await optOut(database.db, { tenantId, contactId: p.contactId, category: "announcement", source: "api", at: 0 });
    await insertAnnouncement(database, clock, tenantId, { subject: "x", recipients: [p] });
    server.setBehaviour((rcpt) =>
      rcpt === "gone@example.test"
        ? { kind: "reply", code: 550, message: "5.1.1 gone", at: "rcpt" }
        : { kind: "accept" },
    );
    const [api] = await acceptMessages(database, clock, tenantId, [
      message({ to: ["b@example.test", "gone@example.test"] }),
    ]);
    await newWorker().runOnce();
    const hooks = await database.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .orderBy("event_type")
      .execute();
    expect(hooks.map((h) => h.event_type)).toEqual(["message.hard_bounce", "message.opted_out", "message.sent"]);
    for (const h of hooks) expect(h).toMatchObject({ endpoint_id: endpoint, state: "pending", attempts: 0 });
    const sent = JSON.parse(hooks[2]?.payload ?? "{}") as { data: { recipientId: string; email: string } };
    expect(sent.data).toMatchObject({ recipientId: api?.recipients[0]?.id, email: "b@example.test" });
  });

  it("consolidated: three siblings in one email with a part each, the subject naming all three", async () => {
    const p = await parent("Robin Parent");
    const ann = await insertSubject(database, clock, tenantId, "Ann");
    const ben = await insertSubject(database, clock, tenantId, "Ben");
    const cai = await insertSubject(database, clock, tenantId, "Cai");
    const a = await insertAnnouncement(database, clock, tenantId, {
      subject: "Reports for {{subject.name}}",
      text: "Dear {{contact.name}}, {{subject.name}} ({{subject.class}}) has a report.",
      html: "<p>Dear {{contact.name}}, <b>{{subject.name}}</b> ({{subject.class}}) has a report.</p>",
      consolidate: true,
      mergeData: {
        [ann.externalId]: { class: "4B" },
        [ben.externalId]: { class: "2A" },
        [cai.externalId]: { class: "R" },
      },
      recipients: [{ ...p, subjectIds: [ann.id, ben.id, cai.id] }],
    });
    await newWorker().runOnce();
    expect(server.messages).toHaveLength(1);
    const received = server.messages[0] as ReceivedMessage;
    const mail = await simpleParser(received.raw);
    expect(mail.subject).toBe("Reports for Ann, Ben and Cai");
    expect(mail.to && "value" in mail.to ? mail.to.value : []).toEqual([{ name: "Robin Parent", address: p.email }]);
    expect(mail.messageId).toBe(`<${a.recipientIds[0]}@postbag.test>`);
    const text = mail.text ?? "";
    for (const [i, line] of ["Ann (4B)", "Ben (2A)", "Cai (R)"].entries()) {
      expect(text).toContain(`Part ${i + 1} of 3: about ${line.split(" ")[0]}`);
      expect(text).toContain(`Dear Robin Parent, ${line} has a report.`);
    }
    const html = typeof mail.html === "string" ? mail.html : "";
    expect(html.match(/<h2 /g)).toHaveLength(3);
    expect(html).toContain("<b>Ben</b> (2A) has a report.");
    // One email, one charge.
    expect(await row(a.recipientIds[0] ?? "")).toMatchObject({
      status: "sent",
      charge: expect.stringMatching(/^allowance:/),
    });
  });

  it("merge values are escaped in HTML: a contact named <script> cannot inject markup", async () => {
    const p = await parent(`<script>alert("x")</script>`);
    await insertAnnouncement(database, clock, tenantId, {
      subject: "Hi {{contact.name}}",
      html: "<p>Dear {{contact.name}}</p>",
      text: "Dear {{contact.name}}",
      recipients: [p],
    });
    await newWorker().runOnce();
    const mail = await simpleParser((server.messages[0] as ReceivedMessage).raw);
    const html = typeof mail.html === "string" ? mail.html : "";
    expect(html).toContain("<p>Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>");
    expect(html).not.toContain("<script");
    expect(mail.text).toContain(`Dear <script>alert("x")</script>`);
  });

  it("List-Unsubscribe (RFC 8058) on non-essential announcements only; no X-Postbag-Ref on relay mail", async () => {
    const p = await parent();
    const plain = await insertAnnouncement(database, clock, tenantId, { subject: "Plain", recipients: [p] });
    await insertAnnouncement(database, clock, tenantId, {
      subject: "Essential",
      essential: true,
      recipients: [p],
    });
    const [api] = await acceptMessages(database, clock, tenantId, [message({ to: [p.email], subject: "Api" })]);
    // Accepting refuses X-Postbag-* headers; a stored one (older rows) still never goes out.
    await database.db
      .updateTable("messages")
      .set({ headers: JSON.stringify({ "x-postbag-ref": "forged" }) })
      .where("id", "=", api?.id ?? "")
      .execute();
    await newWorker().runOnce();
    expect(server.messages).toHaveLength(3);
    const apiRaw = server.messages.find((m) => header(m.raw, "Subject") === "Api")?.raw.toString() ?? "";
    expect(apiRaw.match(/^x-postbag-ref:/gim)).toBeNull();
    expect(apiRaw).not.toContain("forged");
    const bySubject = new Map(server.messages.map((m) => [header(m.raw, "Subject"), m.raw]));
    const plainRaw = bySubject.get("Plain") as Buffer;
    const listUnsubscribe = header(plainRaw, "List-Unsubscribe") ?? "";
    const url = /^<(https:\/\/[^>]+)>$/.exec(listUnsubscribe)?.[1] ?? "";
    expect(url.startsWith(`${PUBLIC_URL}/u/`)).toBe(true);
    expect(readLink(SECRET_KEY, url.slice(`${PUBLIC_URL}/u/`.length), "unsubscribe", clock.now())).toEqual({
      ok: true,
      tenantId,
      recipientId: plain.recipientIds[0],
    });
    expect(header(plainRaw, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const plainMail = await simpleParser(plainRaw);
    expect(plainMail.text).toContain(url);
    for (const subject of ["Essential", "Api"]) {
      const raw = bySubject.get(subject) as Buffer;
      expect(header(raw, "List-Unsubscribe")).toBeUndefined();
      expect(header(raw, "List-Unsubscribe-Post")).toBeUndefined();
      expect((await simpleParser(raw)).text).not.toContain("/u/");
    }
    // Relay mail carries no reference header: its bounces match by the VERP sender alone.
    expect(api?.id).toBeDefined();
    for (const raw of [plainRaw, bySubject.get("Essential"), bySubject.get("Api")])
      expect(header(raw as Buffer, "X-Postbag-Ref")).toBeUndefined();
    expect(server.messages.every((m) => to(m) === p.email)).toBe(true);
  });

  it("open pixel in HTML mail while the tenant tracks opens (the default), none when it does not", async () => {
    const p = await parent();
    const html = "<p>Hello</p>";
    await insertAnnouncement(database, clock, tenantId, { subject: "A1", html, recipients: [p] });
    await acceptMessages(database, clock, tenantId, [
      message({ to: [p.email], subject: "Api html", html }),
      message({ to: [p.email], subject: "Api text" }),
    ]);
    await newWorker().runOnce();
    const pixels = new Map(
      await Promise.all(
        server.messages.map(async (m) => {
          const mail = await simpleParser(m.raw);
          const src = /<img src="([^"]+\/o\/[^"]+\.gif)"/.exec(typeof mail.html === "string" ? mail.html : "")?.[1];
          return [mail.subject, src] as const;
        }),
      ),
    );
    expect(pixels.get("A1")).toMatch(new RegExp(`^${PUBLIC_URL}/o/.+\\.gif$`));
    expect(pixels.get("Api html")).toMatch(/\/o\/.+\.gif$/);
    expect(pixels.get("Api text")).toBeUndefined();

    await database.db
      .insertInto("tracking_settings")
      .values({ tenant_id: tenantId, track_opens: 0, updated_at: 0 })
      .execute();
    server.messages.length = 0;
    await insertAnnouncement(database, clock, tenantId, { subject: "A2", html, recipients: [p] });
    await acceptMessages(database, clock, tenantId, [message({ to: [p.email], subject: "Api html 2", html })]);
    await newWorker().runOnce();
    expect(server.messages).toHaveLength(2);
    for (const m of server.messages) expect(m.raw.toString("latin1")).not.toContain("/o/");
  });

  it("the signature: on announcements composed with it, on other mail while the tenant has it on", async () => {
    const p = await parent();
    await database.db
      .insertInto("tenant_signatures")
      .values({
        tenant_id: tenantId,
        enabled: 0,
        text: "Mrs Head, Oakwood",
        html: "<p><i>Mrs Head</i></p>",
        updated_at: 0,
      })
      .execute();
    await insertAnnouncement(database, clock, tenantId, {
      subject: "With",
      html: "<p>x</p>",
      useSignature: true,
      recipients: [p],
    });
    await insertAnnouncement(database, clock, tenantId, { subject: "Without", html: "<p>x</p>", recipients: [p] });
    await acceptMessages(database, clock, tenantId, [message({ to: [p.email], subject: "Api off" })]);
    await newWorker().runOnce();
    await database.db.updateTable("tenant_signatures").set({ enabled: 1 }).where("tenant_id", "=", tenantId).execute();
    await acceptMessages(database, clock, tenantId, [message({ to: [p.email], subject: "Api on" })]);
    await newWorker().runOnce();
    const mails = new Map(
      await Promise.all(
        server.messages.map(async (m) => [header(m.raw, "Subject"), await simpleParser(m.raw)] as const),
      ),
    );
    expect(mails.get("With")?.html).toContain("<p><i>Mrs Head</i></p>");
    expect(mails.get("With")?.text).toContain("-- \nMrs Head, Oakwood");
    expect(mails.get("Without")?.text).not.toContain("Mrs Head");
    expect(mails.get("Api off")?.text).not.toContain("Mrs Head");
    expect(mails.get("Api on")?.text).toContain("-- \nMrs Head, Oakwood");
  });
});
