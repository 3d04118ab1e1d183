import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";
import { counts, syncJson } from "./support.js";

interface ContactDetail {
  externalId: string;
  email: string | null;
  emailGiven: string | null;
  emailProblem: string | null;
  emailFixed: boolean;
}

describeEachDialect("correcting a contact's address (PATCH /v1/contacts/:externalId)", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("fixes an unusable address; a sync giving the old value keeps the fix, a new value wins", async () => {
    const tenant = await t.newTenant();
    const typo = { contacts: [{ externalId: "P1", name: "Mary Jones", email: "mary@@example.com" }] };
    await syncJson(t, tenant, typo);

    const res = await t.inject({
      method: "PATCH",
      url: "/v1/contacts/P1",
      headers: tenant.auth("staff"),
      payload: { email: " mary@example.com " },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<ContactDetail>(res)).toMatchObject({
      email: "mary@example.com",
      emailGiven: null,
      emailProblem: null,
      emailFixed: true,
    });

    // The school's system still has the typo: the nightly sync changes nothing.
    expect((await syncJson(t, tenant, typo)).contacts).toEqual(counts(0, 0, 1));
    const kept = await t.inject({ method: "GET", url: "/v1/contacts/P1", headers: tenant.auth() });
    expect(json<ContactDetail>(kept)).toMatchObject({ email: "mary@example.com", emailFixed: true });

    // A name change alone keeps the fix too.
    const renamed = { contacts: [{ externalId: "P1", name: "Mary Smith", email: "mary@@example.com" }] };
    expect((await syncJson(t, tenant, renamed)).contacts).toEqual(counts(0, 1, 0));
    const afterRename = await t.inject({ method: "GET", url: "/v1/contacts/P1", headers: tenant.auth() });
    expect(json<ContactDetail>(afterRename)).toMatchObject({ email: "mary@example.com", emailFixed: true });

    // Fixed at the source: the school's value is the one used again.
    const source = { contacts: [{ externalId: "P1", name: "Mary Smith", email: "mary.smith@example.com" }] };
    expect((await syncJson(t, tenant, source)).contacts).toEqual(counts(0, 1, 0));
    const after = await t.inject({ method: "GET", url: "/v1/contacts/P1", headers: tenant.auth() });
    expect(json<ContactDetail>(after)).toMatchObject({ email: "mary.smith@example.com", emailFixed: false });

    const audit = await t.inject({ method: "GET", url: "/v1/audit", headers: tenant.auth("administrator") });
    expect(audit.body).toContain("contact.email_corrected");
  });

  it("a second correction still remembers what the school's system gave", async () => {
    const tenant = await t.newTenant();
    const none = { contacts: [{ externalId: "P2", name: "No Address" }] };
    await syncJson(t, tenant, none);
    for (const email of ["first@example.com", "second@example.com"]) {
      const res = await t.inject({
        method: "PATCH",
        url: "/v1/contacts/P2",
        headers: tenant.auth("staff"),
        payload: { email },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect((await syncJson(t, tenant, none)).contacts).toEqual(counts(0, 0, 1));
    const kept = await t.inject({ method: "GET", url: "/v1/contacts/P2", headers: tenant.auth() });
    expect(json<ContactDetail>(kept)).toMatchObject({ email: "second@example.com", emailFixed: true });
  });

  it("refuses a bad address, header injection, unknown fields, another tenant's contact and the wrong role", async () => {
    const tenant = await t.newTenant();
    const other = await t.newTenant();
    await syncJson(t, tenant, { contacts: [{ externalId: "P1", name: "Mary", email: "mary@example.com" }] });
    const patch = (payload: unknown, headers = tenant.auth("staff"), url = "/v1/contacts/P1") =>
      t.inject({ method: "PATCH", url, headers, payload: payload as Record<string, unknown> });

    for (const email of ["not an address", "", "x@[10.0.0.1]", "a@example.com\r\nBcc: all@example.com"]) {
      const res = await patch({ email });
      expect(res.statusCode, `${email}: ${res.body}`).toBe(400);
      expect(json<ErrorReply>(res).error.code).toBe("invalid_request");
    }
    expect((await patch({ email: "a@example.com", name: "x" })).statusCode).toBe(400);
    expect((await patch({})).statusCode).toBe(400);
    expect((await patch({ email: "a@example.com" }, other.auth("staff"))).statusCode).toBe(404);
    expect((await patch({ email: "a@example.com" }, tenant.auth("staff"), "/v1/contacts/nobody")).statusCode).toBe(404);

    const unchanged = await t.inject({ method: "GET", url: "/v1/contacts/P1", headers: tenant.auth() });
    expect(json<ContactDetail>(unchanged)).toMatchObject({ email: "mary@example.com", emailFixed: false });
  });
});
