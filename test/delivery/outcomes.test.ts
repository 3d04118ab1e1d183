import { simpleParser } from "mailparser";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EventRow, RecipientRow } from "../../src/db/tables.js";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { recipientFromReturnPath } from "../../src/delivery/return-path.js";
import type { DeliveryWorker } from "../../src/delivery/worker.js";
import { ManualClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import {
  acceptMessages,
  BOUNCE_DOMAIN,
  createTestTenant,
  message,
  newTestWorker,
  recipientRows,
  SECRET_KEY,
} from "../support/delivery.js";
import { type Behaviour, startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

for (const dialect of dialects) {
  describe(`delivery outcomes against a real SMTP server [${dialect}]`, () => {
    let test: TestDatabase;
    let server: TestSmtpServer;
    let clock: ManualClock;
    let tenantId: string;
    let connectionsBefore = 0;
    const transports: MailTransport[] = [];

    beforeAll(async () => {
      test = await openTestDatabase(dialect);
      server = await startTestSmtpServer();
    });
    afterAll(async () => {
      await server?.close();
      await test?.drop();
    });
    beforeEach(async () => {
      clock = new ManualClock();
      tenantId = await createTestTenant(test.database, clock);
      server.setBehaviour({ kind: "accept" });
      server.messages.length = 0;
      connectionsBefore = server.connections;
    });
    afterEach(async () => {
      for (const t of transports.splice(0)) await t.close();
      // Every test has its own tenant, but the outbox is shared: leave nothing due for the next test.
      await test.database.db
        .updateTable("recipients")
        .set({ next_attempt_at: null })
        .where("next_attempt_at", "is not", null)
        .execute();
    });

    function newWorker(timeoutMs = 5_000): DeliveryWorker {
      const { worker, transport } = newTestWorker({ database: test.database, clock, server, poolSize: 2, timeoutMs });
      transports.push(transport);
      return worker;
    }

    async function onlyRecipient(): Promise<RecipientRow> {
      const rows = await recipientRows(test.database, tenantId);
      expect(rows).toHaveLength(1);
      return rows[0] as RecipientRow;
    }

    function events(recipientId: string): Promise<EventRow[]> {
      return test.database.db
        .selectFrom("events")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("recipient_id", "=", recipientId)
        .orderBy("id")
        .execute();
    }

    it("250: sent, with the stored Message-ID, encoded headers, no Bcc and a VERP envelope per recipient", async () => {
      const t0 = clock.now();
      const [accepted] = await acceptMessages(test.database, clock, tenantId, [
        message({
          to: [{ email: "parent@example.test", name: "Zoë Müller" }],
          cc: ["teacher@example.test"],
          bcc: ["head@example.test"],
          subject: "Schulausflug – Änderung 🚌",
          text: "Der Bus fährt um 8 Uhr.",
        }),
      ]);
      const worker = newWorker();
      clock.advance(1_000);
      expect(await worker.runOnce()).toBe(3);

      const stored = await test.database.db
        .selectFrom("messages")
        .selectAll()
        .where("id", "=", accepted?.id ?? "")
        .executeTakeFirstOrThrow();
      const rows = await recipientRows(test.database, tenantId);
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row).toMatchObject({
          status: "sent",
          attempts: 1,
          next_attempt_at: null,
          lease_owner: null,
          last_smtp_code: 250,
          last_enhanced_code: "2.0.0",
          updated_at: t0 + 1_000,
        });
        expect(row.last_smtp_text).toContain("Ok: queued");
        const history = await events(row.id);
        expect(history.map((e) => [e.status, e.attempt, e.smtp_code])).toEqual([
          ["queued", 0, null],
          ["sent", 1, 250],
        ]);
        expect(history[1]?.at).toBe(t0 + 1_000);
      }

      // One SMTP transaction per recipient: RCPT TO is that recipient only, MAIL FROM names it.
      expect(server.messages).toHaveLength(3);
      const byRcpt = new Map(server.messages.map((m) => [m.rcptTo.join(","), m]));
      expect([...byRcpt.keys()].sort()).toEqual(["head@example.test", "parent@example.test", "teacher@example.test"]);
      for (const row of rows) {
        const received = byRcpt.get(row.email);
        expect(received?.mailFrom.endsWith(`@${BOUNCE_DOMAIN}`)).toBe(true);
        expect(recipientFromReturnPath(SECRET_KEY, received?.mailFrom ?? "")).toBe(row.id);
      }

      // Every recipient gets the same bytes; Bcc is in the envelope only.
      const raws = server.messages.map((m) => m.raw.toString("latin1"));
      expect(new Set(raws).size).toBe(1);
      const raw = server.messages[0]?.raw ?? Buffer.alloc(0);
      const head = raw.toString("latin1").split("\r\n\r\n", 1)[0] ?? "";
      expect(head).not.toMatch(/head@example\.test/);
      expect(head).not.toMatch(/^bcc:/im);
      // Non-ASCII header text goes out RFC 2047-encoded, never as raw 8-bit bytes.
      expect(head).toMatch(/^Subject: =\?UTF-8\?/m);
      expect([...head].every((char) => char.charCodeAt(0) < 0x80)).toBe(true);

      const parsed = await simpleParser(raw);
      expect(parsed.messageId).toBe(stored.message_id_header);
      expect(parsed.date?.getTime()).toBe(Math.floor(stored.created_at / 1000) * 1000);
      expect(parsed.subject).toBe("Schulausflug – Änderung 🚌");
      expect(parsed.from?.value).toEqual([{ address: `noreply@${"postbag.test"}`, name: "" }]);
      const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
      expect(to.flatMap((a) => a?.value ?? [])).toEqual([{ address: "parent@example.test", name: "Zoë Müller" }]);
      const cc = Array.isArray(parsed.cc) ? parsed.cc : [parsed.cc];
      expect(cc.flatMap((a) => a?.value ?? []).map((a) => a.address)).toEqual(["teacher@example.test"]);
      expect(parsed.bcc).toBeUndefined();
      expect(parsed.text?.trim()).toBe("Der Bus fährt um 8 Uhr.");
    });

    it.each(["rcpt", "data"] as const)(
      "450 4.2.0 at %s: soft bounce, retried after 5, 10, 20, 40, 60, 60 min, then sent",
      async (at) => {
        const t0 = clock.now();
        await acceptMessages(test.database, clock, tenantId, [message()]);
        server.setBehaviour({ kind: "reply", code: 450, message: "4.2.0 try later", at });
        const worker = newWorker();

        expect(await worker.runOnce()).toBe(1);
        let row = await onlyRecipient();
        expect(row).toMatchObject({
          status: "soft_bounce",
          attempts: 1,
          next_attempt_at: t0 + 5 * MINUTE,
          lease_owner: null,
          last_smtp_code: 450,
          last_enhanced_code: "4.2.0",
          last_smtp_text: "450 4.2.0 try later",
        });

        const waits: number[] = [];
        for (let attempt = 2; attempt <= 6; attempt++) {
          const due = row.next_attempt_at ?? Number.NaN;
          // Not a millisecond early.
          clock.set(due - 1);
          expect(await worker.runOnce()).toBe(0);
          clock.set(due);
          expect(await worker.runOnce()).toBe(1);
          row = await onlyRecipient();
          expect(row).toMatchObject({ status: "soft_bounce", attempts: attempt, last_smtp_code: 450 });
          waits.push(((row.next_attempt_at ?? Number.NaN) - due) / MINUTE);
        }
        expect(waits).toEqual([10, 20, 40, 60, 60]);

        server.setBehaviour({ kind: "accept" });
        clock.set(row.next_attempt_at ?? Number.NaN);
        expect(await worker.runOnce()).toBe(1);
        row = await onlyRecipient();
        expect(row).toMatchObject({ status: "sent", attempts: 7, next_attempt_at: null, last_smtp_code: 250 });
        expect(server.messages).toHaveLength(1);
        const history = await events(row.id);
        expect(history.map((e) => `${e.status}:${e.attempt}`)).toEqual([
          "queued:0",
          "soft_bounce:1",
          "soft_bounce:2",
          "soft_bounce:3",
          "soft_bounce:4",
          "soft_bounce:5",
          "soft_bounce:6",
          "sent:7",
        ]);
        expect(history[1]).toMatchObject({ smtp_code: 450, enhanced_code: "4.2.0", smtp_text: "450 4.2.0 try later" });
      },
    );

    it.each([
      {
        code: 550,
        text: "5.1.1 user unknown",
        at: "rcpt",
        status: "hard_bounce",
        enhanced: "5.1.1",
        reason: "user_unknown",
      },
      {
        code: 550,
        text: "5.1.1 user unknown",
        at: "data",
        status: "hard_bounce",
        enhanced: "5.1.1",
        reason: "user_unknown",
      },
      { code: 552, text: "5.7.1 policy", at: "data", status: "rejected", enhanced: "5.7.1", reason: "policy" },
      { code: 554, text: "5.7.1 policy", at: "rcpt", status: "rejected", enhanced: "5.7.1", reason: "policy" },
      { code: 554, text: "5.7.1 policy", at: "data", status: "rejected", enhanced: "5.7.1", reason: "policy" },
      {
        code: 550,
        text: "5.2.1 mailbox disabled",
        at: "rcpt",
        status: "hard_bounce",
        enhanced: "5.2.1",
        reason: "mailbox_disabled",
      },
      {
        code: 553,
        text: "5.1.8 sender domain does not exist",
        at: "rcpt",
        status: "rejected",
        enhanced: "5.1.8",
        reason: "sender_rejected",
      },
    ] as const)("$code $text at $at: $status, final", async ({ code, text, at, status, enhanced, reason }) => {
      await acceptMessages(test.database, clock, tenantId, [message()]);
      server.setBehaviour({ kind: "reply", code, message: text, at });
      const worker = newWorker();
      expect(await worker.runOnce()).toBe(1);
      const row = await onlyRecipient();
      expect(row).toMatchObject({
        status,
        attempts: 1,
        next_attempt_at: null,
        lease_owner: null,
        last_smtp_code: code,
        last_enhanced_code: enhanced,
        last_smtp_text: `${code} ${text}`,
        last_reason: reason,
      });
      expect((await events(row.id)).map((e) => [e.status, e.attempt, e.smtp_code, e.enhanced_code, e.reason])).toEqual([
        ["queued", 0, null, null, null],
        [status, 1, code, enhanced, reason],
      ]);
      // Final: never tried again.
      server.setBehaviour({ kind: "accept" });
      clock.advance(72 * HOUR);
      expect(await worker.runOnce()).toBe(0);
      expect(server.messages).toHaveLength(0);
    });

    it("connection dropped after DATA: soft bounce (the message may have arrived; retry later)", async () => {
      const t0 = clock.now();
      await acceptMessages(test.database, clock, tenantId, [message()]);
      server.setBehaviour({ kind: "drop-after-data" });
      const worker = newWorker();
      expect(await worker.runOnce()).toBe(1);
      const row = await onlyRecipient();
      expect(row).toMatchObject({
        status: "soft_bounce",
        attempts: 1,
        next_attempt_at: t0 + 5 * MINUTE,
        lease_owner: null,
        last_smtp_code: null,
      });
      expect(row.last_smtp_text).toMatch(/ECONNECTION/);
      // One try per attempt: the transport must not silently resend on a new connection.
      expect(server.connections - connectionsBefore).toBe(1);
      expect((await events(row.id)).map((e) => e.status)).toEqual(["queued", "soft_bounce"]);
    });

    it("server stalls after DATA: soft bounce after the SMTP timeout", async () => {
      const t0 = clock.now();
      await acceptMessages(test.database, clock, tenantId, [message()]);
      server.setBehaviour({ kind: "stall" });
      const worker = newWorker(500);
      const started = Date.now();
      expect(await worker.runOnce()).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      const row = await onlyRecipient();
      expect(row).toMatchObject({
        status: "soft_bounce",
        attempts: 1,
        next_attempt_at: t0 + 5 * MINUTE,
        lease_owner: null,
        last_smtp_code: null,
      });
      expect(row.last_smtp_text).toMatch(/ETIMEDOUT/);
      expect((await events(row.id)).map((e) => e.status)).toEqual(["queued", "soft_bounce"]);
    });

    it("4xx for longer than the 48 h lifetime: hard bounce that says it gave up", async () => {
      const t0 = clock.now();
      const deadline = t0 + 48 * HOUR;
      await acceptMessages(test.database, clock, tenantId, [message()]);
      server.setBehaviour({ kind: "reply", code: 451, message: "4.3.0 temporarily unavailable", at: "rcpt" });
      const worker = newWorker();
      let row = await onlyRecipient();
      const tries: number[] = [];
      while (row.next_attempt_at !== null) {
        expect(row.next_attempt_at).toBeLessThanOrEqual(deadline);
        clock.set(row.next_attempt_at);
        tries.push(clock.now());
        expect(await worker.runOnce()).toBe(1);
        row = await onlyRecipient();
        expect(tries.length).toBeLessThan(100);
      }
      expect(row).toMatchObject({
        status: "hard_bounce",
        attempts: tries.length,
        lease_owner: null,
        last_smtp_code: 451,
        last_enhanced_code: "4.3.0",
      });
      expect(row.last_smtp_text).toBe("gave up after 48 h: 451 4.3.0 temporarily unavailable");
      // The last try is at the end of the lifetime, not before it; no wait is longer than 1 h.
      expect(tries.at(-1)).toBe(deadline);
      const waits = tries.slice(1).map((t, i) => t - (tries[i] ?? 0));
      expect(Math.max(...waits)).toBe(HOUR);
      expect(waits.slice(0, 5)).toEqual([5 * MINUTE, 10 * MINUTE, 20 * MINUTE, 40 * MINUTE, HOUR]);
      const history = await events(row.id);
      expect(history.filter((e) => e.status === "soft_bounce")).toHaveLength(tries.length - 1);
      expect(history.at(-1)).toMatchObject({ status: "hard_bounce", attempt: tries.length, at: deadline });
      clock.advance(HOUR);
      expect(await worker.runOnce()).toBe(0);
    });

    it("an address that is not valid in the database: email_missing, without any SMTP", async () => {
      const [accepted] = await acceptMessages(test.database, clock, tenantId, [
        message({ to: ["parent@example.test", { name: "No address on file" }] }),
      ]);
      const [withEmail, without] = accepted?.recipients ?? [];
      expect(without?.status).toBe("email_missing");
      await test.database.db
        .updateTable("recipients")
        .set({ email: "not an address" })
        .where("id", "=", withEmail?.id ?? "")
        .execute();
      const worker = newWorker();
      // The recipient without an address was settled on accept and is never claimed.
      expect(await worker.runOnce()).toBe(1);
      const rows = await recipientRows(test.database, tenantId);
      for (const row of rows) {
        expect(row).toMatchObject({ status: "email_missing", attempts: 0, next_attempt_at: null, lease_owner: null });
      }
      expect((await events(withEmail?.id ?? "")).map((e) => e.status)).toEqual(["queued", "email_missing"]);
      expect(server.connections - connectionsBefore).toBe(0);
    });

    it("one message, recipients with different fates: each gets its own outcome", async () => {
      const fates: Record<string, Behaviour> = {
        "ok@example.test": { kind: "accept" },
        "later@example.test": { kind: "reply", code: 450, message: "4.2.0 greylisted", at: "rcpt" },
        "gone@example.test": { kind: "reply", code: 550, message: "5.1.1 user unknown", at: "rcpt" },
        "policy@example.test": { kind: "reply", code: 554, message: "5.7.1 policy" },
        "disabled@example.test": { kind: "reply", code: 550, message: "5.2.1 mailbox disabled" },
      };
      server.setBehaviour((rcpt) => fates[rcpt] ?? { kind: "accept" });
      await acceptMessages(test.database, clock, tenantId, [
        message({ to: ["ok@example.test", "later@example.test", "gone@example.test"], cc: ["policy@example.test"] }),
        message({ to: ["disabled@example.test"], bcc: ["ok2@example.test"] }),
      ]);
      const worker = newWorker();
      expect(await worker.runOnce()).toBe(6);
      const rows = await recipientRows(test.database, tenantId);
      const outcome = Object.fromEntries(rows.map((r) => [r.email, [r.status, r.last_smtp_code]]));
      expect(outcome).toEqual({
        "ok@example.test": ["sent", 250],
        "ok2@example.test": ["sent", 250],
        "later@example.test": ["soft_bounce", 450],
        "gone@example.test": ["hard_bounce", 550],
        "policy@example.test": ["rejected", 554],
        "disabled@example.test": ["hard_bounce", 550],
      });
      expect(server.messages.map((m) => m.rcptTo[0]).sort()).toEqual(["ok2@example.test", "ok@example.test"]);
    });
  });
}
