import { request } from "node:https";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDraft } from "../../src/accounts/account-settings.js";
import { createApiKey } from "../../src/tenants/tenants.js";
import { ACCOUNT_ADDRESS, type AccountServer, startAccountServer } from "../sending/account-servers.js";
import { dialects } from "../support/databases.js";
import { type OidcServer, signInWithoutBrowser, startOidcProvider } from "../support/oidc-provider.js";
import { bearer, type ErrorReply, json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { makeCert, type TestCert } from "../support/test-cert.js";

/*
 * Connect (OAuth2 authorization code with PKCE) against a real authorization server on loopback
 * (oidc-provider over HTTPS), and the refresh token it gives then used by Test connection for an
 * XOAUTH2 login to a real SMTP server that asks the authorization server whether the token is
 * valid. The app's public URL is http://postbag.test, so the provider's redirect is not followed:
 * the test hands the callback URL to the app itself.
 */

interface DraftReply {
  version: number | null;
  steps: { account: { smtp: { host: string; auth: Record<string, unknown> } | null } | null };
  accountTested: boolean;
}

const CALLBACK = "http://postbag.test/v1/account/oauth/callback";

/** POSTs a form to the provider's token endpoint, as a client would. */
function tokenRequest(
  url: string,
  form: Record<string, string>,
  ca: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", ca, headers: { "content-type": "application/x-www-form-urlencoded" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(new URLSearchParams(form).toString());
  });
}

describe.each(dialects)("Connect with OAuth2 [%s]", (dialect) => {
  let cert: TestCert;
  let oidc: OidcServer;
  let smtp: AccountServer;
  let t: TestApp;

  beforeAll(async () => {
    cert = makeCert();
    oidc = await startOidcProvider(cert, { redirectUris: [CALLBACK] });
    smtp = await startAccountServer(cert, {
      security: "tls",
      user: ACCOUNT_ADDRESS,
      checkToken: async (user, token) => (await oidc.accountOf(token)) === user,
    });
    t = await openTestApp(dialect, {
      env: {
        POSTBAG_OUTBOUND_ALLOW: "127.0.0.1/32,::1/128",
        POSTBAG_EXTRA_CA_FILE: cert.certFile,
        POSTBAG_SMTP_TIMEOUT_MS: "5000",
        POSTBAG_OAUTH_MICROSOFT_CLIENT_ID: oidc.clientId,
        POSTBAG_OAUTH_MICROSOFT_CLIENT_SECRET: oidc.clientSecret,
        POSTBAG_OAUTH_MICROSOFT_AUTHORIZE_URL: oidc.authorizeUrl,
        POSTBAG_OAUTH_MICROSOFT_TOKEN_URL: oidc.tokenUrl,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await oidc?.close();
    cert?.remove();
  });

  const call = (
    tenant: TestTenant,
    method: "GET" | "PUT" | "POST",
    url: string,
    payload?: unknown,
    headers: Record<string, string> = tenant.auth("administrator"),
  ): Promise<LightMyRequestResponse> =>
    t.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  /** The account step the wizard saves before Connect: the address and the (local) sending server. */
  const saveAccountStep = async (tenant: TestTenant) => {
    const res = await call(tenant, "PUT", "/v1/account/draft", {
      step: "account",
      account: {
        mode: "own_account",
        fromAddress: ACCOUNT_ADDRESS,
        fromName: "The Practice",
        smtp: {
          host: "127.0.0.1",
          port: smtp.port,
          security: "tls",
          auth: { method: "password", user: ACCOUNT_ADDRESS },
        },
        receive: null,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    return json<DraftReply>(res);
  };

  const start = async (tenant: TestTenant, headers?: Record<string, string>) => {
    const res = await call(tenant, "POST", "/v1/account/oauth/start", { provider: "microsoft" }, headers);
    expect(res.statusCode, res.body).toBe(200);
    return json<{ authorizeUrl: string; expiresAt: string }>(res).authorizeUrl;
  };

  /** Signs in at the provider; the URL it sends the browser back to, as a path for inject. */
  const consent = async (authorizeUrl: string) => {
    const back = new URL(await signInWithoutBrowser(authorizeUrl, ACCOUNT_ADDRESS, cert.cert));
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    return `${back.pathname}${back.search}`;
  };

  const callback = async (tenant: TestTenant, path: string, headers?: Record<string, string>) => {
    const res = await call(tenant, "GET", path, undefined, headers);
    expect(res.statusCode, res.body).toBe(303);
    return new URL(res.headers.location as string, "http://postbag.test");
  };

  const draftRow = async (tenant: TestTenant) => {
    const row = await t.db
      .selectFrom("account_drafts")
      .select(["version", "settings", "secrets"])
      .where("tenant_id", "=", tenant.id)
      .executeTakeFirst();
    return row ?? null;
  };

  it("offers Connect only for a provider the operator configured", async () => {
    const tenant = await t.newTenant();
    const res = await call(tenant, "GET", "/v1/account/providers");
    expect(res.statusCode, res.body).toBe(200);
    const { providers } = json<{ providers: { id: string; connect: boolean; smtp: { host: string } }[] }>(res);
    expect(providers.map((p) => [p.id, p.connect, p.smtp.host])).toEqual([
      ["microsoft", true, "smtp.office365.com"],
      ["google", false, "smtp.gmail.com"],
    ]);
    expect((await call(tenant, "GET", "/v1/account/providers", undefined, tenant.auth("staff"))).statusCode).toBe(403);

    await saveAccountStep(tenant);
    const google = await call(tenant, "POST", "/v1/account/oauth/start", { provider: "google" });
    expect(google.statusCode).toBe(400);
    expect(json<ErrorReply>(google).error.message).toMatch(/not available for Google/);
    for (const body of [{ provider: "yahoo" }, {}, { provider: "microsoft", extra: 1 }]) {
      expect((await call(tenant, "POST", "/v1/account/oauth/start", body)).statusCode).toBe(400);
    }
    for (const role of ["staff", "system"] as const) {
      const res = await call(tenant, "POST", "/v1/account/oauth/start", { provider: "microsoft" }, tenant.auth(role));
      expect(res.statusCode).toBe(403);
    }
    // Connect needs the account step saved first (the token is sealed into that draft).
    const fresh = await t.newTenant();
    const noDraft = await call(fresh, "POST", "/v1/account/oauth/start", { provider: "microsoft" });
    expect(noDraft.statusCode).toBe(409);
  });

  it("connects: PKCE S256 and state to the provider, the refresh token sealed on the draft, XOAUTH2 works", async () => {
    const tenant = await t.newTenant();
    const before = await saveAccountStep(tenant);
    const authorizeUrl = await start(tenant);
    const sent = new URL(authorizeUrl);
    expect(`${sent.origin}${sent.pathname}`).toBe(oidc.authorizeUrl);
    expect(Object.fromEntries(sent.searchParams)).toMatchObject({
      response_type: "code",
      client_id: oidc.clientId,
      redirect_uri: CALLBACK,
      code_challenge_method: "S256",
      login_hint: ACCOUNT_ADDRESS,
    });
    expect(sent.searchParams.get("scope")).toContain("https://outlook.office.com/SMTP.Send");
    expect(sent.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = sent.searchParams.get("state") ?? "";
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only a hash of the state is stored, and the verifier is sealed.
    const stored = await t.db
      .selectFrom("oauth_authorizations")
      .selectAll()
      .where("tenant_id", "=", tenant.id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(state);

    const path = await consent(authorizeUrl);
    const back = await callback(tenant, path);
    expect(back.pathname).toBe("/email-settings");
    expect(back.searchParams.get("connected")).toBe("microsoft");
    expect(back.searchParams.get("connectError")).toBeNull();
    // The code was traded with the verifier (the provider requires PKCE).
    expect(oidc.tokenRequests.filter((r) => r.grantType === "authorization_code")).toHaveLength(1);

    const draft = json<DraftReply>(await call(tenant, "GET", "/v1/account/draft"));
    expect(draft.version).toBe((before.version ?? 0) + 1);
    expect(draft.steps.account?.smtp).toMatchObject({
      host: "127.0.0.1",
      auth: {
        method: "oauth2",
        provider: "microsoft",
        user: ACCOUNT_ADDRESS,
        clientId: oidc.clientId,
        tokenUrl: oidc.tokenUrl,
        clientSecret: expect.stringMatching(/^••••/),
        refreshToken: expect.stringMatching(/^••••/),
      },
    });
    expect(draft.accountTested).toBe(false);
    const sealed = await loadDraft(t.db, t.config.secretKey, tenant.id);
    const refreshToken = sealed?.secrets.smtpRefreshToken ?? "";
    expect(refreshToken.length).toBeGreaterThan(20);
    expect((await draftRow(tenant))?.secrets).not.toContain(refreshToken);

    // Finish is refused until Test connection passes; the test logs in with XOAUTH2.
    expect((await call(tenant, "POST", "/v1/account/draft/finish")).statusCode).toBe(409);
    const tested = await call(tenant, "POST", "/v1/account/test");
    expect(tested.statusCode, tested.body).toBe(200);
    const result = json<{ ok: boolean; smtp: { steps: { step: string; status: string }[] } }>(tested);
    expect(
      result.smtp.steps.map((s) => `${s.step}:${s.status}`),
      tested.body,
    ).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:ok", "send:ok"]);
    const login = smtp.auths.at(-1);
    expect(login).toMatchObject({ method: "XOAUTH2", user: ACCOUNT_ADDRESS, ok: true, secure: true });
    expect(await oidc.accountOf(login?.token ?? "")).toBe(ACCOUNT_ADDRESS);
    const finished = await call(tenant, "POST", "/v1/account/draft/finish");
    expect(finished.statusCode, finished.body).toBe(200);
    expect(json<{ account: { smtp: { auth: { method: string } } } }>(finished).account.smtp.auth.method).toBe("oauth2");

    // The same callback again (a replayed state) changes nothing: no new draft appears.
    const replay = await callback(tenant, path);
    expect(replay.searchParams.get("connectError")).toMatch(/already used/);
    expect(await draftRow(tenant)).toBeNull();
    expect(oidc.tokenRequests.filter((r) => r.grantType === "authorization_code")).toHaveLength(1);
  });

  it("a wrong, missing, another person's or another school's state changes nothing", async () => {
    const tenant = await t.newTenant();
    await saveAccountStep(tenant);
    const authorizeUrl = await start(tenant);
    const path = await consent(authorizeUrl);
    const code = new URL(path, "http://x").searchParams.get("code") ?? "";
    const row = await draftRow(tenant);

    const wrong = await callback(tenant, `/v1/account/oauth/callback?state=not-the-state&code=${code}`);
    expect(wrong.searchParams.get("connectError")).toMatch(/not one Postbag started/);
    const missing = await callback(tenant, `/v1/account/oauth/callback?code=${code}`);
    expect(missing.searchParams.get("connectError")).toBeTruthy();

    // Another administrator of the same school (another key: another person) may not use it.
    const otherAdmin = (await createApiKey(t.db, t.clock, { tenantId: tenant.id, role: "administrator" })).key;
    const notYours = await callback(tenant, path, bearer(otherAdmin));
    expect(notYours.searchParams.get("connectError")).toMatch(/someone else/);

    // Another school with the same state: unknown to it; the first school's draft is untouched.
    const other = await t.newTenant();
    await saveAccountStep(other);
    const elsewhere = await callback(other, path);
    expect(elsewhere.searchParams.get("connectError")).toMatch(/not one Postbag started/);
    expect(await draftRow(tenant)).toEqual(row);
    expect((await loadDraft(t.db, t.config.secretKey, other.id))?.secrets.smtpRefreshToken).toBeUndefined();

    // Staff and system keys cannot reach the callback at all.
    expect((await call(tenant, "GET", path, undefined, tenant.auth("staff"))).statusCode).toBe(403);
    expect(oidc.tokenRequests.filter((r) => r.grantType === "authorization_code")).toHaveLength(1);

    // The rightful person still can, once.
    const ok = await callback(tenant, path);
    expect(ok.searchParams.get("connected")).toBe("microsoft");
    expect((await loadDraft(t.db, t.config.secretKey, tenant.id))?.secrets.smtpRefreshToken).toBeTruthy();
  });

  it("the provider checks PKCE: the code is refused without the verifier Postbag kept", async () => {
    const tenant = await t.newTenant();
    await saveAccountStep(tenant);
    const path = await consent(await start(tenant));
    const code = new URL(path, "http://x").searchParams.get("code") ?? "";
    const stolen = await tokenRequest(
      oidc.tokenUrl,
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        client_id: oidc.clientId,
        client_secret: oidc.clientSecret,
        code_verifier: "a-verifier-guessed-by-someone-who-intercepted-the-code-0123",
      },
      cert.cert,
    );
    expect(stolen.status).toBe(400);
    expect(JSON.parse(stolen.body)).toMatchObject({ error: "invalid_grant" });
  });

  it("a draft edited during sign-in, a refusal at the provider and an expired state change nothing", async () => {
    const tenant = await t.newTenant();
    await saveAccountStep(tenant);
    const path = await consent(await start(tenant));
    // The administrator changed the account step in another tab meanwhile.
    await saveAccountStep(tenant);
    const edited = await draftRow(tenant);
    const stale = await callback(tenant, path);
    expect(stale.searchParams.get("connectError")).toMatch(/changed while you were signing in/);
    expect(await draftRow(tenant)).toEqual(edited);

    // The person said no at the provider.
    const refusedUrl = new URL(await start(tenant));
    const state = refusedUrl.searchParams.get("state") ?? "";
    const denied = await callback(
      tenant,
      `/v1/account/oauth/callback?state=${state}&error=access_denied&error_description=The+user+declined`,
    );
    expect(denied.searchParams.get("connectError")).toMatch(/access_denied: The user declined/);
    expect(await draftRow(tenant)).toEqual(edited);

    // Ten minutes later the state has expired.
    const late = await consent(await start(tenant));
    (t.clock as unknown as { advance(ms: number): void }).advance(10 * 60_000 + 1);
    const expired = await callback(tenant, late);
    expect(expired.searchParams.get("connectError")).toMatch(/took too long/);
    expect(await draftRow(tenant)).toEqual(edited);
  });
});
