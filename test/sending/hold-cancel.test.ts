import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { claimDue } from "../../src/delivery/outbox.js";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import type { ManualClock } from "../../src/time/clock.js";
import { createSmtpTransport } from "../../src/transports/smtp-transport.js";
import type { TenantTransports } from "../../src/transports/tenant-transports.js";
import { describeEachDialect } from "../support/databases.js";
import { recipientRows, silentLogger, waitUntil, workerSettings } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";
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

interface Accepted {
  id: string;
  recipients: { email: string | null; status: string }[];
}

interface CancelReply {
  id: string;
  cancelled: { id: string; email: string | null }[];
  alreadyCancelled: { id: string; email: string | null }[];
  notCancelled: { id: string; email: string | null; status: string; reason: string }[];
}

describeEachDialect("hold and cancel", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let relay: TestSmtpServer;
  let relayTransport: MailTransport;
  let account: AccountServer;
  const transports: TenantTransports[] = [];
  const workers: DeliveryWorker[] = [];

  beforeEach(async () => {
    t = await openTestApp(dialect);
    clock = t.clock as ManualClock;
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
    for (const tr of transports.splice(0)) await tr.close();
    await relayTransport.close();
    await account.close();
    await relay.close();
    await t.close();
  });

  function worker(): DeliveryWorker {
    const tenantTransports = newTenantTransports(t.database, clock, testPolicy(cert));
    transports.push(tenantTransports);
    const w = new DeliveryWorker({
      database: t.database,
      clock,
      transport: relayTransport,
      tenantTransports,
      settings: workerSettings({ notices: { senderDomain: "postbag.localhost", publicUrl: "http://postbag.test" } }),
      logger: silentLogger,
    });
    workers.push(w);
    return w;
  }

  async function ownTenant(holdMinutes: number): Promise<TestTenant> {
    const tenant = await t.newTenant();
    await saveOwnAccount(
      t.database,
      tenant.id,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "tls" }, { holdMinutes }),
      { smtpPassword: "s3cret" },
      clock.now(),
    );
    return tenant;
  }

  async function send(tenant: TestTenant, to: string[] = ["parent@example.com"]): Promise<Accepted> {
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ to }),
    });
    expect(res.statusCode, res.body).toBe(202);
    return json<Accepted>(res);
  }

  function cancel(tenant: TestTenant | null, id: string, role: "system" | "staff" | "administrator" = "system") {
    return t.inject({
      method: "POST",
      url: `/v1/messages/${encodeURIComponent(id)}/cancel`,
      headers: tenant ? tenant.auth(role) : {},
    });
  }

  it("holds accepted mail for the tenant's hold time, then sends it", async () => {
    const tenant = await ownTenant(10);
    const accepted = await send(tenant);
    const [row] = await recipientRows(t.database, tenant.id);
    expect(row?.next_attempt_at).toBe(clock.now() + 10 * 60_000);
    const w = worker();
    await w.runOnce();
    expect(account.messages).toHaveLength(0);
    clock.advance(10 * 60_000);
    await w.runOnce();
    expect(account.messages).toHaveLength(1);
    expect((await recipientRows(t.database, tenant.id))[0]?.status).toBe("sent");
    expect(accepted.recipients[0]?.status).toBe("queued");
  });

  it("a cancelled message is never sent, with a worker running; the other one goes", async () => {
    const tenant = await ownTenant(10);
    const stopped = await send(tenant, ["stop@example.com", "also-stop@example.com"]);
    const kept = await send(tenant, ["keep@example.com"]);
    const w = worker();
    w.start();

    const res = await cancel(tenant, stopped.id, "staff");
    expect(res.statusCode, res.body).toBe(200);
    const body = json<CancelReply>(res);
    expect(body.cancelled.map((r) => r.email).sort()).toEqual(["also-stop@example.com", "stop@example.com"]);
    expect(body.notCancelled).toEqual([]);

    clock.advance(11 * 60_000);
    w.poke();
    await waitUntil("the kept message was sent", async () => account.messages.length >= 1, 10_000);
    // Stopped, the worker has finished everything it claimed; a claim now finds nothing due.
    await w.stop(10_000);
    expect(await w.runOnce()).toBe(0);
    expect(account.messages.flatMap((m) => m.rcptTo)).toEqual(["keep@example.com"]);

    const rows = await recipientRows(t.database, tenant.id);
    for (const r of rows.filter((x) => x.message_id === stopped.id)) {
      expect(r.status).toBe("cancelled");
      expect(r.next_attempt_at).toBeNull();
      expect(r.attempts).toBe(0);
    }
    const events = await t.db
      .selectFrom("events")
      .select(["status", "smtp_text"])
      .where("tenant_id", "=", tenant.id)
      .where("message_id", "=", stopped.id)
      .where("status", "=", "cancelled")
      .execute();
    expect(events).toHaveLength(2);
    expect(kept.id).not.toBe(stopped.id);

    // Cancelling again changes nothing and says so.
    const again = json<CancelReply>(await cancel(tenant, stopped.id));
    expect(again.cancelled).toEqual([]);
    expect(again.alreadyCancelled).toHaveLength(2);
  });

  it("409 once the message was sent, listing what was not cancelled", async () => {
    const tenant = await ownTenant(0);
    const accepted = await send(tenant);
    await worker().runOnce();
    expect(account.messages).toHaveLength(1);
    const res = await cancel(tenant, accepted.id);
    expect(res.statusCode).toBe(409);
    const body = json<ErrorReply>(res);
    expect(body.error.code).toBe("conflict");
    const [row] = await recipientRows(t.database, tenant.id);
    expect(body.error.details).toEqual([{ path: `/recipients/${row?.id}`, message: "parent@example.com: sent" }]);
  });

  it("409 while a worker is sending it (leased): that recipient is left alone", async () => {
    const tenant = await ownTenant(0);
    const accepted = await send(tenant);
    const claimed = await claimDue(t.database, "some-worker", clock.now(), 60_000, 100);
    expect(claimed.map((d) => d.messageId)).toContain(accepted.id);
    const res = await cancel(tenant, accepted.id);
    expect(res.statusCode).toBe(409);
    expect(json<ErrorReply>(res).error.details?.[0]?.message).toBe("parent@example.com: being sent now");
    expect((await recipientRows(t.database, tenant.id))[0]?.status).toBe("queued");
  });

  it("another tenant's message, an unknown id, a malformed id: 404; no key: 401", async () => {
    const owner = await ownTenant(10);
    const other = await ownTenant(10);
    const accepted = await send(owner);
    for (const id of [accepted.id, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id", "' or 1=1 --", "..%2f..%2fetc"]) {
      const res = await cancel(other, id);
      expect(res.statusCode, id).toBe(404);
      expect(json<ErrorReply>(res).error.code).toBe("not_found");
    }
    // Longer than any id: refused before any lookup (Fastify answers 414 for an over-long path parameter).
    expect([400, 414]).toContain((await cancel(other, "x".repeat(500))).statusCode);
    expect((await cancel(null, accepted.id)).statusCode).toBe(401);
    const forged = await t.inject({
      method: "POST",
      url: `/v1/messages/${accepted.id}/cancel`,
      headers: { authorization: `Bearer ${owner.keys.system.slice(0, -4)}AAAA` },
    });
    expect(forged.statusCode).toBe(401);
    // The owner's message is untouched.
    expect((await recipientRows(t.database, owner.id))[0]?.status).toBe("queued");
  });

  it("built-in tenants are not held, and can cancel mail that has not been claimed yet", async () => {
    const tenant = await t.newTenant();
    const accepted = await send(tenant);
    const [row] = await recipientRows(t.database, tenant.id);
    expect(row?.next_attempt_at).toBe(clock.now());
    const res = await cancel(tenant, accepted.id, "administrator");
    expect(res.statusCode).toBe(200);
    await worker().runOnce();
    expect(relay.messages).toHaveLength(0);
    expect((await recipientRows(t.database, tenant.id))[0]?.status).toBe("cancelled");
  });
});
