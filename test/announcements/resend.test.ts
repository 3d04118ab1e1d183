import { afterAll, beforeAll, expect, it } from "vitest";
import type { DeliveryWorker } from "../../src/delivery/worker.js";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect } from "../support/databases.js";
import { newTestWorker, waitUntil } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";

/**
 * Fix and resend (`POST /v1/announcements/:id/resend`) against a real SMTP server that accepts
 * or refuses per address: a new delivery linked to the one it replaces, counted once in the
 * statistics by the latest delivery, charged like any email, never to a recipient who has it
 * unless asked, and a soft bounce still retrying is replaced so only one copy goes.
 */

const MINUTE = 60_000;
const address = {
  ok: "ok.parent@example.test",
  fixed: "nora.fixed@example.test",
  hard: "gone@example.test",
  soft: "busy@example.test",
  policy: "policy@example.test",
} as const;

const roll = {
  contacts: [
    { externalId: "C-OK", name: "Olivia Ok", email: address.ok },
    { externalId: "C-NOMAIL", name: "Nora Noaddress" },
    { externalId: "C-HARD", name: "Harriet Gone", email: address.hard },
    { externalId: "C-SOFT", name: "Sofia Busy", email: address.soft },
    { externalId: "C-POLICY", name: "Pat Policy", email: address.policy },
  ],
  subjects: [{ externalId: "S-1", name: "Sam Pupil", groups: ["Year 3"] }],
  links: ["C-OK", "C-NOMAIL", "C-HARD", "C-SOFT", "C-POLICY"].map((c) => ({
    contactExternalId: c,
    subjectExternalId: "S-1",
  })),
};

interface Recipient {
  recipientId: string;
  email: string;
  contactExternalId: string | null;
  status: string;
  resendOf: string | null;
  previousStatus: string | null;
  replacedAt: string | null;
  suppressed: boolean;
}
interface Resent {
  deliveries: { recipientId: string; resendOf: string; email: string; status: string }[];
  skipped: { recipientId: string; status: string; reason: string }[];
}

describeEachDialect("resending an announcement", (dialect) => {
  let t: TestApp;
  let server: TestSmtpServer;
  let worker: DeliveryWorker;
  let closeTransport: () => Promise<void>;
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0));
  let school: TestTenant;
  let other: TestTenant;
  let announcementId = "";
  const accepting = new Set<string>([address.ok, address.fixed]);

  beforeAll(async () => {
    t = await openTestApp(dialect, { clock });
    server = await startTestSmtpServer({
      behaviour: (rcpt) => {
        if (accepting.has(rcpt)) return { kind: "accept" };
        if (rcpt === address.hard) return { kind: "reply", code: 550, message: "5.1.1 no such user", at: "rcpt" };
        if (rcpt === address.soft) return { kind: "reply", code: 450, message: "4.2.1 mailbox busy, try later" };
        return { kind: "reply", code: 550, message: "5.7.1 message refused by local policy" };
      },
    });
    const made = newTestWorker({ database: t.database, clock, server });
    worker = made.worker;
    closeTransport = () => made.transport.close();
    school = await t.newTenant("Hillside");
    other = await t.newTenant("Elsewhere");
    const sync = await t.inject({ method: "POST", url: "/v1/audience/sync", headers: school.auth(), payload: roll });
    expect(sync.statusCode, sync.body).toBe(200);
    const res = await t.inject({
      method: "POST",
      url: "/v1/announcements",
      headers: school.auth("staff"),
      payload: {
        subject: "Sports day",
        text: "Dear {{contact.name}}, sports day is on Friday.",
        audience: { subjectGroups: ["Year 3"] },
        consolidate: true,
        essential: false,
      },
    });
    expect(res.statusCode, res.body).toBe(202);
    announcementId = json<{ id: string }>(res).id;
    await waitUntil(
      "the fan-out finished",
      async () => {
        const got = await t.inject({
          method: "GET",
          url: `/v1/announcements/${announcementId}`,
          headers: school.auth("staff"),
        });
        return json<{ state: string }>(got).state === "sent";
      },
      10_000,
    );
    await deliverAll();
  });
  afterAll(async () => {
    await closeTransport?.();
    await server?.close();
    await t?.close();
  });

  async function deliverAll(): Promise<void> {
    for (let i = 0; i < 20; i++) if ((await worker.runOnce()) === 0) return;
  }

  const resend = (payload: unknown, tenant = school, id = announcementId, role: "staff" | "system" = "staff") =>
    t.inject({
      method: "POST",
      url: `/v1/announcements/${id}/resend`,
      headers: tenant.auth(role),
      payload: payload as object,
    });

  async function recipients(query = ""): Promise<Recipient[]> {
    const res = await t.inject({
      method: "GET",
      url: `/v1/announcements/${announcementId}/recipients${query}`,
      headers: school.auth("staff"),
    });
    expect(res.statusCode, res.body).toBe(200);
    return json<{ items: Recipient[] }>(res).items;
  }
  const latestOf = async (contact: string) =>
    (await recipients()).find((r) => r.contactExternalId === contact) as Recipient;

  async function counts(): Promise<Record<string, number>> {
    const res = await t.inject({
      method: "GET",
      url: `/v1/announcements/${announcementId}/stats`,
      headers: school.auth("staff"),
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<{ counts: Record<string, number>; total: number }>(res);
    expect(body.total).toBe(5);
    return Object.fromEntries(Object.entries(body.counts).filter(([, n]) => n > 0));
  }

  /** Credit counted this month, less refunds: what the school pays for. */
  async function counted(): Promise<number> {
    const rows = await t.db.selectFrom("credit_periods").select("counted").where("tenant_id", "=", school.id).execute();
    return rows.reduce((sum, r) => sum + Number(r.counted), 0);
  }

  const delivered = (email: string) => server.messages.filter((m) => m.rcptTo.includes(email)).length;

  it("starts from every failure the report can show", async () => {
    expect(await counts()).toEqual({ sent: 1, email_missing: 1, hard_bounce: 1, soft_bounce: 1, rejected: 1 });
    expect((await latestOf("C-HARD")).suppressed).toBe(true);
    expect((await latestOf("C-SOFT")).suppressed).toBe(false);
    // Sent, and the soft bounce charged for its first attempt; the others were refunded or never charged.
    expect(await counted()).toBe(2);
  });

  it("refuses bad input, other tenants' ids and the system role", async () => {
    const sent = await latestOf("C-OK");
    expect((await resend({})).statusCode).toBe(400);
    expect((await resend({ failed: false })).statusCode).toBe(400);
    expect((await resend({ failed: "yes" })).statusCode).toBe(400);
    expect((await resend({ recipientIds: "x" })).statusCode).toBe(400);
    expect((await resend({ recipientIds: [""] })).statusCode).toBe(400);
    expect((await resend({ recipientIds: [sent.recipientId], extra: 1 })).statusCode).toBe(400);
    expect((await resend({ recipientIds: Array.from({ length: 1001 }, (_, i) => `id${i}`) })).statusCode).toBe(400);
    const unknown = await resend({ recipientIds: ["01ARZ3NDEKTSV4RRFFQ69G5FAV"] });
    expect(unknown.statusCode).toBe(404);
    expect((await resend({ failed: true }, school, "nope")).statusCode).toBe(404);
    // Another tenant: neither the announcement nor its recipients are found.
    expect((await resend({ failed: true }, other)).statusCode).toBe(404);
    const synced = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: other.auth(),
      payload: { contacts: [{ externalId: "X1", name: "Xena", email: "xena@example.test" }] },
    });
    expect(synced.statusCode, synced.body).toBe(200);
    const foreign = await t.inject({
      method: "POST",
      url: "/v1/announcements",
      headers: other.auth("staff"),
      payload: { subject: "x", text: "x", audience: { contacts: ["X1"] }, consolidate: false, essential: false },
    });
    expect(foreign.statusCode, foreign.body).toBe(202);
    const foreignId = json<{ id: string }>(foreign).id;
    await waitUntil(
      "the other fan-out finished",
      async () =>
        (await t.db.selectFrom("announcements").select("state").where("id", "=", foreignId).executeTakeFirst())
          ?.state === "sent",
      10_000,
    );
    const foreignRow = await t.db
      .selectFrom("recipients")
      .select("id")
      .where("tenant_id", "=", other.id)
      .executeTakeFirstOrThrow();
    // This school's recipient through the other school's announcement, and the other way round.
    expect((await resend({ recipientIds: [sent.recipientId] }, other, foreignId)).statusCode).toBe(404);
    expect((await resend({ recipientIds: [foreignRow.id] })).statusCode).toBe(404);
    expect((await resend({ recipientIds: [foreignRow.id] }, school, foreignId)).statusCode).toBe(404);
    expect((await resend({ failed: true }, school, announcementId, "system")).statusCode).toBe(403);
    // Nothing changed.
    expect(await counts()).toEqual({ sent: 1, email_missing: 1, hard_bounce: 1, soft_bounce: 1, rejected: 1 });
  });

  it("never resends to a recipient who has it, unless includeSent", async () => {
    const sent = await latestOf("C-OK");
    const res = await resend({ recipientIds: [sent.recipientId] });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Resent>(res)).toEqual({
      deliveries: [],
      skipped: [{ recipientId: sent.recipientId, status: "sent", reason: "already_sent" }],
    });
  });

  it("an email_missing recipient whose address is corrected is resent and ends sent", async () => {
    const missing = await latestOf("C-NOMAIL");
    expect(missing.status).toBe("email_missing");
    // Still no address: nothing to send to.
    const early = json<Resent>(await resend({ recipientIds: [missing.recipientId] }));
    expect(early.skipped).toEqual([
      { recipientId: missing.recipientId, status: "email_missing", reason: "no_address" },
    ]);

    const fix = await t.inject({
      method: "PATCH",
      url: "/v1/contacts/C-NOMAIL",
      headers: school.auth("staff"),
      payload: { email: address.fixed },
    });
    expect(fix.statusCode, fix.body).toBe(200);
    const res = await resend({ recipientIds: [missing.recipientId] });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<Resent>(res);
    expect(body.skipped).toEqual([]);
    expect(body.deliveries).toMatchObject([{ resendOf: missing.recipientId, email: address.fixed, status: "queued" }]);
    // Asking again resends nothing: the original was replaced.
    const again = json<Resent>(await resend({ recipientIds: [missing.recipientId] }));
    expect(again).toEqual({
      deliveries: [],
      skipped: [{ recipientId: missing.recipientId, status: "email_missing", reason: "replaced" }],
    });
    expect(await counts()).toEqual({ sent: 1, queued: 1, hard_bounce: 1, soft_bounce: 1, rejected: 1 });

    await deliverAll();
    expect(delivered(address.fixed)).toBe(1);
    expect(await counts()).toEqual({ sent: 2, hard_bounce: 1, soft_bounce: 1, rejected: 1 });
    const latest = await latestOf("C-NOMAIL");
    expect(latest).toMatchObject({
      recipientId: body.deliveries[0]?.recipientId,
      status: "sent",
      email: address.fixed,
      resendOf: missing.recipientId,
      previousStatus: "email_missing",
    });
    // The report keeps both deliveries.
    const all = (await recipients("?deliveries=all")).filter((r) => r.contactExternalId === "C-NOMAIL");
    expect(all.map((r) => [r.status, r.replacedAt !== null])).toEqual([
      ["email_missing", true],
      ["sent", false],
    ]);
    const csv = await t.inject({
      method: "GET",
      url: `/v1/announcements/${announcementId}/recipients.csv?deliveries=all`,
      headers: school.auth("staff"),
    });
    expect(csv.body.trimEnd().split("\r\n")).toHaveLength(7);
    expect(await counted()).toBe(3);
  });

  it("a suppressed address is skipped until an administrator resets it", async () => {
    const hard = await latestOf("C-HARD");
    const skipped = json<Resent>(await resend({ recipientIds: [hard.recipientId] }));
    expect(skipped.skipped).toEqual([{ recipientId: hard.recipientId, status: "hard_bounce", reason: "suppressed" }]);
    const reset = await t.inject({
      method: "DELETE",
      url: `/v1/suppressions/${encodeURIComponent(address.hard)}`,
      headers: school.auth("administrator"),
      payload: { note: "the parent says the mailbox works again" },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    accepting.add(address.hard);
    const res = json<Resent>(await resend({ recipientIds: [hard.recipientId] }));
    expect(res.deliveries).toMatchObject([{ resendOf: hard.recipientId, email: address.hard }]);
    await deliverAll();
    expect(delivered(address.hard)).toBe(1);
    expect(await counts()).toEqual({ sent: 3, soft_bounce: 1, rejected: 1 });
  });

  it("resending all failed replaces the soft bounce's pending retry: one copy goes, one charge", async () => {
    const soft = await latestOf("C-SOFT");
    const before = await t.db
      .selectFrom("recipients")
      .select(["next_attempt_at", "charge"])
      .where("id", "=", soft.recipientId)
      .executeTakeFirstOrThrow();
    expect(before.next_attempt_at).not.toBeNull();
    expect(before.charge).toMatch(/^allowance:/);
    const chargedBefore = await counted();
    accepting.add(address.soft);
    accepting.add(address.policy);

    const res = await resend({ failed: true });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<Resent>(res);
    expect(body.deliveries.map((d) => d.email).sort()).toEqual([address.policy, address.soft].sort());
    expect(body.skipped).toEqual([]);
    const after = await t.db
      .selectFrom("recipients")
      .select(["next_attempt_at", "charge", "replaced_at", "status"])
      .where("id", "=", soft.recipientId)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ next_attempt_at: null, status: "soft_bounce" });
    expect(after.replaced_at).not.toBeNull();
    // The stopped retry's credit came back; the new delivery is charged when it goes.
    expect(after.charge).toMatch(/^refunded:/);
    expect(await counted()).toBe(chargedBefore - 1);

    // Well past the old retry's time: only the new delivery goes.
    clock.advance(60 * MINUTE);
    await deliverAll();
    expect(delivered(address.soft)).toBe(1);
    expect(delivered(address.policy)).toBe(1);
    expect(await counts()).toEqual({ sent: 5 });
    expect(await counted()).toBe(5);
    // Nothing failed is left.
    expect(json<Resent>(await resend({ failed: true }))).toEqual({ deliveries: [], skipped: [] });
  });

  it("includeSent resends to a recipient who has it, charged again", async () => {
    const sent = await latestOf("C-OK");
    const res = json<Resent>(await resend({ recipientIds: [sent.recipientId], includeSent: true }));
    expect(res.deliveries).toMatchObject([{ resendOf: sent.recipientId, email: address.ok }]);
    await deliverAll();
    expect(delivered(address.ok)).toBe(2);
    expect(await counts()).toEqual({ sent: 5 });
    expect(await counted()).toBe(6);
  });

  it("two resends of the same recipient at once queue one delivery", async () => {
    const sent = await latestOf("C-OK");
    const both = await Promise.all([
      resend({ recipientIds: [sent.recipientId], includeSent: true }),
      resend({ recipientIds: [sent.recipientId], includeSent: true }),
    ]);
    const bodies = both.map((r) => json<Resent>(r));
    expect(bodies.flatMap((b) => b.deliveries)).toHaveLength(1);
    expect(bodies.flatMap((b) => b.skipped.map((x) => x.reason))).toEqual([expect.stringMatching(/^(busy|replaced)$/)]);
    await deliverAll();
    expect(delivered(address.ok)).toBe(3);
    expect(await counts()).toEqual({ sent: 5 });
  });

  it("the list finds the announcement by part of its subject and by state; another tenant's stays apart", async () => {
    const list = async (query: string, tenant = school) => {
      const res = await t.inject({ method: "GET", url: `/v1/announcements${query}`, headers: tenant.auth("staff") });
      expect(res.statusCode, res.body).toBe(200);
      return json<{ items: { id: string }[] }>(res).items.map((a) => a.id);
    };
    expect(await list("?search=SPORTS")).toEqual([announcementId]);
    expect(await list("?search=sports&state=sent&state=sending")).toEqual([announcementId]);
    expect(await list("?state=cancelled")).toEqual([]);
    expect(await list("?search=%25")).toEqual([]);
    expect(await list("?search=sports", other)).toEqual([]);
    const bad = await t.inject({ method: "GET", url: "/v1/announcements?state=lost", headers: school.auth("staff") });
    expect(bad.statusCode).toBe(400);
  });

  it("the statistics count opens per hour", async () => {
    const res = await t.inject({
      method: "GET",
      url: `/v1/announcements/${announcementId}/stats`,
      headers: school.auth("staff"),
    });
    expect(json<{ opensByHour: unknown[] }>(res).opensByHour).toEqual([]);
  });
});
