import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  storedCounts,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";

interface Accepted {
  id: string;
  recipients: { email: string | null; status: string }[];
}

describe.each(dialects)("Idempotency-Key [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (tenant: TestTenant, key: string, body: Record<string, unknown>) =>
    t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: { ...tenant.auth(), "idempotency-key": key },
      payload: body,
    });

  it("the same key and body twice -> the same id, one message stored", async () => {
    const tenant = await t.newTenant();
    const key = randomUUID();
    const body = validMessage({ to: ["a@example.com", { name: "No Address" }] });
    const first = await send(tenant, key, body);
    const second = await send(tenant, key, body);
    expect(first.statusCode, first.body).toBe(202);
    expect(second.statusCode, second.body).toBe(202);
    expect(json<Accepted>(second)).toEqual(json<Accepted>(first));
    expect(await storedCounts(t.db, tenant.id)).toEqual({ messages: 1, recipients: 2, events: 2, attachments: 0 });
  });

  it("the same body with its fields in another order is the same request", async () => {
    const tenant = await t.newTenant();
    const key = randomUUID();
    const body = validMessage({ to: [{ email: "a@example.com", name: "A" }] });
    const reordered = Object.fromEntries(
      Object.entries(body)
        .reverse()
        .map(([k, v]) => [k, k === "to" ? [{ name: "A", email: "a@example.com" }] : v]),
    );
    const first = await send(tenant, key, body);
    const second = await send(tenant, key, reordered);
    expect(second.statusCode, second.body).toBe(202);
    expect(json<Accepted>(second).id).toBe(json<Accepted>(first).id);
  });

  it("the replay answers with the recipients' current status", async () => {
    const tenant = await t.newTenant();
    const key = randomUUID();
    const first = json<Accepted>(await send(tenant, key, validMessage()));
    await t.db.updateTable("recipients").set({ status: "sent" }).where("message_id", "=", first.id).execute();
    const again = json<Accepted>(await send(tenant, key, validMessage()));
    expect(again).toEqual({ id: first.id, recipients: [{ email: "parent@example.com", status: "sent" }] });
  });

  it("the same key with a different body -> 409 idempotency_conflict, nothing more stored", async () => {
    const tenant = await t.newTenant();
    const key = randomUUID();
    expect((await send(tenant, key, validMessage())).statusCode).toBe(202);
    const before = await storedCounts(t.db, tenant.id);
    for (const changed of [
      validMessage({ subject: "Another subject" }),
      validMessage({ to: ["someone-else@example.com"] }),
      validMessage({ category: "alert" }),
    ]) {
      const res = await send(tenant, key, changed);
      expect(res.statusCode, res.body).toBe(409);
      expect(json<ErrorReply>(res).error.code).toBe("idempotency_conflict");
    }
    expect(await storedCounts(t.db, tenant.id)).toEqual(before);
  });

  it("a different key with the same body -> a second message", async () => {
    const tenant = await t.newTenant();
    const a = json<Accepted>(await send(tenant, randomUUID(), validMessage()));
    const b = json<Accepted>(await send(tenant, randomUUID(), validMessage()));
    expect(a.id).not.toBe(b.id);
    expect((await storedCounts(t.db, tenant.id)).messages).toBe(2);
  });

  it("20 identical requests at once -> all 202 with one id, one message stored", async () => {
    const tenant = await t.newTenant();
    const key = randomUUID();
    const body = validMessage({ to: ["a@example.com", "b@example.com"] });
    const results = await Promise.all(Array.from({ length: 20 }, () => send(tenant, key, body)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(202));
    const ids = new Set(results.map((r) => json<Accepted>(r).id));
    expect(ids.size).toBe(1);
    expect(await storedCounts(t.db, tenant.id)).toEqual({ messages: 1, recipients: 2, events: 2, attachments: 0 });
  });

  it("20 requests at once with one key, bodies differing -> one stored, the rest 409", async () => {
    const tenant = await t.newTenant();
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(tenant, key, validMessage({ subject: `Variant ${i}` }))),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect((await storedCounts(t.db, tenant.id)).messages).toBe(1);
  });

  it("concurrent requests on two apps over one database (two API processes) -> one message", async () => {
    const tenant = await t.newTenant();
    const other = await t.freshApp();
    const key = randomUUID();
    const body = validMessage();
    const request = {
      method: "POST",
      url: "/v1/messages",
      headers: { ...tenant.auth(), "idempotency-key": key },
      payload: body,
    } as const;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? t.app : other).inject(request)),
    );
    // The loser's insert waits for the winner's transaction (unique index), then replays it.
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(202));
    expect(new Set(results.map((r) => json<Accepted>(r).id)).size).toBe(1);
    expect((await storedCounts(t.db, tenant.id)).messages).toBe(1);
  });

  it("the same key used by two tenants -> two messages, one each", async () => {
    const a = await t.newTenant();
    const b = await t.newTenant();
    const key = randomUUID();
    const [resA, resB] = await Promise.all([send(a, key, validMessage()), send(b, key, validMessage())]);
    expect(resA.statusCode).toBe(202);
    expect(resB.statusCode).toBe(202);
    expect(json<Accepted>(resA).id).not.toBe(json<Accepted>(resB).id);
    expect((await storedCounts(t.db, a.id)).messages).toBe(1);
    expect((await storedCounts(t.db, b.id)).messages).toBe(1);
    // And B's later replay is B's message, not A's.
    const replayB = json<Accepted>(await send(b, key, validMessage()));
    expect(replayB.id).toBe(json<Accepted>(resB).id);
  });

  it("a request without a key is never deduplicated", async () => {
    const tenant = await t.newTenant();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.inject({ method: "POST", url: "/v1/messages", headers: tenant.auth(), payload: validMessage() }),
      ),
    );
    expect(new Set(results.map((r) => json<Accepted>(r).id)).size).toBe(5);
    expect((await storedCounts(t.db, tenant.id)).messages).toBe(5);
  });
});
