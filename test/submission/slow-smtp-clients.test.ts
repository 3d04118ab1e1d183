import { connect, type Socket } from "node:net";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SmtpClientLimits } from "../../src/network/slow-smtp-clients.js";
import { type CaptureServer, startCaptureServer } from "../../src/sandbox/capture-server.js";
import { type SubmissionServer, startSubmissionServer } from "../../src/transports/smtp-submission.js";
import { describeEachDialect } from "../support/databases.js";
import { silentLogger } from "../support/delivery.js";
import { openTestApp, type TestApp } from "../support/test-app.js";

/**
 * Short limits, so the test sees a cut-off soon (the defaults are 60 s, 1 KiB/s over 10 s), yet
 * wide enough for an ordinary client on a loaded machine.
 */
const LIMITS: SmtpClientLimits = { handshakeTimeoutMs: 3_000, minBytesPerSecond: 200, windowMs: 2_000 };

/** A raw SMTP client: sends lines, waits for replies, and records everything the server wrote. */
function rawClient(port: number) {
  const socket: Socket = connect(port, "127.0.0.1");
  let text = "";
  const waiters = new Set<() => void>();
  socket.on("data", (c: Buffer) => {
    text += c.toString("latin1");
    for (const w of waiters) w();
  });
  socket.on("error", () => {});
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(text)));
  /** Resolves once the server's output (so far) ends with a reply line starting with `code`. */
  const reply = (code: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (new RegExp(`(^|\\r\\n)${code} [^\\r\\n]*\\r\\n$`).test(text)) {
          waiters.delete(check);
          text = "";
          resolve();
        }
      };
      waiters.add(check);
      socket.once("close", () => reject(new Error(`closed while waiting for ${code}: ${text}`)));
      check();
    });
  return {
    socket,
    closed,
    reply,
    async say(line: string, code: string) {
      const answered = reply(code);
      socket.write(`${line}\r\n`);
      await answered;
    },
    /** The attacker: one byte every 100 ms (10 a second), until the server closes. */
    trickle(): () => void {
      const timer = setInterval(() => socket.writable && socket.write("x"), 100);
      return () => clearInterval(timer);
    },
  };
}

describeEachDialect("slow clients on Postbag's SMTP listeners", (dialect) => {
  let t: TestApp;
  let submission: SubmissionServer;
  let capture: CaptureServer;
  let key: string;

  beforeAll(async () => {
    t = await openTestApp(dialect);
    submission = await startSubmissionServer({
      database: t.database,
      clock: t.clock,
      logger: silentLogger,
      writer: t.writer,
      settings: {
        host: "127.0.0.1",
        port: 0,
        secure: "starttls",
        tlsCertFile: undefined,
        tlsKeyFile: undefined,
        connectionsPerKey: 5,
        authFailures: 5,
      },
      limits: {
        maxMessageBytes: 1_000_000,
        maxRecipients: 100,
        senderDomain: t.config.senderDomain,
        secretKey: t.config.secretKey,
      },
      clientLimits: LIMITS,
    });
    capture = await startCaptureServer({
      database: t.database,
      clock: t.clock,
      logger: silentLogger,
      port: 0,
      secretKey: t.config.secretKey,
      maxMessageBytes: 1_000_000,
      clientLimits: LIMITS,
    });
    key = (await t.newTenant()).keys.system;
  });
  afterAll(async () => {
    await submission?.close();
    await capture?.close();
    await t?.close();
  });

  const auth = () => `AUTH PLAIN ${Buffer.from(`\0printer\0${key}`).toString("base64")}`;

  it("submission: a client that never logs in is cut off with 421 after the handshake timeout", async () => {
    const c = rawClient(submission.port);
    await c.reply("220");
    await c.say("EHLO slow.example", "250");
    const stop = c.trickle(); // bytes keep coming, but no command is ever finished
    const text = await c.closed;
    stop();
    expect(text).toMatch(/421 4\.4\.2 too slow: not ready in time/);
  });

  it("submission: a message at a byte every 100 ms is cut off with 421, and nothing is stored", async () => {
    const before = await t.db.selectFrom("messages").select("id").execute();
    const c = rawClient(submission.port);
    await c.reply("220");
    await c.say("EHLO slow.example", "250");
    await c.say(auth(), "235");
    await c.say(`MAIL FROM:<noreply@${t.config.senderDomain}>`, "250");
    await c.say("RCPT TO:<parent@example.com>", "250");
    await c.say("DATA", "354");
    c.socket.write(`From: noreply@${t.config.senderDomain}\r\nSubject: slow\r\n\r\n`);
    const stop = c.trickle();
    const text = await c.closed;
    stop();
    expect(text).toMatch(/421 4\.4\.2 message arriving too slowly/);
    expect(await t.db.selectFrom("messages").select("id").execute()).toHaveLength(before.length);
  });

  it("submission: a large message at ordinary speed is accepted, over many rate windows of the server's own work", async () => {
    const m = /^pb_([^_]+)_(.+)$/.exec(key);
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: submission.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: m?.[1] ?? "", pass: m?.[2] ?? "" },
    });
    const info = await transport.sendMail({
      from: `noreply@${t.config.senderDomain}`,
      to: "parent@example.com",
      subject: "Newsletter",
      text: "A long newsletter.\n".repeat(40_000),
    });
    expect(info.response).toMatch(/^250 /);
    transport.close();
  });

  it("sandbox: a client that never begins a message is cut off; so is a slow message; an ordinary one is captured", async () => {
    const idle = rawClient(capture.port);
    await idle.reply("220");
    await idle.say("EHLO slow.example", "250");
    const stopIdle = idle.trickle();
    expect(await idle.closed).toMatch(/421 4\.4\.2 too slow: not ready in time/);
    stopIdle();

    const slow = rawClient(capture.port);
    await slow.reply("220");
    await slow.say("EHLO slow.example", "250");
    await slow.say("MAIL FROM:<b@bounces.example>", "250");
    await slow.say("RCPT TO:<parent@example.com>", "250");
    await slow.say("DATA", "354");
    const stopSlow = slow.trickle();
    expect(await slow.closed).toMatch(/421 4\.4\.2 message arriving too slowly/);
    stopSlow();

    const transport = nodemailer.createTransport({ host: "127.0.0.1", port: capture.port, secure: false });
    const info = await transport.sendMail({
      from: "b@bounces.example",
      to: "parent@example.com",
      subject: "Captured",
      text: "Hello\n".repeat(50_000),
    });
    expect(info.response).toMatch(/^250 /);
    transport.close();
    const rows = await t.db.selectFrom("sandbox_messages").select("subject").execute();
    expect(rows.map((r) => r.subject)).toEqual(["Captured"]);
  });
});
