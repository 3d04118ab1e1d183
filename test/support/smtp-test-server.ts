import { once } from "node:events";
import type { AddressInfo, Socket } from "node:net";
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";

/** What the server does with the next command it decides on; read at each step, so it can change mid-test. */
export type Behaviour =
  | { readonly kind: "accept" }
  /** Reply `code message` at RCPT TO or, by default, after DATA. `message` is sent verbatim (put the enhanced code in it). */
  | { readonly kind: "reply"; readonly code: number; readonly message: string; readonly at?: "rcpt" | "data" }
  /** Read the whole DATA, then destroy the socket without replying. */
  | { readonly kind: "drop-after-data" }
  /** Read the whole DATA and never reply; the client has to time out. */
  | { readonly kind: "stall" }
  /** Read the whole DATA, wait `ms`, then accept: a slow server, so a client has sends in flight. */
  | { readonly kind: "delay"; readonly ms: number }
  /** Decide per recipient (the address as given in RCPT TO). */
  | ((rcpt: string) => Behaviour);

type FixedBehaviour = Exclude<Behaviour, (rcpt: string) => Behaviour>;

export interface ReceivedMessage {
  readonly mailFrom: string;
  /** Only the recipients that were accepted at RCPT TO. */
  readonly rcptTo: string[];
  readonly raw: Buffer;
  readonly receivedAt: number;
}

export interface TestSmtpServerOptions {
  /** Require AUTH PLAIN or LOGIN with these credentials (offered without TLS). */
  readonly auth?: { readonly user: string; readonly pass: string };
  /**
   * Offer STARTTLS (or, with `secure`, speak implicit TLS). Uses smtp-server's built-in test
   * certificate, so clients need `tls: { rejectUnauthorized: false }`.
   */
  readonly tls?: boolean;
  /** Implicit TLS from the first byte (port-465 style). */
  readonly secure?: boolean;
  readonly behaviour?: Behaviour;
  /** Port to listen on (default: any free one). */
  readonly port?: number;
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  /** Messages the server answered 250 to after DATA, in arrival order. */
  readonly messages: ReceivedMessage[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Messages read whole and left unanswered so far (behaviour `stall`). */
  readonly stalled: number;
  setBehaviour(behaviour: Behaviour): void;
  /** Resolves once at least `count` messages were accepted; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Stops listening and destroys open sockets, stalled ones included. */
  close(): Promise<void>;
}

function resolveFor(behaviour: Behaviour, rcpt: string): FixedBehaviour {
  let resolved = behaviour;
  while (typeof resolved === "function") resolved = resolved(rcpt);
  return resolved;
}

function smtpError(code: number, message: string): Error {
  // smtp-server reads `responseCode` off the error it is handed.
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * With several recipients SMTP has a single reply after DATA, so the first recipient whose
 * behaviour is not `accept` (and not a RCPT-time reply) decides it.
 */
function dataBehaviour(behaviour: Behaviour, rcpts: readonly string[]): FixedBehaviour {
  for (const rcpt of rcpts) {
    const b = resolveFor(behaviour, rcpt);
    if (b.kind === "accept" || (b.kind === "reply" && b.at === "rcpt")) continue;
    return b;
  }
  return { kind: "accept" };
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A real SMTP server on 127.0.0.1 and a random port, for integration tests. */
export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const host = "127.0.0.1";
  let behaviour: Behaviour = options.behaviour ?? { kind: "accept" };
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Map<number, Socket>(); // by the client's port, to find a session's socket
  let connections = 0;
  let stalled = 0;

  const disabledCommands: string[] = [];
  if (!options.auth) disabledCommands.push("AUTH");
  if (!options.tls || options.secure) disabledCommands.push("STARTTLS");

  const server = new SMTPServer({
    logger: false, // also silences the warning about the built-in certificate
    secure: options.secure === true,
    disabledCommands,
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    // Otherwise smtp-server prefixes its own enhanced code to every reply, and a test's
    // `550 5.1.1 no such user` would go out as `550 5.0.0 5.1.1 no such user`.
    hideENHANCEDSTATUSCODES: true,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(smtpError(535, "5.7.8 Authentication credentials invalid"));
      }
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const b = resolveFor(behaviour, address.address);
      if (b.kind === "reply" && b.at === "rcpt") callback(smtpError(b.code, b.message));
      else callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const mailFrom = session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address;
      const rcptTo = session.envelope.rcptTo.map((r) => r.address);
      readAll(stream).then(
        (raw) => {
          const b = dataBehaviour(behaviour, rcptTo);
          switch (b.kind) {
            case "accept":
              messages.push({ mailFrom, rcptTo, raw, receivedAt: Date.now() });
              for (const wake of waiters) wake();
              callback(null, "2.0.0 Ok: queued");
              return;
            case "reply":
              callback(smtpError(b.code, b.message));
              return;
            case "drop-after-data":
              sockets.get(session.remotePort)?.destroy();
              return;
            case "stall":
              stalled++;
              return;
            case "delay":
              setTimeout(() => {
                messages.push({ mailFrom, rcptTo, raw, receivedAt: Date.now() });
                for (const wake of waiters) wake();
                callback(null, "2.0.0 Ok: queued");
              }, b.ms);
              return;
          }
        },
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
  // smtp-server reports client-side resets as server errors; they are expected here.
  server.on("error", () => {});
  // The raw TCP socket (under any TLS wrapper): destroying it ends the session whatever its state.
  server.server.on("connection", (socket: Socket) => {
    connections++;
    const port = socket.remotePort ?? -1;
    sockets.set(port, socket);
    socket.once("close", () => {
      if (sockets.get(port) === socket) sockets.delete(port);
    });
  });

  server.listen(options.port ?? 0, host);
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;

  return {
    host,
    port,
    messages,
    get connections() {
      return connections;
    },
    get stalled() {
      return stalled;
    },
    setBehaviour(next) {
      behaviour = next;
    },
    waitForMessages(count, timeoutMs = 5_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const wake = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(
              `test SMTP server ${host}:${port}: expected at least ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`,
            ),
          );
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    async close() {
      // smtp-server's close() waits (30 s by default) for open sessions to finish; a stalled
      // session never does, so end them first.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets.values()) socket.destroy();
      await closed;
    },
  };
}
