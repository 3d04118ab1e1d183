// The operator's Contact action: a templated notice to a school's administrators about going
// over its credit limit, sent as Postbag's own mail, recorded on the tenant and shown in the
// reports; bad input, a template the reports do not back, and other tenants' ids refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTBAG_TENANT_ID } from "../../src/tenants/tenants.js";
import type { ManualClock } from "../../src/time/clock.js";
import { inviteAndAccept } from "../console/support.js";
import { creditPeriod } from "../reports/history.js";
import { dialects } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";

interface Notice {
  id: string;
  tenantId: string;
  at: string;
  template: string;
  subject: string;
  text: string;
  recipients: number;
  sentBy: string;
}

for (const dialect of dialects) {
  describe(`operator notices (Contact) [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    let operator: { authorization: string };
    beforeAll(async () => {
      t = await openTestApp(dialect);
      clock = t.clock as ManualClock;
      operator = await t.operatorAuth();
    });
    afterAll(async () => t?.close());

    const contact = (id: string, payload: unknown, headers = operator) =>
      t.inject({ method: "POST", url: `/v1/operator/tenants/${id}/notices`, headers, payload: payload as object });

    /** Postbag's own mail to `email`, newest first: subject and text. */
    const mailTo = (email: string) =>
      t.db
        .selectFrom("messages")
        .innerJoin("recipients", "recipients.message_id", "messages.id")
        .select(["messages.subject", "messages.text_body", "messages.tenant_id", "messages.category"])
        .where("recipients.email", "=", email)
        .where("messages.subject", "like", "%allowance%")
        .orderBy("messages.id", "desc")
        .execute();

    it("sends the repeat offender's administrators the notice, records it, and the reports show when", async () => {
      clock.set(Date.parse("2026-05-20T12:00:00Z"));
      const school = await t.newTenant("Brookfield Academy");
      await inviteAndAccept(t, school.auth("administrator"), "head@brookfield.test", "administrator");
      await inviteAndAccept(t, school.auth("administrator"), "bursar@brookfield.test", "administrator");
      await inviteAndAccept(t, school.auth("administrator"), "teacher@brookfield.test", "staff");
      await creditPeriod(t, school.id, "2026-03", 3100, "2026-03-25T10:00:00Z");
      await creditPeriod(t, school.id, "2026-04", 3200, "2026-04-21T10:00:00Z");
      await creditPeriod(t, school.id, "2026-05", 3050, "2026-05-19T10:00:00Z");

      const sent = await contact(school.id, {
        template: "repeat_offender",
        message: "Could we talk on Monday?\nThanks.",
      });
      expect(sent.statusCode, sent.body).toBe(201);
      const notice = json<Notice>(sent);
      expect(notice).toMatchObject({ tenantId: school.id, template: "repeat_offender", recipients: 2 });
      expect(notice.subject).toBe("Brookfield Academy keeps going over its monthly email allowance");
      expect(notice.text).toContain("3 months running");
      expect(notice.text).toContain("March 2026, April 2026, May 2026");
      expect(notice.text).toContain("Could we talk on Monday?\nThanks.");
      expect(notice.text).toContain("we may contact you to discuss");

      // One message per administrator, as Postbag's own notice; staff get none.
      for (const email of ["head@brookfield.test", "bursar@brookfield.test"]) {
        const mail = await mailTo(email);
        expect(mail).toHaveLength(1);
        expect(mail[0]).toMatchObject({ subject: notice.subject, category: "notice", tenant_id: POSTBAG_TENANT_ID });
      }
      expect(await mailTo("teacher@brookfield.test")).toHaveLength(0);

      const over = await contact(school.id, { template: "over_limit" });
      expect(over.statusCode, over.body).toBe(201);
      expect(json<Notice>(over).text).toContain("3,050 counted emails in May 2026");

      const listed = json<{ items: Notice[] }>(
        await t.inject({ method: "GET", url: `/v1/operator/tenants/${school.id}/notices`, headers: operator }),
      );
      expect(listed.items.map((n) => n.template)).toEqual(["over_limit", "repeat_offender"]);
      const overview = json<{ notices: Notice[] }>(
        await t.inject({ method: "GET", url: `/v1/operator/tenants/${school.id}`, headers: operator }),
      );
      expect(overview.notices).toHaveLength(2);

      const offenders = json<{ items: { tenantId: string; lastContactedAt: string | null }[] }>(
        await t.inject({ method: "GET", url: "/v1/operator/reports/repeat-offenders", headers: operator }),
      );
      expect(offenders.items.find((i) => i.tenantId === school.id)?.lastContactedAt).toBe(notice.at);
      const overLimit = json<{ items: { tenantId: string; lastContactedAt: string | null }[] }>(
        await t.inject({ method: "GET", url: "/v1/operator/reports/over-limit", headers: operator }),
      );
      expect(overLimit.items.find((i) => i.tenantId === school.id)?.lastContactedAt).toBe(notice.at);

      // The school's administrators see it in their audit.
      const audit = json<{ items: { action: string; target: string | null }[] }>(
        await t.inject({ method: "GET", url: "/v1/audit", headers: school.auth("administrator") }),
      );
      expect(audit.items.filter((a) => a.action === "operator.notice_sent")).toHaveLength(2);
    });

    it("refuses bad input, templates the reports do not back, schools without administrators, other callers", async () => {
      clock.set(Date.parse("2026-05-20T12:00:00Z"));
      const fine = await t.newTenant("Within its allowance");
      await inviteAndAccept(t, fine.auth("administrator"), "head@fine.test", "administrator");
      await creditPeriod(t, fine.id, "2026-05", 10);
      const nobody = await t.newTenant("No administrators");
      await creditPeriod(t, nobody.id, "2026-05", 3050, "2026-05-19T10:00:00Z");

      const cases: [string, unknown, number, string][] = [
        [fine.id, {}, 400, "invalid_request"],
        [fine.id, { template: "angry" }, 400, "invalid_request"],
        [fine.id, { template: "over_limit", message: "x".repeat(2001) }, 400, "invalid_request"],
        [fine.id, { template: "over_limit", message: "bell\u0007" }, 400, "invalid_request"],
        [fine.id, { template: "over_limit", cc: "me@example.com" }, 400, "unknown_field"],
        [fine.id, { template: "over_limit" }, 409, "conflict"],
        [fine.id, { template: "repeat_offender" }, 409, "conflict"],
        [nobody.id, { template: "over_limit" }, 409, "conflict"],
        ["01J00000000000000000000000", { template: "over_limit" }, 404, "not_found"],
        [POSTBAG_TENANT_ID, { template: "over_limit" }, 404, "not_found"],
        ["../../etc", { template: "over_limit" }, 404, "not_found"],
      ];
      for (const [id, payload, status, code] of cases) {
        const res = await contact(id, payload);
        expect(res.statusCode, `${id} ${JSON.stringify(payload)}: ${res.body}`).toBe(status);
        expect([code, "invalid_request"]).toContain(json<ErrorReply>(res).error.code);
      }
      expect(
        await t.db.selectFrom("operator_notices").select("id").where("tenant_id", "in", [fine.id, nobody.id]).execute(),
      ).toHaveLength(0);

      // A school's own administrator key reaches neither its own nor another school's notices.
      for (const id of [fine.id, nobody.id]) {
        expect((await contact(id, { template: "over_limit" }, fine.auth("administrator"))).statusCode).toBe(403);
        const list = await t.inject({
          method: "GET",
          url: `/v1/operator/tenants/${id}/notices`,
          headers: fine.auth("administrator"),
        });
        expect(list.statusCode).toBe(403);
      }
      expect(
        (
          await t.inject({
            method: "GET",
            url: "/v1/operator/tenants/01J00000000000000000000000/notices",
            headers: operator,
          })
        ).statusCode,
      ).toBe(404);
    });
  });
}
