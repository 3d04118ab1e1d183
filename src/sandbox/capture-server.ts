import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import type { Logger } from "pino";
import { SMTPServer } from "smtp-server";
import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import { recipientFromReturnPath } from "../delivery/return-path.js";
import { SlowSmtpClients, type SmtpClientLimits } from "../network/slow-smtp-clients.js";
import type { Clock } from "../time/clock.js";
import { rcptToColumn } from "./sandbox-store.js";

export interface CaptureServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface CaptureServerOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly port: number;
  readonly secretKey: string;
  readonly maxMessageBytes: number;
  /** Slow clients (`POSTBAG_SMTP_HANDSHAKE_TIMEOUT_MS`, `POSTBAG_BODY_MIN_BYTES_PER_SECOND`); default: none. */
  readonly clientLimits?: SmtpClientLimits;
}

/**
 * The sandbox relay: a capture-only SMTP server on loopback. In sandbox mode the worker
 * delivers here through the same SMTP transport as production, and every message is kept in
 * `sandbox_messages` (tagged with its tenant through the VERP return path) instead of going out.
 */
export async function startCaptureServer(options: CaptureServerOptions): Promise<CaptureServer> {
  const { database, clock, logger, secretKey } = options;
  const limit = options.maxMessageBytes * 2 + 64 * 1024;
  const slow = new SlowSmtpClients(options.clientLimits ?? { handshakeTimeoutMs: 0, minBytesPerSecond: 0 }, logger);
  const server = new SMTPServer({
    name: "postbag-sandbox",
    banner: "Postbag sandbox: messages are captured, never delivered",
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: limit,
    logger: false,
    onConnect(session, callback) {
      slow.connected(session);
      callback();
    },
    onMailFrom(_address, session, callback) {
      slow.ready(session);
      callback();
    },
    onClose(session) {
      slow.closed(session);
    },
    onData(stream, session, callback) {
      slow.watchData(stream, session);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error("552 5.3.4 message too big for the sandbox"), { responseCode: 552 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        void store(raw, mailFrom, rcptTo).then(
          () => callback(),
          (err: unknown) => {
            logger.error({ err }, "sandbox capture failed");
            callback(Object.assign(new Error("451 4.3.0 sandbox could not store the message"), { responseCode: 451 }));
          },
        );
      });
    },
  });

  async function store(raw: Buffer, mailFrom: string, rcptTo: string[]): Promise<void> {
    const recipientId = recipientFromReturnPath(secretKey, mailFrom);
    let tenantId: string | null = null;
    if (recipientId) {
      const row = await database.db
        .selectFrom("recipients")
        .select("tenant_id")
        .where("id", "=", recipientId)
        .executeTakeFirst();
      tenantId = row?.tenant_id ?? null;
    }
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    await database.db
      .insertInto("sandbox_messages")
      .values({
        id: newId(clock.now()),
        tenant_id: tenantId,
        recipient_id: tenantId ? recipientId : null,
        received_at: clock.now(),
        mail_from: mailFrom,
        rcpt_to: rcptToColumn.encode(rcptTo),
        subject: parsed.subject ?? null,
        message_id_header: parsed.messageId ?? null,
        size_bytes: raw.length,
        raw,
      })
      .execute();
  }

  slow.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
