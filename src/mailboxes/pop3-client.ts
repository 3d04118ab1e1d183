import { isIP, connect as netConnect, type Socket } from "node:net";
import type { SecureContext } from "node:tls";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

/**
 * A small POP3 client (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595, AUTH from RFC 5034)
 * for reading a tenant's mailbox. Written here rather than taken from npm because it has to
 * connect to an address the network policy already checked (not the name again), never fall
 * back to clear text when STLS was asked for, and read hostile servers with bounded memory:
 * every line has a length limit and RETR stops at a byte limit instead of buffering on.
 *
 * Commands are sent one at a time (no pipelining); a client is not safe for concurrent use.
 * Failures are `Pop3Error`s carrying the server's reply text where there was one. After a
 * `timeout`, `too_large`, `protocol` or `closed` error the connection is gone.
 */
export type Pop3Security = "none" | "starttls" | "tls";

export type Pop3ErrorKind =
  /** TCP connection refused, reset or unreachable. */
  | "connect"
  /** TLS handshake or certificate failure, or STLS required but not offered or refused. */
  | "tls"
  /** The server refused the user name, password or token. */
  | "auth"
  /** The server answered -ERR to another command (no such message, mailbox locked...). */
  | "command"
  /** A reply that is not POP3, or a line longer than allowed. */
  | "protocol"
  | "timeout"
  /** RETR went past the caller's byte limit; the connection was closed. */
  | "too_large"
  /** The connection closed before the reply was complete. */
  | "closed"
  /** Refused by this client before sending anything (e.g. a password without TLS). */
  | "refused";

export class Pop3Error extends Error {
  override readonly name = "Pop3Error";
  constructor(
    readonly kind: Pop3ErrorKind,
    message: string,
    /** The server's reply text (after +OK/-ERR), when the error is the server's answer. */
    readonly serverText: string | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface Pop3ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly security: Pop3Security;
  /** TLS server name to verify; defaults to `host` (none when `host` is an IP address). */
  readonly servername?: string;
  /** The address to connect to (already checked by the network policy); defaults to `host`. */
  readonly address?: string;
  /** Trusted CAs (PEM); undefined: Node's defaults. */
  readonly ca?: string | readonly string[];
  /** Trusted CAs already parsed (the network policy's, built once); wins over `ca`. */
  readonly secureContext?: SecureContext;
  /** Limit for connecting and for each reply. */
  readonly timeoutMs: number;
  /** Longest reply or message line accepted, in bytes (default 64 KiB). */
  readonly maxLineBytes?: number;
  /** Told when the TCP connection is up and when TLS is established (test connection times the steps). */
  readonly onProgress?: (event: "connected" | "secured") => void;
}

export interface Pop3Stat {
  readonly count: number;
  readonly size: number;
}

const DEFAULT_MAX_LINE = 64 * 1024;
/** Pause the socket when this much is buffered and not yet read. */
const HIGH_WATER = 256 * 1024;

interface Reply {
  readonly ok: boolean;
  readonly text: string;
}

/**
 * Reads CRLF-terminated lines from whichever socket is current (plain, then TLS after STLS).
 * Chunks are kept as they arrive and joined once per line, so a long line costs linear time;
 * the socket is paused while more than HIGH_WATER bytes wait to be read.
 */
class LineReader {
  /** Received, not yet looked at for a line end. */
  private readonly incoming: Buffer[] = [];
  private incomingBytes = 0;
  /** The start of the current line: looked at, no line end in it. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private wake: (() => void) | null = null;
  private failure: Pop3Error | null = null;
  private socket: Socket | null = null;
  private readonly onData = (chunk: Buffer) => {
    this.incoming.push(chunk);
    this.incomingBytes += chunk.length;
    if (this.pending > HIGH_WATER) this.socket?.pause();
    this.notify();
  };
  private readonly onError = (err: Error) => {
    this.fail(new Pop3Error("closed", `connection failed: ${err.message}`, null, { cause: err }));
  };
  private readonly onClose = () => this.fail(new Pop3Error("closed", "the server closed the connection"));

  attach(socket: Socket): void {
    this.detach();
    this.socket = socket;
    socket.on("data", this.onData);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
  }

  detach(): void {
    if (!this.socket) return;
    this.socket.off("data", this.onData);
    this.socket.off("error", this.onError);
    this.socket.off("close", this.onClose);
    this.socket = null;
  }

  /** Bytes received and not read yet (must be none when switching to TLS). */
  get pending(): number {
    return this.incomingBytes + this.partialBytes;
  }

  fail(error: Pop3Error): void {
    if (!this.failure) this.failure = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The next line without its line ending; fails once more than `limit` bytes arrive without one. */
  async line(limit: number, tooLong: () => Pop3Error): Promise<Buffer> {
    for (;;) {
      const chunk = this.incoming.shift();
      if (chunk) {
        this.incomingBytes -= chunk.length;
        const end = chunk.indexOf(10);
        if (end < 0) {
          this.partial.push(chunk);
          this.partialBytes += chunk.length;
          // +1: the CR of a CRLF split across chunks is still in here.
          if (this.partialBytes > limit + 1) throw tooLong();
          continue;
        }
        if (end + 1 < chunk.length) {
          this.incoming.unshift(chunk.subarray(end + 1));
          this.incomingBytes += chunk.length - end - 1;
        }
        const head = chunk.subarray(0, end);
        let line = this.partial.length === 0 ? head : Buffer.concat([...this.partial, head]);
        this.partial = [];
        this.partialBytes = 0;
        if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
        if (line.length > limit) throw tooLong();
        if (this.pending <= HIGH_WATER) this.socket?.resume();
        return line;
      }
      if (this.failure) throw this.failure;
      this.socket?.resume();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

export class Pop3Client {
  private readonly reader = new LineReader();
  private closed = false;
  private greetingText = "";

  private constructor(
    private socket: Socket | TLSSocket,
    private readonly options: Pop3ConnectOptions,
    private secure: boolean,
  ) {}

  /** The greeting's text (after +OK). */
  get greeting(): string {
    return this.greetingText;
  }

  /** Connects, reads the greeting and, for `starttls`, upgrades with STLS (refusing to go on without it). */
  static async connect(options: Pop3ConnectOptions): Promise<Pop3Client> {
    const address = options.address ?? options.host;
    const plain = await new Promise<Socket>((resolve, reject) => {
      const socket = netConnect({ host: address, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new Pop3Error("timeout", `no connection to ${options.host}:${options.port} within ${options.timeoutMs} ms`),
        );
      }, options.timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(socket);
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(
          new Pop3Error("connect", `cannot connect to ${options.host}:${options.port}: ${describe(err)}`, null, {
            cause: err,
          }),
        );
      });
    });
    options.onProgress?.("connected");
    let socket: Socket = plain;
    let secure = false;
    try {
      if (options.security === "tls") {
        socket = await upgrade(plain, options);
        secure = true;
        options.onProgress?.("secured");
      }
      const client = new Pop3Client(socket, options, secure);
      client.reader.attach(socket);
      client.armTimeout();
      const greeting = await client.reply();
      if (!greeting.ok)
        throw new Pop3Error("connect", `the server refused the session: ${greeting.text}`, greeting.text);
      client.greetingText = greeting.text;
      if (options.security === "starttls") await client.startTls();
      return client;
    } catch (err) {
      socket.destroy();
      plain.destroy();
      throw err;
    }
  }

  /** Whether the connection is encrypted now. */
  get encrypted(): boolean {
    return this.secure;
  }

  private armTimeout(): void {
    this.socket.setTimeout(this.options.timeoutMs, () => {
      this.reader.fail(
        new Pop3Error("timeout", `no reply from ${this.options.host} within ${this.options.timeoutMs} ms`),
      );
      this.socket.destroy();
    });
  }

  private get maxLine(): number {
    return this.options.maxLineBytes ?? DEFAULT_MAX_LINE;
  }

  private tooLong = (): Pop3Error => {
    this.close();
    return new Pop3Error("protocol", `the server sent a line longer than ${this.maxLine} bytes`);
  };

  private async reply(): Promise<Reply> {
    const line = (await this.reader.line(this.maxLine, this.tooLong)).toString("latin1");
    if (line.startsWith("+OK")) return { ok: true, text: line.slice(3).trim() };
    if (line.startsWith("-ERR")) return { ok: false, text: line.slice(4).trim() };
    // A SASL continuation; only AUTH expects it and handles it itself.
    if (line.startsWith("+")) return { ok: true, text: line };
    this.close();
    throw new Pop3Error("protocol", `not a POP3 reply: ${line.slice(0, 200)}`);
  }

  private send(command: string): void {
    if (this.closed) throw new Pop3Error("closed", "the connection is closed");
    if (/[\r\n]/.test(command)) throw new Pop3Error("refused", "a POP3 command cannot contain a line break");
    this.socket.write(`${command}\r\n`);
  }

  private async command(command: string, kind: Pop3ErrorKind = "command", shown = command): Promise<string> {
    this.send(command);
    const reply = await this.reply();
    if (!reply.ok || reply.text.startsWith("+ ")) {
      throw new Pop3Error(kind, `${shown.split(" ")[0]} refused: ${reply.text}`, reply.text);
    }
    return reply.text;
  }

  /** The lines of a multi-line reply, dot-unstuffed, up to the terminating ".". */
  private async *lines(limit: number): AsyncGenerator<Buffer> {
    for (;;) {
      const line = await this.reader.line(limit, this.tooLong);
      if (line.length === 1 && line[0] === 46) return;
      yield line.length > 0 && line[0] === 46 ? line.subarray(1) : line;
    }
  }

  /** CAPA (RFC 2449): capability names in upper case with their arguments; empty if the server has none. */
  async capabilities(): Promise<Map<string, string>> {
    this.send("CAPA");
    const reply = await this.reply();
    const caps = new Map<string, string>();
    if (!reply.ok) return caps;
    for await (const line of this.lines(this.maxLine)) {
      const [name = "", ...args] = line.toString("latin1").trim().split(/\s+/);
      if (name) caps.set(name.toUpperCase(), args.join(" "));
    }
    return caps;
  }

  private async startTls(): Promise<void> {
    const caps = await this.capabilities();
    if (!caps.has("STLS")) {
      this.close();
      throw new Pop3Error("tls", `${this.options.host} does not offer STLS, which the settings require`);
    }
    this.send("STLS");
    const reply = await this.reply();
    if (!reply.ok) {
      this.close();
      throw new Pop3Error("tls", `STLS refused: ${reply.text}`, reply.text);
    }
    // Anything the server sent after +OK and before the handshake would be trusted as if it
    // came over TLS (a STARTTLS injection); refuse it.
    if (this.reader.pending > 0) {
      this.close();
      throw new Pop3Error("tls", "the server sent data before the TLS handshake");
    }
    this.reader.detach();
    this.socket.setTimeout(0);
    try {
      this.socket = await upgrade(this.socket, this.options);
    } catch (err) {
      this.closed = true;
      throw err;
    }
    this.secure = true;
    this.reader.attach(this.socket);
    this.armTimeout();
    this.options.onProgress?.("secured");
  }

  private refuseClearText(): void {
    if (this.options.security !== "none" && !this.secure) {
      throw new Pop3Error("refused", "the settings require TLS; the password is not sent over a clear connection");
    }
  }

  /** USER/PASS. The password is never sent in clear when the settings ask for TLS. */
  async login(user: string, pass: string): Promise<void> {
    this.refuseClearText();
    await this.command(`USER ${user}`, "auth");
    await this.command(`PASS ${pass}`, "auth", "PASS");
  }

  /** AUTH XOAUTH2 with the initial response (RFC 5034), for Microsoft 365 and Google. */
  async loginXoauth2(user: string, accessToken: string): Promise<void> {
    this.refuseClearText();
    const token = Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`).toString("base64");
    this.send(`AUTH XOAUTH2 ${token}`);
    let reply = await this.reply();
    if (reply.ok && reply.text.startsWith("+")) {
      // The server's error details as a challenge; an empty response makes it answer -ERR.
      const details = Buffer.from(reply.text.slice(1).trim(), "base64").toString("utf8");
      this.send("");
      reply = await this.reply();
      if (reply.ok) return;
      throw new Pop3Error("auth", `AUTH refused: ${reply.text} ${details}`.trim(), `${reply.text} ${details}`.trim());
    }
    if (!reply.ok) throw new Pop3Error("auth", `AUTH refused: ${reply.text}`, reply.text);
  }

  async stat(): Promise<Pop3Stat> {
    const text = await this.command("STAT");
    const m = /^(\d+)\s+(\d+)/.exec(text);
    if (!m) throw new Pop3Error("protocol", `unexpected STAT reply: ${text.slice(0, 200)}`, text);
    return { count: Number(m[1]), size: Number(m[2]) };
  }

  /** Unique ids of every message in the maildrop (messages marked deleted are left out by the server). */
  async uidl(): Promise<Array<{ n: number; uid: string }>> {
    await this.command("UIDL");
    const out: Array<{ n: number; uid: string }> = [];
    for await (const line of this.lines(this.maxLine)) {
      const m = /^(\d+)\s+([\x21-\x7e]{1,70})\s*$/.exec(line.toString("latin1"));
      if (!m) {
        this.close();
        throw new Pop3Error("protocol", `unexpected UIDL line: ${line.toString("latin1").slice(0, 200)}`);
      }
      out.push({ n: Number(m[1]), uid: m[2] as string });
    }
    return out;
  }

  /**
   * The raw message `n`, with CRLF line endings and dot-stuffing removed. Past `maxBytes` it
   * stops reading, closes the connection and throws `too_large`.
   */
  async retr(n: number, maxBytes: number): Promise<Buffer> {
    await this.command(`RETR ${n}`);
    const parts: Buffer[] = [];
    let size = 0;
    const crlf = Buffer.from("\r\n");
    // The message's own size limit bounds its lines (broken mail can have very long ones).
    const lineLimit = maxBytes;
    const tooBig = () => {
      this.close();
      return new Pop3Error("too_large", `message ${n} is larger than ${maxBytes} bytes`);
    };
    for (;;) {
      const line = await this.reader.line(lineLimit, tooBig);
      if (line.length === 1 && line[0] === 46) break;
      const body = line.length > 0 && line[0] === 46 ? line.subarray(1) : line;
      size += body.length + 2;
      if (size > maxBytes) throw tooBig();
      parts.push(body, crlf);
    }
    return Buffer.concat(parts, size);
  }

  async dele(n: number): Promise<void> {
    await this.command(`DELE ${n}`);
  }

  /** NOOP keeps an idle session open. */
  async noop(): Promise<void> {
    await this.command("NOOP");
  }

  /** QUIT: the server deletes the messages marked with DELE and closes. */
  async quit(): Promise<void> {
    if (this.closed) return;
    try {
      await this.command("QUIT");
    } finally {
      this.close();
    }
  }

  /** Drops the connection without QUIT (messages marked deleted stay). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.detach();
    this.reader.fail(new Pop3Error("closed", "the connection is closed"));
    this.socket.destroy();
  }
}

function upgrade(socket: Socket, options: Pop3ConnectOptions): Promise<TLSSocket> {
  const name = options.servername ?? options.host;
  return new Promise<TLSSocket>((resolve, reject) => {
    const tls = tlsConnect({
      socket,
      servername: isIP(name) ? undefined : name,
      // Certificates are checked against this name (or IP address).
      host: name,
      ...(options.secureContext
        ? { secureContext: options.secureContext }
        : { ca: options.ca as string[] | string | undefined }),
      minVersion: "TLSv1.2",
    });
    const timer = setTimeout(() => {
      tls.destroy();
      reject(new Pop3Error("timeout", `no TLS handshake with ${options.host} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    tls.once("secureConnect", () => {
      clearTimeout(timer);
      tls.removeAllListeners("error");
      resolve(tls);
    });
    tls.once("error", (err) => {
      clearTimeout(timer);
      tls.destroy();
      reject(new Pop3Error("tls", `TLS with ${options.host} failed: ${describe(err)}`, null, { cause: err }));
    });
  });
}
