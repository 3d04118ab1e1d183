// Suspending and resuming a tenant (the operator's console): keys and console sessions refused
// with 403 tenant_suspended, waiting mail held with the reason `suspended` (nothing sent, nothing
// deleted), mail queued during the suspension held by the worker, and all of it released on
// resume, through a real worker and a real SMTP server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { prepareNotice } from "../../src/credits/notices.js";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { SUSPENDED_UNTIL } from "../../src/messages/recipient-state.js";
import { POSTBAG_TENANT_ID } from "../../src/tenants/tenants.js";
import type { ManualClock } from "../../src/time/clock.js";
import { inviteAndAccept } from "../console/support.js";
import { dialects } from "../support/databases.js";
import { newTestWorker } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";

interface TenantView {
  id: string;
  name: string;
  timezone: string;
  pendingTimezone: string | null;
  suspendedAt: string | null;
  suspendedNote: string | null;
}

for (const dialect of dialects) {
  describe(`tenant suspend and resume [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    let operator: { authorization: string };
    let server: TestSmtpServer;
    const transports: MailTransport[] = [];

    beforeAll(async () => {
      t = await openTestApp(dialect);
      clock = t.clock as ManualClock;
      operator = await t.operatorAuth();
      server = await startTestSmtpServer();
    });
    afterAll(async () => {
      await server?.close();
      await t?.close();
    });
    afterEach(async () => {
      for (const tr of transports.splice(0)) await tr.close();
      // The outbox is shared by this file's tests: leave nothing due for the next one.
      await t.db
        .updateTable("recipients")
        .set({ next_attempt_at: null })
        .where("next_attempt_at", "is not", null)
        .execute();
    });

    function worker() {
      const made = newTestWorker({ database: t.database, clock, server });
      transports.push(made.transport);
      return made.worker;
    }

    async function send(tenant: TestTenant, to: string) {
      return t.inject({
        method: "POST",
        url: "/v1/messages",
        headers: tenant.auth(),
        payload: validMessage({ to: [to] }),
      });
    }

    const rows = (tenantId: string) =>
      t.db
        .selectFrom("recipients")
        .select(["email", "status", "next_attempt_at", "hold_reason", "attempts"])
        .where("tenant_id", "=", tenantId)
        .orderBy("id")
        .execute();

    const suspend = (id: string, payload: Record<string, unknown> = {}, headers = operator) =>
      t.inject({ method: "POST", url: `/v1/operator/tenants/${id}/suspend`, headers, payload });
    const resume = (id: string, headers = operator) =>
      t.inject({ method: "POST", url: `/v1/operator/tenants/${id}/resume`, headers });

    it("refuses the tenant's keys and people while suspended; holds its mail, sends none, deletes none; resume releases it", async () => {
      const school = await t.newTenant("Hillside");
      const other = await t.newTenant("Other school");
      const person = await inviteAndAccept(t, school.auth("administrator"), "head@hillside.test", "administrator");
      expect((await send(school, "a@example.com")).statusCode).toBe(202);
      expect((await send(school, "b@example.com")).statusCode).toBe(202);
      expect((await send(other, "c@example.com")).statusCode).toBe(202);

      const suspended = await suspend(school.id, { note: "Unpaid invoice" });
      expect(suspended.statusCode, suspended.body).toBe(200);
      const body = json<{ tenant: TenantView; held: number }>(suspended);
      expect(body.tenant.suspendedAt).not.toBeNull();
      expect(body.tenant.suspendedNote).toBe("Unpaid invoice");
      expect(body.held).toBe(2);
      // Suspending again changes nothing.
      expect(json<{ held: number }>(await suspend(school.id)).held).toBe(0);

      // Every key and the console session: 403 tenant_suspended. The other school is untouched.
      for (const role of ["system", "staff", "administrator"] as const) {
        const res = await t.inject({ method: "GET", url: "/v1/messages", headers: school.auth(role) });
        expect(res.statusCode).toBe(403);
        expect(json<ErrorReply>(res).error.code).toBe("tenant_suspended");
      }
      const refusedSend = await send(school, "d@example.com");
      expect(json<ErrorReply>(refusedSend).error.code).toBe("tenant_suspended");
      const viaSession = await t.inject({ method: "GET", url: "/v1/credits", headers: person.read });
      expect(viaSession.statusCode).toBe(403);
      expect(json<ErrorReply>(viaSession).error.code).toBe("tenant_suspended");
      // The person can still see who they are (and the console can say why).
      expect((await t.inject({ method: "GET", url: "/v1/session", headers: person.read })).statusCode).toBe(200);
      expect((await t.inject({ method: "GET", url: "/v1/messages", headers: other.auth() })).statusCode).toBe(200);

      const held = await rows(school.id);
      expect(held).toHaveLength(2);
      for (const r of held) {
        expect(r).toMatchObject({ status: "queued", hold_reason: "suspended", attempts: 0 });
        expect(Number(r.next_attempt_at)).toBe(SUSPENDED_UNTIL);
      }

      // Mail queued for the tenant during the suspension (Postbag's own, say): held when claimed.
      await t.writer.accept(
        school.id,
        prepareNotice(
          { senderDomain: t.config.senderDomain, publicUrl: "http://postbag.test" },
          ["e@example.com"],
          "Credit low",
          "Text",
        ),
      );

      clock.advance(60_000);
      const w = worker();
      // Only the other school's message goes (and Postbag's invitation to the school's head).
      expect(await w.runOnce()).toBe(2);
      expect(server.messages.flatMap((m) => m.rcptTo).sort()).toEqual(["c@example.com", "head@hillside.test"]);
      const during = await rows(school.id);
      expect(during).toHaveLength(3);
      expect(during.every((r) => r.status === "queued" && r.hold_reason === "suspended")).toBe(true);

      const queue = json<{ suspended: number; delayed: number }>(
        await t.inject({ method: "GET", url: "/v1/operator/queue", headers: operator }),
      );
      expect(queue.suspended).toBe(3);

      const resumed = await resume(school.id);
      expect(resumed.statusCode, resumed.body).toBe(200);
      expect(json<{ tenant: TenantView; released: number }>(resumed)).toMatchObject({
        tenant: { suspendedAt: null, suspendedNote: null },
        released: 3,
      });
      expect(json<{ released: number }>(await resume(school.id)).released).toBe(0);
      expect((await t.inject({ method: "GET", url: "/v1/credits", headers: person.read })).statusCode).toBe(200);
      expect((await send(school, "f@example.com")).statusCode).toBe(202);

      expect(await w.runOnce()).toBe(4);
      expect(server.messages.flatMap((m) => m.rcptTo).sort()).toEqual([
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "e@example.com",
        "f@example.com",
        "head@hillside.test",
      ]);
      expect((await rows(school.id)).every((r) => r.status === "sent" && r.hold_reason === null)).toBe(true);

      // The audit shows both, to the school's administrators.
      const audit = json<{ items: { action: string }[] }>(
        await t.inject({ method: "GET", url: "/v1/audit", headers: school.auth("administrator") }),
      );
      expect(audit.items.map((a) => a.action)).toEqual(expect.arrayContaining(["tenant.suspended", "tenant.resumed"]));
    });

    it("a hold-time or retry due later keeps its time and reason through a suspension", async () => {
      const school = await t.newTenant("Later school");
      expect((await send(school, "later@example.com")).statusCode).toBe(202);
      const later = clock.now() + 10 * 60_000;
      await t.db
        .updateTable("recipients")
        .set({ next_attempt_at: later, hold_reason: "hold_time" })
        .where("tenant_id", "=", school.id)
        .execute();
      await suspend(school.id);
      clock.advance(60_000);
      await resume(school.id);
      const [row] = await rows(school.id);
      expect(Number(row?.next_attempt_at)).toBe(later);
      expect(row?.hold_reason).toBe("hold_time");
    });

    it("rename and time zone; bad input, unknown and reserved ids, and tenant keys are refused", async () => {
      const school = await t.newTenant("Old name");
      const renamed = await t.inject({
        method: "PATCH",
        url: `/v1/operator/tenants/${school.id}`,
        headers: operator,
        payload: { name: "  New name  ", timezone: "America/New_York" },
      });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(json<TenantView>(renamed)).toMatchObject({
        name: "New name",
        timezone: "Europe/London",
        pendingTimezone: "America/New_York",
      });

      const bad: [string, string, Record<string, unknown> | undefined, number][] = [
        ["PATCH", school.id, { name: "" }, 400],
        ["PATCH", school.id, { name: "a\u0007b" }, 400],
        ["PATCH", school.id, { timezone: "Mars/Olympus" }, 400],
        ["PATCH", school.id, { colour: "red" }, 400],
        ["PATCH", "01J00000000000000000000000", { name: "x" }, 404],
        ["PATCH", POSTBAG_TENANT_ID, { name: "x" }, 404],
        ["POST-suspend", school.id, { note: "x".repeat(501) }, 400],
        ["POST-suspend", school.id, { reason: "x" }, 400],
        ["POST-suspend", "not-an-id", {}, 404],
        ["POST-suspend", POSTBAG_TENANT_ID, {}, 404],
        ["POST-resume", "01J00000000000000000000000", undefined, 404],
        ["GET", "01J00000000000000000000000", undefined, 404],
      ];
      for (const [how, id, payload, status] of bad) {
        const [method, action] = how.split("-");
        const res = await t.inject({
          method: method as "GET" | "POST" | "PATCH",
          url: `/v1/operator/tenants/${id}${action ? `/${action}` : ""}`,
          headers: operator,
          ...(payload ? { payload } : {}),
        });
        expect(res.statusCode, `${how} ${id} ${JSON.stringify(payload)}: ${res.body}`).toBe(status);
      }
      expect(
        (await t.inject({ method: "GET", url: `/v1/operator/tenants/${school.id}`, headers: operator })).json(),
      ).toMatchObject({
        tenant: { name: "New name", suspendedAt: null },
      });

      // A tenant's own administrator key cannot suspend anyone, itself or another school.
      const other = await t.newTenant("Another");
      for (const id of [school.id, other.id]) {
        expect((await suspend(id, {}, school.auth("administrator"))).statusCode).toBe(403);
        expect((await resume(id, school.auth("administrator"))).statusCode).toBe(403);
      }
      expect(
        (
          await t.inject({
            method: "GET",
            url: `/v1/operator/tenants/${other.id}`,
            headers: school.auth("administrator"),
          })
        ).statusCode,
      ).toBe(403);
    });
  });
}
