import { afterAll, beforeAll, expect, it } from "vitest";
import type { DomainView } from "../../src/domains/domain-store.js";
import { ACCOUNT_ADDRESS, accountSettings, saveOwnAccount } from "../sending/account-servers.js";
import { describeEachDialect } from "../support/databases.js";
import { startTestDnsServer, type TestDnsServer } from "../support/dns-server.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";

/** The DKIM record a domain asks for, published as asked (or as given). */
function publishDkim(dns: TestDnsServer, domain: DomainView, value?: string): void {
  const dkim = domain.records.find((r) => r.purpose === "dkim");
  if (!dkim) throw new Error("no DKIM record");
  dns.setTxt(dkim.name, [value ?? dkim.value]);
}

describeEachDialect("sending domains API", (dialect) => {
  let t: TestApp;
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startTestDnsServer();
    t = await openTestApp(dialect, {
      env: { POSTBAG_DNS_SERVERS: dns.address, POSTBAG_SPF_INCLUDE: "include:spf.relay.example" },
    });
  });
  afterAll(async () => {
    await t?.close();
    await dns?.close();
  });

  async function addDomain(tenant: TestTenant, domain: string): Promise<DomainView> {
    const res = await t.inject({
      method: "POST",
      url: "/v1/domains",
      headers: tenant.auth("administrator"),
      payload: { domain },
    });
    expect(res.statusCode, res.body).toBe(201);
    return json<DomainView>(res);
  }

  const verify = (tenant: TestTenant, id: string) =>
    t.inject({ method: "POST", url: `/v1/domains/${id}/verify`, headers: tenant.auth("administrator") });

  it("adds a domain with its records to publish; verify says record by record ok, missing or wrong", async () => {
    const tenant = await t.newTenant();
    const domain = await addDomain(tenant, "Oakwood-Primary.org.");
    expect(domain).toMatchObject({ domain: "oakwood-primary.org", status: "pending" });
    expect(domain.records.map((r) => [r.purpose, r.type, r.name, r.status])).toEqual([
      ["dkim", "TXT", `${domain.selector}._domainkey.oakwood-primary.org`, "missing"],
      ["spf", "TXT", "oakwood-primary.org", "missing"],
      ["dmarc", "TXT", "_dmarc.oakwood-primary.org", "missing"],
    ]);
    expect(domain.records[0]?.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{360,}$/);
    expect(domain.records[1]?.value).toBe("v=spf1 include:spf.relay.example ~all");
    expect(JSON.stringify(domain)).not.toContain("PRIVATE");

    // Nothing published: failed, DKIM missing.
    let res = await verify(tenant, domain.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(json<DomainView>(res)).toMatchObject({ status: "failed", records: [{ status: "missing" }, {}, {}] });

    // A DKIM record with another key, an SPF record without the relay: wrong, with what was found.
    publishDkim(dns, domain, "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwrong");
    dns.setTxt("oakwood-primary.org", ["v=spf1 mx -all", "google-site-verification=abc"]);
    res = await verify(tenant, domain.id);
    const wrong = json<DomainView>(res);
    expect(wrong.status).toBe("failed");
    expect(wrong.records.map((r) => r.status)).toEqual(["wrong", "wrong", "missing"]);
    expect(wrong.records[0]?.found).toEqual(["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwrong"]);
    expect(wrong.records[1]?.found).toEqual(["v=spf1 mx -all"]);

    // Published as asked (the key split across strings, as DNS hosts do): verified.
    publishDkim(dns, domain);
    dns.setTxt("oakwood-primary.org", ["v=spf1 mx include:spf.relay.example -all"]);
    dns.setTxt("_dmarc.oakwood-primary.org", ["v=DMARC1; p=quarantine"]);
    res = await verify(tenant, domain.id);
    const ok = json<DomainView>(res);
    expect(ok.status).toBe("verified");
    expect(ok.records.map((r) => r.status)).toEqual(["ok", "ok", "ok"]);
    expect(ok.verifiedAt).not.toBeNull();

    res = await t.inject({ method: "GET", url: `/v1/domains/${domain.id}`, headers: tenant.auth("staff") });
    expect(json<DomainView>(res)).toEqual(ok);
    res = await t.inject({ method: "GET", url: "/v1/domains", headers: tenant.auth() });
    expect(json<{ items: DomainView[] }>(res).items).toEqual([ok]);
  });

  it("another tenant's domain is unreachable, and one verified by a tenant cannot be verified by another (409 domain_taken)", async () => {
    const a = await t.newTenant("School A");
    const b = await t.newTenant("School B");
    const ofA = await addDomain(a, "stmarys.org.uk");
    publishDkim(dns, ofA);
    expect(json<DomainView>(await verify(a, ofA.id)).status).toBe("verified");

    for (const [method, url] of [
      ["GET", `/v1/domains/${ofA.id}`],
      ["POST", `/v1/domains/${ofA.id}/verify`],
      ["DELETE", `/v1/domains/${ofA.id}`],
    ] as const) {
      const res = await t.inject({ method, url, headers: b.auth("administrator") });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(json<ErrorReply>(res).error.code).toBe("not_found");
    }
    const listB = await t.inject({ method: "GET", url: "/v1/domains", headers: b.auth() });
    expect(json<{ items: unknown[] }>(listB).items).toEqual([]);

    // B may add it (a school that moved), and even publish its own key, but not verify it.
    const ofB = await addDomain(b, "stmarys.org.uk");
    publishDkim(dns, ofB);
    const taken = await verify(b, ofB.id);
    expect(taken.statusCode, taken.body).toBe(409);
    expect(json<ErrorReply>(taken).error.code).toBe("domain_taken");
    // B cannot send as it either.
    const send = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: b.auth(),
      payload: validMessage({ from: "office@stmarys.org.uk" }),
    });
    expect(send.statusCode).toBe(400);
    expect(json<ErrorReply>(send).error.code).toBe("from_not_allowed");
  });

  it("bad input and roles: not a domain, the operator's domain, twice, staff keys", async () => {
    const tenant = await t.newTenant();
    const post = (domain: unknown, role: "administrator" | "staff" = "administrator") =>
      t.inject({ method: "POST", url: "/v1/domains", headers: tenant.auth(role), payload: { domain } });
    for (const [input, code] of [
      ["not a domain", "invalid_request"],
      ["localhost", "invalid_request"],
      ["postbag.localhost", "from_not_allowed"],
      ["mail.postbag.localhost", "from_not_allowed"],
      [42, "invalid_request"],
    ] as const) {
      const res = await post(input);
      expect(res.statusCode, String(input)).toBe(400);
      expect(json<ErrorReply>(res).error.code).toBe(code);
    }
    expect((await post("twice.example.org")).statusCode).toBe(201);
    const again = await post("TWICE.example.org");
    expect(again.statusCode).toBe(409);
    expect(json<ErrorReply>(again).error.code).toBe("conflict");
    expect((await post("staff.example.org", "staff")).statusCode).toBe(403);
    const unknown = await t.inject({
      method: "POST",
      url: "/v1/domains",
      headers: tenant.auth("administrator"),
      payload: { domain: "x.example.org", selector: "mine" },
    });
    expect(json<ErrorReply>(unknown).error.code).toBe("unknown_field");
  });

  it("DELETE removes the domain: its From is refused again", async () => {
    const tenant = await t.newTenant();
    const domain = await addDomain(tenant, "gone.example.net");
    publishDkim(dns, domain);
    await verify(tenant, domain.id);
    const send = (from: string) =>
      t.inject({ method: "POST", url: "/v1/messages", headers: tenant.auth(), payload: validMessage({ from }) });
    expect((await send("office@gone.example.net")).statusCode).toBe(202);
    const del = await t.inject({
      method: "DELETE",
      url: `/v1/domains/${domain.id}`,
      headers: tenant.auth("administrator"),
    });
    expect(del.statusCode).toBe(204);
    expect(json<ErrorReply>(await send("office@gone.example.net")).error.code).toBe("from_not_allowed");
  });

  it("from_not_allowed: an unverified domain, or any operator-domain address but noreply@; the generic address", async () => {
    const tenant = await t.newTenant();
    const send = (payload: Record<string, unknown>) =>
      t.inject({ method: "POST", url: "/v1/messages", headers: tenant.auth(), payload: validMessage(payload) });
    for (const from of ["head@another-school.example", "oakwood@postbag.localhost", "noreply@evil.postbag.localhost"]) {
      const res = await send({ from });
      expect(res.statusCode, from).toBe(400);
      expect(json<ErrorReply>(res).error.code).toBe("from_not_allowed");
    }
    expect((await send({ from: { email: "NoReply@postbag.localhost", name: "Oakwood" } })).statusCode).toBe(202);

    // The generic address: Reply-To of noreply@ mail until its domain is verified, then the From.
    const put = await t.inject({
      method: "PUT",
      url: "/v1/settings/sender",
      headers: tenant.auth("administrator"),
      payload: { genericAddress: "office@generic.example.org", fromName: "Oakwood Office" },
    });
    expect(put.statusCode, put.body).toBe(200);
    const staffPut = await t.inject({
      method: "PUT",
      url: "/v1/settings/sender",
      headers: tenant.auth("staff"),
      payload: { genericAddress: null, fromName: null },
    });
    expect(staffPut.statusCode).toBe(403);
    const badPut = await t.inject({
      method: "PUT",
      url: "/v1/settings/sender",
      headers: tenant.auth("administrator"),
      payload: { genericAddress: "not an address", fromName: null },
    });
    expect(json<ErrorReply>(badPut).error.code).toBe("invalid_address");

    const detail = async (res: Awaited<ReturnType<typeof send>>) => {
      expect(res.statusCode, res.body).toBe(202);
      const row = await t.db
        .selectFrom("messages")
        .select(["from_address", "from_name", "reply_to"])
        .where("tenant_id", "=", tenant.id)
        .where("id", "=", json<{ id: string }>(res).id)
        .executeTakeFirstOrThrow();
      return {
        from: row.from_address,
        fromName: row.from_name,
        replyTo: row.reply_to ? JSON.parse(row.reply_to) : null,
      };
    };
    expect(await detail(await send({}))).toEqual({
      from: "noreply@postbag.localhost",
      fromName: "Oakwood Office",
      replyTo: { email: "office@generic.example.org", name: "Oakwood Office" },
    });
    const domain = await addDomain(tenant, "generic.example.org");
    publishDkim(dns, domain);
    await verify(tenant, domain.id);
    expect(await detail(await send({}))).toEqual({
      from: "office@generic.example.org",
      fromName: "Oakwood Office",
      replyTo: null,
    });
    expect((await detail(await send({ from: "head@generic.example.org" }))).from).toBe("head@generic.example.org");
  });

  it("an own-account tenant may send From its account's domain (its provider signs), nothing else", async () => {
    const tenant = await t.newTenant();
    const settings = accountSettings({ host: "127.0.0.1", port: 2525, security: "none" });
    await saveOwnAccount(t.database, tenant.id, settings, { smtpPassword: "pw" }, t.clock.now());
    const send = (from: string) =>
      t.inject({ method: "POST", url: "/v1/messages", headers: tenant.auth(), payload: validMessage({ from }) });
    expect(ACCOUNT_ADDRESS).toBe("office@practice.example");
    expect((await send("head@practice.example")).statusCode).toBe(202);
    expect((await send("office@practice.example")).statusCode).toBe(202);
    const other = await send("office@another-school.example");
    expect(json<ErrorReply>(other).error.code).toBe("from_not_allowed");
  });
});
