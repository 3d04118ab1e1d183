import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import { type Clock, ManualClock } from "../../src/time/clock.js";
import { createSmtpTransport } from "../../src/transports/smtp-transport.js";
import type { TenantTransports } from "../../src/transports/tenant-transports.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  recipientRows,
  silentLogger,
  workerSettings,
} from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import {
  ACCOUNT_ADDRESS,
  type AccountServer,
  accountSettings,
  makeCert,
  newTenantTransports,
  saveOwnAccount,
  startAccountServer,
  type TestCert,
  testPolicy,
} from "./account-servers.js";

let cert: TestCert;
beforeAll(() => {
  cert = makeCert();
});
afterAll(() => cert.remove());

describeEachDialect("pacing own-account mail: delay and sending window", (dialect) => {
  let test: TestDatabase;
  let database: Database;
  let relay: TestSmtpServer;
  let relayTransport: MailTransport;
  let account: AccountServer;
  const transports: TenantTransports[] = [];
  const workers: DeliveryWorker[] = [];

  beforeEach(async () => {
    test = await openTestDatabase(dialect);
    database = test.database;
    relay = await startTestSmtpServer();
    relayTransport = createSmtpTransport({
      host: relay.host,
      port: relay.port,
      secure: false,
      poolSize: 2,
      timeoutMs: 5_000,
      rejectUnauthorized: true,
    });
    account = await startAccountServer(cert, { security: "tls", user: ACCOUNT_ADDRESS, password: "s3cret" });
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop(1_000);
    for (const t of transports.splice(0)) await t.close();
    await relayTransport.close();
    await account.close();
    await relay.close();
    await test.drop();
  });

  function worker(clock: Clock): DeliveryWorker {
    const tenantTransports = newTenantTransports(database, clock, testPolicy(cert));
    transports.push(tenantTransports);
    const w = new DeliveryWorker({
      database,
      clock,
      transport: relayTransport,
      tenantTransports,
      settings: workerSettings(),
      logger: silentLogger,
    });
    workers.push(w);
    return w;
  }

  async function ownTenant(clock: Clock, schedule: Parameters<typeof accountSettings>[1]): Promise<string> {
    const tenantId = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "tls" }, schedule),
      { smtpPassword: "s3cret" },
      clock.now(),
    );
    return tenantId;
  }

  it("20 emails with a 1-second delay and 2 workers never go faster than the delay allows", async () => {
    // Simulated time: both workers claim at every 250 ms step of a manual clock, so what is
    // tested is the gate's decisions (slots, hand-backs, two workers racing for one slot),
    // not the host's timers; 19 seconds of pacing take well under one.
    const clock = new ManualClock();
    const tenantId = await ownTenant(clock, { delaySeconds: 1 });
    await acceptMessages(
      database,
      clock,
      tenantId,
      Array.from({ length: 20 }, (_, i) => message({ to: [`parent${i}@example.test`] })),
    );
    const started = clock.now();
    const [a, b] = [worker(clock), worker(clock)];
    const sentAt: number[] = [];
    for (let step = 0; step < 400 && account.messages.length < 20; step++) {
      await Promise.all([a.runOnce(), b.runOnce()]);
      while (sentAt.length < account.messages.length) sentAt.push(clock.now());
      clock.advance(250);
    }
    expect(account.messages).toHaveLength(20);
    const gaps = sentAt.slice(1).map((t, i) => t - (sentAt[i] ?? 0));
    expect(Math.min(...gaps), `gaps: ${gaps.join(", ")}`).toBeGreaterThanOrEqual(1000);
    // Nor slower: each slot is used as soon as it opens.
    expect(Math.max(...gaps), `gaps: ${gaps.join(", ")}`).toBeLessThanOrEqual(1000);
    expect((sentAt[19] ?? 0) - started).toBe(19_000);
    expect(new Set(account.messages.flatMap((m) => m.rcptTo)).size).toBe(20);
    const rows = await recipientRows(database, tenantId);
    expect(rows.map((r) => r.status)).toEqual(Array(20).fill("sent"));
    expect(rows.map((r) => r.attempts)).toEqual(Array(20).fill(1));
    expect(relay.messages).toHaveLength(0);
  });

  it("two workers claiming at the same moment take one slot between them; the rest wait, uncounted", async () => {
    const clock = new ManualClock();
    const tenantId = await ownTenant(clock, { delaySeconds: 60 });
    await acceptMessages(database, clock, tenantId, [message(), message(), message()]);
    const [a, b] = [worker(clock), worker(clock)];
    await Promise.all([a.runOnce(), b.runOnce()]);
    expect(account.messages).toHaveLength(1);
    let rows = await recipientRows(database, tenantId);
    const waiting = rows.filter((r) => r.status === "queued");
    expect(waiting).toHaveLength(2);
    for (const r of waiting) {
      expect(r.attempts).toBe(0);
      expect(r.lease_owner).toBeNull();
      expect(r.next_attempt_at).toBeGreaterThanOrEqual(clock.now() + 60_000);
    }
    const gate = await database.db
      .selectFrom("send_gates")
      .select("next_at")
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    expect(gate.next_at).toBe(clock.now() + 60_000);

    clock.advance(59_000);
    await Promise.all([a.runOnce(), b.runOnce()]);
    expect(account.messages).toHaveLength(1);
    clock.advance(1_000);
    await Promise.all([a.runOnce(), b.runOnce()]);
    expect(account.messages).toHaveLength(2);
    clock.advance(60_000);
    await Promise.all([a.runOnce(), b.runOnce()]);
    expect(account.messages).toHaveLength(3);
    rows = await recipientRows(database, tenantId);
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "sent"]);
  });

  it("outside the sending window nothing is sent; mail waits for the opening (tenant time)", async () => {
    // 07:00 in London on a January morning; the window is 08:00-17:00.
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 7, 0));
    const tenantId = await ownTenant(clock, { window: { start: "08:00", end: "17:00" } });
    await acceptMessages(database, clock, tenantId, [message(), message()]);
    const w = worker(clock);
    await w.runOnce();
    expect(account.messages).toHaveLength(0);
    let rows = await recipientRows(database, tenantId);
    for (const r of rows) {
      expect(r.status).toBe("queued");
      expect(r.attempts).toBe(0);
      expect(r.next_attempt_at).toBe(Date.UTC(2026, 0, 15, 8, 0));
      expect(r.last_smtp_text).toMatch(/sending window 08:00-17:00/);
    }
    clock.set(Date.UTC(2026, 0, 15, 8, 0));
    await w.runOnce();
    expect(account.messages).toHaveLength(2);

    // At 17:00 the window has closed: tomorrow 08:00.
    clock.set(Date.UTC(2026, 0, 15, 17, 0));
    await acceptMessages(database, clock, tenantId, [message()]);
    await w.runOnce();
    expect(account.messages).toHaveLength(2);
    rows = await recipientRows(database, tenantId);
    expect(rows.find((r) => r.status === "queued")?.next_attempt_at).toBe(Date.UTC(2026, 0, 16, 8, 0));
  });

  it("the window applies in the tenant's time zone", async () => {
    // 07:30 UTC on 1 July is 08:30 in London (BST): inside the window.
    const clock = new ManualClock(Date.UTC(2026, 6, 1, 7, 30));
    const tenantId = await ownTenant(clock, { window: { start: "08:00", end: "17:00" } });
    await acceptMessages(database, clock, tenantId, [message()]);
    await worker(clock).runOnce();
    expect(account.messages).toHaveLength(1);
  });
});
