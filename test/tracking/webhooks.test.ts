import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RecipientStatus } from "../../src/email/statuses.js";
import { applyLateEvents } from "../../src/messages/status-change.js";
import { createNetworkPolicy } from "../../src/network/network-policy.js";
import { ManualClock } from "../../src/time/clock.js";
import { WEBHOOK_RETRY_DELAYS_MS, WebhookSender } from "../../src/tracking/webhook-sender.js";
import { verifyWebhook } from "../../src/tracking/webhook-signature.js";
import { describeEachDialect } from "../support/databases.js";
import { waitUntil } from "../support/delivery.js";
import { json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { writeSelfSignedCert } from "../support/test-cert.js";
import { insertRecipient } from "./fixtures.js";

/** A self-signed certificate for localhost and 127.0.0.1, made for this run. */
const certDir = mkdtempSync(join(tmpdir(), "postbag-webhook-tls-"));
const { certFile, keyFile } = writeSelfSignedCert(certDir);

interface Received {
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A real HTTPS receiver on loopback; answers with the queued statuses (then 200), or not at all. */
class Receiver {
  readonly received: Received[] = [];
  answers: number[] = [];
  silent = false;
  server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.received.push({ url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        if (this.silent) return;
        const status = this.answers.shift() ?? 200;
        res.writeHead(status, status === 302 ? { location: "https://127.0.0.1:1/elsewhere" } : {});
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  reset(): void {
    this.received.length = 0;
    this.answers = [];
    this.silent = false;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** What a receiver would write: Standard Webhooks verification by hand, with node:crypto only. */
function signatureIsValid(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`)
    .digest("base64");
  const given = String(r.headers["webhook-signature"]).split(" ");
  return given.some((g) => {
    const [version, sig] = g.split(",");
    const a = Buffer.from(sig ?? "");
    const b = Buffer.from(expected);
    return version === "v1" && a.length === b.length && timingSafeEqual(a, b);
  });
}

const silent = pino({ level: "silent" });

/** The wait after failed attempt `i + 1`. */
function delay(i: number): number {
  const ms = WEBHOOK_RETRY_DELAYS_MS[i];
  if (ms === undefined) throw new Error(`no retry delay ${i}`);
  return ms;
}

describeEachDialect("webhooks", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let a: TestTenant;
  let b: TestTenant;
  const receiver = new Receiver();

  const api = (
    tenant: TestTenant,
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    payload?: unknown,
    role: "administrator" | "staff" | "system" = "administrator",
  ) =>
    t.inject({
      method,
      url,
      headers: tenant.auth(role),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  function sender(options: { allowLoopback?: boolean; trustCa?: boolean; timeoutMs?: number } = {}) {
    return new WebhookSender({
      database: t.database,
      clock,
      logger: silent,
      policy: createNetworkPolicy({
        outboundAllow: options.allowLoopback === false ? [] : ["127.0.0.1/32", "::1/128"],
        outboundDeny: [],
        extraCaFile: options.trustCa === false ? undefined : certFile,
      }),
      settings: {
        secretKey: t.config.secretKey,
        timeoutMs: options.timeoutMs ?? 5_000,
        pollMs: 20,
        concurrency: 4,
        leaseMs: 60_000,
      },
    });
  }

  async function endpoint(tenant: TestTenant, events: string[] = ["*"], path = "/hook") {
    const res = await api(tenant, "POST", "/v1/webhooks", { url: `https://localhost:${receiver.port}${path}`, events });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string; secret: string; url: string }>(res);
  }

  async function event(tenant: TestTenant, status: RecipientStatus) {
    const r = await insertRecipient(t.db, tenant.id, { at: clock.now(), email: "parent@example.test" });
    await t.db
      .transaction()
      .execute((tx) =>
        applyLateEvents(tx, [
          { tenantId: tenant.id, recipientId: r.recipientId, status, at: clock.now(), text: "550 5.1.1 no such user" },
        ]),
      );
    return r;
  }

  async function deliveries(tenant: TestTenant, endpointId: string) {
    const res = await api(tenant, "GET", `/v1/webhooks/${endpointId}/deliveries`);
    expect(res.statusCode).toBe(200);
    return json<{ items: Array<Record<string, unknown>> }>(res).items;
  }

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0));
    t = await openTestApp(dialect, {
      clock,
      env: { POSTBAG_OUTBOUND_ALLOW: "127.0.0.1/32,::1/128", POSTBAG_EXTRA_CA_FILE: certFile },
    });
    await receiver.start();
  });
  beforeEach(async () => {
    // Each test starts with nothing due: what earlier tests left pending is closed.
    await t.db
      .updateTable("webhook_deliveries")
      .set({ state: "failed", next_attempt_at: null })
      .where("state", "=", "pending")
      .execute();
    receiver.reset();
    a = await t.newTenant("Oakwood");
    b = await t.newTenant("Other");
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it("creates endpoints for administrators only; refuses http, private addresses, credentials and unknown events", async () => {
    const bad: Array<[unknown, number]> = [
      [{ url: `http://localhost:${receiver.port}/hook` }, 400],
      [{ url: "https://10.0.0.7/hook" }, 400],
      [{ url: "https://169.254.169.254/latest/meta-data" }, 400],
      [{ url: "https://192.168.1.1/hook" }, 400],
      [{ url: "https://[fe80::1]/hook" }, 400],
      // IPv6 forms that reach a private IPv4 address (this test's policy lets loopback through).
      [{ url: "https://[::10.0.0.7]/hook" }, 400],
      [{ url: "https://[::ffff:0:a00:7]/hook" }, 400],
      [{ url: "https://[2002:a9fe:a9fe::1]/hook" }, 400],
      [{ url: "https://[64:ff9b::c0a8:101]/hook" }, 400],
      [{ url: "https://user:pass@localhost/hook" }, 400],
      [{ url: "ftp://localhost/hook" }, 400],
      [{ url: "not a url" }, 400],
      [{ url: `https://${"a".repeat(2100)}.test/` }, 400],
      [{ url: "https://no-such-host.invalid/hook" }, 400],
      [{ url: "https://localhost/hook", events: ["message.nope"] }, 400],
      [{ url: "https://localhost/hook", events: [] }, 400],
      [{ url: "https://localhost/hook", extra: true }, 400],
      [{ url: "https://localhost/hook", description: "a\r\nInjected: yes" }, 400],
    ];
    for (const [payload, status] of bad) {
      const res = await api(a, "POST", "/v1/webhooks", payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(status);
    }
    for (const role of ["staff", "system"] as const) {
      expect((await api(a, "POST", "/v1/webhooks", { url: "https://localhost/hook" }, role)).statusCode).toBe(403);
      expect((await api(a, "GET", "/v1/webhooks", undefined, role)).statusCode).toBe(403);
    }
    expect(await t.db.selectFrom("webhook_endpoints").selectAll().where("tenant_id", "=", a.id).execute()).toEqual([]);
  });

  it("shows the signing secret once; it is stored sealed and never returned again", async () => {
    const created = await endpoint(a, ["message.hard_bounce", "message.hard_bounce", "message.spam"]);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const row = await t.db
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(created.secret.slice(6));
    expect(row.secret).toMatch(/^v1\./);
    const secretPart = created.secret.slice(6);
    const responses = [
      await api(a, "GET", "/v1/webhooks"),
      await api(a, "GET", `/v1/webhooks/${created.id}`),
      await api(a, "PATCH", `/v1/webhooks/${created.id}`, { description: "Office system" }),
      await api(a, "GET", "/openapi.json"),
    ];
    for (const res of responses) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(secretPart);
      expect(res.body).not.toContain(row.secret);
    }
    const one = json<Record<string, unknown>>(responses[1] as (typeof responses)[number]);
    expect(one).toMatchObject({ id: created.id, events: ["message.hard_bounce", "message.spam"], active: true });
    expect(one).not.toHaveProperty("secret");
  });

  it("delivers a signed event to a real HTTPS endpoint, verifiable by the receiver", async () => {
    const ep = await endpoint(a);
    const r = await event(a, "hard_bounce");
    expect(await sender().runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0] as Received;
    expect(got.url).toBe("/hook");
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["webhook-timestamp"]).toBe(String(Math.floor(clock.now() / 1000)));
    expect(signatureIsValid(ep.secret, got)).toBe(true);
    expect(signatureIsValid(`whsec_${Buffer.alloc(24, 1).toString("base64")}`, got)).toBe(false);
    expect(signatureIsValid(ep.secret, { ...got, body: got.body.replace("hard_bounce", "sent") })).toBe(false);
    expect(
      verifyWebhook(
        ep.secret,
        {
          id: String(got.headers["webhook-id"]),
          timestamp: String(got.headers["webhook-timestamp"]),
          signature: String(got.headers["webhook-signature"]),
        },
        got.body,
        Math.floor(clock.now() / 1000),
      ),
    ).toBe(true);
    expect(JSON.parse(got.body)).toMatchObject({
      type: "message.hard_bounce",
      data: { recipientId: r.recipientId, messageId: r.messageId, email: "parent@example.test", status: "hard_bounce" },
    });
    const log = await deliveries(a, ep.id);
    expect(log).toEqual([
      expect.objectContaining({
        id: got.headers["webhook-id"],
        eventType: "message.hard_bounce",
        state: "delivered",
        attempts: 1,
        lastStatus: 200,
        lastError: null,
        nextAttemptAt: null,
        deliveredAt: new Date(clock.now()).toISOString(),
      }),
    ]);
    // Nothing more to send.
    expect(await sender().runOnce()).toBe(0);
  });

  it("retries after a 500 with backoff, keeping the webhook-id, then succeeds", async () => {
    const ep = await endpoint(a);
    await event(a, "spam");
    receiver.answers = [500];
    const s = sender();
    expect(await s.runOnce()).toBe(1);
    let [d] = await deliveries(a, ep.id);
    expect(d).toMatchObject({ state: "pending", attempts: 1, lastStatus: 500, lastError: "HTTP 500" });
    expect(d?.nextAttemptAt).toBe(new Date(clock.now() + delay(0)).toISOString());
    expect(await s.runOnce()).toBe(0);
    clock.advance(delay(0));
    expect(await s.runOnce()).toBe(1);
    [d] = await deliveries(a, ep.id);
    expect(d).toMatchObject({ state: "delivered", attempts: 2, lastStatus: 200, lastError: null });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.headers["webhook-id"]).toBe(receiver.received[1]?.headers["webhook-id"]);
    expect(receiver.received[0]?.body).toBe(receiver.received[1]?.body);
    for (const r of receiver.received) expect(signatureIsValid(ep.secret, r)).toBe(true);
  });

  it("gives up after the last retry, and does not follow redirects", async () => {
    const ep = await endpoint(a);
    await event(a, "hard_bounce");
    receiver.answers = [302, ...Array(20).fill(503)];
    const s = sender();
    for (const [i, wait] of [0, ...WEBHOOK_RETRY_DELAYS_MS].entries()) {
      clock.advance(wait);
      expect(await s.runOnce(), `attempt ${i + 1}`).toBe(1);
    }
    const [d] = await deliveries(a, ep.id);
    expect(d).toMatchObject({ state: "failed", attempts: 7, lastStatus: 503, nextAttemptAt: null, deliveredAt: null });
    clock.advance(86_400_000);
    expect(await s.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(7);
    // The redirect's target was never asked.
    expect(receiver.received.every((r) => r.url === "/hook")).toBe(true);
  });

  it("records a redirect, a timeout, an untrusted certificate and a refused address as failed attempts", async () => {
    const ep = await endpoint(a);
    await event(a, "hard_bounce");
    receiver.answers = [302];
    await sender().runOnce();
    expect((await deliveries(a, ep.id))[0]).toMatchObject({ state: "pending", lastStatus: 302 });
    expect(String((await deliveries(a, ep.id))[0]?.lastError)).toContain("redirects are not followed");

    clock.advance(delay(0));
    receiver.silent = true;
    await sender({ timeoutMs: 300 }).runOnce();
    expect((await deliveries(a, ep.id))[0]).toMatchObject({ lastStatus: null, lastError: "no answer within 300 ms" });
    receiver.silent = false;

    clock.advance(delay(1));
    const before = receiver.received.length;
    await sender({ trustCa: false }).runOnce();
    expect(String((await deliveries(a, ep.id))[0]?.lastError)).toMatch(/certificate|CERT/i);
    expect(receiver.received.length).toBe(before);

    // The host is checked again at delivery: a policy that no longer allows loopback refuses it.
    clock.advance(delay(2));
    await sender({ allowLoopback: false }).runOnce();
    const [d] = await deliveries(a, ep.id);
    expect(String(d?.lastError)).toMatch(/^refused: .*not allowed/);
    expect(d).toMatchObject({ state: "pending", attempts: 4 });
    expect(receiver.received.length).toBe(before);
  });

  it("honours each endpoint's event filter", async () => {
    const spamOnly = await endpoint(a, ["message.spam"], "/spam");
    const all = await endpoint(a, ["*", "message.sent"], "/all");
    expect(json<{ events: string[] }>(await api(a, "GET", `/v1/webhooks/${all.id}`)).events).toEqual(["*"]);
    await event(a, "hard_bounce");
    await event(a, "spam");
    while ((await sender().runOnce()) > 0) {}
    expect(receiver.received.filter((r) => r.url === "/spam").map((r) => JSON.parse(r.body).type)).toEqual([
      "message.spam",
    ]);
    expect(
      receiver.received
        .filter((r) => r.url === "/all")
        .map((r) => JSON.parse(r.body).type)
        .sort(),
    ).toEqual(["message.hard_bounce", "message.spam"]);
    expect((await deliveries(a, spamOnly.id)).map((d) => d.eventType)).toEqual(["message.spam"]);
    // A paused endpoint gets nothing new.
    expect((await api(a, "PATCH", `/v1/webhooks/${spamOnly.id}`, { active: false })).statusCode).toBe(200);
    await event(a, "spam");
    expect((await deliveries(a, spamOnly.id)).length).toBe(1);
    // Changing the filter applies to later events.
    const patched = await api(a, "PATCH", `/v1/webhooks/${spamOnly.id}`, { active: true, events: ["message.opened"] });
    expect(json<{ events: string[]; active: boolean }>(patched)).toMatchObject({
      events: ["message.opened"],
      active: true,
    });
    expect((await api(a, "PATCH", `/v1/webhooks/${spamOnly.id}`, { url: "http://localhost/x" })).statusCode).toBe(400);
    expect((await api(a, "PATCH", `/v1/webhooks/${spamOnly.id}`, { url: "https://10.1.2.3/x" })).statusCode).toBe(400);
  });

  it("keeps tenants apart", async () => {
    const ep = await endpoint(a);
    for (const [method, url, payload] of [
      ["GET", `/v1/webhooks/${ep.id}`, undefined],
      ["PATCH", `/v1/webhooks/${ep.id}`, { active: false }],
      ["GET", `/v1/webhooks/${ep.id}/deliveries`, undefined],
      ["DELETE", `/v1/webhooks/${ep.id}`, undefined],
    ] as const) {
      const res = await api(b, method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect(json<{ items: unknown[] }>(await api(b, "GET", "/v1/webhooks")).items).toEqual([]);
    expect(json<{ active: boolean }>(await api(a, "GET", `/v1/webhooks/${ep.id}`)).active).toBe(true);
    // B's events never reach A's endpoint.
    await event(b, "hard_bounce");
    expect(await sender().runOnce()).toBe(0);
    expect(await deliveries(a, ep.id)).toEqual([]);
  });

  it("deletes an endpoint with its log; a queued delivery for a deleted or paused endpoint is dropped", async () => {
    const ep = await endpoint(a);
    await event(a, "hard_bounce");
    expect((await api(a, "DELETE", `/v1/webhooks/${ep.id}`)).statusCode).toBe(204);
    expect((await api(a, "GET", `/v1/webhooks/${ep.id}`)).statusCode).toBe(404);
    expect((await api(a, "DELETE", `/v1/webhooks/${ep.id}`)).statusCode).toBe(404);
    expect(await sender().runOnce()).toBe(0);

    const paused = await endpoint(a);
    await event(a, "hard_bounce");
    await api(a, "PATCH", `/v1/webhooks/${paused.id}`, { active: false });
    expect(await sender().runOnce()).toBe(1);
    expect((await deliveries(a, paused.id))[0]).toMatchObject({ state: "failed", lastError: "endpoint is disabled" });
    expect(receiver.received).toEqual([]);
  });

  it("pages the delivery log newest first", async () => {
    const ep = await endpoint(a);
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await event(a, "hard_bounce");
    }
    const first = json<{ items: Array<{ id: string }>; nextCursor: string }>(
      await api(a, "GET", `/v1/webhooks/${ep.id}/deliveries?limit=2`),
    );
    expect(first.items).toHaveLength(2);
    const second = json<{ items: Array<{ id: string }>; nextCursor: string | null }>(
      await api(a, "GET", `/v1/webhooks/${ep.id}/deliveries?limit=2&cursor=${first.nextCursor}`),
    );
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((d) => d.id);
    expect(ids).toEqual([...ids].sort().reverse());
  });

  it("two senders claiming at once deliver each event exactly once", async () => {
    await endpoint(a);
    for (let i = 0; i < 24; i++) await event(a, "hard_bounce");
    const one = sender();
    const two = sender();
    for (;;) {
      const [x, y] = await Promise.all([one.runOnce(3), two.runOnce(3)]);
      if (x + y === 0) break;
    }
    const ids = receiver.received.map((r) => String(r.headers["webhook-id"]));
    expect(ids).toHaveLength(24);
    expect(new Set(ids).size).toBe(24);
  });

  it("a delivery whose sender died is sent once its lease ends", async () => {
    const ep = await endpoint(a);
    await event(a, "spam");
    // As a sender leaves a row when it dies mid-attempt: leased to it, due when the lease ends.
    await t.db
      .updateTable("webhook_deliveries")
      .set({ lease_owner: "h-dead", next_attempt_at: clock.now() + 60_000 })
      .where("endpoint_id", "=", ep.id)
      .execute();
    expect(await sender().runOnce()).toBe(0);
    clock.advance(60_000);
    expect(await sender().runOnce()).toBe(1);
    expect((await deliveries(a, ep.id))[0]).toMatchObject({ state: "delivered", attempts: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it("runs as a loop with start() and stop()", async () => {
    const ep = await endpoint(a);
    const s = sender();
    s.start();
    try {
      await event(a, "spam");
      await waitUntil("the event is delivered", async () => receiver.received.length === 1, 5_000);
      await waitUntil(
        "the delivery is recorded",
        async () => (await deliveries(a, ep.id))[0]?.state === "delivered",
        5_000,
      );
    } finally {
      await s.stop();
    }
  });
});

describe("webhook test certificate", () => {
  afterAll(() => rmSync(certDir, { recursive: true, force: true }));
  it("was made", () => expect(readFileSync(certFile, "utf8")).toContain("BEGIN CERTIFICATE"));
});
