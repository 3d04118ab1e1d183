import nodemailer, { type Transporter } from "nodemailer";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitUntil } from "./delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "./smtp-test-server.js";

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

function mail(to: string | string[] = "someone@example.test") {
  return { from: "sender@postbag.test", to, subject: "Hello", text: "Hello there" };
}

async function sendError(promise: Promise<unknown>): Promise<SmtpError> {
  try {
    await promise;
  } catch (err) {
    return err as SmtpError;
  }
  throw new Error("expected sendMail to fail");
}

describe("test SMTP server", () => {
  let server: TestSmtpServer;
  let transport: Transporter;

  beforeEach(async () => {
    server = await startTestSmtpServer();
    transport = nodemailer.createTransport({
      host: server.host,
      port: server.port,
      secure: false,
      socketTimeout: 2_000,
    });
  });
  afterEach(async () => {
    transport.close();
    await server.close();
  });

  it("accepts and records messages", async () => {
    const info = await transport.sendMail(mail(["a@example.test", "b@example.test"]));
    expect(info.response).toBe("250 2.0.0 Ok: queued");
    const [message] = await server.waitForMessages(1, 1_000);
    expect(message?.mailFrom).toBe("sender@postbag.test");
    expect(message?.rcptTo).toEqual(["a@example.test", "b@example.test"]);
    expect(message?.raw.toString()).toContain("Subject: Hello");
    expect(server.connections).toBe(1);
  });

  it("replies 450 at RCPT TO", async () => {
    server.setBehaviour({ kind: "reply", code: 450, message: "4.2.0 try later", at: "rcpt" });
    const err = await sendError(transport.sendMail(mail()));
    expect(err.code).toBe("EENVELOPE");
    expect(err.responseCode).toBe(450);
    expect(err.response).toBe("450 4.2.0 try later");
    expect(server.messages).toHaveLength(0);
  });

  it("replies 550 after DATA", async () => {
    server.setBehaviour({ kind: "reply", code: 550, message: "5.1.1 no such user" });
    const err = await sendError(transport.sendMail(mail()));
    expect(err.code).toBe("EMESSAGE");
    expect(err.responseCode).toBe(550);
    expect(err.response).toBe("550 5.1.1 no such user");
    expect(server.messages).toHaveLength(0);
  });

  it("decides per recipient", async () => {
    server.setBehaviour((rcpt) =>
      rcpt.startsWith("gone")
        ? { kind: "reply", code: 550, message: "5.1.1 no such user", at: "rcpt" }
        : { kind: "accept" },
    );
    const info = await transport.sendMail(mail(["gone@example.test", "here@example.test"]));
    expect(info.rejected).toEqual(["gone@example.test"]);
    expect(info.accepted).toEqual(["here@example.test"]);
    const [message] = await server.waitForMessages(1, 1_000);
    expect(message?.rcptTo).toEqual(["here@example.test"]);
  });

  it("drops the connection after DATA without a reply", async () => {
    server.setBehaviour({ kind: "drop-after-data" });
    const err = await sendError(transport.sendMail(mail()));
    expect(err.responseCode).toBeUndefined();
    expect(err.code).toBe("ECONNECTION");
    expect(server.messages).toHaveLength(0);
  });

  it("stalls after DATA until the client times out, and still closes promptly", async () => {
    server.setBehaviour({ kind: "stall" });
    const quick = nodemailer.createTransport({
      host: server.host,
      port: server.port,
      secure: false,
      socketTimeout: 500,
    });
    const err = await sendError(quick.sendMail(mail()));
    expect(err.code).toBe("ETIMEDOUT");
    expect(err.responseCode).toBeUndefined();
    // A second client that is still waiting when the server closes.
    const pending = sendError(transport.sendMail(mail()));
    await waitUntil("the second message is stalled too", async () => server.stalled >= 2, 10_000);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await pending).responseCode).toBeUndefined();
  });

  it("waitForMessages rejects with a clear error", async () => {
    await expect(server.waitForMessages(1, 50)).rejects.toThrow(/expected at least 1 message\(s\) within 50 ms, got 0/);
  });
});

describe("test SMTP server with AUTH and TLS", () => {
  it("requires the configured credentials", async () => {
    const server = await startTestSmtpServer({ auth: { user: "relay", pass: "secret" } });
    try {
      const wrong = nodemailer.createTransport({
        host: server.host,
        port: server.port,
        auth: { user: "relay", pass: "nope" },
      });
      const err = await sendError(wrong.sendMail(mail()));
      expect(err.code).toBe("EAUTH");
      expect(err.responseCode).toBe(535);
      const right = nodemailer.createTransport({
        host: server.host,
        port: server.port,
        auth: { user: "relay", pass: "secret" },
      });
      await right.sendMail(mail());
      expect(server.messages).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("offers STARTTLS when asked", async () => {
    const server = await startTestSmtpServer({ tls: true });
    try {
      const transport = nodemailer.createTransport({
        host: server.host,
        port: server.port,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
      });
      await transport.sendMail(mail());
      expect(server.messages).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("speaks implicit TLS when secure", async () => {
    const server = await startTestSmtpServer({ tls: true, secure: true });
    try {
      const transport = nodemailer.createTransport({
        host: server.host,
        port: server.port,
        secure: true,
        tls: { rejectUnauthorized: false },
      });
      await transport.sendMail(mail());
      expect(server.messages).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
