import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  ProcessTestResources,
  recipientRows,
  waitUntil,
  workerEnv,
} from "../support/delivery.js";

const GRACE_MS = 1_000;

for (const dialect of dialects) {
  describe(`a worker process given SIGTERM with sends in flight [${dialect}]`, () => {
    const res = new ProcessTestResources();
    afterEach(() => res.cleanup());

    it("exits 0 within the grace and leaves no row leased; a new worker delivers what it handed back", async () => {
      const test = await res.openDatabase(dialect);
      const { database } = test;
      const tenantId = await createTestTenant(database, systemClock);
      await acceptMessages(
        database,
        systemClock,
        tenantId,
        Array.from({ length: 20 }, (_, i) => message({ to: [`${i % 2 ? "slow" : "quick"}${i}@example.test`] })),
      );
      // "slow" recipients never get an answer (the SMTP timeout is far away); "quick" ones take
      // a moment, so some of them finish inside the grace and some are still in flight.
      const server = await res.startServer({
        behaviour: (rcpt) => (rcpt.startsWith("slow") ? { kind: "stall" } : { kind: "delay", ms: 200 }),
      });
      const dataDir = await res.makeDataDir("postbag-shutdown-");
      const env = {
        ...workerEnv({ databaseUrl: test.url, smtpPort: server.port, dataDir }),
        POSTBAG_LEASE_SECONDS: "300",
        POSTBAG_WORKER_POLL_MS: "50",
        POSTBAG_SMTP_TIMEOUT_MS: "60000",
        POSTBAG_SHUTDOWN_GRACE_MS: String(GRACE_MS),
        POSTBAG_RELAY_POOL_SIZE: "5",
      };
      const worker = res.spawnWorker(env);
      await waitUntil(
        "every row is claimed and the server holds stalled sends",
        async () =>
          (await recipientRows(database, tenantId)).every((r) => r.lease_owner !== null || r.status === "sent") &&
          // Every sending connection of the pool (5) holds a message the server will never answer.
          server.stalled >= 5,
        30_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\nworker output:\n${worker.output()}`);
      });

      const started = Date.now();
      worker.child.kill("SIGTERM");
      const exit = await worker.exited;
      const took = Date.now() - started;
      expect(exit, worker.output()).toEqual({ code: 0, signal: null });
      // The grace, plus a little for recording, releasing and closing connections.
      expect(took, worker.output()).toBeLessThan(GRACE_MS + 1_500);
      expect(worker.output()).not.toMatch(/"level":50/); // nothing logged at error level

      const after = await recipientRows(database, tenantId);
      for (const row of after) {
        expect(row.lease_owner).toBeNull();
      }
      const released = after.filter((r) => r.status !== "sent");
      expect(released.length).toBeGreaterThan(0);
      for (const row of released) {
        expect(row).toMatchObject({ status: "queued", attempts: 0 });
        expect(row.next_attempt_at).toBeLessThanOrEqual(Date.now());
      }

      server.setBehaviour({ kind: "accept" });
      const next = res.spawnWorker(env);
      await waitUntil(
        "the released recipients are sent",
        async () => (await recipientRows(database, tenantId)).every((r) => r.status === "sent"),
        30_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\nworker output:\n${next.output()}`);
      });
      next.child.kill("SIGTERM");
      expect(await next.exited).toEqual({ code: 0, signal: null });
      for (const row of await recipientRows(database, tenantId)) {
        expect(row).toMatchObject({ status: "sent", lease_owner: null, next_attempt_at: null });
      }
    }, 60_000);
  });
}
