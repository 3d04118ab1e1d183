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

const MESSAGES = 1000;

// Several worker processes are a PostgreSQL deployment; SQLite has one writer by design.
describe.runIf(dialects.includes("postgres"))("two worker processes on one PostgreSQL outbox", () => {
  const res = new ProcessTestResources();
  afterEach(() => res.cleanup());

  it("deliver each message exactly once", async () => {
    const test = await res.openDatabase("postgres");
    const { database } = test;
    const tenantId = await createTestTenant(database, systemClock);
    const server = await res.startServer();
    const dataDir = await res.makeDataDir("postbag-two-workers-");
    const env = {
      ...workerEnv({ databaseUrl: test.url, smtpPort: server.port, dataDir }),
      POSTBAG_LEASE_SECONDS: "60",
      POSTBAG_WORKER_POLL_MS: "50",
      POSTBAG_WORKER_CONCURRENCY: "50",
      POSTBAG_LOG_LEVEL: "info",
    };
    const pair = [res.spawnWorker(env), res.spawnWorker(env)];
    // Both are polling before the batch arrives, so both take part in it.
    await waitUntil(
      "both workers have started",
      async () => pair.every((w) => w.output().includes("delivery worker started")),
      30_000,
    );
    await acceptMessages(
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
    const owners = new Set<string>();
    await waitUntil(
      "every recipient is sent",
      async () => {
        const rows = await recipientRows(database, tenantId);
        for (const r of rows) if (r.lease_owner) owners.add(r.lease_owner);
        return rows.every((r) => r.status === "sent");
      },
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nworker output:\n${pair.map((w) => w.output()).join("\n")}`);
    });
    for (const w of pair) w.child.kill("SIGTERM");
    for (const w of pair) expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(owners.size).toBe(2);

    const counts = new Map<string, number>();
    for (const m of server.messages) {
      const id = messageIdOf(m.raw) ?? "";
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(server.messages).toHaveLength(MESSAGES);
    for (const { message_id_header } of messageIds) expect(counts.get(message_id_header)).toBe(1);
    const rows = await recipientRows(database, tenantId);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "sent", attempts: 1, lease_owner: null, next_attempt_at: null });
    }
    const sentEvents = await database.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenant_id", "=", tenantId)
      .where("status", "=", "sent")
      .executeTakeFirstOrThrow();
    expect(Number(sentEvents.n)).toBe(MESSAGES);
  }, 120_000);
});
