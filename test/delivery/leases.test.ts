import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { claimDue, recordOutcomes } from "../../src/delivery/outbox.js";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import { ManualClock } from "../../src/time/clock.js";
import { createSmtpTransport } from "../../src/transports/smtp-transport.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  newTestWorker,
  recipientRows,
  silentLogger,
  waitUntil,
  workerSettings,
} from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";

const LEASE_MS = 30_000;

for (const dialect of dialects) {
  describe(`delivery leases [${dialect}]`, () => {
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
      await test.database.db
        .updateTable("recipients")
        .set({ next_attempt_at: null })
        .where("next_attempt_at", "is not", null)
        .execute();
    });

    function newWorker(timeoutMs = 5_000): DeliveryWorker {
      const { worker, transport } = newTestWorker({
        database: test.database,
        clock,
        server,
        poolSize: 3,
        timeoutMs,
        settings: { leaseMs: LEASE_MS },
      });
      transports.push(transport);
      return worker;
    }

    function eventCount(): Promise<number> {
      return test.database.db
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("tenant_id", "=", tenantId)
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    }

    it("a worker that dies holding a claim: the row is due again after the lease and another worker delivers it", async () => {
      await acceptMessages(test.database, clock, tenantId, [message(), message({ to: ["other@example.test"] })]);
      const dead = await claimDue(test.database, "dead-worker", clock.now(), LEASE_MS, 10);
      expect(dead).toHaveLength(2);
      for (const row of await recipientRows(test.database, tenantId)) {
        expect(row).toMatchObject({
          status: "queued",
          lease_owner: "dead-worker",
          next_attempt_at: clock.now() + LEASE_MS,
        });
      }

      const worker = newWorker();
      expect(await worker.runOnce()).toBe(0);
      clock.advance(LEASE_MS - 1);
      expect(await worker.runOnce()).toBe(0);
      clock.advance(1);
      expect(await worker.runOnce()).toBe(2);
      for (const row of await recipientRows(test.database, tenantId)) {
        expect(row).toMatchObject({ status: "sent", attempts: 1, lease_owner: null, next_attempt_at: null });
      }
      expect(server.messages).toHaveLength(2);

      // The dead worker comes back and reports what it thinks happened: nothing changes.
      const events = await eventCount();
      const late = dead.map((delivery) => ({
        delivery,
        status: "soft_bounce" as const,
        attempts: 1,
        nextAttemptAt: clock.now() + 300_000,
        smtpCode: 450,
        enhancedCode: "4.2.0",
        smtpText: "450 4.2.0 late",
        at: clock.now(),
      }));
      expect(await recordOutcomes(test.database, "dead-worker", late)).toBe(0);
      for (const row of await recipientRows(test.database, tenantId)) {
        expect(row).toMatchObject({ status: "sent", attempts: 1, last_smtp_code: 250, next_attempt_at: null });
      }
      expect(await eventCount()).toBe(events);
    });

    it("results from a worker whose lease was taken over are not recorded; the new holder's are", async () => {
      await acceptMessages(test.database, clock, tenantId, [message()]);
      const [first] = await claimDue(test.database, "worker-a", clock.now(), LEASE_MS, 10);
      clock.advance(LEASE_MS);
      const [second] = await claimDue(test.database, "worker-b", clock.now(), LEASE_MS, 10);
      expect(second?.id).toBe(first?.id);
      if (!first || !second) throw new Error("expected both claims to return the row");

      const outcome = (delivery: typeof first, status: "sent" | "rejected", code: number) => ({
        delivery,
        status,
        attempts: 1,
        nextAttemptAt: null,
        smtpCode: code,
        enhancedCode: null,
        smtpText: `${code} from ${status}`,
        at: clock.now(),
      });
      expect(await recordOutcomes(test.database, "worker-a", [outcome(first, "rejected", 554)])).toBe(0);
      let [row] = await recipientRows(test.database, tenantId);
      expect(row).toMatchObject({ status: "queued", lease_owner: "worker-b", last_smtp_code: null });

      expect(await recordOutcomes(test.database, "worker-b", [outcome(second, "sent", 250)])).toBe(1);
      [row] = await recipientRows(test.database, tenantId);
      expect(row).toMatchObject({ status: "sent", lease_owner: null, last_smtp_code: 250 });
      // Once recorded, a second report from the same worker cannot change it either.
      expect(await recordOutcomes(test.database, "worker-b", [outcome(second, "rejected", 554)])).toBe(0);
      expect(await eventCount()).toBe(2); // queued + sent
    });

    it("a send that outlives its lease is not started a second time by the same worker", async () => {
      server.setBehaviour({ kind: "stall" });
      await acceptMessages(test.database, clock, tenantId, [message()]);
      const worker = newWorker(3_000);
      worker.start();
      await waitUntil(
        "the stalled send has reached the server",
        async () => server.connections - connectionsBefore === 1,
        5_000,
      );
      // The lease runs out while the send is still waiting for the server's reply.
      clock.advance(LEASE_MS);
      // A claim now finds the row due again, and this worker's own: it sends nothing.
      expect(await worker.runOnce()).toBe(0);
      expect(server.connections - connectionsBefore).toBe(1);
      await worker.stop(0);
      const [row] = await recipientRows(test.database, tenantId);
      expect(row).toMatchObject({ status: "queued", attempts: 0, lease_owner: null });
    });

    it("stop() records what finished within the grace and hands the stalled rest back, due at once", async () => {
      server.setBehaviour((rcpt) => (rcpt.startsWith("slow") ? { kind: "stall" } : { kind: "accept" }));
      await acceptMessages(test.database, clock, tenantId, [
        message({ to: ["fast@example.test"] }),
        message({ to: ["slow1@example.test"] }),
        message({ to: ["slow2@example.test"] }),
      ]);
      const worker = newWorker(2_000);
      worker.start();
      await waitUntil(
        "the fast recipient is sent and the slow ones are leased",
        async () => {
          const rows = await recipientRows(test.database, tenantId);
          return rows.every((r) => (r.email.startsWith("slow") ? r.lease_owner === worker.owner : r.status === "sent"));
        },
        5_000,
      );
      const events = await eventCount();
      const started = Date.now();
      clock.advance(1_000);
      await worker.stop(100);
      expect(Date.now() - started).toBeLessThan(1_000);

      const rows = await recipientRows(test.database, tenantId);
      const slow = rows.filter((r) => r.email.startsWith("slow"));
      for (const row of slow) {
        expect(row).toMatchObject({
          status: "queued",
          attempts: 0,
          lease_owner: null,
          next_attempt_at: clock.now(),
        });
      }
      expect(rows.find((r) => r.email.startsWith("fast"))?.status).toBe("sent");
      expect(await eventCount()).toBe(events);

      // Released rows are due at once for the next worker.
      server.setBehaviour({ kind: "accept" });
      const next = newWorker();
      expect(await next.runOnce()).toBe(2);
      for (const row of await recipientRows(test.database, tenantId)) expect(row.status).toBe("sent");
    });

    it("renews the leases of sends still in flight, so no other worker takes them", async () => {
      await acceptMessages(test.database, clock, tenantId, [message({ to: ["slow@example.test"] })]);
      server.setBehaviour({ kind: "delay", ms: 1_500 });
      const transport = createSmtpTransport({
        host: server.host,
        port: server.port,
        secure: false,
        poolSize: 1,
        timeoutMs: 5_000,
        rejectUnauthorized: true,
      });
      transports.push(transport);
      const leaseMs = 600; // heartbeat every 200 ms
      const worker = new DeliveryWorker({
        database: test.database,
        clock,
        transport,
        settings: workerSettings({ leaseMs }),
        logger: silentLogger,
      });
      worker.start();
      await waitUntil(
        "the row is leased",
        async () => (await recipientRows(test.database, tenantId))[0]?.lease_owner === worker.owner,
        5_000,
      );
      clock.advance(500);
      await worker.renewLeasesNow(); // what a heartbeat does: renew to now + lease
      clock.advance(500); // past the first lease, within the renewed one
      expect(await claimDue(test.database, "another-worker", clock.now(), leaseMs, 10)).toEqual([]);
      await waitUntil(
        "the slow send is recorded",
        async () => (await recipientRows(test.database, tenantId))[0]?.status === "sent",
        5_000,
      );
      await worker.stop(1_000);
      expect(server.messages).toHaveLength(1);
    });
  });
}
