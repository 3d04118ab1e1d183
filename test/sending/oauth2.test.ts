import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { loadAccount, loadDraft, saveDraft } from "../../src/accounts/account-settings.js";
import { accountFingerprint, recordPassedTest } from "../../src/accounts/account-tests.js";
import { finishDraft } from "../../src/accounts/wizard.js";
import type { Database } from "../../src/db/database.js";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { HELD_RETRY_MS, releaseHeldMail } from "../../src/delivery/send-gate.js";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import { ManualClock } from "../../src/time/clock.js";
import { accessTokenFor, fetchAccessToken, type OAuthDeps, REFRESH_MARGIN_MS } from "../../src/transports/oauth2.js";
import { createSmtpTransport } from "../../src/transports/smtp-transport.js";
import type { TenantTransports } from "../../src/transports/tenant-transports.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  recipientRows,
  SECRET_KEY,
  SENDER_DOMAIN,
  silentLogger,
  workerSettings,
} from "../support/delivery.js";
import { addUser, noticesOf } from "../support/notices.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import {
  ACCOUNT_ADDRESS,
  type AccountServer,
  accountSettings,
  makeCert,
  newTenantTransports,
  oauthAuth,
  saveOwnAccount,
  startAccountServer,
  startTokenEndpoint,
  type TestCert,
  type TokenEndpoint,
  testPolicy,
} from "./account-servers.js";

let cert: TestCert;
beforeAll(() => {
  cert = makeCert();
});
afterAll(() => cert.remove());

const SECRETS = { smtpClientSecret: "client-secret", smtpRefreshToken: "refresh-1" };

describeEachDialect("OAuth2 (XOAUTH2) for the tenant's own account", (dialect) => {
  let test: TestDatabase;
  let database: Database;
  let relay: TestSmtpServer;
  let relayTransport: MailTransport;
  let account: AccountServer;
  let endpoint: TokenEndpoint;
  const transports: TenantTransports[] = [];
  let clock: ManualClock;
  let tenantId: string;

  async function setUp(options: { xoauth2Challenge?: boolean } = {}) {
    account = await startAccountServer(cert, { security: "tls", user: ACCOUNT_ADDRESS, ...options });
    endpoint = await startTokenEndpoint(cert, account.validTokens);
    tenantId = await createTestTenant(database, clock);
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "tls", auth: oauthAuth(endpoint.url) }),
      SECRETS,
      clock.now(),
    );
  }

  beforeEach(async () => {
    clock = new ManualClock();
    test = await openTestDatabase(dialect);
    database = test.database;
    relay = await startTestSmtpServer();
    relayTransport = createSmtpTransport({
      host: relay.host,
      port: relay.port,
      secure: false,
      poolSize: 2,
      timeoutMs: 5_000,
      rejectUnauthorized: true,
    });
  });

  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close();
    await relayTransport.close();
    await account?.close();
    await endpoint?.close();
    await relay.close();
    await test.drop();
  });

  function oauthDeps(): OAuthDeps {
    return {
      database,
      clock,
      policy: testPolicy(cert),
      secretKey: SECRET_KEY,
      notices: { senderDomain: SENDER_DOMAIN, publicUrl: "http://postbag.test" },
    };
  }

  function worker(): DeliveryWorker {
    const tenantTransports = newTenantTransports(database, clock, testPolicy(cert));
    transports.push(tenantTransports);
    return new DeliveryWorker({
      database,
      clock,
      transport: relayTransport,
      tenantTransports,
      settings: workerSettings(),
      logger: silentLogger,
    });
  }

  async function currentAccount() {
    const stored = await loadAccount(database.db, SECRET_KEY, tenantId);
    if (!stored) throw new Error("no account");
    return stored;
  }

  it("logs in with XOAUTH2 using a token from the provider's endpoint, cached sealed", async () => {
    await setUp();
    await acceptMessages(database, clock, tenantId, [message(), message()]);
    await worker().runOnce();

    const rows = await recipientRows(database, tenantId);
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent"]);
    expect(account.messages).toHaveLength(2);
    expect(account.auths.every((a) => a.method === "XOAUTH2" && a.ok && a.secure)).toBe(true);
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]).toMatchObject({
      grantType: "refresh_token",
      clientId: "client-1",
      clientSecret: "client-secret",
      refreshToken: "refresh-1",
    });
    const row = await database.db
      .selectFrom("oauth_tokens")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    const token = account.auths[0]?.token ?? "";
    expect(token).not.toBe("");
    expect(row.access_token).not.toContain(token);
    expect(row.expires_at).toBe(clock.now() + 3600_000);
    expect(row.settings_version).toBe((await currentAccount()).version);
    expect(row.revoked_at).toBeNull();
  });

  it("refreshes a few minutes before expiry, not before", async () => {
    await setUp();
    const deps = oauthDeps();
    const first = await accessTokenFor(deps, await currentAccount(), "smtp");
    expect(first.ok).toBe(true);
    clock.advance(3600_000 - REFRESH_MARGIN_MS - 60_000);
    const cached = await accessTokenFor(deps, await currentAccount(), "smtp");
    expect(cached).toEqual(first);
    expect(endpoint.requests).toHaveLength(1);
    clock.advance(2 * 60_000); // now within the margin
    const refreshed = await accessTokenFor(deps, await currentAccount(), "smtp");
    expect(refreshed.ok && first.ok && refreshed.accessToken !== first.accessToken).toBe(true);
    expect(endpoint.requests).toHaveLength(2);
    // A receive login without OAuth2 is answered as such, not with the sending token.
    const receive = await accessTokenFor(deps, await currentAccount(), "receive");
    expect(receive).toMatchObject({ ok: false, revoked: false });
  });

  for (const challenge of [false, true]) {
    it(`a refused token (${challenge ? "334 challenge, then 535" : "535"}) is refreshed once and the mail goes`, async () => {
      await setUp({ xoauth2Challenge: challenge });
      const deps = oauthDeps();
      const cached = await accessTokenFor(deps, await currentAccount(), "smtp");
      expect(cached.ok).toBe(true);
      // The provider revoked the access token early; the refresh token still works.
      account.validTokens.clear();
      await acceptMessages(database, clock, tenantId, [message()]);
      await worker().runOnce();

      const [row] = await recipientRows(database, tenantId);
      expect(row?.status, row?.last_smtp_text ?? "").toBe("sent");
      expect(row?.attempts).toBe(1);
      expect(endpoint.requests).toHaveLength(2);
      expect(account.auths.map((a) => a.ok)).toEqual([false, true]);
    });
  }

  it("gives up after one refresh when the server keeps refusing: a soft failure, retried later", async () => {
    await setUp();
    // Tokens issued never reach the server's list: every login is refused.
    await endpoint.close();
    endpoint = await startTokenEndpoint(cert, new Set());
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "tls", auth: oauthAuth(endpoint.url) }),
      SECRETS,
      clock.now(),
    );
    await acceptMessages(database, clock, tenantId, [message()]);
    await worker().runOnce();
    const [row] = await recipientRows(database, tenantId);
    expect(row?.status).toBe("soft_bounce");
    expect(row?.attempts).toBe(1);
    expect(row?.last_smtp_text).toMatch(/EAUTH/);
    expect(endpoint.requests).toHaveLength(2);
    expect(account.auths).toHaveLength(2);
  });

  it("stores a rotated refresh token and keeps using it, even after the settings are saved again", async () => {
    await setUp();
    endpoint.rotate = true;
    const deps = oauthDeps();
    expect((await accessTokenFor(deps, await currentAccount(), "smtp")).ok).toBe(true);
    expect((await accessTokenFor(deps, await currentAccount(), "smtp", { forceRefresh: true })).ok).toBe(true);
    expect(endpoint.requests.map((r) => r.refreshToken)).toEqual(["refresh-1", "refresh-rotated-1"]);
    // Saved again unchanged (say, a new signature): the settings still carry refresh-1, now dead.
    await saveOwnAccount(
      database,
      tenantId,
      accountSettings({ host: "127.0.0.1", port: account.port, security: "tls", auth: oauthAuth(endpoint.url) }),
      SECRETS,
      clock.now(),
    );
    const after = await accessTokenFor(deps, await currentAccount(), "smtp");
    expect(after.ok).toBe(true);
    expect(endpoint.requests.map((r) => r.refreshToken)).toEqual([
      "refresh-1",
      "refresh-rotated-1",
      "refresh-rotated-2",
    ]);
    const row = await database.db
      .selectFrom("oauth_tokens")
      .select("access_token")
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    expect(row.access_token).not.toContain("refresh-rotated");
  });

  it("invalid_grant holds the mail (queued, no attempt), tells the administrators once, and flows after new settings", async () => {
    await setUp();
    await addUser(database.db, tenantId, "administrator", "head@practice.example");
    await addUser(database.db, tenantId, "staff", "staff@practice.example");
    // The practice's IT revoked Postbag's access.
    endpoint.refreshTokens.clear();
    await acceptMessages(database, clock, tenantId, [message(), message(), message()]);
    const w = worker();
    await w.runOnce();

    let rows = await recipientRows(database, tenantId);
    const mail = rows.filter((r) => r.email === "parent@example.test");
    expect(mail.map((r) => r.status)).toEqual(["queued", "queued", "queued"]);
    expect(mail.map((r) => r.attempts)).toEqual([0, 0, 0]);
    for (const r of mail) {
      expect(r.lease_owner).toBeNull();
      expect(r.next_attempt_at).toBe(clock.now() + HELD_RETRY_MS);
      expect(r.last_smtp_text).toMatch(/^held: /);
    }
    const events = await database.db
      .selectFrom("events")
      .select("status")
      .where("tenant_id", "=", tenantId)
      .where("status", "!=", "queued")
      .execute();
    expect(events).toEqual([]);
    const token = await database.db
      .selectFrom("oauth_tokens")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    expect(token.revoked_at).toBe(clock.now());
    expect(token.revoked_reason).toMatch(/invalid_grant/);

    // Later tries: still held, and no second notice.
    for (let i = 0; i < 3; i++) {
      clock.advance(HELD_RETRY_MS);
      await w.runOnce();
    }
    const notices = await noticesOf(database.db, tenantId);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.to).toEqual(["head@practice.example"]);
    expect(notices[0]?.subject).toMatch(/reconnect your mail account/);
    expect(notices[0]?.text).toMatch(/being held/);
    // Postbag's own notice goes through the relay, not through the revoked account.
    expect(relay.messages.map((m) => m.rcptTo)).toEqual([["head@practice.example"]]);
    expect(account.messages).toHaveLength(0);
    rows = await recipientRows(database, tenantId);
    expect(rows.filter((r) => r.email === "parent@example.test").map((r) => r.attempts)).toEqual([0, 0, 0]);

    // The administrator connects the account again: a new refresh token, saved with the
    // wizard's Finish, which releases the held mail in its transaction, so it goes at once.
    endpoint.refreshTokens.add("refresh-2");
    clock.advance(60_000);
    await database.db.transaction().execute((tx) =>
      saveDraft(
        tx,
        SECRET_KEY,
        tenantId,
        {
          account: {
            mode: "own_account",
            fromAddress: ACCOUNT_ADDRESS,
            fromName: "The Practice",
            smtp: { host: "127.0.0.1", port: account.port, security: "tls", auth: oauthAuth(endpoint.url) },
            receive: null,
          },
        },
        { ...SECRETS, smtpRefreshToken: "refresh-2" },
        clock.now(),
        null,
      ),
    );
    // Test connection passed with these values (test/account/test-connection.test.ts tests that route).
    const draft = await loadDraft(database.db, SECRET_KEY, tenantId);
    if (draft?.settings.account) {
      const fingerprint = accountFingerprint(SECRET_KEY, tenantId, draft.settings.account, draft.secrets);
      await recordPassedTest(database.db, tenantId, fingerprint, clock.now());
    }
    const finished = await finishDraft(
      database,
      SECRET_KEY,
      tenantId,
      { maxMessageBytes: 10_000_000 },
      clock.now(),
      null,
      releaseHeldMail,
    );
    expect(finished).toMatchObject({ ok: true });
    rows = await recipientRows(database, tenantId);
    for (const r of rows.filter((r) => r.email === "parent@example.test")) {
      expect(r.next_attempt_at).toBe(clock.now());
      expect(r.last_smtp_text).toBeNull();
    }
    expect(await releaseHeldMail(database.db, tenantId, clock.now())).toBe(0);
    await w.runOnce();
    rows = await recipientRows(database, tenantId);
    expect(rows.filter((r) => r.email === "parent@example.test").map((r) => r.status)).toEqual([
      "sent",
      "sent",
      "sent",
    ]);
    expect(account.messages).toHaveLength(3);
    expect(await noticesOf(database.db, tenantId)).toHaveLength(1);
  });

  it("fetchAccessToken trades a refresh token and stores nothing; invalid_grant is revoked, not recorded", async () => {
    await setUp();
    endpoint.rotate = true;
    const grant = {
      provider: "microsoft" as const,
      tokenUrl: endpoint.url,
      clientId: "client-1",
      clientSecret: "client-secret",
      refreshToken: "refresh-1",
      scope: "https://outlook.office.com/SMTP.Send offline_access",
    };
    const deps = { policy: testPolicy(cert), clock };
    const got = await fetchAccessToken(grant, deps);
    expect(got).toMatchObject({ ok: true, expiresAt: clock.now() + 3_600_000, refreshToken: "refresh-rotated-1" });
    expect(got.ok && account.validTokens.has(got.accessToken)).toBe(true);
    // The old refresh token was rotated away: now refused, as revoked.
    const refused = await fetchAccessToken(grant, deps);
    expect(refused).toMatchObject({ ok: false, revoked: true, reason: /^invalid_grant: AADSTS70000/ });
    expect(await fetchAccessToken({ ...grant, refreshToken: undefined }, deps)).toMatchObject({
      ok: false,
      revoked: true,
    });
    expect(await fetchAccessToken({ ...grant, tokenUrl: endpoint.url.replace("https:", "http:") }, deps)).toEqual({
      ok: false,
      revoked: false,
      reason: "the token endpoint must use https",
    });
    expect(endpoint.requests).toHaveLength(2);
    expect(await database.db.selectFrom("oauth_tokens").selectAll().execute()).toEqual([]);
    expect(await noticesOf(database.db, tenantId)).toEqual([]);
  });

  it("a token endpoint on a private address is refused without the operator's allow", async () => {
    await setUp();
    const deps = { ...oauthDeps(), policy: testPolicy(cert, false) };
    const result = await accessTokenFor(deps, await currentAccount(), "smtp");
    expect(result).toMatchObject({ ok: false, revoked: false });
    expect(!result.ok && result.reason).toMatch(/token endpoint refused: .*loopback/);
    expect(endpoint.requests).toHaveLength(0);
  });
});
