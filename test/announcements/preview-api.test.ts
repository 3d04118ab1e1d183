import { afterAll, beforeAll, expect, it } from "vitest";
import { inviteAndAccept } from "../console/support.js";
import { describeEachDialect } from "../support/databases.js";
import {
  expectRefused,
  json,
  nothingStored,
  openTestApp,
  storedCounts,
  type TestApp,
  type TestTenant,
} from "../support/test-app.js";
import { seedAudience, siblings } from "./audience-fixtures.js";

interface Preview {
  recipient: {
    contact: { externalId: string; name: string; email: string | null };
    subjects: { externalId: string; name: string }[];
    emails: number;
  };
  from: { email: string; name: string | null };
  subject: string;
  text: string | null;
  html: string | null;
}

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: "Trip for {{subject.name}}",
    text: "Dear {{contact.name}}, {{subject.name}} goes on a trip.",
    html: "<p>Dear {{contact.name}}, <b>{{subject.name}}</b> goes on a trip.</p><script>alert(1)</script>",
    audience: { subjectGroups: ["Year 5"] },
    consolidate: true,
    essential: false,
    ...overrides,
  };
}

describeEachDialect("announcement preview and test send API", (dialect) => {
  let t: TestApp;
  let school: TestTenant;
  let other: TestTenant;
  beforeAll(async () => {
    t = await openTestApp(dialect);
    school = await t.newTenant("Oakwood Primary");
    other = await t.newTenant("Elm Academy");
    await seedAudience(t.db, school.id, t.clock.now(), {
      ...siblings,
      contacts: [...(siblings.contacts ?? []), { ext: "p3", name: "Kim Elsewhere" }],
    });
    await seedAudience(t.db, other.id, t.clock.now(), {
      contacts: [{ ext: "q1", name: "Other Parent" }],
      subjects: [{ ext: "x1", name: "Zed", groups: ["Year 9"] }],
      links: [{ contact: "q1", subject: "x1" }],
    });
  });
  afterAll(() => t.close());

  const preview = (payload: unknown, tenant = school, role: "staff" | "administrator" | "system" = "staff") =>
    t.inject({
      method: "POST",
      url: "/v1/announcements/preview",
      headers: tenant.auth(role),
      payload: payload as object,
    });
  const testSend = (payload: unknown, headers: Record<string, string>) =>
    t.inject({ method: "POST", url: "/v1/announcements/test", headers, payload: payload as object });

  it("answers one real recipient's email: consolidated sections, sanitised, footer; stores nothing", async () => {
    const res = await preview(body());
    expect(res.statusCode, res.body).toBe(200);
    const p = json<Preview>(res);
    expect(p.recipient.contact).toEqual({ externalId: "p1", name: "Alex Parent", email: "p1@example.test" });
    expect(p.recipient.subjects.map((s) => s.name)).toEqual(["Ada", "Ben", "Cal"]);
    expect(p.recipient.emails).toBe(1);
    expect(p.subject).toBe("Trip for Ada, Ben and Cal");
    expect(p.html).toContain("Part 3 of 3: about Cal");
    expect(p.html).toContain("Dear Alex Parent");
    expect(p.html).not.toContain("<script");
    expect(p.html).toContain("http://postbag.test/u/");
    expect(p.text).toContain("unsubscribe here");
    expect(p.from.email).toBe(`noreply@${t.config.senderDomain}`);
    await t.writer.whenIdle();
    expect(await storedCounts(t.db, school.id)).toEqual(nothingStored);
  });

  it("without consolidation, the chosen contact's email about the chosen subject; Essential has no unsubscribe", async () => {
    const res = await preview(body({ consolidate: false, recipient: { contact: "p2", subject: "s2" } }));
    expect(res.statusCode, res.body).toBe(200);
    const p = json<Preview>(res);
    expect(p.recipient).toMatchObject({ contact: { externalId: "p2" }, subjects: [{ externalId: "s2" }], emails: 3 });
    expect(p.subject).toBe("Trip for Ben");
    expect(p.text).toContain("Dear Sam Parent, Ben goes");

    const essential = json<Preview>(await preview(body({ essential: true })));
    expect(essential.text).not.toContain("/u/");
    expect(essential.html).not.toContain("Unsubscribe");
  });

  it("the signature when asked for, and a contact named directly", async () => {
    await t.db
      .insertInto("tenant_signatures")
      .values({ tenant_id: school.id, enabled: 0, text: "The school office", html: null, updated_at: 0 })
      .execute();
    const signed = json<Preview>(
      await preview(body({ audience: { contacts: ["p3"] }, useSignature: true, subject: "Hello {{contact.name}}" })),
    );
    expect(signed.recipient).toMatchObject({ contact: { externalId: "p3" }, subjects: [], emails: 1 });
    expect(signed.subject).toBe("Hello Kim Elsewhere");
    expect(signed.text).toContain("-- \nThe school office");
    const unsigned = json<Preview>(await preview(body({ audience: { contacts: ["p3"] } })));
    expect(unsigned.text).not.toContain("The school office");
  });

  it("refuses bad input, other tenants' ids, and the wrong role, storing nothing", async () => {
    const cases: [unknown, number, string][] = [
      [body({ recipient: { contact: "p3" } }), 400, "invalid_request"],
      [body({ recipient: { contact: "nobody" } }), 400, "invalid_request"],
      [body({ recipient: { contact: "q1" } }), 400, "invalid_request"],
      [body({ consolidate: false, recipient: { contact: "p1", subject: "x1" } }), 400, "invalid_request"],
      [body({ recipient: { contact: "p1", extra: 1 } }), 400, "unknown_field"],
      [body({ audience: { subjectGroups: ["Year 9"] } }), 400, "invalid_request"],
      [body({ audience: {} }), 400, "invalid_request"],
      [body({ subject: "" }), 400, "invalid_request"],
      [body({ text: "{{contact.name", html: undefined }), 400, "invalid_request"],
      [body({ category: "notice" }), 400, "unknown_category"],
      [
        body({ attachments: [{ filename: "run.exe", content: Buffer.from("MZ").toString("base64") }] }),
        400,
        "invalid_attachment",
      ],
    ];
    // Larger than the message limit (the API's own limit) once decoded.
    cases.push([
      body({ attachments: [{ filename: "big.pdf", content: Buffer.alloc(150_000).toString("base64") }] }),
      413,
      "payload_too_large",
    ]);
    for (const [payload, status, code] of cases) {
      const res = await preview(payload);
      await expectRefused(t, school.id, res, status, code);
    }
    // Another tenant naming this school's audience finds nothing of its own.
    await expectRefused(t, other.id, await preview(body(), other), 400, "invalid_request");
    await expectRefused(t, school.id, await preview(body(), school, "system"), 403, "forbidden");
  });

  it("test send: to the signed-in person's own address, marked, charged like mail, never to the audience", async () => {
    const staff = await inviteAndAccept(t, school.auth("administrator"), "office@oak.example", "staff", "Ms Office");
    const res = await testSend(body(), staff.change);
    expect(res.statusCode, res.body).toBe(202);
    const { messages } = json<{ messages: { id: string; to: string }[] }>(res);
    expect(messages.map((m) => m.to)).toEqual(["office@oak.example"]);
    const message = await t.db
      .selectFrom("messages")
      .selectAll()
      .where("tenant_id", "=", school.id)
      .where("id", "=", messages[0]?.id ?? "")
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({
      source: "test",
      category: "announcement",
      subject: "[Test] Trip for Ada, Ben and Cal",
    });
    expect(message.html_body).toContain("Part 1 of 3: about Ada");
    const recipients = await t.db
      .selectFrom("recipients")
      .select(["email", "status"])
      .where("tenant_id", "=", school.id)
      .execute();
    expect(recipients).toEqual([{ email: "office@oak.example", status: "queued" }]);
    const listed = json<{ items: { id: string }[] }>(
      await t.inject({ method: "GET", url: "/v1/messages", headers: school.auth("staff") }),
    );
    expect(listed.items.map((i) => i.id)).toContain(message.id);
  });

  it("test send with an API key: to the tenant's administrators; 409 when none has an address", async () => {
    const none = await testSend(body(), other.auth("staff"));
    await expectRefused(t, other.id, none, 400, "invalid_request");
    const fresh = await t.newTenant("No admins");
    await seedAudience(t.db, fresh.id, t.clock.now(), { contacts: [{ ext: "c1", name: "Chris" }] });
    await expectRefused(
      t,
      fresh.id,
      await testSend(body({ audience: { contacts: ["c1"] } }), fresh.auth("staff")),
      409,
      "conflict",
    );
    await inviteAndAccept(t, fresh.auth("administrator"), "head@fresh.example", "administrator", "Head");
    const res = await testSend(body({ audience: { contacts: ["c1"] } }), fresh.auth("staff"));
    expect(res.statusCode, res.body).toBe(202);
    expect(json<{ messages: { to: string }[] }>(res).messages.map((m) => m.to)).toEqual(["head@fresh.example"]);
    await expectRefused(t, other.id, await testSend(body(), other.auth("system")), 403, "forbidden");
  });
});
