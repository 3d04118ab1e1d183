import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meterBatch } from "../../src/credits/meter.js";
import { newId } from "../../src/db/ids.js";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { noticesOf } from "../support/notices.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  TEST_SENDER_DOMAIN,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";

interface UserView {
  id: string;
  name: string;
  email: string | null;
  role: string;
  createdAt: string;
}

describe.each(dialects)("users and low-credit recipients [%s]", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let operator: { authorization: string };
  beforeAll(async () => {
    t = await openTestApp(dialect);
    clock = t.clock as ManualClock;
    operator = await t.operatorAuth();
  });
  afterAll(async () => {
    await t?.close();
  });

  const addUser = async (tenant: TestTenant, payload: Record<string, unknown>) => {
    const res = await t.inject({ method: "POST", url: "/v1/users", headers: tenant.auth("administrator"), payload });
    expect(res.statusCode, res.body).toBe(201);
    return json<UserView>(res);
  };

  const recipients = (tenant: TestTenant, role: "administrator" | "staff" | "system" = "administrator") => ({
    get: () => t.inject({ method: "GET", url: "/v1/credits/low-credit-recipients", headers: tenant.auth(role) }),
    put: (list: unknown) =>
      t.inject({
        method: "PUT",
        url: "/v1/credits/low-credit-recipients",
        headers: tenant.auth(role),
        payload: { recipients: list },
      }),
  });

  it("an administrator adds, lists (paged) and removes users", async () => {
    const tenant = await t.newTenant();
    const head = await addUser(tenant, { name: "Ms Head", email: "Head@Oak-Hill.Example", role: "administrator" });
    expect(head).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      name: "Ms Head",
      email: "Head@oak-hill.example",
      role: "administrator",
      createdAt: new Date(clock.now()).toISOString(),
    });
    const office = await addUser(tenant, { name: "Office", role: "staff" });
    expect(office.email).toBeNull();
    await addUser(tenant, { name: "Caretaker", email: null, role: "system" });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await t.inject({ method: "GET", url, headers: tenant.auth("administrator") });
      expect(res.statusCode, res.body).toBe(200);
      const page = json<{ items: UserView[]; nextCursor: string | null }>(res);
      seen.push(...page.items.map((u) => u.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["Ms Head", "Office", "Caretaker"]);

    const del = await t.inject({
      method: "DELETE",
      url: `/v1/users/${office.id}`,
      headers: tenant.auth("administrator"),
    });
    expect(del.statusCode, del.body).toBe(204);
    const again = await t.inject({
      method: "DELETE",
      url: `/v1/users/${office.id}`,
      headers: tenant.auth("administrator"),
    });
    expect(again.statusCode).toBe(404);
    const list = json<{ items: UserView[] }>(
      await t.inject({ method: "GET", url: "/v1/users", headers: tenant.auth("administrator") }),
    );
    expect(list.items.map((u) => u.name)).toEqual(["Ms Head", "Caretaker"]);
  });

  it("only administrators manage users; bad input is refused", async () => {
    const tenant = await t.newTenant();
    const user = await addUser(tenant, { name: "Someone", role: "staff" });
    for (const role of ["staff", "system"] as const) {
      for (const [method, url, payload] of [
        ["POST", "/v1/users", { name: "Sneaky", role: "administrator" }],
        ["GET", "/v1/users", undefined],
        ["DELETE", `/v1/users/${user.id}`, undefined],
      ] as const) {
        const res = await t.inject({ method, url, headers: tenant.auth(role), ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403);
        expect(json<ErrorReply>(res).error.code).toBe("forbidden");
      }
    }
    for (const [payload, code] of [
      [{ name: "No role" }, "invalid_request"],
      [{ name: "Bad role", role: "operator" }, "invalid_request"],
      [{ name: "", role: "staff" }, "invalid_request"],
      [{ name: "x".repeat(201), role: "staff" }, "invalid_request"],
      [{ name: "Tab\there", role: "staff" }, "invalid_request"],
      [{ name: "Bad email", email: "not-an-address", role: "staff" }, "invalid_address"],
      [{ name: "Injected", email: "a@example.com\r\nBcc: x@example.com", role: "staff" }, "invalid_address"],
      [{ name: "Extra", role: "staff", phone: "123" }, "unknown_field"],
    ] as const) {
      const res = await t.inject({ method: "POST", url: "/v1/users", headers: tenant.auth("administrator"), payload });
      expect(res.statusCode, `${JSON.stringify(payload)}: ${res.body}`).toBe(400);
      expect(json<ErrorReply>(res).error.code).toBe(code);
    }
    const users = await t.db.selectFrom("users").select("id").where("tenant_id", "=", tenant.id).execute();
    expect(users).toHaveLength(1);
  });

  it("one tenant cannot see, remove or name another tenant's users", async () => {
    const a = await t.newTenant("School A");
    const b = await t.newTenant("School B");
    const aUser = await addUser(a, { name: "A's bursar", email: "bursar@a.example", role: "administrator" });
    const bList = json<{ items: UserView[] }>(
      await t.inject({ method: "GET", url: "/v1/users", headers: b.auth("administrator") }),
    );
    expect(bList.items).toEqual([]);
    const del = await t.inject({ method: "DELETE", url: `/v1/users/${aUser.id}`, headers: b.auth("administrator") });
    expect(del.statusCode).toBe(404);
    const missing = await t.inject({ method: "DELETE", url: `/v1/users/${newId()}`, headers: b.auth("administrator") });
    expect(json<ErrorReply>(del).error.code).toBe(json<ErrorReply>(missing).error.code);

    const named = await recipients(b).put([aUser.id]);
    expect(named.statusCode, named.body).toBe(400);
    expect(json<ErrorReply>(named).error.code).toBe("invalid_request");
    expect(json(await recipients(b).get())).toEqual({ recipients: [] });
    expect(await t.db.selectFrom("users").select("id").where("id", "=", aUser.id).execute()).toHaveLength(1);
  });

  it("low-credit recipients: users of the tenant or addresses, validated, administrators only", async () => {
    const tenant = await t.newTenant();
    const r = recipients(tenant);
    expect(json(await r.get())).toEqual({ recipients: [] });
    const staff = await addUser(tenant, { name: "Office", email: "office@oak.example", role: "staff" });

    const put = await r.put([staff.id, "Bursar@Oak.EXAMPLE", "bursar@oak.example", staff.id]);
    expect(put.statusCode, put.body).toBe(200);
    expect(json(put)).toEqual({ recipients: [staff.id, "Bursar@oak.example"] });
    expect(json(await r.get())).toEqual(json(put));

    for (const [list, code] of [
      [[newId()], "invalid_request"],
      [["office"], "invalid_request"],
      [["two@@example.com"], "invalid_address"],
      [["x@example.com\r\nBcc: y@example.com"], "invalid_address"],
      [[""], "invalid_request"],
      [["x".repeat(255)], "invalid_request"],
      [Array.from({ length: 51 }, (_, i) => `p${i}@example.com`), "invalid_request"],
      ["office@oak.example", "invalid_request"],
      [[5], "invalid_request"],
    ] as const) {
      const bad = await r.put(list);
      expect(bad.statusCode, `${JSON.stringify(list)}: ${bad.body}`).toBe(400);
      expect(json<ErrorReply>(bad).error.code).toBe(code);
    }
    const extra = await t.inject({
      method: "PUT",
      url: "/v1/credits/low-credit-recipients",
      headers: tenant.auth("administrator"),
      payload: { recipients: [], cc: [] },
    });
    expect(json<ErrorReply>(extra).error.code).toBe("unknown_field");
    expect(json(await r.get())).toEqual(json(put));

    for (const role of ["staff", "system"] as const) {
      expect((await recipients(tenant, role).get()).statusCode).toBe(403);
      expect((await recipients(tenant, role).put([])).statusCode).toBe(403);
    }

    // A user who is removed leaves the list too, so it can be saved back as shown.
    await t.inject({ method: "DELETE", url: `/v1/users/${staff.id}`, headers: tenant.auth("administrator") });
    const after = json<{ recipients: string[] }>(await r.get());
    expect(after).toEqual({ recipients: ["Bursar@oak.example"] });
    expect((await r.put(after.recipients)).statusCode).toBe(200);
  });

  it("the low-credit alert goes to administrators with an address and to the low-credit recipients", async () => {
    clock.set(Date.UTC(2026, 0, 15, 9, 0));
    const tenant = await t.newTenant();
    await addUser(tenant, { name: "Head", email: "head@oak.example", role: "administrator" });
    await addUser(tenant, { name: "Deputy", role: "administrator" });
    const office = await addUser(tenant, { name: "Office", email: "office@oak.example", role: "staff" });
    await addUser(tenant, { name: "Teacher", email: "teacher@oak.example", role: "staff" });
    expect((await recipients(tenant).put([office.id, "bursar@trust.example"])).statusCode).toBe(200);
    const set = await t.inject({
      method: "PUT",
      url: `/v1/operator/tenants/${tenant.id}/credit-settings`,
      headers: operator,
      payload: { monthlyAllowance: 10 },
    });
    expect(set.statusCode).toBe(200);

    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ to: Array.from({ length: 9 }, (_, i) => `parent${i}@example.com`) }),
    });
    expect(res.statusCode, res.body).toBe(202);
    await t.writer.whenIdle();
    const rows = await t.db
      .selectFrom("recipients")
      .select(["id", "message_id"])
      .where("tenant_id", "=", tenant.id)
      .execute();
    await meterBatch(
      t.database,
      rows.map((r) => ({ recipientId: r.id, tenantId: tenant.id, messageId: r.message_id, category: "announcement" })),
      clock.now(),
      { senderDomain: TEST_SENDER_DOMAIN, publicUrl: "http://postbag.test" },
    );

    // One message per person, so nobody sees the others' addresses.
    const notices = await noticesOf(t.db, tenant.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.to).toEqual(["bursar@trust.example", "head@oak.example", "office@oak.example"]);
    const perMessage = await t.db
      .selectFrom("recipients")
      .innerJoin("messages", "messages.id", "recipients.message_id")
      .select(({ fn }) => ["recipients.message_id", fn.countAll<number>().as("n")])
      .where("messages.tenant_id", "=", tenant.id)
      .where("messages.category", "=", "notice")
      .groupBy("recipients.message_id")
      .execute();
    expect(perMessage.map((r) => Number(r.n))).toEqual([1, 1, 1]);
  });
});
