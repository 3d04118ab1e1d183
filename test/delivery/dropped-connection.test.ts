import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/tenants/tenants.js";
import { systemClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import {
  createTestTenant,
  messageIdOf,
  ProcessTestResources,
  recipientRows,
  waitUntil,
  workerEnv,
} from "../support/delivery.js";
import { type ServeProcess, startServe } from "../support/postbag-process.js";

/**
 * PostgreSQL ends Postbag's connections (a restart, a failover, `pg_terminate_backend`) while
 * `serve` and a separate `worker` are accepting and delivering: both keep running, queries on the
 * dead connections fail and are retried on fresh ones, and every accepted message is delivered.
 */
describe.runIf(dialects.includes("postgres"))("PostgreSQL ends Postbag's connections under load", () => {
  const res = new ProcessTestResources();
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    await serve?.stop("SIGKILL");
    serve = undefined;
    await res.cleanup();
  });

  it("serve and worker survive pg_terminate_backend and deliver every accepted message", async () => {
    const test = await res.openDatabase("postgres");
    const { database } = test;
    const dbName = new URL(test.url).pathname.slice(1);
    const tenantId = await createTestTenant(database, systemClock);
    const { key } = await createApiKey(database.db, systemClock, { tenantId, role: "system" });
    const server = await res.startServer({ behaviour: { kind: "delay", ms: 5 } });
    const dataDir = await res.makeDataDir("postbag-dropped-");
    const env = {
      ...workerEnv({ databaseUrl: test.url, smtpPort: server.port, dataDir }),
      POSTBAG_HTTP_PORT: "0",
      POSTBAG_WORKER_POLL_MS: "50",
      POSTBAG_LEASE_SECONDS: "5",
      POSTBAG_SHUTDOWN_GRACE_MS: "3000",
      POSTBAG_LOG_LEVEL: "info",
      // A load test sets its own limits.
      POSTBAG_RATE_LIMIT_PER_KEY: "0",
    };
    // Start-up is slow on a loaded machine; the test is about what happens after it.
    serve = await startServe(env, [], 90_000);
    const worker = res.spawnWorker(env);
    await waitUntil("the worker has started", async () => worker.output().includes("delivery worker started"), 30_000);

    // Terminates every connection to this test database: Postbag's processes' (the admin
    // connection is to another database).
    const adminUrl = new URL(test.url);
    adminUrl.pathname = "/test";
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    let terminated = 0;
    const terminate = async () => {
      const r = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [dbName],
      );
      terminated += r.rowCount ?? 0;
    };

    const acknowledged: string[] = [];
    let refused = 0;
    let sending = true;
    const base = serve.url;
    const sender = async (n: number) => {
      for (let i = 0; sending; i++) {
        const response = await fetch(`${base}/v1/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({
            to: [`p${n}-${i}@example.test`],
            subject: `Note ${n}-${i}`,
            text: "Hello",
            category: "announcement",
          }),
        }).catch(() => null);
        if (response?.status === 202) acknowledged.push(((await response.json()) as { id: string }).id);
        else {
          refused++;
          await response?.text();
        }
      }
    };
    const senders = Array.from({ length: 4 }, (_, n) => sender(n));
    const started = Date.now();
    // At least 6 s of terminations, and on until the API has acknowledged enough mail under them
    // (a loaded machine acknowledges few in 6 s), bounded at a minute.
    const enough = () => acknowledged.length > 20 || Date.now() - started > 60_000;
    while (Date.now() - started < 6_000 || !enough()) {
      await terminate();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    sending = false;
    await Promise.all(senders);
    await admin.end();
    // Both processes are still running, and they finish the work once the database is quiet.
    expect(serve.child.exitCode, serve.stderr()).toBeNull();
    expect(worker.child.exitCode, worker.output()).toBeNull();
    // Not even serve's delivery thread died and was restarted.
    expect(serve.stdout()).not.toContain("delivery worker thread exited");
    expect(terminated).toBeGreaterThan(10);
    expect(acknowledged.length).toBeGreaterThan(20);
    await waitUntil(
      "every recipient is sent",
      async () => (await recipientRows(database, tenantId)).every((r) => r.status === "sent"),
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nserve:\n${serve?.stderr()}\nworker:\n${worker.output()}`);
    });
    const rows = await recipientRows(database, tenantId);
    const stored = new Set(rows.map((r) => r.message_id));
    for (const id of acknowledged) expect(stored.has(id)).toBe(true);
    const headers = await database.db
      .selectFrom("messages")
      .select("message_id_header")
      .where("tenant_id", "=", tenantId)
      .execute();
    const delivered = new Set(server.messages.map((m) => messageIdOf(m.raw)));
    for (const { message_id_header } of headers) expect(delivered.has(message_id_header)).toBe(true);
    console.info(
      `dropped connections: ${terminated} terminated, ${acknowledged.length} acknowledged, ${refused} refused, ${server.messages.length - headers.length} duplicate(s)`,
    );

    worker.child.kill("SIGTERM");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const exit = await serve.stop("SIGTERM");
    serve = undefined;
    expect(exit).toMatchObject({ code: 0, signal: null });
  }, 240_000);
});
