import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSmtpTransport, type SmtpTransportOptions } from "../../src/transports/smtp-transport.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";

const RAW = Buffer.from("From: a@postbag.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n");
const envelope = { from: "a@postbag.test", to: "b@example.test" };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("SMTP transport against a real server", () => {
  const servers: TestSmtpServer[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const s of servers.splice(0)) await s.close();
  });

  function transport(port: number, extra: Partial<SmtpTransportOptions> = {}) {
    const t = createSmtpTransport({
      host: "127.0.0.1",
      port,
      secure: false,
      poolSize: 2,
      timeoutMs: 2_000,
      rejectUnauthorized: false,
      ...extra,
    });
    closers.push(() => t.close());
    return t;
  }

  it("logs in with AUTH over STARTTLS and sends", async () => {
    const server = await startTestSmtpServer({ auth: { user: "relay", pass: "s3cret" }, tls: true });
    servers.push(server);
    const t = transport(server.port, { auth: { user: "relay", pass: "s3cret" } });
    expect(await t.send(envelope, RAW)).toMatchObject({ kind: "sent", code: 250 });
    expect(server.messages).toHaveLength(1);
  });

  it("a refused login is a soft failure that names no relay detail, never a final rejection", async () => {
    const server = await startTestSmtpServer({ auth: { user: "relay", pass: "s3cret" } });
    servers.push(server);
    const errors: unknown[] = [];
    const t = transport(server.port, {
      auth: { user: "relay", pass: "wrong" },
      onConnectionError: (e) => errors.push(e),
    });
    const results = await Promise.all([t.send(envelope, RAW), t.send(envelope, RAW), t.send(envelope, RAW)]);
    for (const r of results) {
      expect(r.kind).toBe("soft");
      expect(r.code).toBeNull();
      expect(r.text).toMatch(/^EAUTH: /);
      expect(r.text).not.toContain("127.0.0.1");
    }
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(server.messages).toHaveLength(0);
  });

  it("with the relay down, waiting mail fails soft (backing off), and goes out once it is back", async () => {
    const port = await freePort();
    const errors: unknown[] = [];
    const t = transport(port, { onConnectionError: (e) => errors.push(e) });
    const down = await Promise.all([t.send(envelope, RAW), t.send(envelope, RAW)]);
    for (const r of down) expect(r).toMatchObject({ kind: "soft", code: null });
    expect(down[0]?.text).not.toContain(String(port));
    const server = await startTestSmtpServer({ port });
    servers.push(server);
    await new Promise((r) => setTimeout(r, 500)); // past the back-off
    expect(await t.send(envelope, RAW)).toMatchObject({ kind: "sent" });
  });

  it("after a refused recipient the connection is reset and reused", async () => {
    const server = await startTestSmtpServer({
      behaviour: (rcpt) =>
        rcpt.startsWith("nobody")
          ? { kind: "reply", code: 550, message: "5.1.1 no such user", at: "rcpt" }
          : { kind: "accept" },
    });
    servers.push(server);
    const t = transport(server.port, { poolSize: 1 });
    expect(await t.send({ ...envelope, to: "nobody@example.test" }, RAW)).toMatchObject({
      kind: "hard",
      status: "hard_bounce",
      enhanced: "5.1.1",
    });
    expect(await t.send(envelope, RAW)).toMatchObject({ kind: "sent" });
    expect(server.connections).toBe(1);
  });

  it("waits for the reply to the end of the message longer than for a command (RFC 5321 4.5.3.2.6)", async () => {
    // The relay takes 3 s to answer the final dot: past the command timeout, within the data-end one.
    const slow = await startTestSmtpServer({ behaviour: { kind: "delay", ms: 3_000 } });
    servers.push(slow);
    const t = transport(slow.port, { timeoutMs: 1_500, commandTimeoutMs: 1_500, dataEndTimeoutMs: 8_000 });
    expect(await t.send(envelope, RAW)).toMatchObject({ kind: "sent", code: 250 });
    // The next message on the same connection is back on the command timeout for its commands,
    // and a relay that never answers the final dot still times out, as a soft failure.
    slow.setBehaviour({ kind: "stall" });
    const started = Date.now();
    const stalled = transport(slow.port, { timeoutMs: 1_500, commandTimeoutMs: 1_500, dataEndTimeoutMs: 2_500 });
    expect(await stalled.send(envelope, RAW)).toMatchObject({ kind: "soft", code: null, text: /^ETIMEDOUT/ });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
  }, 30_000);

  it("never sends the relay's login in clear when it offers no STARTTLS, unless allowed; says why", async () => {
    const server = await startTestSmtpServer({ auth: { user: "relay", pass: "s3cret" } });
    servers.push(server);
    const errors: unknown[] = [];
    const refusing = transport(server.port, {
      auth: { user: "relay", pass: "s3cret" },
      allowPlaintextAuth: false,
      onConnectionError: (e) => errors.push(e),
    });
    const refused = await refusing.send(envelope, RAW);
    expect(refused).toMatchObject({ kind: "soft", code: null, text: /^ENOTLS: / });
    expect(server.messages).toHaveLength(0);
    expect(String((errors[0] as Error).message)).toContain("POSTBAG_RELAY_ALLOW_PLAINTEXT_AUTH=true");
    const allowed = transport(server.port, { auth: { user: "relay", pass: "s3cret" }, allowPlaintextAuth: true });
    expect(await allowed.send(envelope, RAW)).toMatchObject({ kind: "sent" });
    // Over STARTTLS the login goes out as usual.
    const tls = await startTestSmtpServer({ auth: { user: "relay", pass: "s3cret" }, tls: true });
    servers.push(tls);
    const secured = transport(tls.port, { auth: { user: "relay", pass: "s3cret" }, allowPlaintextAuth: false });
    expect(await secured.send(envelope, RAW)).toMatchObject({ kind: "sent" });
  });

  it("records a 421 greeting as a temporary refusal in the server's own words", async () => {
    const busy = createServer((socket) => socket.end("421 4.3.2 mx.example.net too busy, try again later\r\n"));
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => busy.close(() => resolve())));
    const t = transport((busy.address() as { port: number }).port);
    expect(await t.send(envelope, RAW)).toEqual({
      kind: "soft",
      code: 421,
      enhanced: "4.3.2",
      text: "421 4.3.2 mx.example.net too busy, try again later",
    });
  });

  it("after close() every send answers at once as a soft failure", async () => {
    const server = await startTestSmtpServer();
    servers.push(server);
    const t = transport(server.port);
    await t.close();
    expect(await t.send(envelope, RAW)).toMatchObject({ kind: "soft" });
  });
});
