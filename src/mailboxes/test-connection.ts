import { isIP, connect as netConnect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { ImapFlow } from "imapflow";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import type { AccountSecrets, ReceiveSettings, ServerSettings } from "../accounts/account-settings.js";
import type { NetworkPolicy } from "../network/network-policy.js";
import type { FetchedToken, RefreshGrant } from "../transports/oauth2.js";
import { xoauth2Login } from "../transports/smtp-transport.js";
import { Pop3Client, Pop3Error } from "./pop3-client.js";

/**
 * Test connection (docs/own-account.md): logs in to the tenant's sending and receiving servers the way
 * delivery and polling will, and answers a readable result per step. Saves nothing.
 *
 * SMTP: `dns` (the network policy's check) -> `connect` (TCP) -> `tls` (implicit TLS or
 * STARTTLS, greeting and EHLO) -> `auth` -> `send` (MAIL FROM the account's address, then RSET:
 * a server that refuses that sender says so here, and no message is sent). IMAP and POP3: `dns` -> `connect` -> `tls` ->
 * `login` -> `mailbox` (IMAP opens the folder read-only; POP3 asks STAT). After a failed step
 * the later ones are `skipped`. Connections go to the address the policy checked, with the
 * host name as the TLS server name, trusting the operator's extra CAs (`policy.secureContext`,
 * built once); STARTTLS is required whenever the settings say `starttls`, so no password is
 * ever sent without TLS.
 */
export type StepName = "dns" | "connect" | "tls" | "auth" | "send" | "login" | "mailbox";

export interface StepResult {
  readonly step: StepName;
  readonly status: "ok" | "failed" | "skipped";
  readonly ok: boolean;
  readonly message: string;
  /** Time the step took, whole milliseconds (0 when skipped). */
  readonly ms: number;
}

export interface ServerTest {
  readonly ok: boolean;
  readonly host: string;
  readonly port: number;
  readonly steps: readonly StepResult[];
}

export interface ConnectionTest {
  readonly ok: boolean;
  readonly smtp: ServerTest | null;
  readonly receive: (ServerTest & { readonly protocol: "imap" | "pop3" }) | null;
}

export interface TestConnectionDeps {
  readonly policy: NetworkPolicy;
  /** Limit for each network step. */
  readonly timeoutMs: number;
  /** Name given in EHLO. */
  readonly ehloName: string;
  /**
   * Trades a refresh token for an access token without storing anything: `fetchAccessToken`
   * of src/transports/oauth2.ts, bound to the policy in src/main. Without it an OAuth2 login
   * reports that it cannot be tested (the `auth`/`login` step fails with that reason).
   */
  readonly fetchAccessToken?: (grant: RefreshGrant) => Promise<FetchedToken>;
}

const UNAVAILABLE_TOKEN =
  "OAuth2 sign-in cannot be tested: this installation has no access-token fetcher wired (fetchAccessToken)";

class Steps {
  private readonly results: StepResult[] = [];
  private failed = false;

  get ok(): boolean {
    return !this.failed;
  }

  get list(): readonly StepResult[] {
    return this.results;
  }

  /** Runs `fn` unless an earlier step failed; its return value is the step's message. */
  async run<T>(step: StepName, fn: () => Promise<{ message: string; value: T }>): Promise<T | undefined> {
    if (this.failed) {
      this.results.push({ step, status: "skipped", ok: false, message: "skipped after an earlier step failed", ms: 0 });
      return undefined;
    }
    const started = performance.now();
    try {
      const { message, value } = await fn();
      this.results.push({ step, status: "ok", ok: true, message, ms: Math.round(performance.now() - started) });
      return value;
    } catch (err) {
      this.failed = true;
      this.results.push({
        step,
        status: "failed",
        ok: false,
        message: messageOf(err),
        ms: Math.round(performance.now() - started),
      });
      return undefined;
    }
  }

  /** Records a step that happened inside another (e.g. TLS inside an IMAP connect). */
  record(step: StepName, ok: boolean, message: string, ms: number): void {
    if (this.failed) {
      this.results.push({ step, status: "skipped", ok: false, message: "skipped after an earlier step failed", ms: 0 });
      return;
    }
    if (!ok) this.failed = true;
    this.results.push({ step, status: ok ? "ok" : "failed", ok, message, ms: Math.round(ms) });
  }

  /** Lists the steps that never ran (after a failure) as skipped, in order. */
  skipRest(steps: readonly StepName[]): void {
    for (const step of steps) {
      if (!this.results.some((r) => r.step === step)) {
        this.results.push({
          step,
          status: "skipped",
          ok: false,
          message: "skipped after an earlier step failed",
          ms: 0,
        });
      }
    }
  }
}

/** An expected failure with a message meant for the administrator. */
class StepFailure extends Error {}

interface ErrorShape {
  message?: string;
  code?: string;
  response?: string;
  responseText?: string;
  serverResponseCode?: string;
}

/** Words for the administrator: the server's reply where there is one, never a stack. */
function messageOf(err: unknown): string {
  if (err instanceof StepFailure || err instanceof Pop3Error) return err.message;
  const e = (err ?? {}) as ErrorShape;
  const reply = e.response ?? e.responseText;
  const base = e.message ?? String(err);
  const text = reply && !base.includes(reply) ? `${base}: ${reply}` : base;
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function tlsOptions(host: string, policy: NetworkPolicy) {
  return {
    ...(isIP(host) ? {} : { servername: host }),
    ...(policy.secureContext ? { secureContext: policy.secureContext } : {}),
    rejectUnauthorized: true,
    minVersion: "TLSv1.2" as const,
  };
}

async function checkDns(steps: Steps, host: string, policy: NetworkPolicy): Promise<string | undefined> {
  return steps.run("dns", async () => {
    const check = await policy.check(host);
    if (!check.ok) throw new StepFailure(check.reason);
    const address = check.addresses[0] as string;
    const shown = isIP(host) ? host : `${host} resolves to ${check.addresses.join(", ")}`;
    return { message: `${shown}; allowed`, value: address };
  });
}

function tcpConnect(address: string, port: number, host: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new StepFailure(`no connection to ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new StepFailure(`cannot connect to ${host}:${port} (${err.code ?? err.message})`));
    });
  });
}

async function tokenFor(
  deps: TestConnectionDeps,
  auth: Extract<ServerSettings["auth"], { method: "oauth2" }>,
  secrets: { clientSecret: string | undefined; refreshToken: string | undefined },
): Promise<string> {
  if (!deps.fetchAccessToken) throw new StepFailure(UNAVAILABLE_TOKEN);
  const answer = await deps.fetchAccessToken({
    provider: auth.provider,
    tokenUrl: auth.tokenUrl,
    clientId: auth.clientId,
    clientSecret: secrets.clientSecret,
    refreshToken: secrets.refreshToken,
    scope: auth.scope,
  });
  if (!answer.ok) throw new StepFailure(`the provider did not give an access token: ${answer.reason}`);
  return answer.accessToken;
}

/* ---------- SMTP ---------- */

export async function testSmtp(
  deps: TestConnectionDeps,
  server: ServerSettings,
  secrets: AccountSecrets,
  sender: string | null = null,
): Promise<ServerTest> {
  const steps = new Steps();
  const { host, port, security } = server;
  const address = await checkDns(steps, host, deps.policy);
  const socket =
    address === undefined
      ? undefined
      : await steps.run("connect", async () => ({
          message: `connected to ${host}:${port}`,
          value: await tcpConnect(address, port, host, deps.timeoutMs),
        }));
  let conn: SMTPConnection | undefined;
  try {
    if (socket) {
      conn = new SMTPConnection({
        connection: socket,
        host,
        port,
        secure: security === "tls",
        requireTLS: security === "starttls",
        ignoreTLS: security === "none",
        name: deps.ehloName,
        tls: tlsOptions(host, deps.policy),
        connectionTimeout: deps.timeoutMs,
        greetingTimeout: deps.timeoutMs,
        socketTimeout: deps.timeoutMs,
        logger: false,
      });
      const c = conn;
      c.on("error", () => {});
      await steps.run("tls", async () => {
        await new Promise<void>((resolve, reject) => {
          c.once("error", reject);
          c.connect(() => resolve());
        });
        const how = security === "tls" ? "TLS" : security === "starttls" ? "STARTTLS" : "no TLS (security none)";
        return { message: `${how}; the server is ready`, value: undefined };
      });
      await steps.run("auth", async () => {
        const auth = server.auth;
        if (auth.method === "password") {
          await login(c, { user: auth.user, pass: secrets.smtpPassword ?? "" });
        } else {
          const accessToken = await tokenFor(deps, auth, {
            clientSecret: secrets.smtpClientSecret,
            refreshToken: secrets.smtpRefreshToken,
          });
          await login(
            c,
            xoauth2Login(auth.user, async () => accessToken),
          );
        }
        return { message: `logged in as ${auth.user}`, value: undefined };
      });
      await steps.run("send", async () => {
        const from = sender ?? server.auth.user;
        const reply = await mailFrom(c, from);
        await new Promise<void>((resolve, reject) => c.reset((err) => (err ? reject(err) : resolve())));
        return { message: `the server accepts ${from} as the sender (${reply}); nothing was sent`, value: undefined };
      });
    }
  } finally {
    if (conn) {
      try {
        conn.quit();
      } catch {
        conn.close();
      }
    } else socket?.destroy();
  }
  steps.skipRest(["dns", "connect", "tls", "auth", "send"]);
  return { ok: steps.ok, host, port, steps: steps.list };
}

/**
 * MAIL FROM alone. Nodemailer's SMTPConnection has no public call for it (`send` needs
 * recipients and a message), so this uses its command queue (`_sendCommand` and
 * `_responseActions`, stable since Nodemailer 1): one command, one reply line.
 */
function mailFrom(conn: SMTPConnection, address: string): Promise<string> {
  const internals = conn as unknown as {
    _sendCommand(command: string): void;
    _responseActions: ((reply: string) => void)[];
  };
  return new Promise((resolve, reject) => {
    internals._responseActions.push((reply: string) => {
      if (/^2/.test(reply)) resolve(reply.trim());
      else reject(new StepFailure(`the server refused the sender ${address}: ${reply.trim()}`));
    });
    internals._sendCommand(`MAIL FROM:<${address}>`);
  });
}

function login(
  conn: SMTPConnection,
  auth: SMTPConnection.AuthenticationCredentials | SMTPConnection.AuthenticationOAuth2,
): Promise<void> {
  return new Promise((resolve, reject) => {
    conn.login(auth, (err) => (err ? reject(err) : resolve()));
  });
}

/* ---------- IMAP ---------- */

interface ImapErrorShape {
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  code?: string;
  message?: string;
  responseText?: string;
  response?: string;
}

function isTlsError(err: ImapErrorShape): boolean {
  return (
    err.tlsFailed === true ||
    /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(err.code ?? "") ||
    /STARTTLS|certificate|TLS|SSL/i.test(err.message ?? "")
  );
}

export async function testImap(
  deps: TestConnectionDeps,
  server: ReceiveSettings,
  secrets: AccountSecrets,
): Promise<ServerTest> {
  const steps = new Steps();
  const { host, port, security } = server;
  const address = await checkDns(steps, host, deps.policy);
  if (address !== undefined) {
    // The TCP step on its own socket (imapflow connects, secures and logs in in one call).
    const probe = await steps.run("connect", async () => ({
      message: `connected to ${host}:${port}`,
      value: await tcpConnect(address, port, host, deps.timeoutMs),
    }));
    probe?.destroy();
  }
  if (steps.ok) {
    const auth = server.auth;
    let credentials: { user: string; pass: string } | { user: string; accessToken: string } | undefined;
    if (auth.method === "password") credentials = { user: auth.user, pass: secrets.receivePassword ?? "" };
    else {
      const started = performance.now();
      try {
        const accessToken = await tokenFor(deps, auth, {
          clientSecret: secrets.receiveClientSecret,
          refreshToken: secrets.receiveRefreshToken,
        });
        credentials = { user: auth.user, accessToken };
      } catch (err) {
        steps.record("tls", true, "not reached: no access token", 0);
        steps.record("login", false, messageOf(err), performance.now() - started);
      }
    }
    if (credentials) {
      const client = new ImapFlow({
        host: address,
        port,
        secure: security === "tls",
        doSTARTTLS: security === "starttls" ? true : security === "none" ? false : undefined,
        ...(isIP(host) ? {} : { servername: host }),
        tls: tlsOptions(host, deps.policy),
        auth: credentials,
        logger: false,
        disableAutoIdle: true,
        connectionTimeout: deps.timeoutMs,
        greetingTimeout: deps.timeoutMs,
        socketTimeout: deps.timeoutMs,
      });
      client.on("error", () => {});
      const started = performance.now();
      try {
        await client.connect();
        const how = security === "tls" ? "TLS" : security === "starttls" ? "STARTTLS" : "no TLS (security none)";
        steps.record("tls", true, `${how}; the server is ready`, performance.now() - started);
        steps.record("login", true, `logged in as ${auth.user}`, 0);
        await steps.run("mailbox", async () => {
          const box = await client.mailboxOpen(server.mailbox, { readOnly: true });
          return {
            message: `opened ${server.mailbox}: ${box.exists} message${box.exists === 1 ? "" : "s"}`,
            value: undefined,
          };
        });
      } catch (err) {
        const e = err as ImapErrorShape;
        const ms = performance.now() - started;
        if (e.authenticationFailed) {
          steps.record("tls", true, "the server is ready", ms);
          steps.record(
            "login",
            false,
            `login refused: ${e.responseText ?? e.response ?? e.message ?? "authentication failed"}`,
            0,
          );
        } else if (!steps.list.some((s) => s.step === "tls")) {
          steps.record("tls", false, isTlsError(e) ? `TLS failed: ${messageOf(err)}` : messageOf(err), ms);
        }
      } finally {
        try {
          await client.logout();
        } catch {
          client.close();
        }
      }
    }
  }
  steps.skipRest(["dns", "connect", "tls", "login", "mailbox"]);
  return { ok: steps.ok, host, port, steps: steps.list };
}

/* ---------- POP3 ---------- */

export async function testPop3(
  deps: TestConnectionDeps,
  server: ReceiveSettings,
  secrets: AccountSecrets,
): Promise<ServerTest> {
  const steps = new Steps();
  const { host, port, security } = server;
  const address = await checkDns(steps, host, deps.policy);
  if (address !== undefined) {
    let started = performance.now();
    let client: Pop3Client | undefined;
    let connected = false;
    try {
      client = await Pop3Client.connect({
        host,
        address,
        port,
        security,
        ...(deps.policy.secureContext ? { secureContext: deps.policy.secureContext } : {}),
        timeoutMs: deps.timeoutMs,
        onProgress: (event) => {
          if (event === "connected") {
            connected = true;
            steps.record("connect", true, `connected to ${host}:${port}`, performance.now() - started);
            started = performance.now();
          }
        },
      });
      const how = security === "tls" ? "TLS" : security === "starttls" ? "STLS" : "no TLS (security none)";
      steps.record("tls", true, `${how}; the server is ready`, performance.now() - started);
    } catch (err) {
      const ms = performance.now() - started;
      if (!connected) steps.record("connect", false, messageOf(err), ms);
      else steps.record("tls", false, messageOf(err), ms);
    }
    const c = client;
    if (c) {
      try {
        await steps.run("login", async () => {
          const auth = server.auth;
          if (auth.method === "password") await c.login(auth.user, secrets.receivePassword ?? "");
          else {
            const token = await tokenFor(deps, auth, {
              clientSecret: secrets.receiveClientSecret,
              refreshToken: secrets.receiveRefreshToken,
            });
            await c.loginXoauth2(auth.user, token);
          }
          return { message: `logged in as ${auth.user}`, value: undefined };
        });
        await steps.run("mailbox", async () => {
          const stat = await c.stat();
          return {
            message: `${stat.count} message${stat.count === 1 ? "" : "s"} (${stat.size} bytes) in the mailbox`,
            value: undefined,
          };
        });
      } finally {
        try {
          await c.quit();
        } catch {
          c.close();
        }
      }
    }
  }
  steps.skipRest(["dns", "connect", "tls", "login", "mailbox"]);
  return { ok: steps.ok, host, port, steps: steps.list };
}

/** Tests whichever servers are given (both may be), concurrently. */
export async function testConnection(
  deps: TestConnectionDeps,
  servers: {
    readonly smtp: ServerSettings | null;
    readonly receive: ReceiveSettings | null;
    /** The envelope sender the `send` step offers (the account's address); default the SMTP login. */
    readonly sender?: string | null;
  },
  secrets: AccountSecrets,
): Promise<ConnectionTest> {
  const [smtp, receive] = await Promise.all([
    servers.smtp ? testSmtp(deps, servers.smtp, secrets, servers.sender ?? null) : null,
    servers.receive
      ? (servers.receive.protocol === "imap" ? testImap : testPop3)(deps, servers.receive, secrets).then((r) => ({
          ...r,
          protocol: servers.receive?.protocol ?? "imap",
        }))
      : null,
  ]);
  return { ok: (smtp?.ok ?? true) && (receive?.ok ?? true) && (smtp !== null || receive !== null), smtp, receive };
}
