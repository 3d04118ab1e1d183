import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCaptureServer } from "../../src/sandbox/capture-server.js";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { newTestWorker, silentLogger, waitUntil } from "../support/delivery.js";
import { type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";

const code = (res: { body: string }) => json<ErrorReply>(res as never).error.code;

async function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: 6379 });
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
const withRedis = await redisReachable();

const stores: readonly ("database" | "redis")[] = withRedis ? ["database", "redis"] : ["database"];

describe.each(dialects)("rate limits [%s]", (dialect) => {
  for (const store of stores) {
    describe(`counters in the ${store}`, () => {
      let t: TestApp;
      beforeAll(async () => {
        t = await openTestApp(dialect, {
          env: {
            POSTBAG_RATE_LIMIT_PER_KEY: "2",
            POSTBAG_RATE_LIMIT_AUTH_FAILURES: "3",
            POSTBAG_TRUST_PROXY: "10.0.0.1",
            ...(store === "redis" ? { POSTBAG_REDIS_URL: "redis://127.0.0.1:6379" } : {}),
          },
        });
      });
      afterAll(async () => {
        await t?.close();
      });

      it("requests per key: 10 s of the rate pass, then 429 with Retry-After, across processes; other keys unaffected", async () => {
        const tenant = await t.newTenant();
        const other = await t.freshApp();
        const statuses: number[] = [];
        let retryAfter: string | undefined;
        for (let i = 0; i < 30; i++) {
          const res = await (i % 2 ? other : t.app).inject({
            method: "GET",
            url: "/v1/messages",
            headers: tenant.auth("staff"),
          });
          statuses.push(res.statusCode);
          if (res.statusCode === 429) {
            retryAfter = res.headers["retry-after"] as string;
            expect(code(res)).toBe("rate_limited");
          }
        }
        expect(statuses.filter((s) => s === 200)).toHaveLength(20);
        expect(statuses.filter((s) => s === 429)).toHaveLength(10);
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number(retryAfter)).toBeLessThanOrEqual(10);
        const another = await t.inject({ method: "GET", url: "/v1/messages", headers: tenant.auth("administrator") });
        expect(another.statusCode).toBe(200);
        if (store === "database") {
          (t.clock as ManualClock).advance(10_001);
          const later = await t.inject({ method: "GET", url: "/v1/messages", headers: tenant.auth("staff") });
          expect(later.statusCode).toBe(200);
        }
      });

      it("failed authentication per client address, read from X-Forwarded-For only behind a trusted proxy", async () => {
        const tenant = await t.newTenant();
        // Redis counters outlive the run (their window): an address no earlier run can have used.
        const client = `2001:db8:${randomBytes(6)
          .toString("hex")
          .replace(/(....)(?=.)/g, "$1:")}::1`;
        const viaProxy = (authorization: string, forwardedFor = client) =>
          t.inject({
            method: "GET",
            url: "/v1/messages",
            headers: { authorization, "x-forwarded-for": forwardedFor },
            remoteAddress: "10.0.0.1",
          });
        for (let i = 0; i < 3; i++) {
          expect((await viaProxy(`Bearer pb_bad_${i}`)).statusCode).toBe(401);
        }
        const limited = await viaProxy(tenant.auth("staff").authorization);
        expect(limited.statusCode).toBe(429);
        expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
        // Another client behind the same proxy is not limited.
        const neighbour = await viaProxy(tenant.auth("staff").authorization, "198.51.100.250");
        expect(neighbour.statusCode).toBe(200);
        // From an untrusted address, X-Forwarded-For is ignored: the forged client is not limited.
        const forged = await t.inject({
          method: "GET",
          url: "/v1/messages",
          headers: { ...tenant.auth("staff"), "x-forwarded-for": client },
          remoteAddress: "192.0.2.77",
        });
        expect(forged.statusCode).toBe(200);
      });
    });
  }
});

describe.each(dialects)("Postbag's own mail in the sandbox [%s]", (dialect) => {
  let t: TestApp;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await stop?.();
    await t?.close();
  });

  it("is captured but a staff key cannot read an administrator's link (messages or sandbox)", async () => {
    const capture = await startCaptureServer({
      database: t.database,
      clock: t.clock,
      logger: silentLogger,
      port: 0,
      secretKey: t.config.secretKey,
      maxMessageBytes: 1_000_000,
    });
    const { worker, transport } = newTestWorker({
      database: t.database,
      clock: t.clock,
      server: { host: "127.0.0.1", port: capture.port },
    });
    stop = async () => {
      await transport.close();
      await capture.close();
    };
    const tenant = await t.newTenant();
    const invited = await t.inject({
      method: "POST",
      url: "/v1/people/invitations",
      headers: tenant.auth("administrator"),
      payload: { email: "head@sandbox.example", role: "administrator" },
    });
    expect(invited.statusCode).toBe(201);
    const token = json<{ invitationUrl: string }>(invited).invitationUrl.split("#token=")[1] ?? "";
    await t.inject({ method: "POST", url: "/v1/sign-in-links", payload: { email: "head@sandbox.example" } });

    const operator = await t.operatorAuth();
    await waitUntil(
      "both links captured",
      async () => {
        await worker.runOnce();
        const res = await t.inject({ method: "GET", url: "/v1/sandbox/messages", headers: operator });
        return (
          json<{ items: { rcptTo: string[] }[] }>(res).items.filter((m) => m.rcptTo.includes("head@sandbox.example"))
            .length === 2
        );
      },
      30_000,
    );
    const captured = json<{ items: { id: string; subject: string }[] }>(
      await t.inject({ method: "GET", url: "/v1/sandbox/messages", headers: operator }),
    ).items;
    const invitation = captured.find((m) => m.subject.includes("invited"));
    expect(invitation).toBeDefined();
    const raw = json<{ raw: string }>(
      await t.inject({ method: "GET", url: `/v1/sandbox/messages/${invitation?.id}`, headers: operator }),
    ).raw;
    expect(raw.replace(/=\r?\n/g, "")).toContain(token);

    for (const role of ["staff", "system", "administrator"] as const) {
      const list = await t.inject({ method: "GET", url: "/v1/sandbox/messages", headers: tenant.auth(role) });
      expect(json<{ items: unknown[] }>(list).items).toEqual([]);
      const one = await t.inject({
        method: "GET",
        url: `/v1/sandbox/messages/${invitation?.id}`,
        headers: tenant.auth(role),
      });
      expect(one.statusCode).toBe(404);
      const messages = await t.inject({ method: "GET", url: "/v1/messages", headers: tenant.auth(role) });
      expect(messages.body).not.toContain(token);
      expect(json<{ items: unknown[] }>(messages).items).toEqual([]);
    }
  });
});
