import { afterAll, beforeAll, expect, it } from "vitest";
import { loadAccount, loadDraft, type StoredAccount, saveDraft } from "../../src/accounts/account-settings.js";
import { getOperatorCreditSettings, putOperatorCreditSettings } from "../../src/credits/settings.js";
import { StoredJsonError } from "../../src/db/json-codec.js";
import { renderMessage } from "../../src/delivery/render.js";
import { createNetworkPolicy } from "../../src/network/network-policy.js";
import { seal } from "../../src/tenants/secret-box.js";
import { ManualClock } from "../../src/time/clock.js";
import { accessTokenFor } from "../../src/transports/oauth2.js";
import { seedAudience, siblings } from "../announcements/audience-fixtures.js";
import { describeEachDialect } from "../support/databases.js";
import { acceptMessages, message, newTestWorker, recipientRows } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { json, openTestApp, type TestApp } from "../support/test-app.js";

/** A stored JSON value damaged by hand (or by a bug) is a clear error naming its column, never a crash further on. */
describeEachDialect("stored JSON is checked on read, one codec per column", (dialect) => {
  let t: TestApp;
  let server: TestSmtpServer;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await openTestApp(dialect, { clock });
    server = await startTestSmtpServer();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const damaged = (column: string) =>
    expect.objectContaining({ name: "StoredJsonError", message: expect.stringContaining(column) });

  it("messages.headers, header_recipients, reply_to: rendering names the column; the worker rejects the recipient with that reason", async () => {
    const tenant = await t.newTenant();
    const [accepted] = await acceptMessages(t.database, clock, tenant.id, [
      message({ to: ["parent@example.com"], replyTo: "office@example.com" }),
    ]);
    if (!accepted) throw new Error("not accepted");
    const row = () => t.db.selectFrom("messages").selectAll().where("id", "=", accepted.id).executeTakeFirstOrThrow();
    const good = await row();
    expect((await renderMessage(good, [])).toString("latin1")).toContain("Reply-To: office@example.com");

    for (const [column, value] of [
      ["header_recipients", '{"to": "parent@example.com"}'],
      ["reply_to", "not json"],
      ["headers", '{"X-Count": 3}'],
    ] as const) {
      await t.db
        .updateTable("messages")
        .set({ [column]: value })
        .where("id", "=", accepted.id)
        .execute();
      await expect(renderMessage(await row(), [])).rejects.toEqual(damaged(`messages.${column}`));
      await t.db
        .updateTable("messages")
        .set({ [column]: good[column] })
        .where("id", "=", accepted.id)
        .execute();
    }

    await t.db.updateTable("messages").set({ headers: "[1, 2]" }).where("id", "=", accepted.id).execute();
    const { worker, transport } = newTestWorker({ database: t.database, clock, server });
    await worker.runOnce();
    await transport.close();
    const [recipient] = await recipientRows(t.database, tenant.id);
    expect(recipient).toMatchObject({ status: "rejected" });
    expect(recipient?.last_smtp_text).toContain("stored JSON in messages.headers is not valid");
    expect(server.messages).toHaveLength(0);
  });

  it("announcements.audience and merge_data: the API answers 500 with a clear message (the log names the column)", async () => {
    const tenant = await t.newTenant();
    await seedAudience(t.db, tenant.id, clock.now(), siblings);
    const created = await t.inject({
      method: "POST",
      url: "/v1/announcements",
      headers: tenant.auth("staff"),
      payload: {
        subject: "Trip",
        text: "Dear {{contact.name}}",
        audience: { subjects: ["s1"] },
        mergeData: { s1: { room: "4B" } },
        consolidate: true,
        essential: false,
        sendAt: new Date(clock.now() + 3_600_000).toISOString(),
      },
    });
    expect(created.statusCode, created.body).toBe(202);
    const id = json<{ id: string }>(created).id;
    const detail = () => t.inject({ method: "GET", url: `/v1/announcements/${id}`, headers: tenant.auth("staff") });
    expect(json<{ mergeData: unknown }>(await detail()).mergeData).toEqual({ s1: { room: "4B" } });

    for (const [column, value] of [
      ["audience", '{"subjects": "s1"}'],
      ["merge_data", '{"s1": {"room": 4}}'],
    ] as const) {
      const before = await t.db
        .selectFrom("announcements")
        .select(column)
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      await t.db
        .updateTable("announcements")
        .set({ [column]: value })
        .where("id", "=", id)
        .execute();
      const res = await detail();
      expect(res.statusCode).toBe(500);
      expect(json<{ error: { message: string } }>(res).error.message).toMatch(/stored value is damaged/);
      await t.db
        .updateTable("announcements")
        .set({ [column]: before[column] })
        .where("id", "=", id)
        .execute();
    }
  });

  it("operator_settings.value (credits)", async () => {
    await putOperatorCreditSettings(t.db, clock.now(), { defaultAllowance: 500 });
    expect((await getOperatorCreditSettings(t.db)).defaultAllowance).toBe(500);
    await t.db
      .updateTable("operator_settings")
      .set({ value: '{"criticalCategories": ["password_reset_parent", "gossip"]}' })
      .where("key", "=", "credits")
      .execute();
    await expect(getOperatorCreditSettings(t.db)).rejects.toEqual(damaged("operator_settings.value (credits)"));
    await t.db.deleteFrom("operator_settings").where("key", "=", "credits").execute();
  });

  it("account_drafts.settings and the sealed secrets", async () => {
    const tenant = await t.newTenant();
    await saveDraft(
      t.db,
      t.config.secretKey,
      tenant.id,
      { sending: { holdMinutes: 5, delaySeconds: null, window: null, dailyLimit: null } },
      { smtpPassword: "hunter2" },
      clock.now(),
      null,
    );
    const draft = await loadDraft(t.db, t.config.secretKey, tenant.id);
    expect(draft?.settings.sending?.holdMinutes).toBe(5);
    expect(draft?.secrets).toEqual({ smtpPassword: "hunter2" });

    await t.db
      .updateTable("account_drafts")
      .set({ settings: '{"sending": {"holdMinutes": "five"}}' })
      .where("tenant_id", "=", tenant.id)
      .execute();
    await expect(loadDraft(t.db, t.config.secretKey, tenant.id)).rejects.toEqual(damaged("account_drafts.settings"));

    await t.db
      .updateTable("account_drafts")
      .set({
        settings: "{}",
        secrets: seal(t.config.secretKey, `account:${tenant.id}`, '{"smtpPassword": 42}'),
      })
      .where("tenant_id", "=", tenant.id)
      .execute();
    await expect(loadDraft(t.db, t.config.secretKey, tenant.id)).rejects.toEqual(damaged("account_drafts.secrets"));
    expect(await loadAccount(t.db, t.config.secretKey, tenant.id)).toBeNull();
  });

  it("oauth_tokens.access_token (the sealed token state)", async () => {
    const tenant = await t.newTenant();
    const account: StoredAccount = {
      tenantId: tenant.id,
      version: 1,
      updatedAt: clock.now(),
      secrets: { smtpRefreshToken: "refresh-1" },
      settings: {
        mode: "own_account",
        fromAddress: "office@school.example",
        fromName: null,
        smtp: {
          host: "smtp.school.example",
          port: 587,
          security: "starttls",
          auth: {
            method: "oauth2",
            provider: "microsoft",
            user: "office@school.example",
            clientId: "client",
            tokenUrl: "https://login.school.example/token",
            scope: null,
          },
        },
        receive: null,
        schedule: { holdMinutes: 0, delaySeconds: 0, window: null, dailyLimit: null },
        attachments: { maxBytes: 1_000_000, blockedExtensions: [] },
      },
    };
    await t.db
      .insertInto("oauth_tokens")
      .values({
        tenant_id: tenant.id,
        settings_version: 1,
        access_token: seal(t.config.secretKey, `oauth:${tenant.id}`, '{"smtp": {"expiresAt": "soon"}}'),
        refresh_token: null,
        expires_at: null,
        updated_at: clock.now(),
      })
      .execute();
    const deps = {
      database: t.database,
      clock,
      policy: createNetworkPolicy(t.config),
      secretKey: t.config.secretKey,
      notices: { senderDomain: t.config.senderDomain, publicUrl: t.config.publicUrl },
    };
    const refused = await accessTokenFor(deps, account, "smtp").catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StoredJsonError);
    expect(refused).toEqual(damaged("oauth_tokens.access_token"));
  });
});
