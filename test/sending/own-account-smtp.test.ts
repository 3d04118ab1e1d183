import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import { createNetworkPolicy } from "../../src/network/network-policy.js";
import { ManualClock } from "../../src/time/clock.js";
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

function headerOf(raw: Buffer, name: string): string | undefined {
  const head = raw.toString("latin1").split(/\r?\n\r?\n/, 1)[0] ?? "";
  return new RegExp(`^${name}:\\s*(.*)$`, "im").exec(head)?.[1];
}

describeEachDialect("sending through the tenant's own account", (dialect) => {
  let test: TestDatabase;
  let database: Database;
  let relay: TestSmtpServer;
  let relayTransport: MailTransport;
  const servers: AccountServer[] = [];
  const transports: TenantTransports[] = [];
  const clock = new ManualClock();

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
  });

  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close();
    await relayTransport.close();
    for (const s of servers.splice(0)) await s.close();
    await relay.close();
    await test.drop();
  });

  function worker(tenantTransports: TenantTransports): DeliveryWorker {
    transports.push(tenantTransports);
    return new DeliveryWorker({
      database,
      clock,
      transport: relayTransport,
      tenantTransports,
      settings: workerSettings(),
      logger: silentLogger,
    });
  }

  async function server(options: Parameters<typeof startAccountServer>[1]): Promise<AccountServer> {
    const s = await startAccountServer(cert, options);
    servers.push(s);
    return s;
  }

  for (const security of ["tls", "starttls", "none"] as const) {
    it(`sends with a password over security "${security}", from the account's own address`, async () => {
      const account = await server({ security, user: ACCOUNT_ADDRESS, password: "s3cret" });
      const tenantId = await createTestTenant(database, clock);
      await saveOwnAccount(
        database,
        tenantId,
        accountSettings({ host: "127.0.0.1", port: account.port, security }),
        { smtpPassword: "s3cret" },
        clock.now(),
      );
      const [accepted] = await acceptMessages(database, clock, tenantId, [message({ to: ["parent@example.test"] })]);
      await worker(newTenantTransports(database, clock, testPolicy(cert))).runOnce();

      const [row] = await recipientRows(database, tenantId);
      expect(row?.status, row?.last_smtp_text ?? "").toBe("sent");
      expect(relay.messages).toHaveLength(0);
      expect(account.messages).toHaveLength(1);
      const got = account.messages[0];
      expect(got?.mailFrom).toBe(ACCOUNT_ADDRESS);
      expect(got?.rcptTo).toEqual(["parent@example.test"]);
      expect(got?.secure).toBe(security !== "none");
      expect(account.auths).toEqual([
        expect.objectContaining({ user: ACCOUNT_ADDRESS, ok: true, secure: security !== "none" }),
      ]);
      // The message's From (noreply@ the operator's domain) becomes the account's address and name.
      expect(headerOf(got?.raw ?? Buffer.alloc(0), "From")).toBe(`The Practice <${ACCOUNT_ADDRESS}>`);
      // Signed for this recipient of this tenant, not for the message (a DSN names one recipient).
      expect(accepted?.id).toBeDefined();
      expect(headerOf(got?.raw ?? Buffer.alloc(0), "X-Postbag-Ref")).toMatch(
        new RegExp(`^${tenantId}-${row?.id}-[0-9a-f]{24}$`),
      );
    });
  }

  it("keeps a From on the account's domain, with its display name", async () => {
    const account = await server({ security: "tls", user: ACCOUNT_ADDRESS, password: "s3cret" });
    const tenantId = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "tls" }),
      { smtpPassword: "s3cret" },
      clock.now(),
    );
    // Written straight into the row: the API's own From rules are not what is tested here.
    await acceptMessages(database, clock, tenantId, [message()]);
    await database.db
      .updateTable("messages")
      .set({ from_address: "reception@practice.example", from_name: "Reception" })
      .where("tenant_id", "=", tenantId)
      .execute();
    await worker(newTenantTransports(database, clock, testPolicy(cert))).runOnce();
    expect(headerOf(account.messages[0]?.raw ?? Buffer.alloc(0), "From")).toBe(
      "Reception <reception@practice.example>",
    );
    expect(account.messages[0]?.mailFrom).toBe(ACCOUNT_ADDRESS);
  });

  it("never logs in without TLS when STARTTLS is required and the server does not offer it", async () => {
    const account = await server({
      security: "starttls",
      offerStarttls: false,
      user: ACCOUNT_ADDRESS,
      password: "s3cret",
    });
    const tenantId = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "starttls" }),
      { smtpPassword: "s3cret" },
      clock.now(),
    );
    await acceptMessages(database, clock, tenantId, [message()]);
    await worker(newTenantTransports(database, clock, testPolicy(cert))).runOnce();

    const [row] = await recipientRows(database, tenantId);
    expect(row?.status).toBe("soft_bounce");
    expect(row?.attempts).toBe(1);
    expect(row?.next_attempt_at).toBeGreaterThan(clock.now());
    expect(row?.last_smtp_text).toMatch(/TLS/);
    expect(account.auths).toEqual([]);
    expect(account.messages).toEqual([]);
    expect(relay.messages).toEqual([]);
  });

  it("refuses a server on a private address unless the operator allows it: a soft failure that says why", async () => {
    const account = await server({ security: "tls", user: ACCOUNT_ADDRESS, password: "s3cret" });
    const tenantId = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "tls" }),
      { smtpPassword: "s3cret" },
      clock.now(),
    );
    await acceptMessages(database, clock, tenantId, [message()]);
    await worker(newTenantTransports(database, clock, testPolicy(cert, false))).runOnce();

    const [row] = await recipientRows(database, tenantId);
    expect(row?.status).toBe("soft_bounce");
    expect(row?.last_smtp_text).toMatch(/not allowed: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a private, loopback/);
    expect(account.messages).toEqual([]);
    expect(relay.messages).toEqual([]);
  });

  it("never sends a password unencrypted across a network (security none, server not on loopback)", async () => {
    const tenantId = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "mail.practice.example", port: 25, security: "none" }),
      { smtpPassword: "s3cret" },
      clock.now(),
    );
    await acceptMessages(database, clock, tenantId, [message()]);
    // A public address (TEST-NET-3); the check refuses before anything connects to it.
    const policy = createNetworkPolicy({ outboundAllow: [], outboundDeny: [], extraCaFile: undefined }, async () => [
      "203.0.113.25",
    ]);
    await worker(newTenantTransports(database, clock, policy)).runOnce();
    const [row] = await recipientRows(database, tenantId);
    expect(row?.status).toBe("soft_bounce");
    expect(row?.last_smtp_text).toMatch(/never sends a password or token unencrypted/);
  });

  it("a password account saved without a password does not log in", async () => {
    const plain = await server({ security: "none", user: ACCOUNT_ADDRESS, authOptional: true });
    const tenantId = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: plain.port, security: "none" }),
      {},
      clock.now(),
    );
    await acceptMessages(database, clock, tenantId, [message()]);
    await worker(newTenantTransports(database, clock, testPolicy(cert))).runOnce();
    const [row] = await recipientRows(database, tenantId);
    expect(row?.status, row?.last_smtp_text ?? "").toBe("sent");
    expect(plain.auths).toEqual([]);
    expect(plain.messages[0]?.mailFrom).toBe(ACCOUNT_ADDRESS);
  });

  it("a refused login is a soft failure with the server's words; built-in tenants keep using the relay", async () => {
    const account = await server({ security: "tls", user: ACCOUNT_ADDRESS, password: "s3cret" });
    const own = await createTestTenant(database, clock);
    const builtin = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      own,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "tls" }),
      { smtpPassword: "wrong" },
      clock.now(),
    );
    await acceptMessages(database, clock, own, [message()]);
    await acceptMessages(database, clock, builtin, [message()]);
    await worker(newTenantTransports(database, clock, testPolicy(cert))).runOnce();

    const [ownRow] = await recipientRows(database, own);
    expect(ownRow?.status).toBe("soft_bounce");
    expect(ownRow?.last_smtp_text).toMatch(/EAUTH.*5\.7\.8 Authentication credentials invalid/);
    const [builtinRow] = await recipientRows(database, builtin);
    expect(builtinRow?.status).toBe("sent");
    expect(relay.messages).toHaveLength(1);
    expect(account.messages).toHaveLength(0);
  });

  it("rebuilds the tenant's pool when its settings change", async () => {
    const first = await server({ security: "tls", user: ACCOUNT_ADDRESS, password: "s3cret" });
    const second = await server({ security: "starttls", user: ACCOUNT_ADDRESS, password: "other" });
    const tenantId = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: first.port, security: "tls" }),
      { smtpPassword: "s3cret" },
      clock.now(),
    );
    const w = worker(newTenantTransports(database, clock, testPolicy(cert)));
    await acceptMessages(database, clock, tenantId, [message()]);
    await w.runOnce();
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: second.port, security: "starttls" }),
      { smtpPassword: "other" },
      clock.now(),
    );
    await acceptMessages(database, clock, tenantId, [message()]);
    await w.runOnce();
    expect(first.messages).toHaveLength(1);
    expect(second.messages).toHaveLength(1);
  });
});
