import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccountServer,
  startAccountServer,
  startTokenEndpoint,
  type TestCert,
  type TokenEndpoint,
} from "../sending/account-servers.js";
import { dialects } from "../support/databases.js";
import { type Dovecot, dovecotMissing, startDovecot } from "../support/dovecot.js";
import { type ErrorReply, json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { writeSelfSignedCert } from "../support/test-cert.js";

/*
 * Test connection against real servers on loopback: smtp-server (STARTTLS and implicit TLS
 * with a self-signed certificate the app trusts through POSTBAG_EXTRA_CA_FILE, AUTH PLAIN and
 * LOGIN) and Dovecot (IMAP and POP3). Loopback is let through the network policy only by
 * POSTBAG_OUTBOUND_ALLOW; other private addresses stay refused.
 */
const missing = dovecotMissing();
const USER = "office@oak-hill.example";
const PASSWORD = "smtp-Secret-Passw0rd-for-tests";

interface StepView {
  step: string;
  status: "ok" | "failed" | "skipped";
  ok: boolean;
  message: string;
  ms: number;
}
interface ServerView {
  ok: boolean;
  steps: StepView[];
  protocol?: string;
}
interface TestReply {
  ok: boolean;
  smtp: ServerView | null;
  receive: ServerView | null;
}

interface SmtpFixture {
  server: SMTPServer;
  port: number;
  /** AUTH attempts seen, by user name. */
  auths: string[];
}

async function startSmtp(
  dir: string,
  options: { secure?: boolean; hideStartTls?: boolean; refuseSender?: boolean },
): Promise<SmtpFixture> {
  const auths: string[] = [];
  const server = new SMTPServer({
    secure: options.secure ?? false,
    ...(options.hideStartTls ? { disabledCommands: ["STARTTLS"] } : {}),
    key: await readFile(join(dir, "key.pem")),
    cert: await readFile(join(dir, "cert.pem")),
    authMethods: ["PLAIN", "LOGIN"],
    // Only matters for the hidden-STARTTLS server: AUTH must never be reached there anyway.
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      auths.push(auth.username ?? "");
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, callback) {
      // Like Microsoft 365 refusing a sender the mailbox may not send as.
      if (options.refuseSender) {
        callback(
          Object.assign(new Error(`5.7.60 SMTP; Client does not have permissions to send as this sender`), {
            responseCode: 550,
          }),
        );
      } else callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on("end", () => callback());
    },
  });
  server.on("error", () => {});
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  return { server, port: (server.server.address() as AddressInfo).port, auths };
}

function closeSmtp(s: SmtpFixture | undefined): Promise<void> {
  return new Promise((resolve) => (s ? s.server.close(() => resolve()) : resolve()));
}

const smtpAccount = (port: number, overrides: Record<string, unknown> = {}) => ({
  mode: "own_account",
  fromAddress: USER,
  fromName: "Oak Hill School",
  smtp: {
    host: "127.0.0.1",
    port,
    security: "starttls",
    auth: { method: "password", user: USER, password: PASSWORD },
    ...overrides,
  },
  receive: null,
});

describe.each(dialects)("test connection [%s]", (dialect) => {
  let t: TestApp;
  let dir: string;
  let starttls: SmtpFixture;
  let implicit: SmtpFixture;
  let noStarttls: SmtpFixture;
  let refusing: SmtpFixture;
  let dovecot: Dovecot | undefined;
  let tenant: TestTenant;
  const bodies: string[] = [];
  /** Access tokens the test token endpoint issued: the SMTP server and Dovecot accept them. */
  let oauthTokens: ReadonlySet<string> = new Set();
  let introspection: HttpServer | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "postbag-testconn-"));
    writeSelfSignedCert(dir);
    [starttls, implicit, noStarttls, refusing] = await Promise.all([
      startSmtp(dir, {}),
      startSmtp(dir, { secure: true }),
      startSmtp(dir, { hideStartTls: true }),
      startSmtp(dir, { refuseSender: true }),
    ]);
    introspection = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        // RFC 7662 introspection for Dovecot's oauth2 passdb: a token the token endpoint issued is active.
        const token = new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("token") ?? "";
        const active = oauthTokens.has(token);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(active ? { active: true, username: "office" } : { active: false }));
      });
    });
    introspection.listen(0, "127.0.0.1");
    await once(introspection, "listening");
    if (!missing) {
      dovecot = await startDovecot({
        users: [{ user: "office", pass: "imap-Secret-Passw0rd" }],
        oauth2IntrospectionUrl: `http://127.0.0.1:${(introspection.address() as AddressInfo).port}/introspect`,
      });
    }
    const ca = (await readFile(join(dir, "cert.pem"), "utf8")) + (dovecot?.cert ?? "");
    await writeFile(join(dir, "ca.pem"), ca);
    t = await openTestApp(dialect, {
      env: {
        POSTBAG_OUTBOUND_ALLOW: "127.0.0.1/32,::1/128",
        POSTBAG_EXTRA_CA_FILE: join(dir, "ca.pem"),
        POSTBAG_SMTP_TIMEOUT_MS: "5000",
      },
    });
    tenant = await t.newTenant();
  });
  afterAll(async () => {
    for (const body of bodies) {
      expect(body).not.toContain(PASSWORD);
      expect(body).not.toContain("imap-Secret-Passw0rd");
    }
    await Promise.all([
      closeSmtp(starttls),
      closeSmtp(implicit),
      closeSmtp(noStarttls),
      closeSmtp(refusing),
      dovecot?.stop(),
    ]);
    introspection?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const test = async (payload: unknown, as: TestTenant = tenant) => {
    const res = await t.inject({
      method: "POST",
      url: "/v1/account/test",
      headers: as.auth("administrator"),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    bodies.push(res.body);
    return res;
  };
  const steps = (server: ServerView | null) => server?.steps.map((s) => `${s.step}:${s.status}`);

  it("passes every SMTP step over STARTTLS and over implicit TLS, saving nothing", async () => {
    const res = await test({ account: smtpAccount(starttls.port) });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<TestReply>(res);
    expect(body.ok).toBe(true);
    expect(steps(body.smtp)).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:ok", "send:ok"]);
    expect(body.smtp?.steps[2]?.message).toMatch(/STARTTLS/);
    expect(body.smtp?.steps[3]?.message).toBe(`logged in as ${USER}`);
    for (const s of body.smtp?.steps ?? []) expect(Number.isInteger(s.ms)).toBe(true);
    expect(body.receive).toBeNull();

    const tls = json<TestReply>(await test({ account: smtpAccount(implicit.port, { security: "tls" }) }));
    expect(steps(tls.smtp)).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:ok", "send:ok"]);
    // Nothing saved: no draft, no live settings.
    const draft = await t.db.selectFrom("account_drafts").selectAll().where("tenant_id", "=", tenant.id).execute();
    const live = await t.db.selectFrom("account_settings").selectAll().where("tenant_id", "=", tenant.id).execute();
    expect([draft.length, live.length]).toEqual([0, 0]);
  });

  it("reports a wrong password at the auth step with the server's text", async () => {
    const res = await test({
      account: smtpAccount(starttls.port, { auth: { method: "password", user: USER, password: "wrong-password" } }),
    });
    const body = json<TestReply>(res);
    expect(body.ok).toBe(false);
    expect(steps(body.smtp)).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:failed", "send:skipped"]);
    expect(body.smtp?.steps[3]?.message).toMatch(/535.*Authentication credentials invalid/);
  });

  it("fails the tls step when STARTTLS is required but not offered, without sending AUTH", async () => {
    const before = noStarttls.auths.length;
    const body = json<TestReply>(await test({ account: smtpAccount(noStarttls.port) }));
    expect(steps(body.smtp)).toEqual(["dns:ok", "connect:ok", "tls:failed", "auth:skipped", "send:skipped"]);
    expect(body.smtp?.steps[2]?.message).toMatch(/STARTTLS/);
    expect(noStarttls.auths.length).toBe(before);
  });

  it("fails the tls step on a certificate for another name, and connect on a closed port", async () => {
    // Implicit TLS spoken to a STARTTLS server: the handshake cannot succeed.
    const wrong = json<TestReply>(await test({ account: smtpAccount(starttls.port, { security: "tls" }) }));
    expect(steps(wrong.smtp)).toEqual(["dns:ok", "connect:ok", "tls:failed", "auth:skipped", "send:skipped"]);
    const closed = json<TestReply>(await test({ account: smtpAccount(1) }));
    expect(steps(closed.smtp)).toEqual(["dns:ok", "connect:failed", "tls:skipped", "auth:skipped", "send:skipped"]);
    expect(closed.smtp?.steps[1]?.message).toMatch(/ECONNREFUSED/);
  });

  it("refuses private, link-local and metadata addresses at the dns step", async () => {
    for (const host of ["10.1.2.3", "169.254.169.254", "192.168.1.10", "[::ffff:10.0.0.1]", "fd00::1"]) {
      const body = json<TestReply>(await test({ account: smtpAccount(25, { host }) }));
      expect(steps(body.smtp), host).toEqual([
        "dns:failed",
        "connect:skipped",
        "tls:skipped",
        "auth:skipped",
        "send:skipped",
      ]);
      expect(body.smtp?.steps[0]?.message).toMatch(/not allowed/);
    }
  });

  it("refuses settings it cannot test with the field named, and tests the saved draft when the body is empty", async () => {
    const bad = await test({ account: smtpAccount(starttls.port, { host: "smtp.example.com\r\nRCPT TO:<x@y>" }) });
    expect(bad.statusCode).toBe(400);
    expect(json<ErrorReply>(bad).error.message).toMatch(/field smtp\.host/);
    const injected = await test({ account: { ...smtpAccount(starttls.port), fromName: "A\r\nBcc: all@example.com" } });
    expect(injected.statusCode).toBe(400);
    const plain = await test({ account: smtpAccount(starttls.port, { security: "none" }) });
    expect(json<ErrorReply>(plain).error.message).toMatch(/in clear/);
    const huge = await test({ account: smtpAccount(starttls.port, { host: "h".repeat(100_000) }) });
    expect(huge.statusCode).toBe(400);
    const badPort = await test({ account: smtpAccount(99_999) });
    expect(badPort.statusCode).toBe(400);

    const other = await t.newTenant();
    expect((await test(undefined, other)).statusCode).toBe(409);
    const saved = await t.inject({
      method: "PUT",
      url: "/v1/account/draft",
      headers: other.auth("administrator"),
      payload: { account: smtpAccount(starttls.port) },
    });
    expect(saved.statusCode).toBe(200);
    const fromDraft = json<TestReply>(await test(undefined, other));
    expect(steps(fromDraft.smtp)).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:ok", "send:ok"]);
    // A body without the password uses the saved one.
    const { password: _p, ...noPassword } = smtpAccount(starttls.port).smtp.auth;
    const reuse = json<TestReply>(await test({ account: smtpAccount(starttls.port, { auth: noPassword }) }, other));
    expect(reuse.ok).toBe(true);
    // Another tenant's draft is not used.
    const third = await t.newTenant();
    expect((await test(undefined, third)).statusCode).toBe(409);
  });

  it("the send step shows a sender the server refuses, in the server's words, and sends nothing", async () => {
    const body = json<TestReply>(await test({ account: smtpAccount(refusing.port) }));
    expect(body.ok).toBe(false);
    expect(steps(body.smtp)).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:ok", "send:failed"]);
    expect(body.smtp?.steps[4]?.message).toBe(
      `the server refused the sender ${USER}: 550 5.7.60 SMTP; Client does not have permissions to send as this sender`,
    );
    const ok = json<TestReply>(await test({ account: smtpAccount(starttls.port) }));
    expect(ok.smtp?.steps[4]?.message).toMatch(new RegExp(`accepts ${USER} as the sender .*nothing was sent`));
  });

  it("Finish needs the account step, as it is now, to have passed a test (409 account_not_tested)", async () => {
    const school = await t.newTenant();
    const call = (method: "PUT" | "POST" | "GET", url: string, payload?: unknown) =>
      t
        .inject({
          method,
          url,
          headers: school.auth("administrator"),
          ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
        })
        .then((res) => {
          bodies.push(res.body);
          return res;
        });
    const finish = () => call("POST", "/v1/account/draft/finish");
    const tested = async () => json<{ accountTested: boolean }>(await call("GET", "/v1/account/draft")).accountTested;

    // Saved but never tested: refused, nothing live.
    expect((await call("PUT", "/v1/account/draft", { account: smtpAccount(starttls.port) })).statusCode).toBe(200);
    expect(await tested()).toBe(false);
    const untested = await finish();
    expect(untested.statusCode, untested.body).toBe(409);
    expect(json<ErrorReply>(untested).error.code).toBe("account_not_tested");
    expect(
      await t.db.selectFrom("account_settings").select("tenant_id").where("tenant_id", "=", school.id).execute(),
    ).toEqual([]);

    // A failed test does not count.
    expect(json<TestReply>(await test({ account: smtpAccount(refusing.port) }, school)).ok).toBe(false);
    await call("PUT", "/v1/account/draft", { account: smtpAccount(refusing.port) });
    expect((await finish()).statusCode).toBe(409);

    // Tested with a body (not saved), then saved as tested: Finish goes through.
    expect(json<TestReply>(await test({ account: smtpAccount(starttls.port) }, school)).ok).toBe(true);
    await call("PUT", "/v1/account/draft", { account: smtpAccount(starttls.port) });
    expect(await tested()).toBe(true);

    // Any change to what was tested (the password here, or the address) needs a test of its own.
    await call("PUT", "/v1/account/draft", {
      account: smtpAccount(starttls.port, { auth: { method: "password", user: USER, password: "another-Passw0rd" } }),
    });
    expect((await finish()).statusCode).toBe(409);
    await call("PUT", "/v1/account/draft", {
      account: { ...smtpAccount(starttls.port), fromAddress: "head@oak-hill.example" },
    });
    expect((await finish()).statusCode).toBe(409);
    // The display name is not part of the test.
    await call("PUT", "/v1/account/draft", { account: { ...smtpAccount(starttls.port), fromName: "Oak Hill Office" } });
    const done = await finish();
    expect(done.statusCode, done.body).toBe(200);
    expect(json<{ account: { mode: string } }>(done).account.mode).toBe("own_account");

    // Another tenant's passing test does not open this tenant's Finish, and builtin needs no test.
    const other = await t.newTenant();
    await t.inject({
      method: "PUT",
      url: "/v1/account/draft",
      headers: other.auth("administrator"),
      payload: { account: smtpAccount(starttls.port) },
    });
    const otherFinish = await t.inject({
      method: "POST",
      url: "/v1/account/draft/finish",
      headers: other.auth("administrator"),
    });
    expect(otherFinish.statusCode).toBe(409);
    await t.inject({
      method: "PUT",
      url: "/v1/account/draft",
      headers: other.auth("administrator"),
      payload: { account: { mode: "builtin" } },
    });
    const builtin = await t.inject({
      method: "POST",
      url: "/v1/account/draft/finish",
      headers: other.auth("administrator"),
    });
    expect(builtin.statusCode, builtin.body).toBe(200);
  });

  describe("OAuth2 (XOAUTH2) sign-in", () => {
    let server: AccountServer;
    let endpoint: TokenEndpoint;
    beforeAll(async () => {
      const cert: TestCert = {
        key: await readFile(join(dir, "key.pem"), "utf8"),
        cert: await readFile(join(dir, "cert.pem"), "utf8"),
        certFile: join(dir, "cert.pem"),
        remove: () => {},
      };
      server = await startAccountServer(cert, { security: "starttls", user: USER });
      // Dovecot's introspection accepts the same tokens as the SMTP server: those the endpoint issued.
      oauthTokens = server.validTokens;
      endpoint = await startTokenEndpoint(cert, server.validTokens);
    });
    afterAll(async () => {
      await server?.close();
      await endpoint?.close();
    });

    const oauthAccount = (overrides: Record<string, unknown> = {}) =>
      smtpAccount(server.port, {
        auth: {
          method: "oauth2",
          provider: "microsoft",
          user: USER,
          clientId: "client-1",
          clientSecret: "client-secret",
          refreshToken: "refresh-1",
          tokenUrl: endpoint.url,
          ...overrides,
        },
      });

    it("fetches an access token from the provider and logs in with XOAUTH2, storing nothing", async () => {
      const before = endpoint.requests.length;
      const res = await test({ account: oauthAccount() });
      expect(res.statusCode, res.body).toBe(200);
      const body = json<TestReply>(res);
      expect(steps(body.smtp), res.body).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:ok", "send:ok"]);
      expect(body.smtp?.steps[3]?.message).toBe(`logged in as ${USER}`);
      expect(endpoint.requests.slice(before)).toEqual([
        expect.objectContaining({ grantType: "refresh_token", clientId: "client-1", refreshToken: "refresh-1" }),
      ]);
      const login = server.auths.at(-1);
      expect(login).toMatchObject({ method: "XOAUTH2", user: USER, ok: true, secure: true });
      // Neither the token nor the secrets reach the answer or the token store.
      expect(res.body).not.toContain(login?.token ?? "-");
      expect(res.body).not.toContain("client-secret");
      expect(res.body).not.toContain("refresh-1");
      expect(await t.db.selectFrom("oauth_tokens").selectAll().execute()).toEqual([]);
    });

    it.skipIf(missing !== null)("logs in to IMAP and POP3 (Dovecot) with XOAUTH2", async () => {
      const d = dovecot as Dovecot;
      for (const [protocol, port, security] of [
        ["imap", d.imapsPort, "tls"],
        ["pop3", d.pop3Port, "starttls"],
      ] as const) {
        const res = await test({
          account: {
            mode: "own_account",
            fromAddress: USER,
            smtp: oauthAccount().smtp,
            receive: {
              protocol,
              host: "127.0.0.1",
              port,
              security,
              auth: {
                method: "oauth2",
                provider: "microsoft",
                user: "office",
                clientId: "client-1",
                clientSecret: "client-secret",
                refreshToken: "refresh-1",
                tokenUrl: endpoint.url,
              },
              mailbox: "INBOX",
            },
          },
        });
        const body = json<TestReply>(res);
        expect(body.ok, res.body).toBe(true);
        expect(steps(body.receive)).toEqual(["dns:ok", "connect:ok", "tls:ok", "login:ok", "mailbox:ok"]);
        expect(body.receive?.steps[3]?.message).toBe("logged in as office");
      }
    });

    it("reports a refused refresh token, an http token endpoint and a refused address at the auth step", async () => {
      const revoked = json<TestReply>(await test({ account: oauthAccount({ refreshToken: "revoked-token" }) }));
      expect(steps(revoked.smtp)).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:failed", "send:skipped"]);
      expect(revoked.smtp?.steps[3]?.message).toMatch(/did not give an access token: invalid_grant/);

      const before = endpoint.requests.length;
      // The wizard lets http through for a loopback endpoint; the token request never goes without TLS.
      const plain = json<TestReply>(
        await test({ account: oauthAccount({ tokenUrl: endpoint.url.replace("https:", "http:") }) }),
      );
      expect(steps(plain.smtp)).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:failed", "send:skipped"]);
      expect(plain.smtp?.steps[3]?.message).toMatch(/token endpoint must use https/);
      const metadata = json<TestReply>(
        await test({ account: oauthAccount({ tokenUrl: "https://169.254.169.254/token" }) }),
      );
      expect(steps(metadata.smtp)).toEqual(["dns:ok", "connect:ok", "tls:ok", "auth:failed", "send:skipped"]);
      expect(metadata.smtp?.steps[3]?.message).toMatch(/token endpoint refused: .*169\.254\.169\.254/);
      expect(endpoint.requests.length).toBe(before);
      expect(server.auths.filter((a) => !a.ok)).toEqual([]);
    });
  });

  describe.skipIf(missing !== null)("receiving servers (Dovecot)", () => {
    const receive = (
      protocol: "imap" | "pop3",
      port: number,
      security: string,
      overrides: Record<string, unknown> = {},
    ) => ({
      account: {
        mode: "own_account",
        fromAddress: USER,
        smtp: smtpAccount(starttls.port).smtp,
        receive: {
          protocol,
          host: "127.0.0.1",
          port,
          security,
          auth: { method: "password", user: "office", password: "imap-Secret-Passw0rd" },
          mailbox: "INBOX",
          ...overrides,
        },
      },
    });

    it("passes IMAP over TLS and STARTTLS and POP3 over TLS and STLS, counting the mailbox", async () => {
      const d = dovecot as Dovecot;
      await d.deliver("office", "Subject: hello\r\n\r\nhi\r\n");
      for (const [protocol, port, security] of [
        ["imap", d.imapsPort, "tls"],
        ["imap", d.imapPort, "starttls"],
        ["pop3", d.pop3sPort, "tls"],
        ["pop3", d.pop3Port, "starttls"],
      ] as const) {
        const res = await test(receive(protocol, port, security));
        const body = json<TestReply>(res);
        expect(steps(body.receive), `${protocol} ${security}: ${res.body}`).toEqual([
          "dns:ok",
          "connect:ok",
          "tls:ok",
          "login:ok",
          "mailbox:ok",
        ]);
        expect(body.receive?.protocol).toBe(protocol);
        expect(body.receive?.steps[4]?.message).toMatch(/1 message/);
        expect(body.ok).toBe(true);
      }
    });

    // Dovecot slows every login from an address after a failed one: failures come last.
    it("fails the mailbox step for a missing IMAP folder", async () => {
      const d = dovecot as Dovecot;
      const body = json<TestReply>(await test(receive("imap", d.imapsPort, "tls", { mailbox: "Missing/Folder" })));
      expect(steps(body.receive)).toEqual(["dns:ok", "connect:ok", "tls:ok", "login:ok", "mailbox:failed"]);
      expect(body.receive?.steps[4]?.message).toMatch(/exist/i);
      expect(body.ok).toBe(false);
    });

    it("fails the login step on a wrong password, for IMAP and POP3", async () => {
      const d = dovecot as Dovecot;
      const wrong = { auth: { method: "password", user: "office", password: "wrong-one" } };
      // Dovecot holds a failed IMAP login for a few seconds (its anti-guessing delay); both at once.
      const replies = await Promise.all([
        test(receive("imap", d.imapsPort, "tls", wrong)),
        test(receive("pop3", d.pop3sPort, "tls", wrong)),
      ]);
      for (const res of replies) {
        const body = json<TestReply>(res);
        expect(steps(body.receive), res.body).toEqual([
          "dns:ok",
          "connect:ok",
          "tls:ok",
          "login:failed",
          "mailbox:skipped",
        ]);
        expect(body.receive?.steps[3]?.message).toMatch(/authentication failed/i);
      }
    });
  });
});
