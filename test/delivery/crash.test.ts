import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  messageIdOf,
  ProcessTestResources,
  recipientRows,
  waitUntil,
  workerEnv,
} from "../support/delivery.js";

const MESSAGES = 300;
const CONCURRENCY = 30;

for (const dialect of dialects) {
  describe(`a worker process killed mid-batch [${dialect}]`, () => {
    const res = new ProcessTestResources();
    afterEach(() => res.cleanup());

    it("loses nothing: after a restart every accepted message is delivered and no row stays leased", async () => {
      const test = await res.openDatabase(dialect);
      const { database } = test;
      // The worker processes run on the system clock, so the messages are accepted on it too.
      const tenantId = await createTestTenant(database, systemClock);
      const accepted = await acceptMessages(
        database,
        systemClock,
        tenantId,
        Array.from({ length: MESSAGES }, (_, i) => message({ to: [`parent${i}@example.test`], subject: `Note ${i}` })),
      );
      const messageIds = await database.db
        .selectFrom("messages")
        .select("message_id_header")
        .where("tenant_id", "=", tenantId)
        .execute();
      expect(messageIds).toHaveLength(MESSAGES);

      // A slow server keeps the worker mid-batch with sends in flight when it is killed.
      const server = await res.startServer({ behaviour: { kind: "delay", ms: 25 } });
      const dataDir = await res.makeDataDir("postbag-crash-");
      const env = {
        ...workerEnv({ databaseUrl: test.url, smtpPort: server.port, dataDir }),
        POSTBAG_LEASE_SECONDS: "2",
        POSTBAG_WORKER_POLL_MS: "50",
        POSTBAG_WORKER_CONCURRENCY: String(CONCURRENCY),
        POSTBAG_RELAY_POOL_SIZE: "5",
      };

      const first = res.spawnWorker(env);
      await server.waitForMessages(MESSAGES / 3, 90_000).catch((err: unknown) => {
        throw new Error(`${String(err)}\nworker output:\n${first.output()}`);
      });
      first.child.kill("SIGKILL");
      expect((await first.exited).signal).toBe("SIGKILL");
      const receivedBeforeCrash = server.messages.length;
      expect(receivedBeforeCrash).toBeLessThan(MESSAGES);
      const leased = (await recipientRows(database, tenantId)).filter((r) => r.lease_owner !== null);
      expect(leased.length).toBeGreaterThan(0);

      server.setBehaviour({ kind: "delay", ms: 2 });
      const second = res.spawnWorker(env);
      await waitUntil(
        "every recipient is sent",
        async () => (await recipientRows(database, tenantId)).every((r) => r.status === "sent"),
        90_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\nworker output:\n${second.output()}`);
      });
      second.child.kill("SIGTERM");
      expect(await second.exited).toEqual({ code: 0, signal: null });

      const rows = await recipientRows(database, tenantId);
      expect(rows).toHaveLength(accepted.length);
      for (const row of rows) {
        expect(row).toMatchObject({ status: "sent", lease_owner: null, next_attempt_at: null });
      }
      const arrivals = new Map<string, number>();
      for (const m of server.messages) {
        const id = messageIdOf(m.raw) ?? "";
        arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
      }
      for (const { message_id_header } of messageIds) expect(arrivals.get(message_id_header) ?? 0).toBeGreaterThan(0);
      expect(arrivals.size).toBe(MESSAGES);
      // Sends that reached the server but whose result died with the worker go out again: at
      // most the rows the killed worker held, which is at most what it may have in flight.
      const duplicates = server.messages.length - MESSAGES;
      console.info(
        `[${dialect}] crash test: ${receivedBeforeCrash} received before SIGKILL, ${leased.length} rows leased by the dead worker, ${duplicates} duplicate(s)`,
      );
      expect(duplicates).toBeGreaterThanOrEqual(0);
      expect(duplicates).toBeLessThanOrEqual(leased.length);
      expect(leased.length).toBeLessThanOrEqual(CONCURRENCY);
    }, 240_000);
  });
}
