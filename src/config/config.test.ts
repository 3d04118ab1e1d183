import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, frozenConfig, loadConfig, settings, settingsMarkdown } from "./config.js";

const SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-0123";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "postbag-config-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An environment with a data folder of its own, plus `extra`. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { POSTBAG_DATA_DIR: tempDir(), POSTBAG_SECRET_KEY: SECRET, ...extra };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig defaults", () => {
  it("fills in every default from an environment with only the data folder", () => {
    const dataDir = tempDir();
    const config = loadConfig({ POSTBAG_DATA_DIR: dataDir, PATH: "/usr/bin", HOME: "/root" });
    expect(config).toMatchObject({
      dataDir,
      databaseUrl: `sqlite:${join(dataDir, "postbag.db")}`,
      httpHost: "127.0.0.1",
      httpPort: 8080,
      publicUrl: "http://127.0.0.1:8080",
      relay: undefined,
      relayPoolSize: 5,
      relayTlsRejectUnauthorized: true,
      smtpTimeoutMs: 300_000,
      sandboxSmtpPort: 2525,
      senderDomain: "postbag.localhost",
      bounceDomain: "postbag.localhost",
      retry: { baseMs: 300_000, maxMs: 3_600_000, lifetimeMs: 172_800_000 },
      leaseMs: 300_000,
      workerConcurrency: 100,
      workerPollMs: 250,
      shutdownGraceMs: 10_000,
      maxMessageBytes: 10_485_760,
      maxRecipients: 1000,
      logLevel: "info",
      smtpCommandTimeoutMs: 300_000,
      smtpDataEndTimeoutMs: 600_000,
      httpHeadersTimeoutMs: 30_000,
      bodyMinBytesPerSecond: 1024,
      allowAddressLiterals: false,
      relayAllowPlaintextAuth: false,
      jobLeaseMs: 60_000,
      schedulerPollMs: 1000,
      metricsListen: { host: "127.0.0.1", port: 9464 },
      metricsToken: undefined,
    });
    expect(config.secretKey.length).toBeGreaterThanOrEqual(32);
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig(env({ POSTBAG_HTTP_PORT: "", POSTBAG_RELAY_URL: "" }))).toMatchObject({
      httpPort: 8080,
      relay: undefined,
    });
  });

  it("reads explicit values", () => {
    const config = loadConfig(
      env({
        POSTBAG_DATABASE_URL: "postgres://postbag@db.internal:5432/postbag",
        POSTBAG_HTTP_PORT: "0",
        POSTBAG_PUBLIC_URL: "https://mail.example.org/",
        POSTBAG_SENDER_DOMAIN: "Mail.Example.ORG",
        POSTBAG_RELAY_TLS_REJECT_UNAUTHORIZED: "no",
        POSTBAG_RETRY_BASE_SECONDS: "60",
        POSTBAG_LOG_LEVEL: "debug",
        POSTBAG_TEST_ANYTHING: "ignored: POSTBAG_TEST_* belongs to the test suite",
      }),
    );
    expect(config).toMatchObject({
      databaseUrl: "postgres://postbag@db.internal:5432/postbag",
      httpPort: 0,
      publicUrl: "https://mail.example.org",
      senderDomain: "mail.example.org",
      bounceDomain: "mail.example.org",
      relayTlsRejectUnauthorized: false,
      logLevel: "debug",
    });
    expect(config.retry.baseMs).toBe(60_000);
  });

  it("returns a frozen config, nested parts included", () => {
    const config = loadConfig(env({ POSTBAG_RELAY_URL: "smtp://relay.example.org" }));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.retry)).toBe(true);
    expect(Object.isFrozen(config.relay)).toBe(true);
    expect(() => {
      (config as { httpPort: number }).httpPort = 1;
    }).toThrow(TypeError);
  });
});

describe("metrics listener", () => {
  it("is off with `off`, and takes IPv6 in brackets", () => {
    expect(loadConfig(env({ POSTBAG_METRICS_LISTEN: "off" })).metricsListen).toBeUndefined();
    expect(loadConfig(env({ POSTBAG_METRICS_LISTEN: "[::1]:9500" })).metricsListen).toEqual({
      host: "::1",
      port: 9500,
    });
    expect(loadConfig(env({ POSTBAG_METRICS_LISTEN: "0.0.0.0:0", POSTBAG_HTTP_PORT: "0" })).metricsListen).toEqual({
      host: "0.0.0.0",
      port: 0,
    });
  });
});

describe("frozenConfig", () => {
  it("freezes a structured clone (a worker thread's copy) again, nested parts included, unchanged", () => {
    const config = loadConfig(env({ POSTBAG_RELAY_URL: "smtp://u:p@relay.example.com:2525" }));
    const clone = structuredClone(config);
    expect(Object.isFrozen(clone)).toBe(false);
    const frozen = frozenConfig(clone);
    expect(frozen).toEqual(config);
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(Object.isFrozen(frozen.retry)).toBe(true);
    expect(Object.isFrozen(frozen.relay)).toBe(true);
  });
});

describe("loadConfig refuses a bad value, naming the setting and the value", () => {
  it.each([
    ["HTTP_PORT", "abc", "whole number"],
    ["HTTP_PORT", "70000", "between 0 and 65535"],
    ["HTTP_PORT", "-1", "between 0 and 65535"],
    ["SANDBOX_SMTP_PORT", "25.5", "whole number"],
    ["RELAY_URL", "http://x", "scheme must be smtp or smtps"],
    ["RELAY_URL", "not-a-url", "not a URL"],
    ["DATABASE_URL", "mysql://root@localhost/postbag", "sqlite:PATH or postgres"],
    ["DATABASE_URL", "sqlite:", "file path"],
    ["PUBLIC_URL", "ftp://example.org", "http or https"],
    ["LOG_LEVEL", "loud", "expected one of"],
    ["SENDER_DOMAIN", "not a domain", "not a domain name"],
    ["SENDER_DOMAIN", "Bad_Domain.Example", "not a domain name"],
    ["BOUNCE_DOMAIN", "-bounces.example.org", "not a domain name"],
    ["RELAY_POOL_SIZE", "0", "at least 1"],
    ["WORKER_CONCURRENCY", "10001", "at most 10000"],
    ["RELAY_TLS_REJECT_UNAUTHORIZED", "maybe", "true or false"],
    ["METRICS_LISTEN", "9464", "host:port"],
    ["METRICS_LISTEN", "127.0.0.1:99999", "host:port"],
    ["METRICS_LISTEN", "127.0.0.1:8080", "must not be the API's port"],
    ["JOB_LEASE_SECONDS", "0", "at least 1"],
  ])("POSTBAG_%s=%s", (name, value, why) => {
    const err = configError(() => loadConfig(env({ [`POSTBAG_${name}`]: value })));
    expect(err.message).toContain(`POSTBAG_${name}`);
    expect(err.message).toContain(JSON.stringify(value));
    expect(err.message).toContain(why);
  });

  it("names a short POSTBAG_SECRET_KEY without echoing it", () => {
    const short = "tooshort-but-quite-distinctive";
    const err = configError(() => loadConfig(env({ POSTBAG_SECRET_KEY: short })));
    expect(err.message).toContain("POSTBAG_SECRET_KEY");
    expect(err.message).toContain("32 characters");
    expect(err.message).not.toContain(short);
  });

  it("does not echo the password of a bad relay or database URL", () => {
    const relay = configError(() =>
      loadConfig(env({ POSTBAG_RELAY_URL: "http://mailer:hunter2hunter2@relay.example" })),
    );
    expect(relay.message).toContain("POSTBAG_RELAY_URL");
    expect(relay.message).toContain("mailer");
    expect(relay.message).not.toContain("hunter2");
    const db = configError(() => loadConfig(env({ POSTBAG_DATABASE_URL: "mysql://root:hunter2hunter2@db/postbag" })));
    expect(db.message).toContain("POSTBAG_DATABASE_URL");
    expect(db.message).not.toContain("hunter2");
  });

  it("refuses an unknown POSTBAG_ variable (a typo would otherwise be ignored)", () => {
    const err = configError(() => loadConfig(env({ POSTBAG_FOO: "1" })));
    expect(err.message).toContain("POSTBAG_FOO");
    expect(err.message).toContain("not a Postbag setting");
  });
});

describe("relay URL", () => {
  it("parses smtp:// with credentials, URL-decoding them", () => {
    const { relay } = loadConfig(
      env({ POSTBAG_RELAY_URL: "smtp://postbag%40example.org:p%40ss%3Aw%2Fo%25rd@smtp.example.org:2587" }),
    );
    expect(relay).toEqual({
      host: "smtp.example.org",
      port: 2587,
      secure: false,
      user: "postbag@example.org",
      pass: "p@ss:w/o%rd",
    });
  });

  it("defaults smtp:// to port 587 (STARTTLS) and smtps:// to 465", () => {
    expect(loadConfig(env({ POSTBAG_RELAY_URL: "smtp://relay.example.org" })).relay).toEqual({
      host: "relay.example.org",
      port: 587,
      secure: false,
      user: undefined,
      pass: undefined,
    });
    expect(loadConfig(env({ POSTBAG_RELAY_URL: "smtps://u:p@relay.example.org" })).relay).toMatchObject({
      port: 465,
      secure: true,
      user: "u",
      pass: "p",
    });
  });

  it("keeps an explicit port 25 and strips IPv6 brackets", () => {
    expect(loadConfig(env({ POSTBAG_RELAY_URL: "smtp://[::1]:25" })).relay).toMatchObject({ host: "::1", port: 25 });
  });

  it("refuses credentials with broken percent-encoding as a ConfigError", () => {
    const err = configError(() => loadConfig(env({ POSTBAG_RELAY_URL: "smtp://user:bad%zzpass@relay.example.org" })));
    expect(err.message).toContain("POSTBAG_RELAY_URL");
    expect(err.message).not.toContain("bad%zzpass");
  });
});

describe("generated secret key", () => {
  it("is created in DATA_DIR with mode 0600 on first load and reused on the next", () => {
    const dataDir = join(tempDir(), "nested", "data");
    const first = loadConfig({ POSTBAG_DATA_DIR: dataDir });
    const file = join(dataDir, "secret.key");
    expect(first.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, "utf8").trim()).toBe(first.secretKey);
    if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = loadConfig({ POSTBAG_DATA_DIR: dataDir });
    expect(second.secretKey).toBe(first.secretKey);
  });

  it("is not written when POSTBAG_SECRET_KEY is set", () => {
    const dataDir = tempDir();
    expect(loadConfig({ POSTBAG_DATA_DIR: dataDir, POSTBAG_SECRET_KEY: SECRET }).secretKey).toBe(SECRET);
    expect(() => statSync(join(dataDir, "secret.key"))).toThrow();
  });

  it("refuses a key file that is too short, without echoing it", () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "secret.key"), "short-key-xyz\n");
    const err = configError(() => loadConfig({ POSTBAG_DATA_DIR: dataDir }));
    expect(err.message).toContain("secret.key");
    expect(err.message).not.toContain("short-key-xyz");
  });
});

describe("settingsMarkdown", () => {
  it("lists every setting once", () => {
    const table = settingsMarkdown();
    for (const name of Object.keys(settings)) expect(table).toContain(`| \`POSTBAG_${name}\` |`);
  });
});

describe("OAuth2 providers for the settings wizard's Connect", () => {
  it("offers a provider only with both its client id and secret, with https endpoints", () => {
    expect(loadConfig(env()).oauth).toEqual({});
    const config = loadConfig(
      env({
        POSTBAG_OAUTH_GOOGLE_CLIENT_ID: "123.apps.googleusercontent.com",
        POSTBAG_OAUTH_GOOGLE_CLIENT_SECRET: "GOCSPX-secret",
      }),
    );
    expect(config.oauth).toEqual({
      google: {
        clientId: "123.apps.googleusercontent.com",
        clientSecret: "GOCSPX-secret",
        authorizeUrl: "https://accounts.google.com/o/oauth2/v2/auth",
        tokenUrl: "https://oauth2.googleapis.com/token",
      },
    });
    expect(Object.isFrozen(config.oauth.google)).toBe(true);
    const half = configError(() => loadConfig(env({ POSTBAG_OAUTH_MICROSOFT_CLIENT_ID: "abc" })));
    expect(half.message).toMatch(/POSTBAG_OAUTH_MICROSOFT_CLIENT_SECRET.*set both/);
    const plain = configError(() =>
      loadConfig(
        env({
          POSTBAG_OAUTH_MICROSOFT_CLIENT_ID: "abc",
          POSTBAG_OAUTH_MICROSOFT_CLIENT_SECRET: "def",
          POSTBAG_OAUTH_MICROSOFT_TOKEN_URL: "http://login.example/token",
        }),
      ),
    );
    expect(plain.message).toMatch(/POSTBAG_OAUTH_MICROSOFT_TOKEN_URL=.*must be an https/);
    // A secret never appears in a message.
    expect(plain.message).not.toContain("def");
  });
});
