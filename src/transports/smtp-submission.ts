import { readFileSync } from "node:fs";
import { type AddressInfo, isIP } from "node:net";
import type { Logger } from "pino";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { loadAttachmentPolicy } from "../accounts/account-settings.js";
import type { SubmissionConfig } from "../config/config.js";
import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import { loadSenderRules } from "../domains/sender-settings.js";
import { checkRecipient } from "../email/address.js";
import { ApiError, type ErrorCode } from "../errors/api-error.js";
import type { MessageWriter } from "../messages/message-store.js";
import { prepareSubmitted } from "../messages/submitted-message.js";
import { SlowSmtpClients, type SmtpClientLimits } from "../network/slow-smtp-clients.js";
import { assertNotSuspended, authenticateKey } from "../tenants/tenants.js";
import type { Clock } from "../time/clock.js";

export interface SubmissionServerDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly writer: MessageWriter;
  readonly settings: SubmissionConfig;
  readonly limits: {
    readonly maxMessageBytes: number;
    readonly maxRecipients: number;
    readonly senderDomain: string;
    readonly secretKey: string;
    /** `POSTBAG_ALLOW_ADDRESS_LITERALS`: recipients such as `user@[10.1.2.3]` (refused by default). */
    readonly allowAddressLiterals?: boolean;
  };
  /** Called after a message was committed (wakes the in-process worker). */
  readonly onAccepted?: () => void;
  /** How long a client over the failed-AUTH limit waits for its 421 (default 2 s). */
  readonly penaltyMs?: number;
  /** Whether a client at this address may AUTH without TLS (default: loopback only). */
  readonly plainAuthAllowed?: (remoteAddress: string) => boolean;
  /** Slow clients (`POSTBAG_SMTP_HANDSHAKE_TIMEOUT_MS`, `POSTBAG_BODY_MIN_BYTES_PER_SECOND`); default: none. */
  readonly clientLimits?: SmtpClientLimits;
}

export interface SubmissionServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Who authenticated on a connection. */
interface SubmissionUser {
  readonly keyId: string;
  readonly tenantId: string;
}

const FAILURE_WINDOW_MS = 15 * 60_000;

/** An SMTP reply for a refusal: smtp-server reads `responseCode`, and the enhanced code leads the text. */
function reply(code: number, enhanced: string, text: string): Error {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code });
}

/** The API's refusals as SMTP replies: the same rule, the code an SMTP client acts on. */
const smtpFor: Partial<Record<ErrorCode, [number, string]>> = {
  from_not_allowed: [550, "5.7.1"],
  invalid_address: [553, "5.1.3"],
  too_many_recipients: [452, "4.5.3"],
  payload_too_large: [552, "5.3.4"],
  invalid_attachment: [554, "5.6.0"],
  unknown_category: [554, "5.6.0"],
  invalid_request: [554, "5.6.0"],
  idempotency_conflict: [554, "5.6.0"],
  header_injection: [554, "5.6.0"],
  rate_limited: [451, "4.7.0"],
  unavailable: [451, "4.3.0"],
  tenant_suspended: [535, "5.7.8"],
};

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, "");
  return a === "::1" || (isIP(a) === 4 && a.startsWith("127."));
}

/**
 * SMTP submission for a school's own software (docs/smtp.md), built on smtp-server: AUTH
 * PLAIN/LOGIN with an API key (user = key id and password = secret, or the whole key as the
 * password), refused before TLS except from loopback; each message goes through the same
 * checks and the same MessageWriter as `POST /v1/messages`, and the 250 comes only after the
 * commit, with the message id.
 */
export async function startSubmissionServer(deps: SubmissionServerDeps): Promise<SubmissionServer> {
  const { database, clock, logger, writer, settings, limits } = deps;
  const penaltyMs = deps.penaltyMs ?? 2000;
  const failures = new Map<string, number[]>();
  const perKey = new Map<string, number>();
  const sessions = new Map<string, SubmissionUser>();
  const slow = new SlowSmtpClients(deps.clientLimits ?? { handshakeTimeoutMs: 0, minBytesPerSecond: 0 }, logger);

  const recentFailures = (ip: string): number[] => {
    const now = clock.now();
    const list = (failures.get(ip) ?? []).filter((t) => t > now - FAILURE_WINDOW_MS);
    if (list.length > 0) failures.set(ip, list);
    else failures.delete(ip);
    return list;
  };
  const overLimit = (ip: string) => recentFailures(ip).length >= settings.authFailures;
  const penalty = () => new Promise((resolve) => setTimeout(resolve, penaltyMs).unref());

  const tls =
    settings.tlsCertFile && settings.tlsKeyFile
      ? { cert: readFileSync(settings.tlsCertFile), key: readFileSync(settings.tlsKeyFile) }
      : undefined;

  const server = new SMTPServer({
    name: limits.senderDomain,
    banner: "Postbag SMTP submission",
    secure: settings.secure === "implicit",
    ...(tls ?? {}),
    // Without a certificate there is no STARTTLS to offer (smtp-server would use a built-in one).
    disabledCommands: tls ? [] : ["STARTTLS"],
    authMethods: ["PLAIN", "LOGIN"],
    // Checked in onAuth instead, so that loopback clients may log in without TLS.
    allowInsecureAuth: true,
    size: limits.maxMessageBytes,
    logger: false,
    onConnect(session, callback) {
      slow.connected(session);
      if (overLimit(session.remoteAddress)) {
        void penalty().then(() => callback(reply(421, "4.7.0", "too many failed logins from your address; try later")));
        return;
      }
      callback();
    },
    onAuth(auth, session, callback) {
      if (!session.secure && !(deps.plainAuthAllowed ?? isLoopback)(session.remoteAddress)) {
        callback(reply(538, "5.7.11", "use STARTTLS (or the implicit TLS port) before AUTH"));
        return;
      }
      const password = auth.password ?? "";
      const presented = password.startsWith("pb_") ? password : `pb_${auth.username ?? ""}_${password}`;
      void (async () => {
        const principal = (await authenticateKey(database.db, presented))?.principal;
        if (principal?.kind !== "tenant") {
          const ip = session.remoteAddress;
          failures.set(ip, [...recentFailures(ip), clock.now()]);
          if (overLimit(ip)) {
            logger.warn({ ip }, "SMTP submission: too many failed logins; client delayed and refused");
            await penalty();
            return callback(reply(421, "4.7.0", "too many failed logins from your address; try later"));
          }
          return callback(
            reply(
              535,
              "5.7.8",
              "the API key is not valid (user: key id, password: secret; or the whole key as the password)",
            ),
          );
        }
        // A suspended tenant's key is a good key: refused, but not counted as a failed login.
        try {
          await assertNotSuspended(database.db, principal.tenantId);
        } catch (err) {
          return callback(refusal(err));
        }
        const open = perKey.get(principal.keyId) ?? 0;
        if (open >= settings.connectionsPerKey) {
          return callback(reply(421, "4.7.0", `this key already has ${open} connections open; try again later`));
        }
        perKey.set(principal.keyId, open + 1);
        sessions.set(session.id, { keyId: principal.keyId, tenantId: principal.tenantId });
        slow.ready(session);
        callback(null, { user: principal.keyId });
      })().catch((err: unknown) => {
        logger.error({ err }, "SMTP submission: AUTH failed");
        callback(reply(454, "4.7.0", "temporary authentication failure; try again"));
      });
    },
    onRcptTo(address, session, callback) {
      if (session.envelope.rcptTo.length >= limits.maxRecipients) {
        callback(reply(452, "4.5.3", `at most ${limits.maxRecipients} recipients per message`));
        return;
      }
      const r = checkRecipient(address.address, limits);
      if (!r.ok) {
        callback(reply(553, "5.1.3", r.message));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      slow.watchData(stream, session);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          callback(reply(552, "5.3.4", `message exceeds ${limits.maxMessageBytes} bytes`));
          return;
        }
        const user = sessions.get(session.id);
        if (!user) {
          callback(reply(530, "5.7.0", "authentication required"));
          return;
        }
        accept(user, session, Buffer.concat(chunks)).then(
          (id) => callback(null, `2.0.0 Ok: queued as ${id}`),
          (err: unknown) => callback(refusal(err)),
        );
      });
    },
    onClose(session) {
      slow.closed(session);
      const user = sessions.get(session.id);
      if (!user) return;
      sessions.delete(session.id);
      const open = (perKey.get(user.keyId) ?? 1) - 1;
      if (open > 0) perKey.set(user.keyId, open);
      else perKey.delete(user.keyId);
    },
  });

  async function accept(user: SubmissionUser, session: SMTPServerSession, raw: Buffer): Promise<string> {
    // Suspended after this connection logged in: refused from the next message on.
    await assertNotSuspended(database.db, user.tenantId);
    const [sender, attachmentPolicy] = await Promise.all([
      loadSenderRules(database.db, limits.secretKey, user.tenantId),
      loadAttachmentPolicy(database.db, user.tenantId),
    ]);
    const prepared = await prepareSubmitted(
      { raw, rcptTo: session.envelope.rcptTo.map((r) => r.address), keyId: user.keyId },
      {
        maxMessageBytes: limits.maxMessageBytes,
        maxRecipients: limits.maxRecipients,
        senderDomain: limits.senderDomain,
        allowAddressLiterals: limits.allowAddressLiterals,
        sender,
        attachmentPolicy,
        messageIdDomain: limits.senderDomain,
        newMessageId: () => newId(clock.now()),
      },
    );
    const accepted = await writer.accept(user.tenantId, prepared);
    if (!accepted.replayed) deps.onAccepted?.();
    return accepted.id;
  }

  function refusal(err: unknown): Error {
    if (err instanceof ApiError) {
      const [code, enhanced] = smtpFor[err.code] ?? [554, "5.6.0"];
      return reply(code, enhanced, err.message);
    }
    logger.error({ err }, "SMTP submission: message could not be stored");
    return reply(451, "4.3.0", "the message could not be stored; try again later");
  }

  slow.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err: Error) => logger.warn({ err }, "SMTP submission connection error"));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
