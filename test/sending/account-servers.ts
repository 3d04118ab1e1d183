import { EventEmitter, once } from "node:events";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerDataStream } from "smtp-server";
import {
  type AccountSecrets,
  type AccountSettings,
  DEFAULT_SCHEDULE,
  type SendingSchedule,
  type ServerSettings,
  saveAccount,
} from "../../src/accounts/account-settings.js";
import type { Database } from "../../src/db/database.js";
import { createNetworkPolicy, type NetworkPolicy } from "../../src/network/network-policy.js";
import type { Clock } from "../../src/time/clock.js";
import { TenantTransports } from "../../src/transports/tenant-transports.js";
import { SECRET_KEY, SENDER_DOMAIN, silentLogger } from "../support/delivery.js";

/**
 * Test doubles that are real servers: a tenant's mail server (smtp-server with AUTH PLAIN, LOGIN
 * and XOAUTH2, STARTTLS or implicit TLS with a self-signed certificate made by openssl) and an
 * OAuth2 token endpoint over HTTPS standing in for Microsoft's or Google's (the one third-party
 * HTTP API the suite may simulate).
 */
export { makeCert, type TestCert } from "../support/test-cert.js";

import type { TestCert } from "../support/test-cert.js";

/** The policy the tests run under: loopback let through explicitly, the test CA trusted. */
export function testPolicy(cert: TestCert, allowLoopback = true): NetworkPolicy {
  return createNetworkPolicy({
    outboundAllow: allowLoopback ? ["127.0.0.1/32", "::1/128"] : [],
    outboundDeny: [],
    extraCaFile: cert.certFile,
  });
}

export interface AuthAttempt {
  readonly method: string;
  readonly user: string;
  /** Whether the session was encrypted when the credentials arrived. */
  readonly secure: boolean;
  readonly ok: boolean;
  readonly token?: string;
}

export interface AccountMessage {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly raw: Buffer;
  readonly receivedAt: number;
  readonly secure: boolean;
}

export interface AccountServer {
  readonly host: string;
  readonly port: number;
  readonly messages: AccountMessage[];
  readonly auths: AuthAttempt[];
  /** Access tokens the server accepts (the token endpoint adds what it issues). */
  readonly validTokens: Set<string>;
  /** Resolves once at least `count` messages arrived. */
  waitForMessages(count: number): Promise<AccountMessage[]>;
  close(): Promise<void>;
}

export interface AccountServerOptions {
  readonly security: "none" | "starttls" | "tls";
  /** With `starttls`: offer STARTTLS (default true). */
  readonly offerStarttls?: boolean;
  readonly user: string;
  readonly password?: string;
  /** Reply to a refused XOAUTH2 token with Google's 334 error challenge instead of a direct 535. */
  readonly xoauth2Challenge?: boolean;
  /** Take mail without a login (a relay that trusts the sending server). */
  readonly authOptional?: boolean;
  /** Asks the authorization server whether an XOAUTH2 token is valid for the user (instead of `validTokens`). */
  readonly checkToken?: (user: string, token: string) => Promise<boolean>;
}

export async function startAccountServer(cert: TestCert, options: AccountServerOptions): Promise<AccountServer> {
  const messages: AccountMessage[] = [];
  const auths: AuthAttempt[] = [];
  const validTokens = new Set<string>();
  const arrived = new EventEmitter();
  const disabled: string[] = [];
  if (options.security === "none" || options.security === "tls" || options.offerStarttls === false) {
    disabled.push("STARTTLS");
  }
  const server = new SMTPServer({
    logger: false,
    secure: options.security === "tls",
    key: cert.key,
    cert: cert.cert,
    disabledCommands: disabled,
    authMethods: ["PLAIN", "LOGIN", "XOAUTH2"],
    // Accept AUTH in clear so a test can see whether the client ever sent it that way.
    allowInsecureAuth: true,
    authOptional: options.authOptional === true,
    hideENHANCEDSTATUSCODES: true,
    onAuth(auth, session, callback) {
      const secure = session.secure;
      if (auth.method === "XOAUTH2") {
        const token = auth.accessToken ?? "";
        const decide = (valid: boolean) => {
          const ok = auth.username === options.user && valid;
          auths.push({ method: "XOAUTH2", user: auth.username ?? "", secure, ok, token });
          if (ok) return callback(null, { user: auth.username });
          if (options.xoauth2Challenge) return callback(null, { data: { status: "401", schemes: "bearer" } });
          return callback(Object.assign(new Error("5.7.3 Authentication unsuccessful"), { responseCode: 535 }));
        };
        if (options.checkToken) {
          options.checkToken(auth.username ?? "", token).then(decide, () => decide(false));
          return;
        }
        return decide(validTokens.has(token));
      }
      const ok = auth.username === options.user && options.password !== undefined && auth.password === options.password;
      auths.push({ method: auth.method, user: auth.username ?? "", secure, ok });
      if (ok) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        messages.push({
          mailFrom: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          receivedAt: Date.now(),
          secure: session.secure,
        });
        arrived.emit("message");
        callback(null, "2.0.0 Ok: queued");
      });
    },
  });
  server.on("error", () => {});
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  return {
    host: "127.0.0.1",
    port,
    messages,
    auths,
    validTokens,
    waitForMessages: (count) =>
      new Promise((resolve) => {
        const check = () => {
          if (messages.length < count) return;
          arrived.off("message", check);
          resolve(messages);
        };
        arrived.on("message", check);
        check();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TokenRequest {
  readonly grantType: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly at: number;
}

export interface TokenEndpoint {
  readonly url: string;
  readonly requests: TokenRequest[];
  /** Refresh tokens the provider accepts; any other gets `invalid_grant`. */
  readonly refreshTokens: Set<string>;
  /** Lifetime of the tokens issued, seconds. */
  expiresIn: number;
  /** Return a new refresh token with each answer (rotation), replacing the one used. */
  rotate: boolean;
  close(): Promise<void>;
}

/** A local HTTPS OAuth2 token endpoint (RFC 6749 refresh grant) that feeds `server.validTokens`. */
export async function startTokenEndpoint(cert: TestCert, accepts: Set<string>): Promise<TokenEndpoint> {
  const requests: TokenRequest[] = [];
  const refreshTokens = new Set<string>(["refresh-1"]);
  let issued = 0;
  const state = { expiresIn: 3600, rotate: false };
  const server: Server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const request: TokenRequest = {
        grantType: form.get("grant_type") ?? "",
        clientId: form.get("client_id") ?? "",
        clientSecret: form.get("client_secret") ?? "",
        refreshToken: form.get("refresh_token") ?? "",
        at: Date.now(),
      };
      requests.push(request);
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST" || req.url !== "/token" || request.grantType !== "refresh_token") {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: "unsupported_grant_type" }));
        return;
      }
      if (request.clientId !== "client-1" || request.clientSecret !== "client-secret") {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: "invalid_client" }));
        return;
      }
      if (!refreshTokens.has(request.refreshToken)) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: "invalid_grant", error_description: "AADSTS70000: token revoked" }));
        return;
      }
      issued++;
      const accessToken = `access-${issued}-${Math.random().toString(36).slice(2)}`;
      accepts.add(accessToken);
      const body: Record<string, unknown> = {
        token_type: "Bearer",
        access_token: accessToken,
        expires_in: state.expiresIn,
      };
      if (state.rotate) {
        refreshTokens.delete(request.refreshToken);
        const next = `refresh-rotated-${issued}`;
        refreshTokens.add(next);
        body.refresh_token = next;
      }
      res.end(JSON.stringify(body));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}/token`,
    requests,
    refreshTokens,
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(v: number) {
      state.expiresIn = v;
    },
    get rotate() {
      return state.rotate;
    },
    set rotate(v: boolean) {
      state.rotate = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const ACCOUNT_ADDRESS = "office@practice.example";

/** Own-account settings pointing at a test server; `saveAccount` as the wizard's Finish would. */
export function accountSettings(
  smtp: Pick<ServerSettings, "host" | "port" | "security"> & { auth?: ServerSettings["auth"] },
  schedule: Partial<SendingSchedule> = {},
): AccountSettings {
  return {
    mode: "own_account",
    fromAddress: ACCOUNT_ADDRESS,
    fromName: "The Practice",
    smtp: {
      host: smtp.host,
      port: smtp.port,
      security: smtp.security,
      auth: smtp.auth ?? { method: "password", user: ACCOUNT_ADDRESS },
    },
    receive: null,
    schedule: { ...DEFAULT_SCHEDULE, ...schedule },
    attachments: { maxBytes: 10_000_000, blockedExtensions: [] },
  };
}

export function oauthAuth(tokenUrl: string): ServerSettings["auth"] {
  return {
    method: "oauth2",
    provider: "microsoft",
    user: ACCOUNT_ADDRESS,
    clientId: "client-1",
    tokenUrl,
    scope: "https://outlook.office.com/SMTP.Send offline_access",
  };
}

export async function saveOwnAccount(
  database: Database,
  tenantId: string,
  settings: AccountSettings,
  secrets: AccountSecrets,
  at: number,
): Promise<number> {
  return database.db.transaction().execute((tx) => saveAccount(tx, SECRET_KEY, tenantId, settings, secrets, at, null));
}

export function newTenantTransports(database: Database, clock: Clock, policy: NetworkPolicy): TenantTransports {
  return new TenantTransports({
    database,
    clock,
    policy,
    secretKey: SECRET_KEY,
    notices: { senderDomain: SENDER_DOMAIN, publicUrl: "http://postbag.test" },
    logger: silentLogger,
    timeoutMs: 5_000,
    name: SENDER_DOMAIN,
  });
}
