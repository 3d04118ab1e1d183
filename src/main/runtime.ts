// Wiring shared by the entry points: one place that turns Config into live pieces.
import pino, { type Logger } from "pino";
import type { Config } from "../config/config.js";
import { createDatabase, type Database } from "../db/database.js";
import { migrate } from "../db/migrations.js";
import type { MailTransport } from "../delivery/mail-transport.js";
import type { WorkerSettings } from "../delivery/worker.js";
import { createSmtpTransport } from "../transports/smtp-transport.js";

/**
 * Services log JSON to stdout; one-shot commands log to stderr so that what they print (an id,
 * a key) is all that stdout carries.
 */
export function createLogger(config: Config, name: string, to: "stdout" | "stderr" = "stdout"): Logger {
  return pino({ name, level: config.logLevel, base: { pid: process.pid } }, pino.destination(to === "stdout" ? 1 : 2));
}

export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const database = createDatabase(config.databaseUrl);
  const result = await migrate(database);
  const applied = (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  return database;
}

/** The operator's relay, or in sandbox mode the loopback capture server on `sandboxPort`. */
export function createRelayTransport(config: Config, sandboxPort: number, logger: Logger): MailTransport {
  const relay = config.relay;
  const where = relay ? `relay ${relay.host}:${relay.port}` : `sandbox 127.0.0.1:${sandboxPort}`;
  return createSmtpTransport({
    host: relay?.host ?? "127.0.0.1",
    port: relay?.port ?? sandboxPort,
    secure: relay?.secure ?? false,
    auth: relay?.user !== undefined ? { user: relay.user, pass: relay.pass ?? "" } : undefined,
    poolSize: config.relayPoolSize,
    timeoutMs: config.smtpTimeoutMs,
    rejectUnauthorized: config.relayTlsRejectUnauthorized,
    name: config.senderDomain,
    onConnectionError: (err) => logger.warn({ err, server: where }, "SMTP connection to the relay failed"),
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
