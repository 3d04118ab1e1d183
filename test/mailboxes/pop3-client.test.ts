import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pop3Client, Pop3Error } from "../../src/mailboxes/pop3-client.js";
import { type Dovecot, dovecotMissing, startDovecot } from "../support/dovecot.js";

const missing = dovecotMissing();

async function errorOf(promise: Promise<unknown>): Promise<Pop3Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Pop3Error) return err;
    throw err;
  }
  throw new Error("expected a Pop3Error");
}

describe.skipIf(missing !== null)("Pop3Client against Dovecot", () => {
  let dovecot: Dovecot;
  let user: string;
  let pass: string;
  beforeAll(async () => {
    dovecot = await startDovecot({
      users: [
        { user: "alice", pass: "alice-secret" },
        { user: "bob", pass: "bob-secret" },
      ],
    });
    user = "alice";
    pass = "alice-secret";
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  const plain = () =>
    Pop3Client.connect({ host: "127.0.0.1", port: dovecot.pop3Port, security: "none", timeoutMs: 5000 });

  it("logs in, lists, reads with dot-unstuffing and deletes", async () => {
    const raw = "From: a@example.com\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n";
    await dovecot.deliver(user, raw);
    await dovecot.deliver(user, "Subject: second\r\n\r\nbody\r\n");
    const client = await plain();
    expect(client.greeting).toContain("ready");
    await client.login(user, pass);
    const stat = await client.stat();
    expect(stat.count).toBe(2);
    const uids = await client.uidl();
    expect(uids.map((u) => u.n)).toEqual([1, 2]);
    expect(new Set(uids.map((u) => u.uid)).size).toBe(2);
    const first = await client.retr(1, 1_000_000);
    expect(first.toString()).toBe(raw);
    await client.dele(1);
    await client.quit();

    const again = await plain();
    await again.login(user, pass);
    const left = await again.uidl();
    expect(left).toEqual([{ n: 1, uid: uids[1]?.uid }]);
    await again.dele(1);
    await again.quit();
  });

  it("speaks implicit TLS and STLS, checking the certificate against the host name", async () => {
    for (const [security, port] of [
      ["tls", dovecot.pop3sPort],
      ["starttls", dovecot.pop3Port],
    ] as const) {
      const events: string[] = [];
      const client = await Pop3Client.connect({
        host: "localhost",
        address: "127.0.0.1",
        port,
        security,
        ca: dovecot.cert,
        timeoutMs: 5000,
        onProgress: (e) => events.push(e),
      });
      expect(client.encrypted).toBe(true);
      expect(events).toEqual(["connected", "secured"]);
      await client.login("bob", "bob-secret");
      expect((await client.stat()).count).toBe(0);
      await client.quit();
    }
  });

  it("fails the TLS step on an untrusted certificate or a wrong name", async () => {
    const untrusted = await errorOf(
      Pop3Client.connect({
        host: "localhost",
        address: "127.0.0.1",
        port: dovecot.pop3sPort,
        security: "tls",
        timeoutMs: 5000,
      }),
    );
    expect(untrusted.kind).toBe("tls");
    expect(untrusted.message).toMatch(/self.signed/i);
    const wrongName = await errorOf(
      Pop3Client.connect({
        host: "mail.example.org",
        address: "127.0.0.1",
        port: dovecot.pop3Port,
        security: "starttls",
        ca: dovecot.cert,
        timeoutMs: 5000,
      }),
    );
    expect(wrongName.kind).toBe("tls");
    expect(wrongName.message).toMatch(/mail\.example\.org/);
  });

  it("reads a message with a line longer than the reply line limit when it fits maxBytes", async () => {
    const raw = `Subject: long\r\n\r\n${"y".repeat(200_000)}\r\n.\r\n`;
    await dovecot.deliver("bob", raw);
    const client = await plain();
    await client.login("bob", "bob-secret");
    const { count } = await client.stat();
    // The lone "." line went over the wire dot-stuffed as "..".
    expect((await client.retr(count, 1_000_000)).toString()).toBe(raw);
    await client.dele(count);
    await client.quit();
  });

  it("stops reading past maxBytes and closes the connection", async () => {
    await dovecot.deliver("bob", `Subject: big\r\n\r\n${"x".repeat(200)}\r\n`.repeat(100));
    const client = await plain();
    await client.login("bob", "bob-secret");
    const err = await errorOf(client.retr(1, 1000));
    expect(err.kind).toBe("too_large");
    await expect(client.stat()).rejects.toMatchObject({ kind: "closed" });
  });

  it("answers -ERR for a message that does not exist as a command error", async () => {
    const client = await plain();
    await client.login("bob", "bob-secret");
    const err = await errorOf(client.retr(99, 1000));
    expect(err.kind).toBe("command");
    expect(err.serverText).toBeTruthy();
    await client.quit();
  });

  // Dovecot delays every login from an address for seconds after a failed one: failures last.
  it("reports a wrong password with the server's text", async () => {
    const client = await plain();
    const err = await errorOf(client.login(user, "wrong"));
    expect(err.kind).toBe("auth");
    expect(err.serverText).toMatch(/Authentication failed/i);
    expect(err.message).not.toContain("wrong");
    client.close();
  });

  it("refuses XOAUTH2 with the server's reply when the server does not support it", async () => {
    const client = await plain();
    const err = await errorOf(client.loginXoauth2(user, "token"));
    expect(err.kind).toBe("auth");
    client.close();
  });
});

/** A scripted POP3 server for what Dovecot never does: hostile or broken replies. */
async function scripted(onLine: (line: string, socket: Socket) => void, greeting = "+OK hi\r\n"): Promise<Server> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.write(greeting);
    let buf = "";
    socket.on("data", (d) => {
      buf += d.toString("latin1");
      for (let i = buf.indexOf("\r\n"); i >= 0; i = buf.indexOf("\r\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        onLine(line, socket);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

function portOf(server: Server): number {
  const a = server.address();
  if (!a || typeof a === "string") throw new Error("no port");
  return a.port;
}

describe("Pop3Client against hostile servers", () => {
  it("never sends the password when STLS is required but not offered", async () => {
    const seen: string[] = [];
    const server = await scripted((line, socket) => {
      seen.push(line);
      if (line === "CAPA") socket.write("+OK\r\nUSER\r\nUIDL\r\n.\r\n");
      else socket.write("+OK\r\n");
    });
    const err = await errorOf(
      Pop3Client.connect({ host: "127.0.0.1", port: portOf(server), security: "starttls", timeoutMs: 2000 }),
    );
    expect(err.kind).toBe("tls");
    expect(err.message).toMatch(/does not offer STLS/);
    expect(seen).toEqual(["CAPA"]);
    server.close();
  });

  it("fails on an endless line with bounded memory", async () => {
    const server = await scripted((line, socket) => {
      if (line === "STAT") {
        const chunk = "9".repeat(64 * 1024);
        const pump = () => {
          while (!socket.destroyed && socket.write(chunk));
          if (!socket.destroyed) socket.once("drain", pump);
        };
        pump();
      }
    });
    const client = await Pop3Client.connect({
      host: "127.0.0.1",
      port: portOf(server),
      security: "none",
      timeoutMs: 2000,
      maxLineBytes: 4096,
    });
    const err = await errorOf(client.stat());
    expect(err.kind).toBe("protocol");
    expect(err.message).toMatch(/longer than 4096/);
    server.close();
  });

  it("reports a timeout when the server goes silent, and a garbage greeting as protocol", async () => {
    const silent = await scripted(() => {});
    const client = await Pop3Client.connect({
      host: "127.0.0.1",
      port: portOf(silent),
      security: "none",
      timeoutMs: 300,
    });
    expect((await errorOf(client.stat())).kind).toBe("timeout");
    silent.close();
    const garbage = await scripted(() => {}, "HTTP/1.1 400 Bad Request\r\n");
    const err = await errorOf(
      Pop3Client.connect({ host: "127.0.0.1", port: portOf(garbage), security: "none", timeoutMs: 2000 }),
    );
    expect(err.kind).toBe("protocol");
    garbage.close();
  });

  it("refuses commands with line breaks and reports a refused connection", async () => {
    const server = await scripted((_line, socket) => socket.write("+OK\r\n"));
    const client = await Pop3Client.connect({
      host: "127.0.0.1",
      port: portOf(server),
      security: "none",
      timeoutMs: 2000,
    });
    const err = await errorOf(client.login("a\r\nDELE 1", "x"));
    expect(err.kind).toBe("refused");
    client.close();
    const port = portOf(server);
    server.close();
    await once(server, "close");
    const refused = await errorOf(Pop3Client.connect({ host: "127.0.0.1", port, security: "none", timeoutMs: 2000 }));
    expect(refused.kind).toBe("connect");
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });
});
