import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";

/**
 * Every Postbag setting, in one place: its environment variable, type, default and meaning.
 * Only this module reads `process.env`; everything else receives a frozen `Config`.
 */
type Kind = "string" | "url" | "port" | "int" | "bool" | "list";

interface Setting {
  readonly kind: Kind;
  readonly default: string | undefined;
  readonly description: string;
  readonly min?: number;
  readonly max?: number;
}

export const settings = {
  DATA_DIR: {
    kind: "string",
    default: "./data",
    description: "Folder for the SQLite database, the generated secret key and other local state.",
  },
  DATABASE_URL: {
    kind: "url",
    default: undefined,
    description: "Database: `sqlite:PATH` (default `sqlite:<DATA_DIR>/postbag.db`) or `postgres://user@host:port/db`.",
  },
  HTTP_HOST: { kind: "string", default: "127.0.0.1", description: "Address the HTTP API listens on." },
  HTTP_PORT: { kind: "port", default: "8080", description: "Port the HTTP API listens on (0 picks a free one)." },
  PUBLIC_URL: {
    kind: "url",
    default: undefined,
    description: "Public base URL of the API, used in links (default `http://HTTP_HOST:HTTP_PORT`).",
  },
  RELAY_URL: {
    kind: "url",
    default: undefined,
    description:
      "Operator relay: `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…`. Unset: sandbox mode.",
  },
  RELAY_POOL_SIZE: { kind: "int", default: "5", min: 1, max: 100, description: "SMTP connections per worker." },
  RELAY_TLS_REJECT_UNAUTHORIZED: {
    kind: "bool",
    default: "true",
    description: "Verify the relay's TLS certificate (turn off only for a relay with a private certificate).",
  },
  SMTP_TIMEOUT_MS: {
    kind: "int",
    default: "300000",
    min: 100,
    max: 600000,
    description:
      "Opening an SMTP connection: TCP, TLS and the server's greeting (RFC 5321 4.5.3.2 allows the greeting 5 minutes; a timeout is a soft bounce).",
  },
  SANDBOX_SMTP_PORT: {
    kind: "port",
    default: "2525",
    description: "Loopback port of the built-in capture SMTP server used in sandbox mode (0 picks a free one).",
  },
  SECRET_KEY: {
    kind: "string",
    default: undefined,
    description: "Key for signing and encryption (at least 32 characters). Generated into DATA_DIR when unset.",
  },
  SENDER_DOMAIN: {
    kind: "string",
    default: "postbag.localhost",
    description: "The operator's sending domain: default From is noreply@ it; Message-IDs and return paths use it.",
  },
  BOUNCE_DOMAIN: {
    kind: "string",
    default: undefined,
    description: "Domain of the VERP return path for bounces (default SENDER_DOMAIN).",
  },
  RETRY_BASE_SECONDS: {
    kind: "int",
    default: "300",
    min: 1,
    description: "First retry after a soft bounce; each later retry waits twice as long.",
  },
  RETRY_MAX_SECONDS: { kind: "int", default: "3600", min: 1, description: "Longest wait between two retries." },
  RETRY_LIFETIME_SECONDS: {
    kind: "int",
    default: "172800",
    min: 1,
    description: "A recipient still soft-bouncing this long after acceptance becomes a hard bounce.",
  },
  LEASE_SECONDS: {
    kind: "int",
    default: "300",
    min: 1,
    description: "How long a worker holds claimed deliveries; a crashed worker's rows are retried after it.",
  },
  WORKER_CONCURRENCY: {
    kind: "int",
    default: "100",
    min: 1,
    max: 10000,
    description: "Deliveries a worker keeps in flight at once.",
  },
  WORKER_POLL_MS: { kind: "int", default: "250", min: 5, description: "How often an idle worker looks for due mail." },
  SHUTDOWN_GRACE_MS: {
    kind: "int",
    default: "10000",
    min: 0,
    description: "On SIGTERM, wait this long for in-flight sends before releasing them.",
  },
  DELAYED_AFTER_MINUTES: {
    kind: "int",
    default: "30",
    min: 1,
    description: "Mail still waiting this long is reported as delayed to the operator.",
  },
  MAX_MESSAGE_BYTES: {
    kind: "int",
    default: "10485760",
    min: 1024,
    description: "Largest accepted message: bodies plus decoded attachments.",
  },
  MAX_RECIPIENTS: { kind: "int", default: "1000", min: 1, description: "Most recipients (to+cc+bcc) in one message." },
  LOG_LEVEL: { kind: "string", default: "info", description: "pino log level: fatal, error, warn, info, debug." },
  OUTBOUND_ALLOW: {
    kind: "list",
    default: "",
    description:
      "Comma-separated IP ranges (CIDR) or host names that tenants' mail servers and webhook endpoints may use even though they are private or loopback.",
  },
  OUTBOUND_DENY: {
    kind: "list",
    default: "",
    description:
      "Comma-separated IP ranges (CIDR) or host names refused for tenants' mail servers and webhooks, on top of the built-in deny list (private, loopback, link-local, metadata).",
  },
  EXTRA_CA_FILE: {
    kind: "string",
    default: undefined,
    description: "PEM file of extra certificate authorities trusted for tenants' mail servers and webhook endpoints.",
  },
  BOUNCE_MAILBOX_URL: {
    kind: "url",
    default: undefined,
    description:
      "The operator's bounce mailbox for the built-in service: `imap://user:pass@host:port/INBOX` or `imaps://…`. Unset: not polled.",
  },
  BOUNCE_MAILBOX_POLL_SECONDS: {
    kind: "int",
    default: "300",
    min: 5,
    description: "How often the operator's bounce mailbox is checked.",
  },
  INBOUND_MAX_BYTES: {
    kind: "int",
    default: "26214400",
    min: 1024,
    description: "Largest inbound message stored from a mailbox; larger ones are skipped and logged.",
  },
  AUDIENCE_SYNC_MAX_BYTES: {
    kind: "int",
    default: "209715200",
    min: 1024,
    description:
      "Largest NDJSON body POST /v1/audience/sync reads (it streams; memory does not grow with it). JSON syncs are capped at 5 MB.",
  },
  JOB_LEASE_SECONDS: {
    kind: "int",
    default: "60",
    min: 1,
    max: 3600,
    description:
      "How long a process holds a scheduled job it runs (renewed while it runs); a process that dies frees its jobs after this.",
  },
  SCHEDULER_POLL_MS: {
    kind: "int",
    default: "1000",
    min: 50,
    max: 60000,
    description: "How often each process looks for due scheduled jobs that no other process holds.",
  },
  METRICS_LISTEN: {
    kind: "string",
    default: "127.0.0.1:9464",
    description:
      "Address of the Prometheus `GET /metrics` listener, `host:port` (never the API's port; port 0 picks a free one), or `off`.",
  },
  METRICS_TOKEN: {
    kind: "string",
    default: undefined,
    description:
      "Bearer token `GET /metrics` requires when set (otherwise anyone who reaches the listener may read it).",
  },
  WEBHOOK_TIMEOUT_MS: {
    kind: "int",
    default: "10000",
    min: 100,
    max: 120000,
    description: "Give up on a webhook delivery attempt after this long (it is retried later).",
  },
  SMTP_COMMAND_TIMEOUT_MS: {
    kind: "int",
    default: "300000",
    min: 100,
    max: 3600000,
    description:
      "Wait for the reply to MAIL, RCPT and DATA, and for the relay to take each block of the message (RFC 5321 4.5.3.2: 5, 5, 2 and 3 minutes).",
  },
  SMTP_DATA_END_TIMEOUT_MS: {
    kind: "int",
    default: "600000",
    min: 100,
    max: 3600000,
    description:
      "Wait for the reply to the end of the message (RFC 5321 4.5.3.2.6: 10 minutes; giving up sooner risks sending it twice).",
  },
  HTTP_HEADERS_TIMEOUT_MS: {
    kind: "int",
    default: "30000",
    min: 1000,
    max: 600000,
    description: "A request whose headers take longer than this to arrive is cut off.",
  },
  SMTP_HANDSHAKE_TIMEOUT_MS: {
    kind: "int",
    default: "60000",
    min: 1000,
    max: 600000,
    description:
      "A client of Postbag's SMTP listeners (submission, sandbox) not logged in (submission) or not sending (sandbox) this long after connecting is cut off.",
  },
  BODY_MIN_BYTES_PER_SECOND: {
    kind: "int",
    default: "1024",
    min: 0,
    description:
      "A request body (HTTP) or message (SMTP DATA on Postbag's listeners) arriving slower than this, over any 10 s, is cut off (0: never).",
  },
  ALLOW_ADDRESS_LITERALS: {
    kind: "bool",
    default: "false",
    description: "Accept recipients written with an address literal (`user@[192.0.2.1]`); refused by default.",
  },
  RELAY_ALLOW_PLAINTEXT_AUTH: {
    kind: "bool",
    default: "false",
    description:
      "Send the relay's user and password without TLS when the relay offers no STARTTLS (never needed on loopback).",
  },
  DNS_SERVERS: {
    kind: "list",
    default: "",
    description:
      "Comma-separated DNS servers (`host` or `host:port`) asked when checking sending domains' records (default: the system's).",
  },
  DKIM_SELECTOR: {
    kind: "string",
    default: "postbag",
    description:
      "DKIM selector of the operator's sending domain: the record is published at `<selector>._domainkey.<domain>`.",
  },
  DKIM_KEY_FILE: {
    kind: "string",
    default: undefined,
    description:
      "PEM private key (RSA) that signs the operator domain's mail. Unset: one is generated into DATA_DIR (`dkim.key`) on first run.",
  },
  SPF_INCLUDE: {
    kind: "string",
    default: undefined,
    description:
      "SPF mechanism for the relay that sending domains are advised to publish, e.g. `include:spf.relay.example` (unset: no SPF advice).",
  },
  SUBMISSION_HOST: {
    kind: "string",
    default: "127.0.0.1",
    description: "Address the SMTP submission listener binds to (when SUBMISSION_PORT is set).",
  },
  SUBMISSION_PORT: {
    kind: "port",
    default: undefined,
    description: "Port of the SMTP submission listener for tenants' own software (unset: off; 0 picks a free one).",
  },
  SUBMISSION_SECURE: {
    kind: "string",
    default: "starttls",
    description:
      "`starttls` (plain connection upgraded with STARTTLS, usually port 587) or `implicit` (TLS from the start, port 465).",
  },
  SUBMISSION_TLS_CERT: {
    kind: "string",
    default: undefined,
    description: "PEM certificate chain file for SMTP submission. Without one, only loopback clients may AUTH.",
  },
  SUBMISSION_TLS_KEY: {
    kind: "string",
    default: undefined,
    description: "PEM private key file for SUBMISSION_TLS_CERT.",
  },
  SUBMISSION_CONNECTIONS_PER_KEY: {
    kind: "int",
    default: "10",
    min: 1,
    max: 1000,
    description: "SMTP submission connections one API key may hold open at once; more are refused with 421.",
  },
  SUBMISSION_AUTH_FAILURES: {
    kind: "int",
    default: "5",
    min: 1,
    max: 1000,
    description:
      "Failed SMTP AUTH attempts a client address may make in 15 minutes before it is delayed and refused with 421.",
  },
  TRUST_PROXY: {
    kind: "list",
    default: "",
    description:
      "Comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client; from anyone else it is ignored.",
  },
  REDIS_URL: {
    kind: "url",
    default: undefined,
    description: "`redis://[user:pass@]host:port[/db]`: keep rate-limit counters in Redis instead of the database.",
  },
  RATE_LIMIT_AUTH_FAILURES: {
    kind: "int",
    default: "20",
    min: 0,
    description:
      "Failed authentications (bad API key or session) a client address may make a minute, then 429; 0: no limit.",
  },
  RATE_LIMIT_PER_KEY: {
    kind: "int",
    default: "50",
    min: 0,
    description: "Requests a second per API key or session, averaged over 10 s so bursts pass, then 429; 0: no limit.",
  },
  SIGN_IN_ATTEMPTS: {
    kind: "int",
    default: "10",
    min: 1,
    description: "Wrong passwords per email address, and per client address, within SIGN_IN_WINDOW_MINUTES, then 429.",
  },
  SIGN_IN_WINDOW_MINUTES: {
    kind: "int",
    default: "15",
    min: 1,
    description: "The window SIGN_IN_ATTEMPTS counts in.",
  },
  SESSION_IDLE_MINUTES: {
    kind: "int",
    default: "120",
    min: 1,
    description: "A console session ends after this long without a request.",
  },
  SESSION_MAX_HOURS: {
    kind: "int",
    default: "24",
    min: 1,
    description: "A console session ends this long after sign-in, however active.",
  },
  OAUTH_MICROSOFT_CLIENT_ID: {
    kind: "string",
    default: undefined,
    description:
      "The operator's Microsoft Entra app registration: client id. With its secret, the settings wizard offers Connect for Microsoft 365.",
  },
  OAUTH_MICROSOFT_CLIENT_SECRET: {
    kind: "string",
    default: undefined,
    description: "Client secret of the Microsoft app registration.",
  },
  OAUTH_MICROSOFT_AUTHORIZE_URL: {
    kind: "url",
    default: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    description: "Microsoft's authorization endpoint (override for a national cloud or a test server).",
  },
  OAUTH_MICROSOFT_TOKEN_URL: {
    kind: "url",
    default: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    description: "Microsoft's token endpoint (https).",
  },
  OAUTH_GOOGLE_CLIENT_ID: {
    kind: "string",
    default: undefined,
    description:
      "The operator's Google Cloud OAuth client id. With its secret, the settings wizard offers Connect for Google Workspace and Gmail.",
  },
  OAUTH_GOOGLE_CLIENT_SECRET: {
    kind: "string",
    default: undefined,
    description: "Client secret of the Google OAuth client.",
  },
  OAUTH_GOOGLE_AUTHORIZE_URL: {
    kind: "url",
    default: "https://accounts.google.com/o/oauth2/v2/auth",
    description: "Google's authorization endpoint (override for a test server).",
  },
  OAUTH_GOOGLE_TOKEN_URL: {
    kind: "url",
    default: "https://oauth2.googleapis.com/token",
    description: "Google's token endpoint (https).",
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof settings;

export interface RelayConfig {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly pass: string | undefined;
}

export interface Config {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly publicUrl: string;
  /** Undefined in sandbox mode. */
  readonly relay: RelayConfig | undefined;
  readonly relayPoolSize: number;
  readonly relayTlsRejectUnauthorized: boolean;
  readonly smtpTimeoutMs: number;
  readonly sandboxSmtpPort: number;
  readonly secretKey: string;
  readonly senderDomain: string;
  readonly bounceDomain: string;
  readonly retry: { readonly baseMs: number; readonly maxMs: number; readonly lifetimeMs: number };
  readonly leaseMs: number;
  readonly workerConcurrency: number;
  readonly workerPollMs: number;
  readonly shutdownGraceMs: number;
  readonly delayedAfterMs: number;
  readonly maxMessageBytes: number;
  readonly maxRecipients: number;
  readonly logLevel: string;
  /** CIDR ranges or host names let through the outbound network policy (tests: loopback). */
  readonly outboundAllow: readonly string[];
  readonly outboundDeny: readonly string[];
  /** Absolute path of a PEM bundle, or undefined. */
  readonly extraCaFile: string | undefined;
  /** Validated `imap(s)://` URL, or undefined when the operator has no bounce mailbox. */
  readonly bounceMailboxUrl: string | undefined;
  readonly bounceMailboxPollMs: number;
  readonly inboundMaxBytes: number;
  readonly webhookTimeoutMs: number;
  readonly audienceSyncMaxBytes: number;
  readonly smtpCommandTimeoutMs: number;
  readonly smtpDataEndTimeoutMs: number;
  readonly httpHeadersTimeoutMs: number;
  readonly bodyMinBytesPerSecond: number;
  /** Postbag's SMTP listeners: connect to logged in (submission) or first MAIL FROM (sandbox). */
  readonly smtpHandshakeTimeoutMs: number;
  readonly allowAddressLiterals: boolean;
  readonly relayAllowPlaintextAuth: boolean;
  readonly jobLeaseMs: number;
  readonly schedulerPollMs: number;
  /** Where `GET /metrics` listens, or undefined when turned off. */
  readonly metricsListen: { readonly host: string; readonly port: number } | undefined;
  readonly metricsToken: string | undefined;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); empty: none. */
  readonly trustProxy: readonly string[];
  readonly redisUrl: string | undefined;
  /** Per client address a minute; 0: off. */
  readonly rateLimitAuthFailures: number;
  /** Requests a second per key or session; 0: off. */
  readonly rateLimitPerKey: number;
  readonly signInAttempts: number;
  readonly signInWindowMs: number;
  readonly sessionIdleMs: number;
  readonly sessionMaxMs: number;
  /** DNS servers for sending-domain checks as `host` or `host:port`; empty: the system's. */
  readonly dnsServers: readonly string[];
  readonly dkim: {
    readonly selector: string;
    /** Absolute path of the operator's DKIM key: the setting, or `DATA_DIR/dkim.key` (generated on first run). */
    readonly keyFile: string;
    /** True when POSTBAG_DKIM_KEY_FILE named the file (it is never generated then). */
    readonly keyFileGiven: boolean;
  };
  readonly spfInclude: string | undefined;
  /** SMTP submission; undefined when off (POSTBAG_SUBMISSION_PORT unset). */
  readonly submission: SubmissionConfig | undefined;
  /** OAuth2 providers the operator registered an app with; a provider left out offers no Connect. */
  readonly oauth: { readonly microsoft?: OAuthClientConfig; readonly google?: OAuthClientConfig };
}

/** The operator's app registration with one OAuth2 provider (the settings wizard's Connect). */
export interface OAuthClientConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
}

export interface SubmissionConfig {
  readonly host: string;
  readonly port: number;
  readonly secure: "starttls" | "implicit";
  /** Absolute paths of the PEM certificate and key, or undefined (then AUTH only from loopback). */
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly connectionsPerKey: number;
  readonly authFailures: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

// A URL's password is as secret as POSTBAG_SECRET_KEY: never echo it. Greedy up to the last "@",
// since an unencoded "@" or "/" in a password is exactly the kind of mistake being reported.
function redactPassword(value: string): string {
  return value.replace(/^([a-z][\w+.-]*:\/\/[^:@/]*:).*@/i, "$1***@");
}

function fail(name: string, value: string, why: string): never {
  throw new ConfigError(`POSTBAG_${name}=${JSON.stringify(redactPassword(value))} is invalid: ${why}`);
}

function decodeUserinfo(value: string, part: string): string | undefined {
  if (!part) return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    fail("RELAY_URL", value, "user or password has a malformed %-escape");
  }
}

function parseInteger(name: SettingName, value: string): number {
  const s: Setting = settings[name];
  if (!/^-?\d+$/.test(value.trim())) fail(name, value, "expected a whole number");
  const n = Number(value);
  if (s.kind === "port" && (n < 0 || n > 65535)) fail(name, value, "expected a port between 0 and 65535");
  if (s.min !== undefined && n < s.min) fail(name, value, `must be at least ${s.min}`);
  if (s.max !== undefined && n > s.max) fail(name, value, `must be at most ${s.max}`);
  return n;
}

function parseBool(name: SettingName, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  fail(name, value, "expected true or false");
}

function parseRelay(value: string): RelayConfig {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail("RELAY_URL", value, "not a URL; expected smtp://user:pass@host:port or smtps://…");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") fail("RELAY_URL", value, "scheme must be smtp or smtps");
  if (!url.hostname) fail("RELAY_URL", value, "missing host");
  const secure = url.protocol === "smtps:";
  return Object.freeze({
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    user: decodeUserinfo(value, url.username),
    pass: decodeUserinfo(value, url.password),
  });
}

function checkDatabaseUrl(value: string): string {
  if (value.startsWith("sqlite:")) {
    if (value.length <= "sqlite:".length) fail("DATABASE_URL", value, "sqlite: needs a file path");
    return value;
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
    } catch {
      fail("DATABASE_URL", value, "not a valid postgres:// URL");
    }
    return value;
  }
  fail("DATABASE_URL", value, "expected sqlite:PATH or postgres://…");
}

/** `host:port` (IPv6 in brackets: `[::1]:9464`), or `off`. */
function parseListen(name: SettingName, value: string): { host: string; port: number } | undefined {
  if (value.trim().toLowerCase() === "off") return undefined;
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/i.exec(value.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535) fail(name, value, "expected host:port (e.g. 127.0.0.1:9464) or off");
  return Object.freeze({ host: m[1] ?? m[2] ?? "", port });
}

function parseList(value: string | undefined): readonly string[] {
  return Object.freeze(
    (value ?? "")
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== ""),
  );
}

function checkMailboxUrl(name: SettingName, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(name, value, "not a URL; expected imap://user:pass@host:port/INBOX or imaps://…");
  }
  if (url.protocol !== "imap:" && url.protocol !== "imaps:") fail(name, value, "scheme must be imap or imaps");
  if (!url.hostname) fail(name, value, "missing host");
  return value;
}

function checkRedisUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail("REDIS_URL", value, "not a URL; expected redis://host:port");
  }
  if (url.protocol !== "redis:") fail("REDIS_URL", value, "scheme must be redis");
  if (!url.hostname) fail("REDIS_URL", value, "missing host");
  return value;
}

function checkHttpUrl(name: SettingName, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(name, value, "not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(name, value, "scheme must be http or https");
  return value.replace(/\/+$/, "");
}

/** Reads the secret key file from the data folder, creating it (0600) on first run. */
function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, "secret.key");
  if (existsSync(file)) {
    const key = readFileSync(file, "utf8").trim();
    if (key.length < 32) throw new ConfigError(`${file} holds a secret key shorter than 32 characters`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString("base64url");
  // Written to a temporary file and linked into place, so a second process starting at the
  // same moment either wins or reads the complete key of the one that did.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, `${key}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return loadOrCreateSecret(dataDir);
  } finally {
    unlinkSync(tmp);
  }
  return key;
}

/**
 * Parses `POSTBAG_*` variables into a frozen Config. Throws ConfigError naming the setting and
 * the value when one is wrong; unknown `POSTBAG_*` variables are refused too (a typo would
 * otherwise be silently ignored).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  for (const key of Object.keys(env)) {
    if (key.startsWith("POSTBAG_") && !(key.slice(8) in settings) && !key.startsWith("POSTBAG_TEST_")) {
      throw new ConfigError(`${key} is not a Postbag setting (see docs/configuration.md)`);
    }
  }
  const raw = (name: SettingName): string | undefined => {
    const v = env[`POSTBAG_${name}`];
    return v === undefined || v === "" ? settings[name].default : v;
  };
  const int = (name: SettingName): number => parseInteger(name, raw(name) ?? "");

  const dataDir = resolve(raw("DATA_DIR") ?? "./data");
  const dbRaw = raw("DATABASE_URL");
  const databaseUrl = dbRaw ? checkDatabaseUrl(dbRaw) : `sqlite:${join(dataDir, "postbag.db")}`;
  const httpHost = raw("HTTP_HOST") ?? "127.0.0.1";
  const httpPort = int("HTTP_PORT");
  const publicRaw = raw("PUBLIC_URL");
  const publicUrl = publicRaw ? checkHttpUrl("PUBLIC_URL", publicRaw) : `http://${httpHost}:${httpPort}`;
  const relayRaw = raw("RELAY_URL");
  const secretRaw = raw("SECRET_KEY");
  if (secretRaw !== undefined && secretRaw.length < 32)
    fail("SECRET_KEY", "<hidden>", "must be at least 32 characters");
  const senderRaw = raw("SENDER_DOMAIN") ?? "";
  if (!DOMAIN.test(senderRaw)) fail("SENDER_DOMAIN", senderRaw, "not a domain name");
  const senderDomain = senderRaw.toLowerCase();
  const bounceRaw = raw("BOUNCE_DOMAIN") ?? senderDomain;
  if (!DOMAIN.test(bounceRaw)) fail("BOUNCE_DOMAIN", bounceRaw, "not a domain name");
  const bounceDomain = bounceRaw.toLowerCase();
  const logLevel = raw("LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.has(logLevel)) fail("LOG_LEVEL", logLevel, `expected one of ${[...LOG_LEVELS].join(", ")}`);

  const extraCa = raw("EXTRA_CA_FILE");
  if (extraCa !== undefined && !existsSync(extraCa)) fail("EXTRA_CA_FILE", extraCa, "no such file");
  const bounceMailboxRaw = raw("BOUNCE_MAILBOX_URL");
  const dnsServers = parseList(raw("DNS_SERVERS"));
  for (const server of dnsServers) {
    // Node's resolver takes IP addresses only: `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:53`.
    const m = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(server) ?? /^([0-9.]+)(?::(\d{1,5}))?$/.exec(server);
    const host = m?.[1] ?? server;
    if (isIP(host) === 0 || Number(m?.[2] ?? 53) > 65535)
      fail("DNS_SERVERS", server, "expected an IP address, IP:port or [IPv6]:port");
  }
  const selector = raw("DKIM_SELECTOR") ?? "postbag";
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(selector))
    fail("DKIM_SELECTOR", selector, "expected a DNS label such as postbag or s2026");
  const dkimKeyRaw = raw("DKIM_KEY_FILE");
  if (dkimKeyRaw !== undefined && !existsSync(dkimKeyRaw)) fail("DKIM_KEY_FILE", dkimKeyRaw, "no such file");
  const spfInclude = raw("SPF_INCLUDE");
  if (spfInclude !== undefined && !/^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/.test(spfInclude))
    fail("SPF_INCLUDE", spfInclude, "expected SPF mechanisms such as include:spf.relay.example");
  const submissionPortRaw = raw("SUBMISSION_PORT");
  const submissionSecure = raw("SUBMISSION_SECURE") ?? "starttls";
  if (submissionSecure !== "starttls" && submissionSecure !== "implicit")
    fail("SUBMISSION_SECURE", submissionSecure, "expected starttls or implicit");
  const certRaw = raw("SUBMISSION_TLS_CERT");
  const keyRaw = raw("SUBMISSION_TLS_KEY");
  if (certRaw !== undefined && !existsSync(certRaw)) fail("SUBMISSION_TLS_CERT", certRaw, "no such file");
  if (keyRaw !== undefined && !existsSync(keyRaw)) fail("SUBMISSION_TLS_KEY", keyRaw, "no such file");
  if ((certRaw === undefined) !== (keyRaw === undefined))
    fail(
      certRaw ? "SUBMISSION_TLS_KEY" : "SUBMISSION_TLS_CERT",
      "",
      "set both SUBMISSION_TLS_CERT and SUBMISSION_TLS_KEY",
    );
  if (submissionPortRaw !== undefined && submissionSecure === "implicit" && certRaw === undefined)
    fail("SUBMISSION_SECURE", submissionSecure, "implicit TLS needs SUBMISSION_TLS_CERT and SUBMISSION_TLS_KEY");
  const redisRaw = raw("REDIS_URL");
  const metricsListen = parseListen("METRICS_LISTEN", raw("METRICS_LISTEN") ?? "off");
  if (metricsListen && metricsListen.port !== 0 && metricsListen.port === httpPort) {
    fail(
      "METRICS_LISTEN",
      `${metricsListen.host}:${metricsListen.port}`,
      "must not be the API's port (POSTBAG_HTTP_PORT)",
    );
  }

  const oauthClient = (provider: "MICROSOFT" | "GOOGLE"): OAuthClientConfig | undefined => {
    const id = raw(`OAUTH_${provider}_CLIENT_ID`);
    const secret = raw(`OAUTH_${provider}_CLIENT_SECRET`);
    if (id === undefined && secret === undefined) return undefined;
    if (id === undefined || secret === undefined) {
      fail(
        id === undefined ? `OAUTH_${provider}_CLIENT_ID` : `OAUTH_${provider}_CLIENT_SECRET`,
        "",
        `set both OAUTH_${provider}_CLIENT_ID and OAUTH_${provider}_CLIENT_SECRET`,
      );
    }
    const endpoint = (name: "AUTHORIZE_URL" | "TOKEN_URL"): string => {
      const setting = `OAUTH_${provider}_${name}` as const;
      const value = raw(setting) ?? "";
      const url = checkHttpUrl(setting, value);
      if (!url.startsWith("https:")) fail(setting, value, "must be an https:// URL");
      return url;
    };
    return Object.freeze({
      clientId: id,
      clientSecret: secret,
      authorizeUrl: endpoint("AUTHORIZE_URL"),
      tokenUrl: endpoint("TOKEN_URL"),
    });
  };
  const microsoft = oauthClient("MICROSOFT");
  const google = oauthClient("GOOGLE");

  const config: Config = {
    dataDir,
    databaseUrl,
    httpHost,
    httpPort,
    publicUrl,
    relay: relayRaw ? parseRelay(relayRaw) : undefined,
    relayPoolSize: int("RELAY_POOL_SIZE"),
    relayTlsRejectUnauthorized: parseBool("RELAY_TLS_REJECT_UNAUTHORIZED", raw("RELAY_TLS_REJECT_UNAUTHORIZED") ?? ""),
    smtpTimeoutMs: int("SMTP_TIMEOUT_MS"),
    sandboxSmtpPort: int("SANDBOX_SMTP_PORT"),
    secretKey: secretRaw ?? loadOrCreateSecret(dataDir),
    senderDomain,
    bounceDomain,
    retry: Object.freeze({
      baseMs: int("RETRY_BASE_SECONDS") * 1000,
      maxMs: int("RETRY_MAX_SECONDS") * 1000,
      lifetimeMs: int("RETRY_LIFETIME_SECONDS") * 1000,
    }),
    leaseMs: int("LEASE_SECONDS") * 1000,
    workerConcurrency: int("WORKER_CONCURRENCY"),
    workerPollMs: int("WORKER_POLL_MS"),
    shutdownGraceMs: int("SHUTDOWN_GRACE_MS"),
    delayedAfterMs: int("DELAYED_AFTER_MINUTES") * 60_000,
    maxMessageBytes: int("MAX_MESSAGE_BYTES"),
    maxRecipients: int("MAX_RECIPIENTS"),
    logLevel,
    outboundAllow: parseList(raw("OUTBOUND_ALLOW")),
    outboundDeny: parseList(raw("OUTBOUND_DENY")),
    extraCaFile: extraCa ? resolve(extraCa) : undefined,
    bounceMailboxUrl: bounceMailboxRaw ? checkMailboxUrl("BOUNCE_MAILBOX_URL", bounceMailboxRaw) : undefined,
    bounceMailboxPollMs: int("BOUNCE_MAILBOX_POLL_SECONDS") * 1000,
    inboundMaxBytes: int("INBOUND_MAX_BYTES"),
    webhookTimeoutMs: int("WEBHOOK_TIMEOUT_MS"),
    audienceSyncMaxBytes: int("AUDIENCE_SYNC_MAX_BYTES"),
    smtpCommandTimeoutMs: int("SMTP_COMMAND_TIMEOUT_MS"),
    smtpDataEndTimeoutMs: int("SMTP_DATA_END_TIMEOUT_MS"),
    httpHeadersTimeoutMs: int("HTTP_HEADERS_TIMEOUT_MS"),
    bodyMinBytesPerSecond: int("BODY_MIN_BYTES_PER_SECOND"),
    smtpHandshakeTimeoutMs: int("SMTP_HANDSHAKE_TIMEOUT_MS"),
    allowAddressLiterals: parseBool("ALLOW_ADDRESS_LITERALS", raw("ALLOW_ADDRESS_LITERALS") ?? ""),
    relayAllowPlaintextAuth: parseBool("RELAY_ALLOW_PLAINTEXT_AUTH", raw("RELAY_ALLOW_PLAINTEXT_AUTH") ?? ""),
    jobLeaseMs: int("JOB_LEASE_SECONDS") * 1000,
    schedulerPollMs: int("SCHEDULER_POLL_MS"),
    metricsListen,
    metricsToken: raw("METRICS_TOKEN"),
    trustProxy: parseList(raw("TRUST_PROXY")),
    redisUrl: redisRaw ? checkRedisUrl(redisRaw) : undefined,
    rateLimitAuthFailures: int("RATE_LIMIT_AUTH_FAILURES"),
    rateLimitPerKey: int("RATE_LIMIT_PER_KEY"),
    signInAttempts: int("SIGN_IN_ATTEMPTS"),
    signInWindowMs: int("SIGN_IN_WINDOW_MINUTES") * 60_000,
    sessionIdleMs: int("SESSION_IDLE_MINUTES") * 60_000,
    sessionMaxMs: int("SESSION_MAX_HOURS") * 3_600_000,
    dnsServers,
    dkim: Object.freeze({
      selector: selector.toLowerCase(),
      keyFile: dkimKeyRaw ? resolve(dkimKeyRaw) : join(dataDir, "dkim.key"),
      keyFileGiven: dkimKeyRaw !== undefined,
    }),
    spfInclude,
    submission:
      submissionPortRaw === undefined
        ? undefined
        : Object.freeze({
            host: raw("SUBMISSION_HOST") ?? "127.0.0.1",
            port: int("SUBMISSION_PORT"),
            secure: submissionSecure,
            tlsCertFile: certRaw ? resolve(certRaw) : undefined,
            tlsKeyFile: keyRaw ? resolve(keyRaw) : undefined,
            connectionsPerKey: int("SUBMISSION_CONNECTIONS_PER_KEY"),
            authFailures: int("SUBMISSION_AUTH_FAILURES"),
          }),
    oauth: Object.freeze({ ...(microsoft ? { microsoft } : {}), ...(google ? { google } : {}) }),
  };
  return Object.freeze(config);
}

/**
 * Freezes a Config that arrived as a structured clone (a worker thread's `workerData`), which
 * drops the freezing: the thread gets the parent's parsed settings without reading the
 * environment again.
 */
export function frozenConfig(config: Config): Config {
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The settings table in Markdown, for docs/configuration.md (`npx postbag config docs`). */
export function settingsMarkdown(): string {
  const rows = Object.entries(settings).map(
    ([name, s]: [string, Setting]) =>
      `| \`POSTBAG_${name}\` | ${s.kind} | ${s.default === undefined ? "—" : `\`${s.default}\``} | ${s.description} |`,
  );
  return ["| variable | type | default | description |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
