import { createHash } from "node:crypto";
import { request } from "node:https";
import { Type } from "typebox";
import type { AccountSecrets, OAuthProvider, StoredAccount } from "../accounts/account-settings.js";
import { type NoticeSender, prepareNotice, queueNotice } from "../credits/notices.js";
import type { Database, Tx } from "../db/database.js";
import { jsonCodec } from "../db/json-codec.js";
import { isValidEmail } from "../email/address.js";
import type { NetworkPolicy } from "../network/network-policy.js";
import { open, seal } from "../tenants/secret-box.js";
import { type Clock, systemClock } from "../time/clock.js";

/**
 * OAuth2 access tokens for XOAUTH2 logins to a tenant's own mailbox (Microsoft 365, Google).
 * The account's settings hold the client id, the token endpoint and (sealed) the client secret
 * and refresh token; this module trades the refresh token for short-lived access tokens at the
 * provider's token endpoint and keeps them in `oauth_tokens`, sealed, so every worker and
 * poller shares them instead of each asking the provider.
 *
 * One `oauth_tokens` row per tenant: its sealed `access_token` column holds the state of both
 * logins (`smtp` for sending, `receive` for IMAP/POP3), since the two may use different grants.
 * `expires_at` mirrors the sending token's expiry, and `revoked_at`/`revoked_reason` are set
 * when the provider refused the sending refresh token: the send gate holds the tenant's mail
 * while they are set for the current settings version. A state written for an older settings
 * version is ignored (new settings, new grant), except a rotated refresh token that replaced
 * the very token the new settings still carry.
 */
export type OAuthLogin = "smtp" | "receive";

export interface OAuthDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly policy: NetworkPolicy;
  readonly secretKey: string;
  /** Where the "sign-in revoked" notice to administrators comes from. */
  readonly notices: NoticeSender;
  /** Token endpoint request timeout (default 15 s). */
  readonly timeoutMs?: number;
}

export type AccessTokenResult =
  | { readonly ok: true; readonly accessToken: string; readonly user: string; readonly expiresAt: number }
  /**
   * `revoked`: the provider refused the refresh token (`invalid_grant`); nothing works until the
   * tenant saves new settings. Otherwise a temporary failure (network, provider error): retry later.
   */
  | { readonly ok: false; readonly revoked: boolean; readonly reason: string };

/** A token this close to its expiry is refreshed before use. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

interface LoginState {
  accessToken?: string;
  expiresAt?: number;
  /** A refresh token the provider rotated in, and a hash of the one it replaced. */
  rotatedRefreshToken?: string;
  rotatedFrom?: string;
  revokedAt?: number;
  revokedReason?: string;
}

type TokenState = Partial<Record<OAuthLogin, LoginState>>;

const LoginStateSchema = Type.Object({
  accessToken: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.Number()),
  rotatedRefreshToken: Type.Optional(Type.String()),
  rotatedFrom: Type.Optional(Type.String()),
  revokedAt: Type.Optional(Type.Number()),
  revokedReason: Type.Optional(Type.String()),
});

/**
 * `oauth_tokens.access_token`, once unsealed: each login's tokens and state, checked on every
 * read (see db/json-codec.ts). It may hold a refresh token the provider rotated in, so a state
 * that lost its shape is an error, not a fresh start.
 */
const tokenStateColumn = jsonCodec(
  "oauth_tokens.access_token",
  Type.Object({ smtp: Type.Optional(LoginStateSchema), receive: Type.Optional(LoginStateSchema) }),
);

interface StoredState {
  readonly version: number;
  readonly state: TokenState;
}

function contextOf(tenantId: string): string {
  return `oauth:${tenantId}`;
}

function hashOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function secretsFor(secrets: AccountSecrets, which: OAuthLogin) {
  return which === "smtp"
    ? { clientSecret: secrets.smtpClientSecret, refreshToken: secrets.smtpRefreshToken }
    : { clientSecret: secrets.receiveClientSecret, refreshToken: secrets.receiveRefreshToken };
}

async function readState(deps: OAuthDeps, db: Database["db"] | Tx, tenantId: string, lock: boolean) {
  let q = db.selectFrom("oauth_tokens").selectAll().where("tenant_id", "=", tenantId);
  if (lock && deps.database.dialect === "postgres") q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) return null;
  let state: TokenState = {};
  if (row.access_token) {
    let text: string | undefined;
    try {
      text = open(deps.secretKey, contextOf(tenantId), row.access_token);
    } catch {
      // Sealed under another key (the secret key was changed): start afresh from the settings.
    }
    if (text !== undefined) state = tokenStateColumn.decode(text);
  }
  return { version: row.settings_version, state } satisfies StoredState;
}

/** The state that applies to `account`: an older version's tokens do not. */
function currentEntry(stored: StoredState | null, account: StoredAccount, which: OAuthLogin, refreshToken: string) {
  const entry = stored?.state[which];
  if (!stored || !entry) return {};
  if (stored.version === account.version) return entry;
  // New settings: only a rotated refresh token still carries over, if it replaced the one saved.
  if (entry.rotatedRefreshToken && entry.rotatedFrom === hashOf(refreshToken)) {
    return { rotatedRefreshToken: entry.rotatedRefreshToken, rotatedFrom: entry.rotatedFrom };
  }
  return {};
}

/**
 * An access token for the account's `smtp` or `receive` login, for XOAUTH2 (SMTP, IMAP, POP3).
 * Answers from the shared cache unless the token is within `REFRESH_MARGIN_MS` of expiry or
 * `forceRefresh` is set (after the server refused the token: call it once, then give up).
 * Never throws for a provider or network failure; they are values.
 */
export async function accessTokenFor(
  deps: OAuthDeps,
  account: StoredAccount,
  which: OAuthLogin,
  options: { readonly forceRefresh?: boolean } = {},
): Promise<AccessTokenResult> {
  const server = which === "smtp" ? account.settings.smtp : account.settings.receive;
  if (server?.auth.method !== "oauth2") {
    return { ok: false, revoked: false, reason: `the ${which} login does not use OAuth2` };
  }
  const auth = server.auth;
  const { clientSecret, refreshToken } = secretsFor(account.secrets, which);
  if (!refreshToken) return { ok: false, revoked: true, reason: "no refresh token is saved for this account" };
  const now = deps.clock.now();
  const stored = await readState(deps, deps.database.db, account.tenantId, false);
  const entry = currentEntry(stored, account, which, refreshToken);
  if (entry.revokedAt !== undefined) {
    return { ok: false, revoked: true, reason: entry.revokedReason ?? "the provider revoked the sign-in" };
  }
  if (
    !options.forceRefresh &&
    entry.accessToken &&
    entry.expiresAt !== undefined &&
    entry.expiresAt - REFRESH_MARGIN_MS > now
  ) {
    return { ok: true, accessToken: entry.accessToken, user: auth.user, expiresAt: entry.expiresAt };
  }
  const usedRefresh = entry.rotatedRefreshToken ?? refreshToken;
  const answer = await fetchAccessToken(
    {
      provider: auth.provider,
      tokenUrl: auth.tokenUrl,
      clientId: auth.clientId,
      clientSecret,
      refreshToken: usedRefresh,
      scope: auth.scope,
    },
    deps,
  );
  const at = deps.clock.now();
  if (!answer.ok) {
    if (answer.revoked) await recordRevoked(deps, account, which, at, answer.reason);
    return answer;
  }
  const next: LoginState = {
    accessToken: answer.accessToken,
    expiresAt: answer.expiresAt,
    ...(answer.refreshToken && answer.refreshToken !== usedRefresh
      ? { rotatedRefreshToken: answer.refreshToken, rotatedFrom: hashOf(refreshToken) }
      : entry.rotatedRefreshToken
        ? { rotatedRefreshToken: entry.rotatedRefreshToken, rotatedFrom: entry.rotatedFrom ?? "" }
        : {}),
  };
  await writeState(deps, account, which, next, at);
  return { ok: true, accessToken: answer.accessToken, user: auth.user, expiresAt: answer.expiresAt };
}

/**
 * Merges one login's state into the row under a lock (both logins share the row), unless the
 * row already belongs to newer settings than the account this worker loaded.
 * Returns the login's state before the change (for the once-per-revocation notice).
 */
async function updateState(
  deps: OAuthDeps,
  tx: Tx,
  account: StoredAccount,
  which: OAuthLogin,
  entry: LoginState,
  at: number,
): Promise<{ written: boolean; before: LoginState | undefined }> {
  // The row must exist to be locked: two workers that both find it missing would otherwise
  // both believe they made the first change (and both tell the administrators).
  await tx
    .insertInto("oauth_tokens")
    .values({ tenant_id: account.tenantId, settings_version: 0, updated_at: at })
    .onConflict((oc) => oc.column("tenant_id").doNothing())
    .execute();
  const stored = await readState(deps, tx, account.tenantId, true);
  if (stored && stored.version > account.version) return { written: false, before: undefined };
  const same = stored?.version === account.version;
  const state: TokenState = same ? { ...stored.state } : {};
  const before = same ? stored.state[which] : undefined;
  state[which] = entry;
  const sealed = seal(deps.secretKey, contextOf(account.tenantId), tokenStateColumn.encode(state));
  const sending = state.smtp;
  const values = {
    settings_version: account.version,
    access_token: sealed,
    refresh_token: null,
    expires_at: sending?.expiresAt ?? null,
    revoked_at: sending?.revokedAt ?? null,
    revoked_reason: sending?.revokedReason ?? null,
    updated_at: at,
  };
  await tx
    .insertInto("oauth_tokens")
    .values({ tenant_id: account.tenantId, ...values })
    .onConflict((oc) => oc.column("tenant_id").doUpdateSet(values))
    .execute();
  return { written: true, before };
}

async function writeState(deps: OAuthDeps, account: StoredAccount, which: OAuthLogin, entry: LoginState, at: number) {
  await deps.database.db.transaction().execute((tx) => updateState(deps, tx, account, which, entry, at));
}

/**
 * Marks the login revoked and, only on the change from working to revoked (once per
 * revocation, however many workers notice it), queues a notice to the administrators in the
 * same transaction.
 */
async function recordRevoked(
  deps: OAuthDeps,
  account: StoredAccount,
  which: OAuthLogin,
  at: number,
  reason: string,
): Promise<void> {
  await deps.database.db.transaction().execute(async (tx) => {
    const entry: LoginState = { revokedAt: at, revokedReason: reason };
    const { written, before } = await updateState(deps, tx, account, which, entry, at);
    if (!written || before?.revokedAt !== undefined) return;
    const admins = await tx
      .selectFrom("users")
      .select("email")
      .where("tenant_id", "=", account.tenantId)
      .where("role", "=", "administrator")
      .execute();
    const to = [...new Set(admins.map((a) => a.email).filter((e): e is string => !!e && isValidEmail(e)))];
    const what = which === "smtp" ? "sending" : "receiving";
    const text =
      `Postbag can no longer sign in to your mail account (${account.settings.fromAddress ?? "your mailbox"}) ` +
      `for ${what}: the provider refused the saved authorisation (${reason}).\n\n` +
      (which === "smtp"
        ? "Your outgoing mail is being held, not lost. It will go out once the account is connected again.\n\n"
        : "") +
      `To fix it, open the mail account settings in Postbag, sign in to the account again and press Finish.\n\n` +
      `${deps.notices.publicUrl}\n`;
    await queueNotice(
      tx,
      deps.notices,
      account.tenantId,
      at,
      prepareNotice(deps.notices, to, "Action needed: reconnect your mail account", text),
    );
  });
}

/**
 * True while the sending login of `account` is known to be revoked (the worker then holds the
 * tenant's mail instead of trying it).
 */
export async function isSendingRevoked(deps: OAuthDeps, account: StoredAccount): Promise<boolean> {
  const row = await deps.database.db
    .selectFrom("oauth_tokens")
    .select(["settings_version", "revoked_at"])
    .where("tenant_id", "=", account.tenantId)
    .executeTakeFirst();
  return !!row && row.revoked_at !== null && row.settings_version === account.version;
}

/** What a refresh-token grant needs: an account's settings and secrets, saved or not yet. */
export interface RefreshGrant {
  readonly provider: OAuthProvider;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly refreshToken: string | undefined;
  readonly scope: string | null;
}

export interface FetchTokenDeps {
  readonly policy: NetworkPolicy;
  /** Token endpoint request timeout (default 15 s). */
  readonly timeoutMs?: number;
  /** For `expiresAt` (default: the system clock). */
  readonly clock?: Clock;
}

export type FetchedToken =
  | {
      readonly ok: true;
      readonly accessToken: string;
      readonly expiresAt: number;
      /** A new refresh token, when the provider rotates them (it replaces the one sent). */
      readonly refreshToken?: string;
    }
  /** `revoked`: the provider refused the refresh token (`invalid_grant`), or there is none. */
  | { readonly ok: false; readonly revoked: boolean; readonly reason: string };

/**
 * Trades a refresh token for an access token at the provider's token endpoint and stores
 * nothing: the one HTTP exchange, used by `accessTokenFor` (which caches the answer) and by
 * test connection (which must not). Never throws for a provider or network failure.
 */
export async function fetchAccessToken(grant: RefreshGrant, deps: FetchTokenDeps): Promise<FetchedToken> {
  if (!grant.refreshToken) return { ok: false, revoked: true, reason: "no refresh token is saved for this account" };
  const answer = await requestToken(deps, grant.tokenUrl, {
    grant_type: "refresh_token",
    client_id: grant.clientId,
    ...(grant.clientSecret ? { client_secret: grant.clientSecret } : {}),
    refresh_token: grant.refreshToken,
    ...(grant.scope ? { scope: grant.scope } : {}),
  });
  if (answer.kind !== "token") return { ok: false, revoked: answer.kind === "revoked", reason: answer.reason };
  const at = (deps.clock ?? systemClock).now();
  return {
    ok: true,
    accessToken: answer.accessToken,
    expiresAt: at + answer.expiresInS * 1000,
    ...(answer.refreshToken ? { refreshToken: answer.refreshToken } : {}),
  };
}

/** An authorization code to trade for the first tokens (RFC 6749 §4.1.3, with the PKCE verifier of RFC 7636). */
export interface CodeGrant {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly code: string;
  readonly redirectUri: string;
  readonly codeVerifier: string;
}

export type CodeExchange =
  | { readonly ok: true; readonly refreshToken: string; readonly accessToken: string; readonly scope: string | null }
  | { readonly ok: false; readonly reason: string };

/**
 * Trades the code the provider sent back to the wizard's callback for a refresh token (the one
 * thing kept: sealed on the draft) and an access token. Same transport rules as the refresh
 * grant: https only, to an address the network policy allowed. Never throws for a provider or
 * network failure. An answer without a refresh token is a failure: Postbag could not send again
 * once the access token expired (Google gives one only with `access_type=offline`).
 */
export async function exchangeAuthorizationCode(grant: CodeGrant, deps: FetchTokenDeps): Promise<CodeExchange> {
  const answer = await requestToken(deps, grant.tokenUrl, {
    grant_type: "authorization_code",
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: grant.clientId,
    client_secret: grant.clientSecret,
    code_verifier: grant.codeVerifier,
  });
  if (answer.kind !== "token") return { ok: false, reason: answer.reason };
  if (!answer.refreshToken) {
    return { ok: false, reason: "the provider gave no refresh token (offline access was not granted)" };
  }
  return { ok: true, refreshToken: answer.refreshToken, accessToken: answer.accessToken, scope: answer.scope ?? null };
}

type TokenAnswer =
  | {
      readonly kind: "token";
      readonly accessToken: string;
      readonly expiresInS: number;
      readonly refreshToken?: string;
      readonly scope?: string;
    }
  | { readonly kind: "revoked"; readonly reason: string }
  | { readonly kind: "failed"; readonly reason: string };

/**
 * POSTs a refresh-token grant (RFC 6749 §6) to the token endpoint: HTTPS only, to an address the
 * network policy allowed (connecting to that address, with the name for TLS), trusting the
 * policy's CAs. Bounded in time and size.
 */
async function requestToken(
  deps: FetchTokenDeps,
  tokenUrl: string,
  form: Record<string, string>,
): Promise<TokenAnswer> {
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    return { kind: "failed", reason: "the token endpoint is not a valid URL" };
  }
  if (url.protocol !== "https:") return { kind: "failed", reason: "the token endpoint must use https" };
  const checked = await deps.policy.check(url.hostname);
  if (!checked.ok) return { kind: "failed", reason: `token endpoint refused: ${checked.reason}` };
  const address = checked.addresses[0] ?? url.hostname;
  const body = new URLSearchParams(form).toString();
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const response = await new Promise<{ status: number; text: string } | { error: string }>((resolve) => {
    const req = request(
      {
        host: address,
        port: url.port ? Number(url.port) : 443,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        servername: /^[\d.]+$|:/.test(host) ? undefined : host,
        ...(deps.policy.secureContext ? { secureContext: deps.policy.secureContext } : {}),
        headers: {
          host: url.host,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "content-length": Buffer.byteLength(body),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy();
            resolve({ error: "the token endpoint's answer is too large" });
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (err) => resolve({ error: err.message }));
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ error: "the token endpoint timed out" });
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ error: `${err.code ?? "error"}: ${err.message}` }));
    req.end(body);
  });
  if ("error" in response) return { kind: "failed", reason: `token endpoint unreachable (${response.error})` };
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(response.text);
    if (parsed && typeof parsed === "object") json = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): judged by the status alone below.
  }
  const text = (v: unknown) => (typeof v === "string" ? v.slice(0, 300) : undefined);
  if (response.status >= 200 && response.status < 300 && typeof json.access_token === "string") {
    const expires = Number(json.expires_in);
    return {
      kind: "token",
      accessToken: json.access_token,
      // Providers give 3600; an absent or silly value gets a conservative hour.
      expiresInS: Number.isFinite(expires) && expires > 0 ? Math.min(expires, 86_400) : 3600,
      ...(typeof json.refresh_token === "string" && json.refresh_token !== ""
        ? { refreshToken: json.refresh_token }
        : {}),
      ...(typeof json.scope === "string" ? { scope: json.scope.slice(0, 2000) } : {}),
    };
  }
  const error = text(json.error);
  const description = text(json.error_description);
  // RFC 6749 §5.2: invalid_grant is a refresh token that is revoked, expired or not this client's.
  if (error === "invalid_grant") {
    return { kind: "revoked", reason: `invalid_grant${description ? `: ${description}` : ""}` };
  }
  return {
    kind: "failed",
    reason: `token endpoint answered ${response.status}${error ? ` ${error}` : ""}${description ? `: ${description}` : ""}`,
  };
}
