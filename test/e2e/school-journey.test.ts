import { readFile } from "node:fs/promises";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, expect, it } from "vitest";
import { returnPathFor } from "../../src/delivery/return-path.js";
import type { DeliveryWorker } from "../../src/delivery/worker.js";
import { importMessage, readMessage } from "../../src/mailboxes/import-message.js";
import { OPERATOR_MAILBOX } from "../../src/mailboxes/mailbox-state.js";
import { sendDueDigests } from "../../src/scheduler/digests.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect } from "../support/databases.js";
import { BOUNCE_DOMAIN, newTestWorker, SECRET_KEY, waitUntil } from "../support/delivery.js";
import { type ReceivedMessage, startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { json, openTestApp, type TestApp } from "../support/test-app.js";

/**
 * A school's first announcement, end to end, through the HTTP API only (plus the delivery
 * worker, the digest job and the bounce mailbox's import function, run directly): sync the
 * roll, set preferences, announce to a year group, read the mail that arrives, unsubscribe and
 * open from it, and read the statistics with every recipient status reached.
 */

const MINUTE = 60_000;
const BROWSER_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
const YEAR_5 = "Year 5";

const address = {
  mum: "mum.smith@example.test",
  dad: "dad.smith@example.test",
  dan: "dan.parent@example.test",
  hard: "gone@example.test",
  soft: "busy@example.test",
  digest: "digest.parent@example.test",
  optout: "optout.parent@example.test",
  suppressed: "suppressed@example.test",
  spam: "complainer@example.test",
} as const;

/** The school's roll as its own system would send it. */
const roll = {
  contacts: [
    { externalId: "C-MUM", name: "Maria Smith", email: address.mum },
    { externalId: "C-DAD", name: "David Smith", email: address.dad },
    { externalId: "C-DAN", name: "Dana Jones", email: address.dan },
    { externalId: "C-NOMAIL", name: "Nora Noaddress" },
    { externalId: "C-HARD", name: "Harriet Gone", email: address.hard },
    { externalId: "C-SOFT", name: "Sofia Busy", email: address.soft },
    { externalId: "C-DIGEST", name: "Diego Digest", email: address.digest },
    { externalId: "C-OPTOUT", name: "Olga Optout", email: address.optout },
    { externalId: "C-SUPP", name: "Sam Suppressed", email: address.suppressed },
    { externalId: "C-SPAM", name: "Carl Complainer", email: address.spam },
  ],
  subjects: [
    { externalId: "S-ANN", name: "Ann Smith", groups: [YEAR_5, "5A"] },
    { externalId: "S-BEN", name: "Ben Smith", groups: [YEAR_5, "5B"] },
    // Markup in a name must arrive escaped in the HTML part.
    { externalId: "S-CAI", name: "Cai <Smith> & Co", groups: [YEAR_5, "5A"] },
    { externalId: "S-DAN", name: "Dan Jones", groups: [YEAR_5] },
    { externalId: "S-EVA", name: "Eva Brown", groups: [YEAR_5] },
    { externalId: "S-FIN", name: "Fin Green", groups: [YEAR_5] },
    { externalId: "S-GUS", name: "Gus White", groups: [YEAR_5] },
  ],
  links: [
    ...["S-ANN", "S-BEN", "S-CAI"].flatMap((s) => [
      { contactExternalId: "C-MUM", subjectExternalId: s, relationship: "mother" },
      { contactExternalId: "C-DAD", subjectExternalId: s, relationship: "father" },
    ]),
    { contactExternalId: "C-DAN", subjectExternalId: "S-DAN" },
    { contactExternalId: "C-NOMAIL", subjectExternalId: "S-DAN" },
    { contactExternalId: "C-HARD", subjectExternalId: "S-EVA" },
    { contactExternalId: "C-SOFT", subjectExternalId: "S-EVA" },
    { contactExternalId: "C-DIGEST", subjectExternalId: "S-FIN" },
    { contactExternalId: "C-OPTOUT", subjectExternalId: "S-FIN" },
    { contactExternalId: "C-SUPP", subjectExternalId: "S-GUS" },
    { contactExternalId: "C-SPAM", subjectExternalId: "S-GUS" },
  ],
};

const allStatuses = [
  "queued",
  "sent",
  "opened",
  "soft_bounce",
  "rejected",
  "hard_bounce",
  "spam",
  "email_missing",
  "opted_out",
  "pending_digest",
  "held_no_credit",
  "cancelled",
] as const;
type Counts = Record<(typeof allStatuses)[number], number>;
const zeros = Object.fromEntries(allStatuses.map((s) => [s, 0])) as Counts;

interface Stats {
  counts: Counts;
  total: number;
  delivered: number;
  delayed: number;
  deliveryRate: number;
  openRate: number;
  humanOpens: number;
  opensByHour: { hour: string; opens: number }[];
}
interface RecipientItem {
  recipientId: string;
  email: string;
  contactExternalId: string | null;
  subjects: string[];
  status: string;
}

/** A header of a raw message, unfolded; undefined when absent. */
function header(raw: Buffer, name: string): string | undefined {
  const head = (raw.toString("latin1").split(/\r?\n\r?\n/, 1)[0] ?? "").replace(/\r?\n[ \t]+/g, " ");
  return new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(head)?.[1];
}

/** `https://host/u/abc` -> `/u/abc`: the public URL's path, to inject into the app. */
function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

describeEachDialect("a school's first announcement, through the API", (dialect) => {
  let t: TestApp;
  let server: TestSmtpServer;
  let worker: DeliveryWorker;
  let closeTransport: () => Promise<void>;
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 0)); // Thursday, 09:00 in London
  let operator: { authorization: string };
  let school: { id: string; system: { authorization: string }; staff: { authorization: string } };
  let mainAnnouncement = "";
  let mail = new Map<string, ReceivedMessage>();

  beforeAll(async () => {
    t = await openTestApp(dialect, { clock });
    server = await startTestSmtpServer({
      behaviour: (rcpt) => {
        if (rcpt === address.hard || rcpt === address.suppressed) {
          return { kind: "reply", code: 550, message: `5.1.1 <${rcpt}>: no such user`, at: "rcpt" };
        }
        if (rcpt === address.soft) return { kind: "reply", code: 450, message: "4.2.1 mailbox busy, try later" };
        return { kind: "accept" };
      },
    });
    const made = newTestWorker({ database: t.database, clock, server });
    worker = made.worker;
    closeTransport = () => made.transport.close();
    operator = await t.operatorAuth();
  });
  afterAll(async () => {
    await closeTransport?.();
    await server?.close();
    await t?.close();
  });

  async function newSchool(name: string) {
    const created = await t.inject({
      method: "POST",
      url: "/v1/operator/tenants",
      headers: operator,
      payload: { name, timezone: "Europe/London" },
    });
    expect(created.statusCode).toBe(201);
    const id = json<{ id: string }>(created).id;
    const key = async (role: string) => {
      const res = await t.inject({
        method: "POST",
        url: `/v1/operator/tenants/${id}/keys`,
        headers: operator,
        payload: { role },
      });
      expect(res.statusCode).toBe(201);
      return { authorization: `Bearer ${json<{ key: string }>(res).key}` };
    };
    return { id, system: await key("system"), staff: await key("staff") };
  }

  async function announce(staff: { authorization: string }, body: Record<string, unknown>): Promise<string> {
    const res = await t.inject({
      method: "POST",
      url: "/v1/announcements",
      headers: staff,
      payload: { consolidate: true, essential: false, ...body },
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = json<{ id: string }>(res).id;
    // "Send now": the app fans out in the background; wait until every recipient is queued.
    await waitUntil(
      "the fan-out finished",
      async () => {
        const got = await t.inject({ method: "GET", url: `/v1/announcements/${id}`, headers: staff });
        return json<{ state: string }>(got).state === "sent";
      },
      10_000,
    );
    return id;
  }

  /** Runs the worker until it finds nothing due. */
  async function deliverAll(): Promise<number> {
    let handled = 0;
    for (let i = 0; i < 20; i++) {
      const n = await worker.runOnce();
      if (n === 0) break;
      handled += n;
    }
    return handled;
  }

  async function stats(id: string, staff = school.staff): Promise<Stats> {
    const res = await t.inject({ method: "GET", url: `/v1/announcements/${id}/stats`, headers: staff });
    expect(res.statusCode, res.body).toBe(200);
    return json<Stats>(res);
  }

  async function recipients(id: string, status: string): Promise<RecipientItem[]> {
    const res = await t.inject({
      method: "GET",
      url: `/v1/announcements/${id}/recipients?status=${status}`,
      headers: school.staff,
    });
    expect(res.statusCode, res.body).toBe(200);
    return json<{ items: RecipientItem[] }>(res).items;
  }

  async function contact(externalId: string) {
    const res = await t.inject({ method: "GET", url: `/v1/contacts/${externalId}`, headers: school.staff });
    expect(res.statusCode, res.body).toBe(200);
    return json<{ preferences: { optOuts: { category: string; source: string }[] } }>(res);
  }

  it("syncs the roll and sets two parents' preferences", async () => {
    school = await newSchool("Lindenschule");
    const res = await t.inject({ method: "POST", url: "/v1/audience/sync", headers: school.system, payload: roll });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toMatchObject({
      contacts: { created: 10, failed: 0 },
      subjects: { created: 7, failed: 0 },
      links: { created: 14, failed: 0 },
      errorCount: 0,
    });

    const digest = await t.inject({
      method: "PUT",
      url: "/v1/contacts/C-DIGEST/preferences",
      headers: school.staff,
      payload: { digest: { mode: "daily", time: "17:00" } },
    });
    expect(digest.statusCode, digest.body).toBe(200);
    const optout = await t.inject({
      method: "PUT",
      url: "/v1/contacts/C-OPTOUT/preferences",
      headers: school.staff,
      payload: { optOuts: ["announcement"] },
    });
    expect(optout.statusCode, optout.body).toBe(200);
    expect((await contact("C-OPTOUT")).preferences.optOuts).toMatchObject([{ category: "announcement" }]);
  });

  it("a first email to one parent hard-bounces, which suppresses the address", async () => {
    const id = await announce(school.staff, {
      subject: "Welcome",
      text: "Welcome to the school.",
      audience: { contacts: ["C-SUPP"] },
    });
    expect(await deliverAll()).toBe(1);
    expect((await stats(id)).counts).toEqual({ ...zeros, hard_bounce: 1 });
    const list = await t.inject({ method: "GET", url: "/v1/suppressions", headers: school.staff });
    expect(json<{ items: { email: string; reason: string }[] }>(list).items).toMatchObject([
      { email: address.suppressed, reason: "hard_bounce" },
    ]);
  });

  it("sends a consolidated announcement to Year 5", async () => {
    mainAnnouncement = await announce(school.staff, {
      subject: "Museum trip for {{subject.name}}",
      text: "Dear {{contact.name}},\n\n{{subject.name}} goes to the museum on Friday.",
      html: "<p>Dear {{contact.name}},</p><p><b>{{subject.name}}</b> goes to the museum on Friday.</p><script>alert(1)</script>",
      audience: { subjectGroups: [YEAR_5] },
    });
    // 10 contacts, one email each (the Smiths' three children share one).
    expect(await deliverAll()).toBe(10);
    const received = await server.waitForMessages(4, 5_000);
    mail = new Map(received.map((m) => [m.rcptTo.join(","), m]));
    expect([...mail.keys()].sort()).toEqual([address.dad, address.dan, address.mum, address.spam].sort());
    expect(received).toHaveLength(4);
  });

  it("each Smith parent gets one email naming all three children, filled in, escaped, with unsubscribe and pixel", async () => {
    for (const [email, name] of [
      [address.mum, "Maria Smith"],
      [address.dad, "David Smith"],
    ] as const) {
      const raw = mail.get(email)?.raw ?? Buffer.alloc(0);
      const parsed = await simpleParser(raw);
      expect(parsed.to && "value" in parsed.to ? parsed.to.value : []).toEqual([{ name, address: email }]);
      expect(parsed.subject).toContain("Museum trip for Ann Smith, Ben Smith and Cai <Smith> & Co");
      const text = parsed.text ?? "";
      expect(text).not.toContain("{{");
      for (const child of ["Ann Smith", "Ben Smith", "Cai <Smith> & Co"]) {
        expect(text).toContain(`Dear ${name},`);
        expect(text).toContain(`${child} goes to the museum on Friday.`);
      }
      expect(text.match(/Part \d of 3/g)).toHaveLength(3);
      const html = typeof parsed.html === "string" ? parsed.html : "";
      expect(html).not.toContain("{{");
      expect(html).not.toContain("<script");
      expect(html).not.toContain("<Smith>");
      expect(html).toContain("Cai &lt;Smith&gt; &amp; Co");
      expect(html).toContain("<b>Ann Smith</b>");
      expect(html.match(/<h2 /g)).toHaveLength(3);
      expect(header(raw, "List-Unsubscribe")).toMatch(/^<https:\/\/postbag\.test\/u\/[^>]+>$/);
      expect(header(raw, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
      expect(html).toMatch(/<img [^>]*src="https:\/\/postbag\.test\/o\/[^"]+\.gif"/);
    }
    // Dana's email is about one child: no parts.
    const dan = await simpleParser(mail.get(address.dan)?.raw ?? Buffer.alloc(0));
    expect(dan.subject).toBe("Museum trip for Dan Jones");
    expect(dan.text).toContain("Dear Dana Jones,\n\nDan Jones goes to the museum on Friday.");
  });

  it("One-Click unsubscribe from the email's own header: a GET changes nothing, the POST opts out", async () => {
    const raw = mail.get(address.mum)?.raw ?? Buffer.alloc(0);
    const url = /^<(.+)>$/.exec(header(raw, "List-Unsubscribe") ?? "")?.[1] ?? "";
    const get = await t.inject({ method: "GET", url: pathOf(url) });
    expect(get.statusCode).toBe(200);
    expect(get.headers["content-type"]).toMatch(/^text\/html/);
    expect((await contact("C-MUM")).preferences.optOuts).toEqual([]);

    const post = await t.inject({
      method: "POST",
      url: pathOf(url),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "List-Unsubscribe=One-Click",
    });
    expect(post.statusCode, post.body).toBe(200);
    expect((await contact("C-MUM")).preferences.optOuts).toMatchObject([
      { category: "announcement", source: "one_click" },
    ]);
    // The other parent of the same children is not affected.
    expect((await contact("C-DAD")).preferences.optOuts).toEqual([]);
  });

  it("a reader's browser fetching the pixel a minute later marks the email opened", async () => {
    clock.advance(MINUTE);
    const html = (await simpleParser(mail.get(address.dan)?.raw ?? Buffer.alloc(0))).html;
    const pixel = /<img [^>]*src="(https:\/\/postbag\.test\/o\/[^"]+\.gif)"/.exec(
      typeof html === "string" ? html : "",
    )?.[1];
    expect(pixel).toBeDefined();
    const res = await t.inject({ method: "GET", url: pathOf(pixel ?? ""), headers: { "user-agent": BROWSER_UA } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/gif");
    expect((await recipients(mainAnnouncement, "opened")).map((r) => r.email)).toEqual([address.dan]);
  });

  it("an ARF complaint arriving in the bounce mailbox, addressed to the signed VERP address, marks spam", async () => {
    const received = mail.get(address.spam) as ReceivedMessage;
    const [row] = (await recipients(mainAnnouncement, "sent")).filter((r) => r.email === address.spam);
    const verp = returnPathFor(SECRET_KEY, BOUNCE_DOMAIN, row?.recipientId ?? "");
    // The worker sent it from that very address.
    expect(received.mailFrom).toBe(verp);
    const fixture = await readFile(new URL("../fixtures/bounces/arf-abuse.eml", import.meta.url), "latin1");
    const report = fixture
      .replaceAll("b+01hzx3k4m5n6p7q8r9s0t1v2wa-ddddeeeeffff0000@bounces.postbag.example", verp)
      .replaceAll("annoyed.parent@hotmail.example", address.spam);
    const read = await readMessage("arf-1", Buffer.from(report, "latin1"), 1_000_000);
    const result = await t.db
      .transaction()
      .execute((tx) => importMessage(tx, OPERATOR_MAILBOX, read, { secretKey: SECRET_KEY, now: clock.now() }));
    expect(result).toMatchObject({ stored: true, kind: "complaint", moved: 1 });
    expect((await recipients(mainAnnouncement, "spam")).map((r) => r.email)).toEqual([address.spam]);
    // A complaint suppresses the address too.
    const list = await t.inject({ method: "GET", url: "/v1/suppressions?search=complainer", headers: school.staff });
    expect(json<{ items: { reason: string }[] }>(list).items).toMatchObject([{ reason: "spam" }]);
  });

  it("the statistics show every status the announcement reached", async () => {
    const s = await stats(mainAnnouncement);
    expect(s.counts).toEqual({
      ...zeros,
      sent: 2,
      opened: 1,
      soft_bounce: 1,
      hard_bounce: 1,
      rejected: 1,
      spam: 1,
      email_missing: 1,
      opted_out: 1,
      pending_digest: 1,
    });
    expect(s).toMatchObject({
      total: 10,
      delivered: 4,
      delayed: 0,
      deliveryRate: 0.4,
      openRate: 0.25,
      humanOpens: 1,
    });
    // Dana's open, a minute after 09:00.
    expect(s.opensByHour).toEqual([{ hour: "2026-01-15T09:00:00.000Z", opens: 1 }]);

    const expected: Record<string, [string, string][]> = {
      sent: [
        [address.mum, "C-MUM"],
        [address.dad, "C-DAD"],
      ],
      opened: [[address.dan, "C-DAN"]],
      soft_bounce: [[address.soft, "C-SOFT"]],
      hard_bounce: [[address.hard, "C-HARD"]],
      rejected: [[address.suppressed, "C-SUPP"]],
      spam: [[address.spam, "C-SPAM"]],
      email_missing: [["", "C-NOMAIL"]],
      opted_out: [[address.optout, "C-OPTOUT"]],
      pending_digest: [[address.digest, "C-DIGEST"]],
    };
    for (const [status, rows] of Object.entries(expected)) {
      const items = await recipients(mainAnnouncement, status);
      expect(items.map((r) => [r.email, r.contactExternalId]).sort(), status).toEqual([...rows].sort());
      for (const r of items) expect(r.status).toBe(status);
    }
    const smiths = await recipients(mainAnnouncement, "sent");
    for (const r of smiths) expect([...r.subjects].sort()).toEqual(["Ann Smith", "Ben Smith", "Cai <Smith> & Co"]);

    const csv = await t.inject({
      method: "GET",
      url: `/v1/announcements/${mainAnnouncement}/recipients.csv`,
      headers: school.staff,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^recipient_id,email,contact_external_id,contact_name,subjects,status,/);
    expect(lines).toHaveLength(11);
    const statusOf = (email: string) => lines.find((l) => l.includes(`,${email},`))?.split(",")[5];
    expect(statusOf(address.spam)).toBe("spam");
    expect(statusOf(address.suppressed)).toBe("rejected");
    const filtered = await t.inject({
      method: "GET",
      url: `/v1/announcements/${mainAnnouncement}/recipients.csv?status=hard_bounce`,
      headers: school.staff,
    });
    expect(filtered.body.trimEnd().split("\r\n")).toHaveLength(2);
  });

  it("mail not yet delivered 30 minutes after queueing is flagged delayed; the opted-out mother is opted_out now", async () => {
    const id = await announce(school.staff, {
      subject: "Reminder for {{subject.name}}",
      text: "Bring a packed lunch.",
      audience: { subjects: ["S-DAN", "S-ANN"] },
    });
    let s = await stats(id);
    expect(s.counts).toEqual({ ...zeros, queued: 4 });
    expect(s.delayed).toBe(0);
    clock.advance(31 * MINUTE);
    s = await stats(id);
    expect(s.counts).toEqual({ ...zeros, queued: 4 });
    expect(s.delayed).toBe(4);
    // The operator sees it too: these four plus the soft bounce still waiting for its retry.
    const queue = await t.inject({ method: "GET", url: "/v1/operator/queue", headers: operator });
    expect(json<{ delayedTenants: unknown[] }>(queue).delayedTenants).toContainEqual({
      tenantId: school.id,
      delayed: 5,
    });
    await deliverAll();
    s = await stats(id);
    // The mother unsubscribed with One-Click above; Nora still has no address.
    expect(s.counts).toEqual({ ...zeros, sent: 2, opted_out: 1, email_missing: 1 });
    expect(s.delayed).toBe(0);
    expect((await recipients(id, "opted_out")).map((r) => r.email)).toEqual([address.mum]);
  });

  it("a non-essential alert carries no List-Unsubscribe: alerts cannot be opted out of", async () => {
    const before = server.messages.length;
    await announce(school.staff, {
      subject: "Heating failure",
      text: "School closes at noon.",
      category: "alert",
      audience: { contacts: ["C-DAD"] },
    });
    await deliverAll();
    const [alert] = server.messages.slice(before).filter((m) => m.rcptTo.includes(address.dad));
    expect(alert).toBeDefined();
    const raw = alert?.raw ?? Buffer.alloc(0);
    expect(header(raw, "List-Unsubscribe")).toBeUndefined();
    expect(header(raw, "List-Unsubscribe-Post")).toBeUndefined();
    expect((await simpleParser(raw)).text).not.toContain("/u/");
  });

  it("a school on the hard policy with no credit left has its mail held", async () => {
    const other = await newSchool("Eichenschule");
    const settings = await t.inject({
      method: "PUT",
      url: `/v1/operator/tenants/${other.id}/credit-settings`,
      headers: operator,
      payload: { monthlyAllowance: 0, overLimitPolicy: "hard" },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const sync = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: other.system,
      payload: {
        contacts: [{ externalId: "P1", name: "Paula Poor", email: "paula@example.test" }],
        subjects: [{ externalId: "S1", name: "Pia Poor", groups: [YEAR_5] }],
        links: [{ contactExternalId: "P1", subjectExternalId: "S1" }],
      },
    });
    expect(sync.statusCode, sync.body).toBe(200);
    const before = server.messages.length;
    const id = await announce(other.staff, { subject: "News", text: "Hello", audience: { subjectGroups: [YEAR_5] } });
    await deliverAll();
    expect((await stats(id, other.staff)).counts).toEqual({ ...zeros, held_no_credit: 1 });
    expect(server.messages.slice(before).some((m) => m.rcptTo.includes("paula@example.test"))).toBe(false);
    // The other school's announcement is not visible to this one.
    const foreign = await t.inject({ method: "GET", url: `/v1/announcements/${id}/stats`, headers: school.staff });
    expect(foreign.statusCode).toBe(404);
  });

  it("at digest time the digest job sends one digest and the pending item becomes sent", async () => {
    // 17:00 in London, the digest parent's chosen time.
    clock.set(Date.UTC(2026, 0, 15, 17, 0));
    const before = server.messages.length;
    const digests = await sendDueDigests(t.database, clock.now(), { senderDomain: t.config.senderDomain });
    expect(digests).toHaveLength(1);
    await deliverAll();
    const toDigest = server.messages.slice(before).filter((m) => m.rcptTo.includes(address.digest));
    expect(toDigest).toHaveLength(1);
    const digestMail = await simpleParser(toDigest[0]?.raw ?? Buffer.alloc(0));
    expect(digestMail.text).toContain("Museum trip for Fin Green");
    expect(digestMail.to && "value" in digestMail.to ? digestMail.to.value : []).toEqual([
      { name: "Diego Digest", address: address.digest },
    ]);
    const digestRaw = toDigest[0]?.raw ?? Buffer.alloc(0);
    expect(header(digestRaw, "List-Unsubscribe")).toMatch(/^<https:\/\/postbag\.test\/u\/[^>]+>$/);
    expect(header(digestRaw, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    expect((await recipients(mainAnnouncement, "pending_digest")).length).toBe(0);
    const s = await stats(mainAnnouncement);
    expect(s.counts).toMatchObject({ sent: 3, pending_digest: 0 });
    expect((await recipients(mainAnnouncement, "sent")).map((r) => r.email).sort()).toEqual(
      [address.dad, address.digest, address.mum].sort(),
    );
    // Running the job again sends nothing more.
    expect(await sendDueDigests(t.database, clock.now(), { senderDomain: t.config.senderDomain })).toEqual([]);
  });

  it("the README walkthrough gives what the README says", async () => {
    const oak = await newSchool("Oakwood Primary");
    const sync = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: oak.system,
      payload: {
        contacts: [
          { externalId: "C-MUM", name: "Maria Smith", email: "maria@example.com" },
          { externalId: "C-DAD", name: "David Smith", email: "david@example.com" },
          { externalId: "C-NOMAIL", name: "Nora Jones" },
        ],
        subjects: [
          { externalId: "S-ANN", name: "Ann Smith", groups: [YEAR_5] },
          { externalId: "S-BEN", name: "Ben Smith", groups: [YEAR_5] },
          { externalId: "S-DAN", name: "Dan Jones", groups: [YEAR_5] },
        ],
        links: [
          { contactExternalId: "C-MUM", subjectExternalId: "S-ANN", relationship: "mother" },
          { contactExternalId: "C-MUM", subjectExternalId: "S-BEN", relationship: "mother" },
          { contactExternalId: "C-DAD", subjectExternalId: "S-ANN", relationship: "father" },
          { contactExternalId: "C-DAD", subjectExternalId: "S-BEN", relationship: "father" },
          { contactExternalId: "C-NOMAIL", subjectExternalId: "S-DAN" },
        ],
      },
    });
    expect(json(sync)).toMatchObject({
      contacts: { created: 3 },
      subjects: { created: 3 },
      links: { created: 5 },
      errors: [],
      errorCount: 0,
    });
    for (const [id, payload] of [
      ["C-DAD", { digest: { mode: "daily", time: "17:00" } }],
      ["C-NOMAIL", { optOuts: ["announcement"] }],
    ] as const) {
      const res = await t.inject({
        method: "PUT",
        url: `/v1/contacts/${id}/preferences`,
        headers: oak.staff,
        payload,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const before = server.messages.length;
    const id = await announce(oak.staff, {
      subject: "Museum trip for {{subject.name}}",
      text: "Dear {{contact.name}},\n\n{{subject.name}} goes to the museum on Friday.",
      html: "<p>Dear {{contact.name}},</p><p><b>{{subject.name}}</b> goes to the museum on Friday.</p>",
      audience: { subjectGroups: [YEAR_5] },
    });
    await deliverAll();
    const s = await stats(id, oak.staff);
    expect(s.counts).toEqual({ ...zeros, sent: 1, opted_out: 1, pending_digest: 1 });
    expect(s.total).toBe(3);
    const maria = server.messages.slice(before).filter((m) => m.rcptTo.includes("maria@example.com"));
    expect(maria).toHaveLength(1);
    const parsed = await simpleParser(maria[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe("Museum trip for Ann Smith and Ben Smith");
    expect(parsed.text?.match(/Part \d of 2/g)).toHaveLength(2);
  });
});
