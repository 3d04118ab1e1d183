import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateTenantCreditSettings } from "../../src/credits/tenant-settings.js";
import { suppress } from "../../src/messages/suppressions.js";
import type { ManualClock } from "../../src/time/clock.js";
import { syncJson } from "../audience/support.js";
import { describeEachDialect } from "../support/databases.js";
import { newTestWorker, waitUntil } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";

interface Estimate {
  recipients: number;
  subjects: number;
  emails: { consolidated: number; separate: number };
  statuses: Record<"queued" | "email_missing" | "opted_out" | "rejected" | "pending_digest", number>;
  credits: {
    charged: boolean;
    needed: number;
    available: number;
    fits: boolean;
    policy: string;
    overLimit: number;
    overLimitAction: string;
  } | null;
  unresolved: { contacts: string[]; subjects: string[]; subjectGroups: string[] };
}

/**
 * A small synced school: P1 (two children), P2 without an address, P3 opted out of
 * announcements, P4 at a suppressed address, P5 on a weekly digest, P6, and P7 linked to no
 * child (named directly).
 */
const audience = {
  contacts: [
    { externalId: "P1", name: "Parent One", email: "p1@example.com" },
    { externalId: "P2", name: "Parent Two", email: null },
    { externalId: "P3", name: "Parent Three", email: "p3@example.com" },
    { externalId: "P4", name: "Parent Four", email: "P4@Example.com" },
    { externalId: "P5", name: "Parent Five", email: "p5@example.com" },
    { externalId: "P6", name: "Parent Six", email: "p6@example.com" },
    { externalId: "P7", name: "Governor Seven", email: "p7@example.com" },
  ],
  subjects: [
    { externalId: "S1", name: "Ada", groups: ["Year 7"] },
    { externalId: "S2", name: "Ben", groups: ["Year 7"] },
    { externalId: "S3", name: "Cal", groups: ["Year 7"] },
    { externalId: "S4", name: "Dot", groups: ["Year 7"] },
    { externalId: "S9", name: "Eve", groups: ["Year 8"] },
  ],
  links: [
    ["P1", "S1"],
    ["P1", "S2"],
    ["P2", "S1"],
    ["P3", "S3"],
    ["P4", "S3"],
    ["P5", "S4"],
    ["P6", "S4"],
  ].map(([c, s]) => ({ contactExternalId: c, subjectExternalId: s, relationship: "mother" })),
};

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: "Trip for {{subject.name}}",
    text: "Dear {{contact.name}}, the trip is on Friday.",
    audience: { subjectGroups: ["Year 7"], subjects: ["S1"], contacts: ["P7"] },
    consolidate: false,
    essential: false,
    ...overrides,
  };
}

describeEachDialect("POST /v1/announcements/estimate", (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let school: TestTenant;
  let other: TestTenant;
  beforeAll(async () => {
    t = await openTestApp(dialect);
    clock = t.clock as ManualClock;
    school = await t.newTenant("Oakwood Primary");
    other = await t.newTenant("Elmwood Academy");
    await syncJson(t, school, audience);
    await syncJson(t, other, { contacts: [{ externalId: "Q1", name: "Other Parent", email: "q1@example.com" }] });
    const put = (ext: string, payload: object) =>
      t.inject({
        method: "PUT",
        url: `/v1/contacts/${ext}/preferences`,
        headers: school.auth("system"),
        payload,
      });
    expect((await put("P3", { optOuts: ["announcement"] })).statusCode).toBe(200);
    expect((await put("P5", { digest: { mode: "weekly", time: "17:00", weekday: 5 } })).statusCode).toBe(200);
    await suppress(t.db, [
      { tenantId: school.id, email: "p4@example.com", reason: "hard_bounce", detail: null, recipientId: null, at: 0 },
    ]);
  });
  afterAll(() => t?.close());

  const estimate = (payload: unknown, tenant = school, role: "staff" | "administrator" | "system" = "staff") =>
    t.inject({
      method: "POST",
      url: "/v1/announcements/estimate",
      headers: tenant.auth(role),
      payload: payload as object,
    });

  it("counts recipients, emails with and without consolidation, and each screening outcome", async () => {
    const res = await estimate(body());
    expect(res.statusCode, res.body).toBe(200);
    const e = json<Estimate>(res);
    expect(e.recipients).toBe(7);
    expect(e.subjects).toBe(4);
    expect(e.emails).toEqual({ consolidated: 7, separate: 8 });
    expect(e.statuses).toEqual({ queued: 4, email_missing: 1, opted_out: 1, rejected: 1, pending_digest: 1 });
    expect(e.credits).toMatchObject({ charged: true, needed: 4, fits: true, overLimit: 0, overLimitAction: "none" });
    expect(e.unresolved).toEqual({ contacts: [], subjects: [], subjectGroups: [] });

    const consolidated = json<Estimate>(await estimate(body({ consolidate: true })));
    expect(consolidated.statuses).toEqual({
      queued: 3,
      email_missing: 1,
      opted_out: 1,
      rejected: 1,
      pending_digest: 1,
    });
    // Essential overrides opt-outs and digests, never suppression.
    const essential = json<Estimate>(await estimate(body({ consolidate: true, essential: true })));
    expect(essential.statuses).toEqual({ queued: 5, email_missing: 1, opted_out: 0, rejected: 1, pending_digest: 0 });
  });

  it("stores and sends nothing", async () => {
    const count = async (table: "announcements" | "messages" | "announcement_audience" | "recipients") =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await Promise.all(
      (["announcements", "messages", "announcement_audience", "recipients"] as const).map(count),
    );
    expect((await estimate(body())).statusCode).toBe(200);
    const after = await Promise.all(
      (["announcements", "messages", "announcement_audience", "recipients"] as const).map(count),
    );
    expect(after).toEqual(before);
  });

  it("says what the over-limit policy does when the emails do not fit", async () => {
    await updateTenantCreditSettings(t.database, school.id, { monthlyAllowance: 3, overLimitPolicy: "hard" }, 0);
    try {
      const hard = json<Estimate>(await estimate(body()));
      expect(hard.credits).toMatchObject({
        needed: 4,
        available: 3,
        fits: false,
        policy: "hard",
        overLimit: 1,
        overLimitAction: "held",
      });
      await updateTenantCreditSettings(t.database, school.id, { overLimitPolicy: "soft" }, 0);
      expect(json<Estimate>(await estimate(body())).credits).toMatchObject({ overLimit: 1, overLimitAction: "sent" });
    } finally {
      await updateTenantCreditSettings(t.database, school.id, { monthlyAllowance: null, overLimitPolicy: null }, 0);
    }
  });

  describe("refuses bad input as compose does", () => {
    const cases: [string, unknown, number, string][] = [
      ["an empty audience", body({ audience: {} }), 400, "invalid_request"],
      ["an unknown category", body({ category: "newsletter" }), 400, "unknown_category"],
      ["a sendAt in the past", body({ sendAt: "2000-01-01T00:00:00Z" }), 400, "invalid_request"],
      ["an unknown field", body({ recipients: 3 }), 400, "unknown_field"],
      ["a missing subject", { ...body(), subject: undefined }, 400, "invalid_request"],
      ["a broken merge field", body({ subject: "Hello {{contact.name" }), 400, "invalid_request"],
      ["a non-boolean consolidate", body({ consolidate: "yes" }), 400, "invalid_request"],
    ];
    for (const [what, payload, status, code] of cases) {
      it(what, async () => {
        const res = await estimate(payload);
        expect(res.statusCode, res.body).toBe(status);
        expect(json<{ error: { code: string } }>(res).error.code).toBe(code);
      });
    }
    it("a system key cannot estimate (announcements are people's work)", async () => {
      expect((await estimate(body(), school, "system")).statusCode).toBe(403);
    });
  });

  it("another tenant's ids reach nothing: refused when nothing matches, unresolved otherwise", async () => {
    const foreign = await estimate(body({ audience: { contacts: ["Q1"] } }));
    expect(foreign.statusCode).toBe(400);
    expect(json<{ error: { code: string } }>(foreign).error.code).toBe("invalid_request");
    // The other tenant naming this school's ids and groups gets nothing of them.
    expect((await estimate(body(), other)).statusCode).toBe(400);
    const mixed = json<Estimate>(await estimate(body({ audience: { contacts: ["P7", "Q1"] } })));
    expect(mixed.recipients).toBe(1);
    expect(mixed.unresolved.contacts).toEqual(["Q1"]);
  });

  it("checks a list of thousands of ids whole: the unknown ones reported in the order given", async () => {
    const unknown = Array.from({ length: 2_500 }, (_, i) => `X${2_500 - i}`);
    const e = json<Estimate>(
      await estimate(
        body({ audience: { subjects: ["S1", ...unknown.slice(0, 1_200), "S9", ...unknown.slice(1_200)] } }),
      ),
    );
    // S1: P1 and P2 (without an address); S9 has no contact.
    expect(e.recipients).toBe(2);
    expect(e.unresolved).toEqual({ contacts: [], subjects: unknown, subjectGroups: [] });
  });

  it("matches what fan-out and delivery then do", async () => {
    const server: TestSmtpServer = await startTestSmtpServer();
    const { worker, transport } = newTestWorker({ database: t.database, clock, server });
    try {
      const predicted = json<Estimate>(await estimate(body()));
      const res = await t.inject({
        method: "POST",
        url: "/v1/announcements",
        headers: school.auth("staff"),
        payload: body(),
      });
      expect(res.statusCode, res.body).toBe(202);
      const { id, messageId } = json<{ id: string; messageId: string }>(res);
      await waitUntil(
        "the announcement is fanned out",
        async () =>
          (await t.db.selectFrom("announcements").select("state").where("id", "=", id).executeTakeFirstOrThrow())
            .state === "sent",
        10_000,
      );
      for (let i = 0; i < 20 && (await worker.runOnce()) > 0; i++) {}
      const rows = await t.db
        .selectFrom("recipients")
        .select(["status", "charge"])
        .where("tenant_id", "=", school.id)
        .where("message_id", "=", messageId)
        .execute();
      const by = (status: string) => rows.filter((r) => r.status === status).length;
      expect(rows).toHaveLength(predicted.emails.separate);
      expect({
        queued: by("sent"),
        email_missing: by("email_missing"),
        opted_out: by("opted_out"),
        rejected: by("rejected"),
        pending_digest: by("pending_digest"),
      }).toEqual(predicted.statuses);
      expect(rows.filter((r) => r.charge !== null && r.charge !== "uncounted")).toHaveLength(
        predicted.credits?.needed ?? -1,
      );
      await server.waitForMessages(predicted.statuses.queued, 10_000);
    } finally {
      await transport.close();
      await server.close();
    }
  });
});
