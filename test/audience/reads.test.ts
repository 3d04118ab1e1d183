import { afterAll, beforeAll, expect, it } from "vitest";
import { optOut } from "../../src/audience/preferences.js";
import { describeEachDialect } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { school, syncJson } from "./support.js";

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface ContactView {
  externalId: string;
  name: string;
  email: string | null;
  emailGiven: string | null;
  emailProblem: string | null;
}
interface ContactDetail extends ContactView {
  links: { subjectExternalId: string; subjectName: string; relationship: string | null; receivesMail: boolean }[];
  preferences: {
    optOuts: { category: string; source: string; at: string }[];
    digest: { mode: string; time: string | null; weekday: number | null };
  };
}

describeEachDialect("audience reads and preferences", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function get<T>(tenant: TestTenant, url: string): Promise<T> {
    const res = await t.inject({ method: "GET", url, headers: tenant.auth() });
    expect(res.statusCode, res.body).toBe(200);
    return json<T>(res);
  }

  async function all<T>(tenant: TestTenant, url: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = url.includes("?") ? "&" : "?";
      const page: Page<T> = await get<Page<T>>(
        tenant,
        `${url}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  it("GET /v1/contacts pages through every contact once, in creation order", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, school(7));
    const listed = await all<ContactView>(tenant, "/v1/contacts?limit=3");
    expect(listed.map((c) => c.externalId)).toEqual(["P0", "P1", "P2", "P3", "P4", "P5", "P6"]);
    expect(listed[0]).toMatchObject({ name: "Parent 0", email: "parent0@example.com", emailGiven: null });
  });

  it("search matches part of the name or address in any case; wildcards are plain text; emailMissing filters", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, {
      contacts: [
        { externalId: "a", name: "Anna O'Brien", email: "anna@example.com" },
        { externalId: "b", name: "Bob 100% Smith", email: "BOB@Example.com" },
        { externalId: "c", name: "Carl_Jones" },
        { externalId: "d", name: "Dora", email: "dora@@example.com" },
      ],
    });
    const names = async (query: string) =>
      (await get<Page<ContactView>>(tenant, `/v1/contacts?${query}`)).items.map((c) => c.externalId);
    expect(await names("search=o%27bri")).toEqual(["a"]);
    expect(await names("search=EXAMPLE")).toEqual(["a", "b", "d"]);
    expect(await names("search=100%25")).toEqual(["b"]);
    expect(await names("search=%25")).toEqual(["b"]);
    expect(await names("search=_")).toEqual(["c"]);
    expect(await names("search=dora%40%40")).toEqual(["d"]);
    expect(await names("search=%27%20or%201%3D1%20--")).toEqual([]);
    expect(await names("emailMissing=true")).toEqual(["c", "d"]);
    expect(await names("emailMissing=false")).toEqual(["a", "b"]);
    expect(await names("emailMissing=true&search=dor")).toEqual(["d"]);
    const d = (await get<Page<ContactView>>(tenant, "/v1/contacts?emailMissing=true&search=dora")).items[0];
    expect(d).toMatchObject({ email: null, emailGiven: "dora@@example.com", emailProblem: "invalid_syntax" });
  });

  it("bad list queries are 400 in our shape", async () => {
    const tenant = await t.newTenant();
    const cases: [string, string][] = [
      ["/v1/contacts?cursor=nonsense", "invalid_cursor"],
      ["/v1/contacts?limit=0", "invalid_request"],
      ["/v1/contacts?limit=1000", "invalid_request"],
      [`/v1/contacts?search=${"x".repeat(201)}`, "invalid_request"],
      ["/v1/contacts?emailMissing=maybe", "invalid_request"],
      ["/v1/contacts?sort=name", "unknown_field"],
      ["/v1/subjects?cursor=Zm9v", "invalid_cursor"],
      ["/v1/subject-groups?cursor=Zm9v", "invalid_cursor"],
      [`/v1/subjects?group=${"g".repeat(101)}`, "invalid_request"],
    ];
    for (const [url, code] of cases) {
      const res = await t.inject({ method: "GET", url, headers: tenant.auth() });
      expect([res.statusCode, json<ErrorReply>(res).error.code], url).toEqual([400, code]);
    }
  });

  it("GET /v1/contacts/:externalId shows links and preferences; ids with odd characters work", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, {
      contacts: [{ externalId: "MIS/42 ü", name: "Pat", email: "pat@example.com" }],
      subjects: [
        { externalId: "S2", name: "Zed", groups: ["Year 9"] },
        { externalId: "S1", name: "Amy", groups: ["Year 7"] },
      ],
      links: [
        { contactExternalId: "MIS/42 ü", subjectExternalId: "S2", relationship: "father", receivesMail: false },
        { contactExternalId: "MIS/42 ü", subjectExternalId: "S1", relationship: "father" },
      ],
    });
    const contact = await get<ContactDetail>(tenant, `/v1/contacts/${encodeURIComponent("MIS/42 ü")}`);
    expect(contact).toMatchObject({
      externalId: "MIS/42 ü",
      name: "Pat",
      links: [
        { subjectExternalId: "S1", subjectName: "Amy", relationship: "father", receivesMail: true },
        { subjectExternalId: "S2", subjectName: "Zed", relationship: "father", receivesMail: false },
      ],
      preferences: { optOuts: [], digest: { mode: "none", time: null, weekday: null } },
    });
    for (const id of ["nope", "' or 1=1 --", "x".repeat(101)]) {
      const res = await t.inject({
        method: "GET",
        url: `/v1/contacts/${encodeURIComponent(id)}`,
        headers: tenant.auth(),
      });
      expect([res.statusCode, json<ErrorReply>(res).error.code], id).toEqual(
        id.length > 100 ? [400, "invalid_request"] : [404, "not_found"],
      );
    }
  });

  it("PUT preferences sets opt-outs (as a whole set) and the digest; a later sync leaves them alone", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, school(1));
    const contactId = (
      await t.db
        .selectFrom("contacts")
        .select("id")
        .where("tenant_id", "=", tenant.id)
        .where("external_id", "=", "P0")
        .executeTakeFirstOrThrow()
    ).id;
    // An earlier opt-out through the unsubscribe link keeps its record.
    await optOut(t.db, { tenantId: tenant.id, contactId, category: "announcement", source: "link", at: 1_000 });
    await optOut(t.db, { tenantId: tenant.id, contactId, category: "digest", source: "one_click", at: 2_000 });
    const put = async (payload: Record<string, unknown>, role: "system" | "staff" | "administrator" = "staff") =>
      t.inject({ method: "PUT", url: "/v1/contacts/P0/preferences", headers: tenant.auth(role), payload });

    const res = await put({
      optOuts: ["announcement", "scheduled"],
      digest: { mode: "weekly", time: "07:30", weekday: 5 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<ContactDetail>(res);
    expect(body.preferences).toEqual({
      optOuts: [
        { category: "announcement", source: "link", at: new Date(1_000).toISOString() },
        { category: "scheduled", source: "api", at: new Date(t.clock.now()).toISOString() },
      ],
      digest: { mode: "weekly", time: "07:30", weekday: 5 },
    });
    const row = await t.db
      .selectFrom("contacts")
      .select(["digest", "digest_time", "digest_weekday"])
      .where("id", "=", contactId)
      .executeTakeFirstOrThrow();
    expect({ ...row, digest_weekday: Number(row.digest_weekday) }).toEqual({
      digest: "weekly",
      digest_time: "07:30",
      digest_weekday: 5,
    });

    // Only the digest: opt-outs stay. Then a sync of the same contact with a new name keeps both.
    expect((await put({ digest: { mode: "daily", time: "18:00" } }, "system")).statusCode).toBe(200);
    await syncJson(t, tenant, { contacts: [{ externalId: "P0", name: "Renamed", email: "parent0@example.com" }] });
    const after = await get<ContactDetail>(tenant, "/v1/contacts/P0");
    expect(after.name).toBe("Renamed");
    expect(after.preferences.optOuts.map((o) => o.category)).toEqual(["announcement", "scheduled"]);
    expect(after.preferences.digest).toEqual({ mode: "daily", time: "18:00", weekday: null });

    // An empty set opts back in to everything; none clears the digest.
    const cleared = json<ContactDetail>(await put({ optOuts: [], digest: { mode: "none" } }, "administrator"));
    expect(cleared.preferences).toEqual({ optOuts: [], digest: { mode: "none", time: null, weekday: null } });
  });

  it("PUT preferences refuses invalid digests, unknown categories and fields, other tenants' contacts", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, school(1));
    const cases: [unknown, number, string][] = [
      [{ digest: { mode: "daily" } }, 400, "invalid_request"],
      [{ digest: { mode: "weekly", time: "08:00" } }, 400, "invalid_request"],
      [{ digest: { mode: "daily", time: "24:00" } }, 400, "invalid_request"],
      [{ digest: { mode: "daily", time: "8:00" } }, 400, "invalid_request"],
      [{ digest: { mode: "daily", time: "08:00\r\n" } }, 400, "invalid_request"],
      [{ digest: { mode: "daily", time: "08:00", weekday: 1 } }, 400, "invalid_request"],
      [{ digest: { mode: "weekly", time: "08:00", weekday: 0 } }, 400, "invalid_request"],
      [{ digest: { mode: "weekly", time: "08:00", weekday: 8 } }, 400, "invalid_request"],
      [{ digest: { mode: "weekly", time: "08:00", weekday: "1" } }, 400, "invalid_request"],
      [{ digest: { mode: "none", time: "08:00" } }, 400, "invalid_request"],
      [{ digest: { mode: "hourly", time: "08:00" } }, 400, "invalid_request"],
      [{ digest: { mode: "daily", time: "08:00", tz: "UTC" } }, 400, "unknown_field"],
      [{ optOuts: ["password_reset_parent"] }, 400, "invalid_request"],
      [{ optOuts: ["notice"] }, 400, "invalid_request"],
      [{ optOuts: "announcement" }, 400, "invalid_request"],
      [{ email: "x@example.com" }, 400, "unknown_field"],
      ["not json at all", 400, "invalid_json"],
    ];
    for (const [payload, status, code] of cases) {
      const res = await t.inject({
        method: "PUT",
        url: "/v1/contacts/P0/preferences",
        headers: { ...tenant.auth(), "content-type": "application/json" },
        payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      });
      expect([res.statusCode, json<ErrorReply>(res).error.code], JSON.stringify(payload)).toEqual([status, code]);
    }
    const unknown = await t.inject({
      method: "PUT",
      url: "/v1/contacts/nobody/preferences",
      headers: tenant.auth(),
      payload: { optOuts: ["announcement"] },
    });
    expect([unknown.statusCode, json<ErrorReply>(unknown).error.code]).toEqual([404, "not_found"]);
    const contact = await get<ContactDetail>(tenant, "/v1/contacts/P0");
    expect(contact.preferences).toEqual({ optOuts: [], digest: { mode: "none", time: null, weekday: null } });
  });

  it("GET /v1/subjects filters by group and pages; GET /v1/subject-groups counts subjects per group", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, school(9));
    await syncJson(t, tenant, { subjects: [{ externalId: "S0", name: "Student 0", groups: ["Year 7", "7A"] }] });
    const year7 = await all<{ externalId: string; groups: string[] }>(tenant, "/v1/subjects?group=Year%207&limit=2");
    expect(year7.map((s) => s.externalId)).toEqual(["S0", "S2", "S4", "S6", "S8"]);
    expect(year7[0]?.groups).toEqual(["Year 7", "7A"]);
    expect((await all(tenant, "/v1/subjects?group=year%207")).length).toBe(0);
    expect((await all(tenant, "/v1/subjects?limit=4")).length).toBe(9);
    const found = await all<{ externalId: string }>(tenant, "/v1/subjects?search=STUDENT%200&limit=1");
    expect(found.map((s) => s.externalId)).toEqual(["S0"]);
    expect(await all(tenant, "/v1/subjects?search=50%25")).toEqual([]);
    const groups = await all<{ name: string; subjectCount: number }>(tenant, "/v1/subject-groups?limit=1");
    expect(groups.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
      { name: "7A", subjectCount: 1 },
      { name: "Year 7", subjectCount: 5 },
      { name: "Year 8", subjectCount: 4 },
    ]);
    // Moving S0 out of 7A leaves the group empty, so it is gone.
    await syncJson(t, tenant, { subjects: [{ externalId: "S0", name: "Student 0", groups: ["Year 7"] }] });
    expect((await all<{ name: string }>(tenant, "/v1/subject-groups")).map((g) => g.name)).not.toContain("7A");
  });

  it("reads need a tenant key of any role; operator keys and no key are refused", async () => {
    const tenant = await t.newTenant();
    const operator = await t.operatorAuth();
    for (const url of ["/v1/contacts", "/v1/contacts/x", "/v1/subjects", "/v1/subject-groups"]) {
      for (const role of ["system", "staff", "administrator"] as const) {
        const res = await t.inject({ method: "GET", url, headers: tenant.auth(role) });
        expect(res.statusCode, `${url} ${role}`).toBe(url === "/v1/contacts/x" ? 404 : 200);
      }
      expect((await t.inject({ method: "GET", url })).statusCode).toBe(401);
      expect((await t.inject({ method: "GET", url, headers: operator })).statusCode).toBe(403);
    }
    const put = await t.inject({
      method: "PUT",
      url: "/v1/contacts/x/preferences",
      headers: operator,
      payload: { optOuts: [] },
    });
    expect(put.statusCode).toBe(403);
  });

  it("the routes are in the OpenAPI document", async () => {
    const doc = json<{ paths: Record<string, Record<string, unknown>> }>(
      await t.inject({ method: "GET", url: "/openapi.json" }),
    );
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/audience/sync",
        "/v1/contacts",
        "/v1/contacts/{externalId}",
        "/v1/contacts/{externalId}/preferences",
        "/v1/subjects",
        "/v1/subject-groups",
      ]),
    );
    const sync = doc.paths["/v1/audience/sync"]?.post as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(sync.requestBody.content).sort()).toEqual(["application/json", "application/x-ndjson"]);
  });
});
