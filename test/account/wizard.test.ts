import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAccount, loadDraft } from "../../src/accounts/account-settings.js";
import { accountFingerprint, recordPassedTest } from "../../src/accounts/account-tests.js";
import { dialects } from "../support/databases.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  TEST_MAX_MESSAGE_BYTES,
  type TestApp,
  type TestTenant,
} from "../support/test-app.js";

const SMTP_PASSWORD = "Sup3r-Secret-SMTP-Passw0rd-Alpha";
const IMAP_PASSWORD = "An0ther-Secret-IMAP-Passw0rd-Beta";
const REFRESH_TOKEN = "1//refresh-token-that-must-never-leak-Gamma";

interface Problem {
  step: string;
  field: string;
  message: string;
}
interface DraftReply {
  version: number | null;
  steps: Record<string, Record<string, unknown> | null>;
  saved: Record<string, boolean>;
  problems: Problem[];
  readyToFinish: boolean;
  pacing: { delaySeconds: number; perDay: number | null; description: string } | null;
}

const accountStep = (overrides: Record<string, unknown> = {}) => ({
  mode: "own_account",
  fromAddress: "office@oak-hill.example",
  fromName: "Oak Hill School",
  smtp: {
    host: "smtp.oak-hill.example",
    port: 587,
    security: "starttls",
    auth: { method: "password", user: "office@oak-hill.example", password: SMTP_PASSWORD },
  },
  receive: {
    protocol: "imap",
    host: "imap.oak-hill.example",
    port: 993,
    security: "tls",
    auth: { method: "password", user: "office@oak-hill.example", password: IMAP_PASSWORD },
    mailbox: "INBOX",
  },
  ...overrides,
});

describe.each(dialects)("own-account settings wizard [%s]", (dialect) => {
  let t: TestApp;
  /** Every response body seen, to check no secret ever leaves in full. */
  const bodies: string[] = [];
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    for (const body of bodies) {
      for (const secret of [SMTP_PASSWORD, IMAP_PASSWORD, REFRESH_TOKEN]) expect(body).not.toContain(secret);
    }
    await t?.close();
  });

  const call = async (
    tenant: TestTenant,
    method: "GET" | "PUT" | "POST",
    url: string,
    payload?: unknown,
    role: "administrator" | "staff" | "system" = "administrator",
  ): Promise<LightMyRequestResponse> => {
    const res = await t.inject({
      method,
      url,
      headers: tenant.auth(role),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    bodies.push(res.body);
    return res;
  };
  const put = async (tenant: TestTenant, payload: unknown) => {
    const res = await call(tenant, "PUT", "/v1/account/draft", payload);
    expect(res.statusCode, res.body).toBe(200);
    return json<DraftReply>(res);
  };
  /**
   * These servers do not exist, so Test connection cannot pass: record the draft's account step
   * as tested, as a passing test would (test-connection.test.ts covers the test itself).
   */
  const markTested = async (tenant: TestTenant) => {
    const draft = await loadDraft(t.db, t.config.secretKey, tenant.id);
    if (!draft?.settings.account) return;
    const fingerprint = accountFingerprint(t.config.secretKey, tenant.id, draft.settings.account, draft.secrets);
    await recordPassedTest(t.db, tenant.id, fingerprint, t.clock.now());
  };
  const finish = async (tenant: TestTenant) => {
    await markTested(tenant);
    return call(tenant, "POST", "/v1/account/draft/finish");
  };
  const live = async (tenant: TestTenant) => {
    const res = await call(tenant, "GET", "/v1/account");
    expect(res.statusCode, res.body).toBe(200);
    return json(res);
  };

  it("saves step by step, shows secrets masked, and Finish makes it live at once", async () => {
    const tenant = await t.newTenant();
    const empty = json<DraftReply>(await call(tenant, "GET", "/v1/account/draft"));
    expect(empty.version).toBeNull();
    expect(empty.readyToFinish).toBe(false);
    expect(empty.problems).toEqual([
      { step: "account", field: "", message: "the account step has not been saved yet" },
    ]);

    const afterAccount = await put(tenant, { step: "account", account: accountStep() });
    expect(afterAccount.version).toBe(1);
    expect(afterAccount.saved).toEqual({
      account: true,
      sending: false,
      receiving: false,
      attachments_signature: false,
    });
    const smtp = afterAccount.steps.account?.smtp as { auth: { password: string } };
    expect(smtp.auth.password).toBe("••••rd-Alpha".replace("rd-Alpha", SMTP_PASSWORD.slice(-4)));
    expect(afterAccount.problems).toEqual([]);

    const afterSending = await put(tenant, {
      step: "sending",
      sending: { holdMinutes: 10, window: { start: "08:00", end: "16:00" }, dailyLimit: 500 },
    });
    expect(afterSending.version).toBe(2);
    expect(afterSending.pacing).toMatchObject({ delaySeconds: 58, perDay: 497 });
    await put(tenant, { step: "receiving", receiving: { schedule: { mode: "times", times: ["07:30", "12:00"] } } });
    await put(tenant, {
      step: "attachments_signature",
      attachments_signature: {
        attachments: { maxBytes: 50_000, blockedExtensions: [".ZIP", "rar"] },
        signature: {
          enabled: true,
          text: "Oak Hill School\nOffice",
          html: '<p onclick="steal()">Oak Hill <a href="javascript:alert(1)">School</a><script>alert(1)</script></p>',
        },
      },
    });

    // Nothing is live before Finish.
    expect(await live(tenant)).toMatchObject({ configured: false, mode: "builtin", smtp: null });
    expect(await loadAccount(t.db, t.config.secretKey, tenant.id)).toBeNull();

    const done = await finish(tenant);
    expect(done.statusCode, done.body).toBe(200);
    const view = await live(tenant);
    expect(view).toMatchObject({
      configured: true,
      version: 1,
      mode: "own_account",
      fromAddress: "office@oak-hill.example",
      fromName: "Oak Hill School",
      smtp: { host: "smtp.oak-hill.example", port: 587, security: "starttls", auth: { method: "password" } },
      receive: { protocol: "imap", mailbox: "INBOX", schedule: { mode: "times", times: ["07:30", "12:00"] } },
      schedule: { holdMinutes: 10, delaySeconds: 58, window: { start: "08:00", end: "16:00" }, dailyLimit: 500 },
      attachments: { maxBytes: 50_000, blockedExtensions: ["zip", "rar"] },
      pacing: {
        delaySeconds: 58,
        perDay: 497,
        description: "1 email every 58 seconds, at most 497 emails a day between 08:00 and 16:00",
      },
    });
    expect((view.attachments as { alwaysBlocked: string[] }).alwaysBlocked).toEqual(
      expect.arrayContaining(["exe", "bat", "cmd", "com", "scr", "js", "vbs", "jar", "msi", "ps1"]),
    );
    const signature = view.signature as { enabled: boolean; text: string; html: string };
    expect(signature.enabled).toBe(true);
    expect(signature.html).not.toMatch(/script|onclick|javascript/);
    expect(signature.html).toContain("Oak Hill");
    const tenantRow = await t.db
      .selectFrom("tenants")
      .select("sending_mode")
      .where("id", "=", tenant.id)
      .executeTakeFirst();
    expect(tenantRow?.sending_mode).toBe("own_account");
    // The draft is gone; the next GET starts from the live settings.
    expect(await loadDraft(t.db, t.config.secretKey, tenant.id)).toBeNull();
    const restart = json<DraftReply>(await call(tenant, "GET", "/v1/account/draft"));
    expect(restart.version).toBeNull();
    expect(restart.readyToFinish).toBe(true);
    expect(restart.steps.sending).toMatchObject({ holdMinutes: 10, delaySeconds: 58 });
  });

  it("keeps the live settings until Finish, and saved secrets when a step is edited without them", async () => {
    const tenant = await t.newTenant();
    await put(tenant, { account: accountStep() });
    expect((await finish(tenant)).statusCode).toBe(200);

    const { smtp: _smtp, ...withoutPassword } = accountStep();
    await put(tenant, {
      step: "account",
      account: {
        ...withoutPassword,
        fromName: "Oak Hill Primary",
        smtp: {
          host: "smtp2.oak-hill.example",
          port: 465,
          security: "tls",
          auth: { method: "password", user: "office@oak-hill.example" },
        },
        receive: { ...accountStep().receive, auth: { method: "password", user: "office@oak-hill.example" } },
      },
    });
    // Live: still the first settings.
    expect(await live(tenant)).toMatchObject({
      version: 1,
      fromName: "Oak Hill School",
      smtp: { host: "smtp.oak-hill.example" },
    });
    expect((await finish(tenant)).statusCode).toBe(200);
    expect(await live(tenant)).toMatchObject({
      version: 2,
      fromName: "Oak Hill Primary",
      smtp: { host: "smtp2.oak-hill.example", port: 465 },
    });
    const stored = await loadAccount(t.db, t.config.secretKey, tenant.id);
    expect(stored?.secrets).toEqual({ smtpPassword: SMTP_PASSWORD, receivePassword: IMAP_PASSWORD });

    // Removing the password (null) is a problem that blocks Finish.
    await put(tenant, {
      account: accountStep({
        smtp: { ...accountStep().smtp, auth: { method: "password", user: "x", password: null } },
      }),
    });
    const blocked = await finish(tenant);
    expect(blocked.statusCode).toBe(400);
    expect(json<ErrorReply>(blocked).error.message).toContain(
      "step account, field smtp.auth.password: password is missing",
    );
    expect(await live(tenant)).toMatchObject({ version: 2 });
  });

  it("an invalid step blocks Finish, naming the step and field, and changes nothing", async () => {
    const tenant = await t.newTenant();
    await put(tenant, { account: accountStep() });
    const draft = await put(tenant, {
      step: "sending",
      sending: { holdMinutes: 0, delaySeconds: 10, window: { start: "08:00", end: "16:00" }, dailyLimit: 500 },
    });
    expect(draft.readyToFinish).toBe(false);
    expect(draft.problems).toEqual([
      {
        step: "sending",
        field: "delaySeconds",
        message: "a delay of 10 s would exceed the daily limit of 500; use at least 58 s",
      },
    ]);
    const res = await finish(tenant);
    expect(res.statusCode).toBe(400);
    const body = json<ErrorReply>(res);
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toMatch(/^Finish is blocked: step sending, field delaySeconds/);
    expect(body.error.details).toEqual([
      { path: "/sending/delaySeconds", message: expect.stringContaining("step sending") },
    ]);
    expect(await live(tenant)).toMatchObject({ configured: false });
    expect(await loadDraft(t.db, t.config.secretKey, tenant.id)).not.toBeNull();

    // More per-field problems, each named.
    const bad = await put(tenant, {
      account: accountStep({
        fromAddress: "not an address",
        fromName: "Office\r\nBcc: everyone@example.com",
        smtp: {
          host: "smtp://mail.example.com",
          port: 25,
          security: "none",
          auth: { method: "password", user: "u", password: "p" },
        },
        receive: null,
      }),
      sending: { holdMinutes: 5, window: { start: "17:00", end: "08:00" } },
      receiving: { schedule: { mode: "times", times: ["25:00"] } },
      attachments_signature: {
        attachments: { maxBytes: TEST_MAX_MESSAGE_BYTES + 1, blockedExtensions: ["ok", "no way"] },
        signature: { enabled: true, text: null, html: null },
      },
    });
    expect(bad.problems.map((p) => `${p.step}:${p.field}`)).toEqual([
      "account:fromAddress",
      "account:fromName",
      "account:smtp.host",
      "account:smtp.security",
      "sending:window.end",
      "receiving:schedule.times.0",
      "attachments_signature:attachments.maxBytes",
      "attachments_signature:attachments.blockedExtensions.1",
      "attachments_signature:signature",
    ]);
    expect(bad.problems[1]?.message).toMatch(/control character/);
    expect(bad.problems[3]?.message).toMatch(/in clear/);
    expect((await finish(tenant)).statusCode).toBe(400);
    expect(await live(tenant)).toMatchObject({ configured: false });
  });

  it("Finish is atomic: a failure while saving leaves the live settings, mode and draft as they were", async () => {
    const tenant = await t.newTenant();
    await put(tenant, {
      account: accountStep(),
      attachments_signature: { signature: { enabled: true, text: "Regards" } },
    });
    // Make the signature write (the last write of Finish) fail for this tenant only.
    if (dialect === "sqlite") {
      await sql
        .raw(
          `CREATE TRIGGER fail_sig_${tenant.id} BEFORE INSERT ON tenant_signatures WHEN NEW.tenant_id = '${tenant.id}' ` +
            `BEGIN SELECT RAISE(ABORT, 'signature write failed'); END`,
        )
        .execute(t.db);
    } else {
      await sql
        .raw(
          `CREATE FUNCTION fail_sig_${tenant.id.toLowerCase()}() RETURNS trigger AS $$ BEGIN ` +
            `IF NEW.tenant_id = '${tenant.id}' THEN RAISE EXCEPTION 'signature write failed'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; ` +
            `CREATE TRIGGER fail_sig_${tenant.id.toLowerCase()} BEFORE INSERT ON tenant_signatures FOR EACH ROW EXECUTE FUNCTION fail_sig_${tenant.id.toLowerCase()}();`,
        )
        .execute(t.db);
    }
    const res = await finish(tenant);
    expect(res.statusCode).toBe(500);
    expect(await loadAccount(t.db, t.config.secretKey, tenant.id)).toBeNull();
    const row = await t.db.selectFrom("tenants").select("sending_mode").where("id", "=", tenant.id).executeTakeFirst();
    expect(row?.sending_mode).toBe("relay");
    expect(await loadDraft(t.db, t.config.secretKey, tenant.id)).not.toBeNull();
    if (dialect === "sqlite") await sql.raw(`DROP TRIGGER fail_sig_${tenant.id}`).execute(t.db);
    else await sql.raw(`DROP TRIGGER fail_sig_${tenant.id.toLowerCase()} ON tenant_signatures`).execute(t.db);
    expect((await finish(tenant)).statusCode).toBe(200);
    expect(await live(tenant)).toMatchObject({ configured: true, signature: { enabled: true, text: "Regards" } });
  });

  it("seals secrets in the database and never returns them", async () => {
    const tenant = await t.newTenant();
    await put(tenant, {
      account: accountStep({
        smtp: {
          host: "smtp.office365.com",
          port: 587,
          security: "starttls",
          auth: {
            method: "oauth2",
            provider: "microsoft",
            user: "office@oak-hill.example",
            clientId: "client-id-1",
            clientSecret: SMTP_PASSWORD,
            refreshToken: REFRESH_TOKEN,
          },
        },
      }),
    });
    const draftRow = await t.db
      .selectFrom("account_drafts")
      .selectAll()
      .where("tenant_id", "=", tenant.id)
      .executeTakeFirstOrThrow();
    for (const secret of [SMTP_PASSWORD, IMAP_PASSWORD, REFRESH_TOKEN]) {
      expect(draftRow.settings).not.toContain(secret);
      expect(draftRow.secrets).not.toContain(secret);
    }
    expect(draftRow.secrets).toMatch(/^v1\./);
    expect((await finish(tenant)).statusCode).toBe(200);
    const row = await t.db
      .selectFrom("account_settings")
      .selectAll()
      .where("tenant_id", "=", tenant.id)
      .executeTakeFirstOrThrow();
    for (const secret of [SMTP_PASSWORD, IMAP_PASSWORD, REFRESH_TOKEN]) {
      expect(row.settings).not.toContain(secret);
      expect(row.secrets).not.toContain(secret);
    }
    const view = await live(tenant);
    expect(view.smtp).toMatchObject({
      auth: {
        method: "oauth2",
        provider: "microsoft",
        tokenUrl: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        scope: "https://outlook.office.com/SMTP.Send offline_access",
        clientSecret: expect.stringMatching(/^••••/),
        refreshToken: expect.stringMatching(/^••••/),
      },
    });
    // A sealed value copied into another tenant's row does not open there.
    const other = await t.newTenant();
    await t.db
      .insertInto("account_settings")
      .values({ ...row, tenant_id: other.id })
      .execute();
    await expect(loadAccount(t.db, t.config.secretKey, other.id)).rejects.toThrow(/does not open/);
  });

  it("keeps tenants apart and checks roles", async () => {
    const a = await t.newTenant();
    const b = await t.newTenant();
    await put(a, { account: accountStep() });
    const bDraft = json<DraftReply>(await call(b, "GET", "/v1/account/draft"));
    expect(bDraft.steps.account).toBeNull();
    expect((await finish(b)).statusCode).toBe(409);
    expect((await finish(a)).statusCode).toBe(200);
    expect(await live(b)).toMatchObject({ configured: false });

    for (const role of ["staff", "system"] as const) {
      expect((await call(a, "GET", "/v1/account/draft", undefined, role)).statusCode).toBe(403);
      expect((await call(a, "PUT", "/v1/account/draft", { account: accountStep() }, role)).statusCode).toBe(403);
      expect((await call(a, "POST", "/v1/account/draft/finish", undefined, role)).statusCode).toBe(403);
      expect((await call(a, "POST", "/v1/account/test", {}, role)).statusCode).toBe(403);
    }
    expect((await call(a, "GET", "/v1/account", undefined, "staff")).statusCode).toBe(200);
    expect((await call(a, "GET", "/v1/account", undefined, "system")).statusCode).toBe(403);
    const noKey = await t.inject({ method: "GET", url: "/v1/account" });
    expect(noKey.statusCode).toBe(401);
    const operator = await t.inject({ method: "GET", url: "/v1/account", headers: await t.operatorAuth() });
    expect(operator.statusCode).toBe(403);
  });

  it("refuses malformed and hostile bodies before saving anything", async () => {
    const tenant = await t.newTenant();
    const refused = async (payload: unknown, code = "invalid_request") => {
      const res = await call(tenant, "PUT", "/v1/account/draft", payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(json<ErrorReply>(res).error.code).toBe(code);
    };
    const smtp = accountStep().smtp;
    await refused({ account: accountStep({ smtp: { ...smtp, port: 0 } }) });
    await refused({ account: accountStep({ smtp: { ...smtp, port: 70_000 } }) });
    await refused({ account: accountStep({ smtp: { ...smtp, port: "25" } }) });
    await refused({ account: accountStep({ smtp: { ...smtp, port: 25.5 } }) });
    await refused({ account: accountStep({ smtp: { ...smtp, security: "ssl" } }) });
    await refused({ account: accountStep({ smtp: { ...smtp, host: "a".repeat(10_000) } }) });
    await refused({ account: accountStep({ fromName: "x".repeat(100_000) }) });
    await refused({
      account: accountStep({ smtp: { ...smtp, auth: { method: "password", user: "u", password: "p".repeat(5000) } } }),
    });
    await refused({ account: accountStep({ smtp: { ...smtp, auth: { method: "kerberos", user: "u" } } }) });
    await refused({ account: accountStep({ colour: "blue" }) }, "unknown_field");
    await refused({ step: "sending", account: accountStep() });
    await refused({});
    await refused({ sending: { holdMinutes: 1441 } });
    await refused({ sending: { delaySeconds: -1 } });
    await refused({ receiving: { schedule: { mode: "times", times: [] } } });
    const badJson = await t.inject({
      method: "PUT",
      url: "/v1/account/draft",
      headers: { ...tenant.auth("administrator"), "content-type": "application/json" },
      payload: '{"account": {',
    });
    expect(badJson.statusCode).toBe(400);
    expect(await loadDraft(t.db, t.config.secretKey, tenant.id)).toBeNull();
    const protoPoison = await t.inject({
      method: "PUT",
      url: "/v1/account/draft",
      headers: { ...tenant.auth("administrator"), "content-type": "application/json" },
      payload: '{"__proto__": {"admin": true}, "sending": {"holdMinutes": 1}}',
    });
    expect(protoPoison.statusCode).toBe(400);
  });

  it("loses no step when several are saved at the same time", async () => {
    const tenant = await t.newTenant();
    const replies = await Promise.all([
      call(tenant, "PUT", "/v1/account/draft", { step: "account", account: accountStep() }),
      call(tenant, "PUT", "/v1/account/draft", { step: "sending", sending: { holdMinutes: 3 } }),
      call(tenant, "PUT", "/v1/account/draft", {
        step: "receiving",
        receiving: { schedule: { mode: "every", minutes: 15 } },
      }),
      call(tenant, "PUT", "/v1/account/draft", {
        step: "attachments_signature",
        attachments_signature: { signature: { enabled: true, text: "Thanks" } },
      }),
    ]);
    for (const res of replies) expect(res.statusCode, res.body).toBe(200);
    const draft = json<DraftReply>(await call(tenant, "GET", "/v1/account/draft"));
    expect(draft.version).toBe(4);
    expect(draft.saved).toEqual({ account: true, sending: true, receiving: true, attachments_signature: true });
    expect(draft.readyToFinish).toBe(true);
  });

  it("mailbox checking every N minutes within checking hours; a wrong window blocks Finish", async () => {
    const tenant = await t.newTenant();
    await put(tenant, { account: accountStep() });
    const bad = await put(tenant, {
      receiving: { schedule: { mode: "every", minutes: 10, window: { start: "17:00", end: "08:00" } } },
    });
    expect(bad.problems).toEqual([
      {
        step: "receiving",
        field: "schedule.window.end",
        message: "schedule.window.end 08:00 must be after schedule.window.start 17:00",
      },
    ]);
    expect((await finish(tenant)).statusCode).toBe(400);
    const tooMany = await call(tenant, "PUT", "/v1/account/draft", {
      receiving: { schedule: { mode: "every", minutes: 10, window: { start: "08:00", end: "17:00", extra: 1 } } },
    });
    expect(tooMany.statusCode).toBe(400);
    await put(tenant, {
      receiving: { schedule: { mode: "every", minutes: 10, window: { start: "08:00", end: "17:00" } } },
    });
    expect((await finish(tenant)).statusCode).toBe(200);
    expect(await live(tenant)).toMatchObject({
      receive: { schedule: { mode: "every", minutes: 10, window: { start: "08:00", end: "17:00" } } },
    });
  });

  it("builtin mode needs no server; it stores relay as the tenant's sending mode", async () => {
    const tenant = await t.newTenant();
    await put(tenant, {
      account: { mode: "own_account", ...{}, fromAddress: "a@b.example", smtp: accountStep().smtp },
    });
    expect((await finish(tenant)).statusCode).toBe(200);
    await put(tenant, { account: { mode: "builtin" } });
    expect((await finish(tenant)).statusCode).toBe(200);
    expect(await live(tenant)).toMatchObject({
      mode: "builtin",
      smtp: null,
      receive: null,
      pacing: { delaySeconds: 0 },
    });
    const row = await t.db.selectFrom("tenants").select("sending_mode").where("id", "=", tenant.id).executeTakeFirst();
    expect(row?.sending_mode).toBe("relay");
    // Secrets of removed servers are dropped, not kept sealed forever.
    expect((await loadAccount(t.db, t.config.secretKey, tenant.id))?.secrets).toEqual({});
  });
});
