import SMTPConnection from "nodemailer/lib/smtp-connection";
import type { Envelope } from "../delivery/mail-transport.js";
import { classifyReply, enhancedCode, type SendResult } from "../delivery/send-result.js";

export interface SmtpPoolOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (smtps). Otherwise STARTTLS is used whenever the server offers it. */
  readonly secure: boolean;
  readonly auth?: { readonly user: string; readonly pass: string } | undefined;
  readonly poolSize: number;
  readonly timeoutMs: number;
  readonly rejectUnauthorized: boolean;
  /** Name given in EHLO. */
  readonly name?: string | undefined;
  /** Messages per connection before it is closed and a fresh one opened. */
  readonly maxMessagesPerConnection?: number;
  /** An idle connection is closed after this long (servers drop idle clients anyway). */
  readonly idleMs?: number;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** Maps a failed send to a result: SMTP replies by their code; anything else is temporary. */
export function resultFromError(err: unknown): SendResult {
  const e = (err ?? {}) as SmtpError;
  if (typeof e.responseCode === "number" && e.responseCode >= 400) {
    return classifyReply(e.responseCode, e.response ?? e.message ?? "");
  }
  // No reply code: connection refused or lost, timeout, TLS failure. The message may or may
  // not have arrived; retrying is what every MTA does here.
  const text = `${e.code ?? "ERROR"}: ${e.message ?? String(err)}`.slice(0, 1000);
  return { kind: "soft", code: null, enhanced: enhancedCode(text), text };
}

interface Job {
  readonly envelope: Envelope;
  readonly raw: Buffer;
  readonly resolve: (result: SendResult) => void;
}

interface Slot {
  readonly conn: SMTPConnection;
  ready: boolean;
  busy: boolean;
  dead: boolean;
  sent: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * A pool of SMTP connections that sends already-rendered messages, one recipient per
 * transaction. Built on Nodemailer's SMTPConnection (EHLO, STARTTLS when offered, AUTH, DATA
 * dot-stuffing) but without its Mailer layer, which would wrap and re-stream the rendered
 * bytes for every message. A refused message (an SMTP reply) keeps the connection after RSET;
 * a lost or timed-out connection is closed and replaced.
 */
export class SmtpPool {
  readonly #options: SmtpPoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  #connecting = 0;
  #closed = false;

  constructor(options: SmtpPoolOptions) {
    this.#options = options;
  }

  send(envelope: Envelope, raw: Buffer): Promise<SendResult> {
    if (this.#closed) {
      return Promise.resolve({ kind: "soft", code: null, enhanced: null, text: "transport closed" });
    }
    return new Promise((resolve) => {
      this.#queue.push({ envelope, raw, resolve });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) {
      job.resolve({ kind: "soft", code: null, enhanced: null, text: "transport closed before sending" });
    }
    for (const slot of this.#slots) this.#retire(slot, true);
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.ready && !slot.busy && !slot.dead) this.#run(slot, this.#queue.shift() as Job);
    }
    // Open connections for the work that is still waiting, up to the pool size.
    while (
      this.#queue.length > this.#connecting &&
      this.#slots.size + this.#connecting < this.#options.poolSize &&
      !this.#closed
    ) {
      this.#open();
    }
  }

  #open(): void {
    const o = this.#options;
    const conn = new SMTPConnection({
      host: o.host,
      port: o.port,
      secure: o.secure,
      name: o.name,
      connectionTimeout: o.timeoutMs,
      greetingTimeout: o.timeoutMs,
      socketTimeout: o.timeoutMs,
      tls: { rejectUnauthorized: o.rejectUnauthorized },
      // Postbag connects to the relay the operator configured, which may well be on loopback
      // or a private network.
      allowInternalNetworkInterfaces: true,
      logger: false,
    });
    const slot: Slot = { conn, ready: false, busy: false, dead: false, sent: 0, idleTimer: undefined };
    this.#connecting++;
    let settled = false;
    const failed = (err: unknown) => {
      if (settled) {
        this.#retire(slot, false);
        return;
      }
      settled = true;
      this.#connecting--;
      conn.close();
      // Each failed connection attempt fails one waiting message, so a relay that is down
      // turns queued mail into soft bounces (retried later) instead of hanging the worker.
      const job = this.#queue.shift();
      job?.resolve(resultFromError(err));
      this.#pump();
    };
    conn.on("error", failed);
    conn.once("end", () => this.#retire(slot, false));
    conn.connect(() => {
      const ready = () => {
        if (settled) return;
        settled = true;
        this.#connecting--;
        slot.ready = true;
        this.#slots.add(slot);
        if (this.#closed) this.#retire(slot, true);
        else this.#pump();
      };
      if (!o.auth) return ready();
      conn.login({ user: o.auth.user, pass: o.auth.pass }, (err) => (err ? failed(err) : ready()));
    });
  }

  #run(slot: Slot, job: Job): void {
    slot.busy = true;
    clearTimeout(slot.idleTimer);
    let answered = false;
    // Belt and braces: should the connection die without calling back, the message must not
    // stay in flight forever. Socket timeouts normally answer long before this.
    const guard = setTimeout(
      () => {
        if (answered) return;
        answered = true;
        job.resolve({ kind: "soft", code: null, enhanced: null, text: "ETIMEDOUT: no answer from the SMTP server" });
        this.#retire(slot, false);
      },
      this.#options.timeoutMs * 3 + 1000,
    );
    guard.unref();
    slot.conn.send({ from: job.envelope.from, to: [job.envelope.to] }, job.raw, (err, info) => {
      if (answered) return;
      answered = true;
      clearTimeout(guard);
      slot.sent++;
      if (!err) {
        const response = String(info?.response ?? "250 OK");
        const code = Number.parseInt(response.slice(0, 3), 10);
        job.resolve(classifyReply(Number.isFinite(code) ? code : 250, response));
        this.#release(slot);
        return;
      }
      const e = err as SmtpError;
      const refused = (e.code === "EENVELOPE" || e.code === "EMESSAGE") && e.responseCode !== 421;
      job.resolve(resultFromError(err));
      if (refused && !slot.dead) {
        // The server refused this message; the session is fine once reset.
        slot.conn.reset((resetErr) => (resetErr ? this.#retire(slot, false) : this.#release(slot)));
      } else {
        this.#retire(slot, false);
      }
    });
  }

  #release(slot: Slot): void {
    slot.busy = false;
    if (slot.dead) return;
    if (slot.sent >= (this.#options.maxMessagesPerConnection ?? 1000)) {
      this.#retire(slot, true);
      return;
    }
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
    if (!this.#closed) this.#pump();
  }
}
