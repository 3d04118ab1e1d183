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
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const MESSAGES = 400;
const OUTAGE_MS = 15_000;

/**
 * PostgreSQL goes away for 15 s while two worker processes have sends in flight (a TCP proxy
 * between them and the server cuts every connection and refuses new ones). The 250s that arrive
 * meanwhile must be kept and recorded once the database is back: no message is sent twice, none
 * is lost, and neither process exits.
 */
describe.runIf(dialects.includes("postgres"))("a 15 s PostgreSQL outage during sending", () => {
  const res = new ProcessTestResources();
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await res.cleanup();
    await proxy?.close();
    proxy = undefined;
  });

  it("loses nothing and sends nothing twice; both workers keep running", async () => {
    const test = await res.openDatabase("postgres");
    const { database } = test;
    const tenantId = await createTestTenant(database, systemClock);
    const target = new URL(test.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(test.url);
    viaProxy.port = String(proxy.port);
    // Slow enough that sends are in flight when the database goes.
    const server = await res.startServer({ behaviour: { kind: "delay", ms: 40 } });
    const dataDir = await res.makeDataDir("postbag-outage-");
    const env = {
      ...workerEnv({ databaseUrl: viaProxy.toString(), smtpPort: server.port, dataDir }),
      // Longer than the outage plus a renewal interval, as the default (300 s) is.
      POSTBAG_LEASE_SECONDS: "40",
      POSTBAG_WORKER_POLL_MS: "50",
      POSTBAG_WORKER_CONCURRENCY: "40",
      POSTBAG_RELAY_POOL_SIZE: "4",
      POSTBAG_LOG_LEVEL: "info",
    };
    const pair = [res.spawnWorker(env), res.spawnWorker(env)];
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
    await server.waitForMessages(60, 30_000);
    proxy.down();
    const during = server.messages.length;
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const sentDuringOutage = server.messages.length - during;
    proxy.up();

    await waitUntil(
      "every recipient is sent",
      async () => (await recipientRows(database, tenantId)).every((r) => r.status === "sent"),
      90_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nworker output:\n${pair.map((w) => w.output()).join("\n")}`);
    });
    for (const w of pair) expect(w.child.exitCode, w.output()).toBeNull();
    const counts = new Map<string, number>();
    for (const m of server.messages) {
      const id = messageIdOf(m.raw) ?? "";
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const duplicates = server.messages.length - counts.size;
    console.info(
      `database outage: ${OUTAGE_MS} ms, ${sentDuringOutage} sends answered during it, ${duplicates} duplicate(s)`,
    );
    expect(sentDuringOutage).toBeGreaterThan(0);
    expect(counts.size).toBe(MESSAGES);
    expect(duplicates).toBe(0);
    const rows = await recipientRows(database, tenantId);
    for (const row of rows) expect(row).toMatchObject({ status: "sent", attempts: 1, lease_owner: null });

    for (const w of pair) w.child.kill("SIGTERM");
    for (const w of pair) expect(await w.exited).toEqual({ code: 0, signal: null });
  }, 180_000);
});
