import type { Logger } from "pino";
import type { SMTPServer, SMTPServerDataStream, SMTPServerSession } from "smtp-server";

/** How often, and over how long, a message's arrival rate is judged (as for HTTP bodies). */
export const DATA_RATE_WINDOW_MS = 10_000;

export interface SmtpClientLimits {
  /**
   * From connecting to being ready (logged in on submission, its first MAIL FROM on the
   * sandbox): the SMTP counterpart of an HTTP header timeout. 0: no limit.
   */
  readonly handshakeTimeoutMs: number;
  /** A message (DATA) arriving slower than this over any window is cut off. 0: never. */
  readonly minBytesPerSecond: number;
  readonly windowMs?: number;
}

/**
 * Slow clients on Postbag's own SMTP listeners (submission, the sandbox capture server).
 * smtp-server's idle timeout alone is reset by every byte, so a client sending one byte every
 * few seconds could hold a connection for ever, in its greeting or in its message. Two limits:
 * a session must be ready within `handshakeTimeoutMs` of connecting, and a message must arrive
 * at `minBytesPerSecond` or faster over every window. Time spent waiting for Postbag (a handler
 * that has not answered yet) never counts: smtp-server reads nothing then. A client that waits
 * between messages is idle, which smtp-server's own socket timeout handles. The cut-off is a
 * `421 4.4.2` reply, after which smtp-server closes the
 * connection.
 */
export class SlowSmtpClients {
  readonly #limits: SmtpClientLimits;
  readonly #logger: Logger;
  readonly #handshakes = new Map<string, NodeJS.Timeout>();
  #server: SMTPServer | undefined;

  constructor(limits: SmtpClientLimits, logger: Logger) {
    this.#limits = limits;
    this.#logger = logger;
  }

  /** The server whose connections this guards (set once it is made). */
  attach(server: SMTPServer): void {
    this.#server = server;
  }

  /** In `onConnect`: the handshake's clock starts. */
  connected(session: SMTPServerSession): void {
    const ms = this.#limits.handshakeTimeoutMs;
    if (ms <= 0) return;
    const timer = setTimeout(() => {
      this.#handshakes.delete(session.id);
      this.#logger.warn({ ms, remoteAddress: session.remoteAddress }, "SMTP client too slow to get ready: cut off");
      this.#cut(session, "4.4.2 too slow: not ready in time");
    }, ms);
    timer.unref();
    this.#handshakes.set(session.id, timer);
  }

  /** Logged in (submission) or began a message (sandbox): the handshake is over. */
  ready(session: SMTPServerSession): void {
    clearTimeout(this.#handshakes.get(session.id));
    this.#handshakes.delete(session.id);
  }

  /** In `onClose`. */
  closed(session: SMTPServerSession): void {
    this.ready(session);
  }

  /**
   * In `onData`, before reading `stream`: cuts the session off when a window passes with fewer
   * than `minBytesPerSecond × window` bytes of the message. Counts what the stream delivers, so
   * the caller must read it as it comes (Postbag's listeners do).
   */
  watchData(stream: SMTPServerDataStream, session: SMTPServerSession): void {
    const { minBytesPerSecond } = this.#limits;
    if (minBytesPerSecond <= 0) return;
    const windowMs = this.#limits.windowMs ?? DATA_RATE_WINDOW_MS;
    let got = 0;
    const count = (chunk: Buffer) => {
      got += chunk.length;
    };
    stream.on("data", count);
    const timer = setInterval(() => {
      const bytes = got;
      got = 0;
      if (bytes >= (minBytesPerSecond * windowMs) / 1000) return;
      stop();
      this.#logger.warn(
        { bytes, windowMs, minBytesPerSecond, remoteAddress: session.remoteAddress },
        "SMTP message arriving too slowly: connection closed",
      );
      this.#cut(session, "4.4.2 message arriving too slowly");
    }, windowMs);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      stream.off("data", count);
    };
    stream.once("end", stop);
    stream.once("close", stop);
    stream.once("error", stop);
  }

  #cut(session: SMTPServerSession, text: string): void {
    for (const connection of this.#server?.connections ?? []) {
      if (connection.id === session.id) connection.send(421, text);
    }
  }
}
