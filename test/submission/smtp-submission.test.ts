import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import { ManualClock } from "../../src/time/clock.js";
import { type SubmissionServer, startSubmissionServer } from "../../src/transports/smtp-submission.js";
import { describeEachDialect } from "../support/databases.js";
import { newTestWorker, silentLogger, workerSettings } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { json, openTestApp, type TestApp, type TestTenant } from "../support/test-app.js";
import { writeSelfSignedCert } from "../support/test-cert.js";

const MAX_BYTES = 200_000;

describeEachDialect("SMTP submission (Nodemailer as the client)", (dialect) => {
  let t: TestApp;
  let server: SubmissionServer;
  let strict: SubmissionServer;
  let sink: TestSmtpServer;
  let certDir: string;
  let ca: Buffer;
  const clock = new ManualClock();

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), "postbag-submission-"));
    const cert = writeSelfSignedCert(certDir);
    ca = readFileSync(cert.certFile);
    t = await openTestApp(dialect, { clock });
    sink = await startTestSmtpServer();
    const deps = {
      database: t.database,
      clock: t.clock,
      logger: silentLogger,
      writer: t.writer,
      limits: {
        maxMessageBytes: MAX_BYTES,
        maxRecipients: 1000,
        senderDomain: t.config.senderDomain,
        secretKey: t.config.secretKey,
      },
      penaltyMs: 50,
    };
    const settings = {
      host: "127.0.0.1",
      port: 0,
      secure: "starttls" as const,
      tlsCertFile: cert.certFile,
      tlsKeyFile: cert.keyFile,
      connectionsPerKey: 2,
      authFailures: 3,
    };
    server = await startSubmissionServer({ ...deps, settings });
    // As a client off loopback is seen: AUTH only after STARTTLS.
    strict = await startSubmissionServer({ ...deps, settings, plainAuthAllowed: () => false });
  });
  afterAll(async () => {
    await server?.close();
    await strict?.close();
    await sink?.close();
    await t?.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  function client(
    auth: { user: string; pass: string },
    options: { port?: number; ignoreTLS?: boolean; pool?: boolean } = {},
  ) {
    return nodemailer.createTransport({
      host: "127.0.0.1",
      port: options.port ?? server.port,
      secure: false,
      requireTLS: !options.ignoreTLS,
      ignoreTLS: options.ignoreTLS ?? false,
      tls: { ca, servername: "localhost" },
      auth,
      pool: options.pool ?? false,
    });
  }

  const keyParts = (key: string) => {
    const m = /^pb_([^_]+)_(.+)$/.exec(key);
    if (!m?.[1] || !m[2]) throw new Error("not a key");
    return { user: m[1], pass: m[2] };
  };

  const mail = (overrides: Partial<Mail.Options> = {}): Mail.Options => ({
    from: `School office <noreply@${t.config.senderDomain}>`,
    to: "Parent One <parent1@example.com>",
    cc: "parent2@example.com",
    bcc: "hidden@example.com",
    subject: "Printer scan",
    text: "Scanned document attached.",
    headers: { "X-Postbag-Category": "announcement", "X-Postbag-Ref": "forged", "X-Mailer-Id": "mis-7" },
    ...overrides,
  });

  const idFrom = (response: string) => /queued as (\S+)/.exec(response)?.[1];

  async function messageOf(tenant: TestTenant, id: string) {
    const res = await t.inject({ method: "GET", url: `/v1/messages/${id}`, headers: tenant.auth() });
    return {
      status: res.statusCode,
      body: json<{ category: string; recipients: { email: string; kind: string; status: string }[] }>(res),
    };
  }

  it("STARTTLS + AUTH with key id and secret: 250 with the message id after the commit; MIME kept minus Bcc and X-Postbag-*; delivered as submitted", async () => {
    const tenant = await t.newTenant();
    const transport = client(keyParts(tenant.keys.system));
    const info = await transport.sendMail(mail());
    const id = idFrom(info.response);
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    if (!id) throw new Error("no id");
    const { status, body } = await messageOf(tenant, id);
    expect(status).toBe(200);
    expect(body.category).toBe("announcement");
    expect(body.recipients.map((r) => [r.email, r.kind, r.status]).sort()).toEqual([
      ["hidden@example.com", "bcc", "queued"],
      ["parent1@example.com", "to", "queued"],
      ["parent2@example.com", "cc", "queued"],
    ]);
    const row = await t.db
      .selectFrom("messages")
      .select(["raw_mime", "message_id_header", "source"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const stored = Buffer.from(row.raw_mime ?? Buffer.alloc(0)).toString("latin1");
    expect(row.source).toBe("smtp");
    expect(stored).not.toMatch(/^bcc:/im);
    expect(stored).not.toMatch(/^x-postbag-/im);
    expect(stored).toMatch(/^X-Mailer-Id: mis-7\r$/im);
    expect(row.message_id_header).toBe(info.messageId);

    // Another tenant cannot see it.
    const other = await t.newTenant();
    expect((await messageOf(other, id)).status).toBe(404);

    // Delivered as submitted, with Postbag's reference header only.
    const built = newTestWorker({ database: t.database, clock: t.clock, server: sink });
    const worker = new DeliveryWorker({
      database: t.database,
      clock: t.clock,
      transport: built.transport,
      settings: workerSettings(),
      logger: silentLogger,
    });
    await worker.runOnce();
    const got = await sink.waitForMessages(3, 20_000);
    for (const m of got) {
      const raw = m.raw.toString("latin1");
      // Relay mail carries no reference header (its VERP sender names the recipient), and the
      // client's X-Postbag-* headers were removed on accept.
      expect(raw.match(/^X-Postbag-Ref:/gim)).toBeNull();
      expect(raw).not.toContain("forged");
      expect(raw).not.toMatch(/^bcc:/im);
      expect(raw).toContain("Scanned document attached.");
    }
    await built.transport.close();
    const after = await messageOf(tenant, id);
    expect(after.body.recipients.every((r) => r.status === "sent")).toBe(true);
    transport.close();
  });

  it("the whole key as the password; the same Message-ID twice with the same key is accepted once", async () => {
    const tenant = await t.newTenant();
    const transport = client({ user: "school-printer", pass: tenant.keys.staff });
    const message = mail({ messageId: "<scan-42@printer.oakwood.example>" });
    const first = await transport.sendMail({ ...message, date: new Date("2026-12-06T08:00:00Z") });
    // The client lost our 250 and builds the message again: a new Date header, the same message.
    const again = await transport.sendMail({ ...message, date: new Date("2026-12-06T08:00:07Z") });
    expect(idFrom(again.response)).toBe(idFrom(first.response));
    // The same Message-ID for other mail (another subject) is refused, not taken as a retry.
    await expect(transport.sendMail({ ...message, subject: "Another scan" })).rejects.toMatchObject({
      responseCode: 554,
    });
    const rows = await t.db.selectFrom("messages").select("id").where("tenant_id", "=", tenant.id).execute();
    expect(rows).toHaveLength(1);
    transport.close();
  });

  it("refusals: wrong key (535, then 421 after repeated failures), From of another tenant's domain, AUTH before TLS, oversized, too many recipients, a dangerous attachment", async () => {
    const tenant = await t.newTenant();
    const good = keyParts(tenant.keys.system);

    await expect(client({ user: good.user, pass: "x".repeat(32) }).sendMail(mail())).rejects.toMatchObject({
      responseCode: 535,
    });

    // A From the tenant has not verified (another school's domain).
    await expect(client(good).sendMail(mail({ from: "office@another-school.example" }))).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringContaining("5.7.1"),
    });
    await expect(client(good).sendMail(mail({ headers: { "X-Postbag-Category": "notice" } }))).rejects.toMatchObject({
      responseCode: 554,
    });

    // AUTH before TLS, from a client that is not on loopback.
    await expect(client(good, { port: strict.port, ignoreTLS: true }).sendMail(mail())).rejects.toMatchObject({
      responseCode: 538,
    });

    await expect(client(good).sendMail(mail({ text: "x".repeat(MAX_BYTES + 10) }))).rejects.toMatchObject({
      responseCode: 552,
    });

    await expect(
      client(good).sendMail(mail({ attachments: [{ filename: "invoice.exe", content: Buffer.from("MZ...") }] })),
    ).rejects.toMatchObject({ responseCode: 554, response: expect.stringContaining("invoice.exe") });

    // An address literal goes past DNS and the relay's routing: refused at RCPT like a bad address.
    const literal = await client(good).sendMail(
      mail({ to: ["root@[10.1.2.3]", "parent1@example.com"], cc: [], bcc: [] }),
    );
    expect(literal.rejected).toEqual(["root@[10.1.2.3]"]);
    expect(literal.rejectedErrors?.[0]).toMatchObject({ responseCode: 553 });

    // The 1,001st RCPT gets 452 (RFC 5321: the client sends the rest again later); the others are taken.
    const tooMany = Array.from({ length: 1001 }, (_, i) => `p${i}@example.com`);
    const partial = await client(good).sendMail(mail({ to: tooMany, cc: [], bcc: [] }));
    expect(partial.rejected).toEqual(["p1000@example.com"]);
    expect(partial.rejectedErrors?.[0]).toMatchObject({ responseCode: 452 });
    expect(partial.accepted).toHaveLength(1000);

    // Repeated failures from one address: delayed, then 421, even with a good key afterwards.
    for (let i = 0; i < 3; i++) {
      await client({ user: good.user, pass: "y".repeat(32) })
        .sendMail(mail())
        .catch(() => undefined);
    }
    await expect(client(good).sendMail(mail())).rejects.toMatchObject({ responseCode: 421 });
    clock.advance(16 * 60_000);
    expect((await client(good).sendMail(mail())).response).toMatch(/^250 /);
  });

  it("1,000 recipients and attachments in one message; statuses through the API", async () => {
    const tenant = await t.newTenant();
    const to = Array.from({ length: 1000 }, (_, i) => `parent${i}@example.com`);
    const info = await client(keyParts(tenant.keys.system)).sendMail(
      mail({
        to: to.slice(0, 10),
        cc: [],
        bcc: to.slice(10),
        attachments: [
          { filename: "letter.pdf", content: Buffer.from("%PDF-1.4 letter") },
          { filename: "list.csv", content: "name,class\nAda,4B\n" },
        ],
      }),
    );
    const id = idFrom(info.response);
    if (!id) throw new Error("no id");
    const { body } = await messageOf(tenant, id);
    expect(body.recipients).toHaveLength(1000);
    expect(body.recipients.filter((r) => r.kind === "to")).toHaveLength(10);
    expect(body.recipients.every((r) => r.status === "queued")).toBe(true);
    const row = await t.db.selectFrom("messages").select("raw_mime").where("id", "=", id).executeTakeFirstOrThrow();
    expect(Buffer.from(row.raw_mime ?? Buffer.alloc(0)).toString("latin1")).toContain("filename=letter.pdf");
  });

  it("a suspended school's key: AUTH refused (535, not a failed login); a connection that logged in before is refused per message; resume lets it in", async () => {
    const tenant = await t.newTenant();
    const good = keyParts(tenant.keys.system);
    const operator = await t.operatorAuth();
    const pooled = client(good, { pool: true });
    expect((await pooled.sendMail(mail())).response).toMatch(/^250 /);

    const suspended = await t.inject({
      method: "POST",
      url: `/v1/operator/tenants/${tenant.id}/suspend`,
      headers: operator,
      payload: {},
    });
    expect(suspended.statusCode).toBe(200);
    // Several refusals in a row: never the failed-login penalty (421), always 535 with the reason.
    for (let i = 0; i < 4; i++) {
      await expect(client(good).sendMail(mail())).rejects.toMatchObject({
        responseCode: 535,
        response: expect.stringContaining("suspended"),
      });
    }
    await expect(pooled.sendMail(mail())).rejects.toMatchObject({ responseCode: 535 });
    pooled.close();

    await t.inject({ method: "POST", url: `/v1/operator/tenants/${tenant.id}/resume`, headers: operator });
    expect((await client(good).sendMail(mail())).response).toMatch(/^250 /);
  });

  it("a key may hold POSTBAG_SUBMISSION_CONNECTIONS_PER_KEY connections at once; the next AUTH gets 421", async () => {
    const tenant = await t.newTenant();
    const open = async () => {
      const connection = new SMTPConnection({
        host: "127.0.0.1",
        port: server.port,
        requireTLS: true,
        tls: { ca, servername: "localhost" },
      });
      await new Promise<void>((resolve, reject) => {
        connection.once("error", reject);
        connection.connect(() => resolve());
      });
      const login = new Promise<void>((resolve, reject) =>
        connection.login({ user: "printer", pass: tenant.keys.system }, (err) => (err ? reject(err) : resolve())),
      );
      return { connection, login };
    };
    const first = await open();
    await first.login;
    const second = await open();
    await second.login;
    const third = await open();
    await expect(third.login).rejects.toMatchObject({ responseCode: 421 });
    const closed = new Promise((resolve) => first.connection.once("end", resolve));
    first.connection.quit();
    await closed;
    // The server counts the closed connection out as it notices the close.
    await expect
      .poll(
        async () => {
          const next = await open();
          const ok = await next.login.then(
            () => true,
            () => false,
          );
          next.connection.close();
          return ok;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
    second.connection.close();
  });
});
