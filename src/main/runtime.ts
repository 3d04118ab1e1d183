// Wiring shared by the entry points: one place that turns Config into live pieces (the logger
// and the database, which every command needs, are in startup.ts).
import { isIP } from "node:net";
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { MailTransport } from "../delivery/mail-transport.js";
import type { WorkerSettings } from "../delivery/worker.js";
import { type DkimKeyPair, loadOrCreateOperatorDkimKey } from "../domains/dkim-key.js";
import { DkimSigner } from "../domains/dkim-signer.js";
import { createTxtLookup, type TxtLookup } from "../domains/dns-check.js";
import { MailboxPoller } from "../mailboxes/poller.js";
import { createNetworkPolicy } from "../network/network-policy.js";
import type { Clock } from "../time/clock.js";
import { accessTokenFor } from "../transports/oauth2.js";
import { createSmtpTransport } from "../transports/smtp-transport.js";
import { TenantTransports } from "../transports/tenant-transports.js";

/** The operator's relay, or in sandbox mode the loopback capture server on `sandboxPort`. */
export function createRelayTransport(config: Config, sandboxPort: number, logger: Logger): MailTransport {
  const relay = config.relay;
  const where = relay ? `relay ${relay.host}:${relay.port}` : `sandbox 127.0.0.1:${sandboxPort}`;
  return createSmtpTransport({
    host: relay?.host ?? "127.0.0.1",
    port: relay?.port ?? sandboxPort,
    secure: relay?.secure ?? false,
    auth: relay?.user !== undefined ? { user: relay.user, pass: relay.pass ?? "" } : undefined,
    // Credentials cross the network in clear only on loopback or when the operator says so.
    allowPlaintextAuth: config.relayAllowPlaintextAuth || isLoopbackHost(relay?.host ?? "127.0.0.1"),
    poolSize: config.relayPoolSize,
    timeoutMs: config.smtpTimeoutMs,
    commandTimeoutMs: config.smtpCommandTimeoutMs,
    dataEndTimeoutMs: config.smtpDataEndTimeoutMs,
    rejectUnauthorized: config.relayTlsRejectUnauthorized,
    name: config.senderDomain,
    onConnectionError: (err) => logger.warn({ err, server: where }, "SMTP connection to the relay failed"),
  });
}

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || (isIP(h) === 4 && h.startsWith("127."));
}

/** SMTP through tenants' own mail accounts, within the operator's outbound network policy. */
export function createTenantTransports(
  config: Config,
  database: Database,
  clock: Clock,
  logger: Logger,
): TenantTransports {
  return new TenantTransports({
    database,
    clock,
    policy: createNetworkPolicy(config),
    secretKey: config.secretKey,
    notices: { senderDomain: config.senderDomain, publicUrl: config.publicUrl },
    logger: logger.child({ component: "tenant-smtp" }),
    timeoutMs: config.smtpTimeoutMs,
    commandTimeoutMs: config.smtpCommandTimeoutMs,
    dataEndTimeoutMs: config.smtpDataEndTimeoutMs,
    name: config.senderDomain,
  });
}

/** Reads tenants' mailboxes and the operator's bounce mailbox (IMAP or POP3, XOAUTH2 or password). */
export function createMailboxPoller(config: Config, database: Database, clock: Clock, logger: Logger): MailboxPoller {
  const policy = createNetworkPolicy(config);
  const oauth = {
    database,
    clock,
    policy,
    secretKey: config.secretKey,
    notices: { senderDomain: config.senderDomain, publicUrl: config.publicUrl },
  };
  return new MailboxPoller({
    database,
    clock,
    logger: logger.child({ component: "mailboxes" }),
    secretKey: config.secretKey,
    policy,
    inboundMaxBytes: config.inboundMaxBytes,
    bounceMailboxUrl: config.bounceMailboxUrl,
    bounceMailboxPollMs: config.bounceMailboxPollMs,
    // imapflow and the POP3 client load on the first poll, not with every command.
    openClient: async (connection, deps) =>
      (await import("../mailboxes/open-mailbox-client.js")).openMailboxClient(connection, deps),
    accessToken: (account, options) => accessTokenFor(oauth, account, "receive", options),
  });
}

export function workerSettings(config: Config): WorkerSettings {
  return {
    concurrency: config.workerConcurrency,
    pollMs: config.workerPollMs,
    leaseMs: config.leaseMs,
    retry: config.retry,
    secretKey: config.secretKey,
    bounceDomain: config.bounceDomain,
    publicUrl: config.publicUrl,
    notices: { senderDomain: config.senderDomain, publicUrl: config.publicUrl },
  };
}

/**
 * The operator domain's DKIM key: POSTBAG_DKIM_KEY_FILE, or DATA_DIR/dkim.key generated on first
 * run. `serve` calls it before starting the worker thread, so the thread only ever reads it.
 */
export function operatorDkimKey(config: Config): DkimKeyPair {
  return loadOrCreateOperatorDkimKey(config.dkim.keyFile, !config.dkim.keyFileGiven);
}

/** Signs relay mail with the operator's key or a verified tenant domain's key. */
export function createDkimSigner(config: Config, database: Database, clock: Clock, logger: Logger): DkimSigner {
  const key = operatorDkimKey(config);
  return new DkimSigner({
    database,
    clock,
    logger: logger.child({ component: "dkim" }),
    secretKey: config.secretKey,
    operator: { domain: config.senderDomain, selector: config.dkim.selector, privateKeyPem: key.privateKeyPem },
  });
}

/** DNS look-ups for sending-domain checks, asking POSTBAG_DNS_SERVERS or the system's servers. */
export function createDnsLookup(config: Config): TxtLookup {
  return createTxtLookup(config.dnsServers);
}
