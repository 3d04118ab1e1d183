import type { SecureContext } from "node:tls";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import type { Envelope, MailTransport } from "../delivery/mail-transport.js";
import { classifyReply, enhancedCode, type SendResult } from "../delivery/send-result.js";

export interface SmtpTransportOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (smtps). Otherwise STARTTLS is used whenever the server offers it. */
  readonly secure: boolean;
  readonly auth?: SmtpAuth | undefined;
  /**
   * `require`: STARTTLS is mandatory (never a session, let alone a login, in plain text);
   * `never`: no STARTTLS even if offered. Default: STARTTLS whenever the server offers it.
   */
  readonly starttls?: "require" | "never" | undefined;
  /** TLS server name when `host` is an address already checked by the network policy. */
  readonly servername?: string | undefined;
  /** CAs to trust instead of Node's defaults: the network policy's `secureContext`, built once. */
  readonly secureContext?: SecureContext | undefined;
  /**
   * Send the login even when the session is not encrypted (the server offered no STARTTLS).
   * Default true (a tenant's account with security "none" chose so); the operator's relay turns
   * it off unless the relay is on loopback or `POSTBAG_RELAY_ALLOW_PLAINTEXT_AUTH` says so.
   */
  readonly allowPlaintextAuth?: boolean | undefined;
  /** Put the server's own words (its login or TLS error) into soft failures: for the tenant's own server. */
  readonly detailedErrors?: boolean | undefined;
  readonly poolSize: number;
  /** Opening a connection: TCP, TLS and the greeting. */
  readonly timeoutMs: number;
  /** The reply to MAIL, RCPT and DATA, and each block of the message (default `timeoutMs`). */
  readonly commandTimeoutMs?: number | undefined;
  /** The reply to the end of the message (RFC 5321 4.5.3.2.6: 10 minutes; default `timeoutMs`). */
  readonly dataEndTimeoutMs?: number | undefined;
  readonly rejectUnauthorized: boolean;
  /** Name given in EHLO. */
  readonly name?: string | undefined;
  /** Messages per connection before it is closed and a fresh one opened. */
  readonly maxMessagesPerConnection?: number;
  /** An idle connection is closed after this long (servers drop idle clients anyway). */
  readonly idleMs?: number;
  /**
   * Told about connection-level failures with their full detail (host, port, login error).
   * Recipients' events only get a short, generic text: tenants must not see the relay's setup.
   */
  readonly onConnectionError?: (err: unknown) => void;
}

/**
 * A password login (AUTH PLAIN/LOGIN), or XOAUTH2 with a token from `token` (`forceRefresh`
 * after the server refused the previous one).
 */
export type SmtpAuth =
  | { readonly user: string; readonly pass: string }
  | { readonly user: string; readonly xoauth2: (forceRefresh: boolean) => Promise<string> };

interface SmtpError {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

// Failures without an SMTP reply, in words a school office can act on, without relay details.
const CONNECTION_TEXT: Record<string, string> = {
  ETIMEDOUT: "timed out waiting for the mail server",
  ECONNECTION: "the connection to the mail server failed or was lost",
  ESOCKET: "the connection to the mail server failed or was lost",
  EAUTH: "the mail server refused Postbag's login",
  ETLS: "could not set up TLS with the mail server",
  EPROTOCOL: "the mail server answered in a way Postbag did not understand",
  ENOTLS: "the mail server offers no TLS, so Postbag did not send its login in clear",
};

/** A temporary failure with no usable SMTP reply: always retried later. */
function connectionFailure(err: unknown, detailed = false): SendResult {
  const e = err as SmtpError | undefined;
  // A greeting that refuses service (`421 4.3.2 Too busy`, `554 No service`) is a normal
  // temporary refusal, not a protocol error: the server's own words are what to record.
  const greeting = e?.code === "EPROTOCOL" && e.command === "CONN" ? /^([45]\d\d)[ -]/.exec(e.response ?? "") : null;
  if (greeting?.[1]) {
    const words = (e?.response ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
    return { kind: "soft", code: Number(greeting[1]), enhanced: enhancedCode(words), text: words };
  }
  const code = e?.code ?? "ERROR";
  let text = `${code}: ${CONNECTION_TEXT[code] ?? "could not talk to the mail server"}`;
  const detail = (e?.response ?? e?.message ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
  if (detailed && detail) text += ` (${detail})`;
  return { kind: "soft", code: null, enhanced: null, text };
}

/** 535 or an enhanced 5.7.x: the server refused the credentials (an expired OAuth token, say). */
function isAuthRefusal(err: unknown): boolean {
  const e = (err ?? {}) as SmtpError;
  if (e.code !== "EAUTH") return false;
  return e.responseCode === 535 || /(^|\s)5\.7\.\d{1,3}\b/.test(e.response ?? "");
}

/** Maps a failed send to a result: an SMTP reply by its code; anything else is temporary. */
export function resultFromError(err: unknown): SendResult {
  const e = (err ?? {}) as SmtpError;
  if (typeof e.responseCode === "number" && e.responseCode >= 400) {
    return classifyReply(e.responseCode, e.response ?? e.message ?? "");
  }
  // No reply code: connection refused or lost, timeout, TLS failure. The message may or may
  // not have arrived; retrying is what every MTA does here.
  const result = connectionFailure(err);
  return { ...result, enhanced: enhancedCode(e.response ?? "") };
}

/**
 * What of Nodemailer's SMTPConnection the per-command timeouts use: it has one socket idle
 * timeout for the whole session, and RFC 5321 wants a longer wait after the end of the message.
 * `_createSendStream` makes the stream the message is written into (its end is the final dot).
 */
interface ConnectionInternals {
  _createSendStream(callback: unknown): NodeJS.EventEmitter;
  _socket?: { setTimeout(ms: number): void } | false;
}

/**
 * Gives `conn` RFC 5321's per-command timeouts: `commandMs` while commands and message blocks
 * go back and forth (the socket's idle timeout), `dataEndMs` from the final dot to its reply.
 */
function withDataEndTimeout(conn: SMTPConnection, commandMs: number, dataEndMs: number): () => void {
  const internals = conn as unknown as ConnectionInternals;
  const create = internals._createSendStream.bind(conn);
  const socket = () => (internals._socket ? internals._socket : undefined);
  internals._createSendStream = (callback: unknown) => {
    const stream = create(callback);
    stream.once("end", () => socket()?.setTimeout(dataEndMs));
    return stream;
  };
  return () => socket()?.setTimeout(commandMs);
}

interface Job {
  readonly envelope: Envelope;
  readonly raw: Buffer;
  readonly resolve: (result: SendResult) => void;
  /** Settles once the outcome is durably recorded: the connection waits for it after a 250. */
  readonly recorded: Promise<unknown> | undefined;
  /** Already moved once to a fresh connection after a stale one failed before MAIL FROM. */
  retried: boolean;
}

interface Slot {
  readonly conn: SMTPConnection;
  /** Back to the command timeout once the reply to the end of a message is in. */
  readonly commandTimeout: () => void;
  busy: boolean;
  /** Busy, but only waiting for the record of the 250 it got (no command in flight). */
  held: boolean;
  dead: boolean;
  sent: number;
  idleTimer: NodeJS.Timeout | undefined;
  /** Ends the send in progress, if any, as a soft failure (used by close()). */
  abort: (() => void) | undefined;
}

/**
 * A pool of SMTP connections that sends already-rendered messages, one recipient per
 * transaction. Built on Nodemailer's SMTPConnection (EHLO, STARTTLS when offered, AUTH, DATA
 * dot-stuffing) without its Mailer layer, which would wrap and re-stream the rendered bytes for
 * every message. A refused message (an SMTP reply) keeps the connection after RSET; a lost or
 * timed-out connection is closed and replaced. While connections keep failing to open, the pool
 * backs off, and each failed attempt turns one waiting message into a soft bounce, so mail is
 * retried later instead of hanging, and never marked final because of Postbag's own setup.
 *
 * A connection that got a 250 waits for that outcome's record (`send`'s `recorded`) before its
 * next transaction, so the transactions a crash can repeat are the ones still open at the
 * relay. Waiting connections do not count against `poolSize` (at most `poolSize` messages are
 * in transmission at once), and up to `poolSize` more connections are opened meanwhile, so a
 * slow commit does not slow sending down.
 */
export class SmtpTransport implements MailTransport {
  readonly #options: SmtpTransportOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  #connecting = 0;
  #failures = 0;
  #backoff: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: SmtpTransportOptions) {
    this.#options = options;
  }

  send(envelope: Envelope, raw: Buffer, recorded?: Promise<unknown>): Promise<SendResult> {
    if (this.#closed) return Promise.resolve(connectionFailure({ code: "ECONNECTION" }));
    return new Promise((resolve) => {
      this.#queue.push({ envelope, raw, resolve, recorded, retried: false });
      this.#pump();
    });
  }

  /** Closes every connection; sends in progress end as soft failures (retried later). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#backoff);
    for (const job of this.#queue.splice(0)) job.resolve(connectionFailure({ code: "ECONNECTION" }));
    for (const slot of [...this.#slots]) {
      // SMTPConnection does not call back a send whose socket is closed under it.
      slot.abort?.();
      this.#retire(slot, !slot.busy);
    }
  }

  #pump(): void {
    if (this.#closed) return;
    const { poolSize } = this.#options;
    let held = 0;
    let sending = 0;
    for (const slot of this.#slots) {
      if (slot.held) held++;
      else if (slot.busy) sending++;
    }
    for (const slot of this.#slots) {
      const job = this.#queue[0];
      if (!job || sending >= poolSize) return;
      if (!slot.busy && !slot.dead) {
        this.#queue.shift();
        sending++;
        this.#run(slot, job);
      }
    }
    // Open connections for the work that is still waiting, up to the pool size (connections
    // waiting for a record aside, up to as many again), unless the pool is backing off after
    // failed attempts.
    while (
      this.#queue.length > this.#connecting &&
      this.#slots.size - held + this.#connecting < poolSize &&
      this.#slots.size + this.#connecting < 2 * poolSize &&
      this.#backoff === undefined
    ) {
      this.#open();
    }
  }

  /** `refreshToken`: the previous connection's XOAUTH2 token was refused; ask for a fresh one first. */
  #open(refreshToken = false): void {
    const o = this.#options;
    const commandMs = o.commandTimeoutMs ?? o.timeoutMs;
    const conn = new SMTPConnection({
      host: o.host,
      port: o.port,
      secure: o.secure,
      name: o.name,
      connectionTimeout: o.timeoutMs,
      greetingTimeout: o.timeoutMs,
      socketTimeout: commandMs,
      ...(o.starttls === "require" ? { requireTLS: true } : o.starttls === "never" ? { ignoreTLS: true } : {}),
      ...(o.servername ? { servername: o.servername } : {}),
      tls: {
        rejectUnauthorized: o.rejectUnauthorized,
        ...(o.servername ? { servername: o.servername } : {}),
        ...(o.secureContext ? { secureContext: o.secureContext } : {}),
      },
      // Postbag connects to the relay the operator configured, which may well be on loopback
      // or a private network.
      allowInternalNetworkInterfaces: true,
      logger: false,
    });
    const slot: Slot = {
      conn,
      commandTimeout: withDataEndTimeout(conn, commandMs, o.dataEndTimeoutMs ?? o.timeoutMs),
      busy: false,
      held: false,
      dead: false,
      sent: 0,
      idleTimer: undefined,
      abort: undefined,
    };
    this.#connecting++;
    let settled = false;
    // Whether this connection already asked for a fresh OAuth2 token (Nodemailer itself asks
    // once when the server answers XOAUTH2 with a 334 error challenge).
    let refreshed = refreshToken;
    const failed = (err: unknown) => {
      if (settled) {
        this.#retire(slot, false);
        return;
      }
      settled = true;
      this.#connecting--;
      if (o.auth && "xoauth2" in o.auth && !refreshed && isAuthRefusal(err) && !this.#closed) {
        // The token was refused (revoked early, or expired sooner than announced): one more try
        // with a fresh token before the waiting message counts a failure. Opened before the
        // close, so the pool does not open another connection for the same message meanwhile.
        this.#open(true);
        conn.close();
        return;
      }
      conn.close();
      o.onConnectionError?.(err);
      // Whatever the server said while we connected (even a 5xx to AUTH) is about Postbag's
      // relay, not the recipient: the waiting message is retried later.
      this.#queue.shift()?.resolve(connectionFailure(err, o.detailedErrors));
      this.#failures++;
      const wait = Math.min(100 * 2 ** Math.min(this.#failures - 1, 10), 5_000);
      this.#backoff = setTimeout(() => {
        this.#backoff = undefined;
        this.#pump();
      }, wait);
      this.#backoff.unref();
    };
    conn.on("error", failed);
    conn.once("end", () => this.#retire(slot, false));
    conn.connect(() => {
      const ready = () => {
        if (settled) return;
        settled = true;
        this.#connecting--;
        this.#failures = 0;
        this.#slots.add(slot);
        if (this.#closed) this.#retire(slot, true);
        else this.#release(slot);
      };
      const auth = o.auth;
      if (!auth) return ready();
      if (!conn.secure && o.allowPlaintextAuth === false) {
        const err = Object.assign(
          new Error(
            "the relay offers no STARTTLS: its user and password were not sent in clear (set POSTBAG_RELAY_ALLOW_PLAINTEXT_AUTH=true to allow it)",
          ),
          { code: "ENOTLS" },
        );
        return failed(err);
      }
      if ("pass" in auth) {
        conn.login({ user: auth.user, pass: auth.pass }, (err) => (err ? failed(err) : ready()));
        return;
      }
      conn.login(
        xoauth2Login(auth.user, (isRetry) => {
          if (isRetry) refreshed = true;
          return auth.xoauth2(isRetry || refreshToken);
        }),
        (err) => (err ? failed(err) : ready()),
      );
    });
  }

  #run(slot: Slot, job: Job): void {
    slot.busy = true;
    clearTimeout(slot.idleTimer);
    let answered = false;
    // Belt and braces: should the connection die without calling back, the message must not
    // stay in flight forever. Socket timeouts normally answer long before this.
    const giveUp = (code: string) => {
      if (answered) return;
      answered = true;
      slot.abort = undefined;
      job.resolve(connectionFailure({ code }));
      this.#retire(slot, false);
    };
    const o = this.#options;
    const commandMs = o.commandTimeoutMs ?? o.timeoutMs;
    const guard = setTimeout(() => giveUp("ETIMEDOUT"), commandMs * 3 + (o.dataEndTimeoutMs ?? o.timeoutMs) + 1000);
    guard.unref();
    slot.abort = () => {
      clearTimeout(guard);
      giveUp("ECONNECTION");
    };
    slot.conn.send({ from: job.envelope.from, to: [job.envelope.to] }, job.raw, (err, info) => {
      if (answered) return;
      answered = true;
      slot.abort = undefined;
      clearTimeout(guard);
      slot.commandTimeout();
      slot.sent++;
      if (!err) {
        const response = String(info?.response ?? "250 OK");
        const code = Number.parseInt(response.slice(0, 3), 10);
        job.resolve(classifyReply(Number.isFinite(code) ? code : 250, response));
        this.#holdUntilRecorded(slot, job.recorded);
        return;
      }
      const e = err as SmtpError;
      if (e.responseCode === undefined) this.#options.onConnectionError?.(err);
      // A server may close a connection that sat idle; the first command on it then fails
      // before any of the message was sent. That message goes out on a fresh connection.
      const stale =
        slot.sent > 1 && e.responseCode === undefined && (e.command === "CONN" || e.command === "MAIL FROM");
      if (stale && !job.retried) {
        job.retried = true;
        this.#queue.unshift(job);
      } else {
        const result = resultFromError(err);
        job.resolve(
          result.code === null && this.#options.detailedErrors
            ? { ...connectionFailure(err, true), enhanced: result.enhanced }
            : result,
        );
      }
      const refused = (e.code === "EENVELOPE" || e.code === "EMESSAGE") && e.responseCode !== 421;
      if (refused && !slot.dead) {
        // The server refused this message; the session is fine once reset.
        slot.conn.reset((resetErr) => (resetErr ? this.#retire(slot, false) : this.#release(slot)));
      } else {
        this.#retire(slot, false);
      }
    });
  }

  /**
   * After a 250: the connection begins nothing else (no next MAIL FROM, no QUIT) until the
   * outcome is recorded, then goes back to the pool.
   */
  #holdUntilRecorded(slot: Slot, recorded: Promise<unknown> | undefined): void {
    if (!recorded) {
      this.#release(slot);
      return;
    }
    slot.held = true;
    const done = () => {
      slot.held = false;
      this.#release(slot);
    };
    void recorded.then(done, done);
    // A connection now waiting lets the pool open another one for the queue.
    this.#pump();
  }

  /** Makes a connection available again (or retires it after its message quota). */
  #release(slot: Slot): void {
    slot.busy = false;
    if (slot.dead) return;
    if (slot.sent >= (this.#options.maxMessagesPerConnection ?? 1000)) {
      this.#retire(slot, true);
      return;
    }
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => this.#retire(slot, true), this.#options.idleMs ?? 30_000);
    slot.idleTimer.unref();
    this.#pump();
  }

  /** Takes a connection out of the pool (QUIT when it is healthy) and refills the pool. */
  #retire(slot: Slot, polite: boolean): void {
    if (slot.dead) return;
    slot.dead = true;
    clearTimeout(slot.idleTimer);
    this.#slots.delete(slot);
    if (polite && !slot.busy) slot.conn.quit();
    else slot.conn.close();
    this.#pump();
  }
}

/** Pooled SMTP delivery through one server (the relay, the sandbox or a tenant's account). */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  return new SmtpTransport(options);
}

/**
 * Nodemailer's XOAUTH2 login, fed by our token source instead of its own HTTP client (which
 * would ignore the network policy). `token(true)` is asked once when the server refused the
 * first token (a 334 error challenge).
 */
export function xoauth2Login(
  user: string,
  token: (isRetry: boolean) => Promise<string>,
): SMTPConnection.AuthenticationOAuth2 {
  const oauth2 = {
    getToken(isRetry: boolean, callback: (err: Error | null, token?: string) => void) {
      token(isRetry).then(
        (value) => callback(null, value),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    },
    buildXOAuth2Token(value: string) {
      return Buffer.from(`user=${user}\x01auth=Bearer ${value}\x01\x01`, "utf8").toString("base64");
    },
  };
  return { user, method: "XOAUTH2", oauth2: oauth2 as unknown as SMTPConnection.AuthenticationOAuth2["oauth2"] };
}
