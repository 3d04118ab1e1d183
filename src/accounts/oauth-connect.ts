import { createHash, randomBytes } from "node:crypto";
import type { Database, Db, Tx } from "../db/database.js";
import { open, seal } from "../tenants/secret-box.js";
import type { AccountSecrets, AccountStep, DraftServer, OAuthProvider } from "./account-settings.js";
import { loadDraft, saveDraft } from "./account-settings.js";

/**
 * Connect in the settings wizard (docs/own-account.md): the OAuth2 authorization-code flow with
 * PKCE (RFC 6749 §4.1, RFC 7636) against the operator's app registration at Microsoft or Google.
 *
 * Start stores one row per attempt: a hash of the `state` (the state itself goes only to the
 * browser), the sealed PKCE verifier, who started it, the tenant and the draft's version. The
 * callback claims the row once (a second use of the same state finds it used), within
 * `CONNECT_TTL_MS`, for the same tenant and person; only then is the code traded (by the caller,
 * in transports/) and the refresh token sealed into the draft, and only if the draft is still the
 * version Connect started from: a draft edited meanwhile is not overwritten.
 */
export const CONNECT_TTL_MS = 10 * 60_000;

/** What the wizard fills in for a provider: the servers, and what Connect asks for. */
export interface ProviderPreset {
  readonly provider: OAuthProvider;
  readonly name: string;
  readonly smtp: { readonly host: string; readonly port: number; readonly security: "starttls" | "tls" };
  readonly imap: { readonly host: string; readonly port: number; readonly security: "tls" };
  readonly pop3: { readonly host: string; readonly port: number; readonly security: "tls" };
  /** Scopes asked for at Connect: sending and reading mail, and a refresh token. */
  readonly scope: string;
  /** Extra authorization parameters (Google gives a refresh token only with offline access). */
  readonly extraParams: Readonly<Record<string, string>>;
}

export const PROVIDER_PRESETS: Readonly<Record<OAuthProvider, ProviderPreset>> = {
  microsoft: {
    provider: "microsoft",
    name: "Microsoft 365",
    smtp: { host: "smtp.office365.com", port: 587, security: "starttls" },
    imap: { host: "outlook.office365.com", port: 993, security: "tls" },
    pop3: { host: "outlook.office365.com", port: 995, security: "tls" },
    scope:
      "offline_access https://outlook.office.com/SMTP.Send https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/POP.AccessAsUser.All",
    // OpenID Connect servers grant offline_access (the refresh token) only with prompt=consent.
    extraParams: { prompt: "consent" },
  },
  google: {
    provider: "google",
    name: "Google Workspace / Gmail",
    smtp: { host: "smtp.gmail.com", port: 465, security: "tls" },
    imap: { host: "imap.gmail.com", port: 993, security: "tls" },
    pop3: { host: "pop.gmail.com", port: 995, security: "tls" },
    scope: "https://mail.google.com/",
    extraParams: { access_type: "offline", prompt: "consent" },
  },
};

const hashOf = (state: string) => createHash("sha256").update(state).digest("hex");
const contextOf = (tenantId: string) => `oauth-connect:${tenantId}`;

export interface StartedConnect {
  readonly state: string;
  /** S256 of the verifier, base64url. */
  readonly codeChallenge: string;
}

/** Records a Connect attempt and returns the state and PKCE challenge to send to the provider. */
export async function startConnect(
  db: Db | Tx,
  secretKey: string,
  input: {
    readonly tenantId: string;
    readonly startedBy: string;
    readonly provider: OAuthProvider;
    readonly draftVersion: number;
    readonly redirectUri: string;
    readonly at: number;
  },
): Promise<StartedConnect> {
  const state = randomBytes(32).toString("base64url");
  const verifier = randomBytes(48).toString("base64url");
  // Old attempts of this tenant are of no use once expired.
  await db
    .deleteFrom("oauth_authorizations")
    .where("tenant_id", "=", input.tenantId)
    .where("expires_at", "<", input.at - CONNECT_TTL_MS)
    .execute();
  await db
    .insertInto("oauth_authorizations")
    .values({
      state_hash: hashOf(state),
      tenant_id: input.tenantId,
      started_by: input.startedBy,
      draft_version: input.draftVersion,
      provider: input.provider,
      redirect_uri: input.redirectUri,
      code_verifier: seal(secretKey, contextOf(input.tenantId), verifier),
      created_at: input.at,
      expires_at: input.at + CONNECT_TTL_MS,
      used_at: null,
    })
    .execute();
  return { state, codeChallenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface ClaimedConnect {
  readonly tenantId: string;
  readonly provider: OAuthProvider;
  readonly draftVersion: number;
  readonly redirectUri: string;
  readonly codeVerifier: string;
}

export type ClaimResult =
  | { readonly ok: true; readonly connect: ClaimedConnect }
  | { readonly ok: false; readonly reason: "unknown" | "used" | "expired" | "not_yours" };

/**
 * Claims the attempt `state` names, once: marks it used in the same statement that checks it is
 * unused, unexpired, of this tenant and started by `by`. A wrong, replayed, expired or another
 * person's state changes nothing else.
 */
export async function claimConnect(
  db: Db | Tx,
  secretKey: string,
  input: { readonly state: string; readonly tenantId: string; readonly by: string; readonly at: number },
): Promise<ClaimResult> {
  const hash = hashOf(input.state);
  const claimed = await db
    .updateTable("oauth_authorizations")
    .set({ used_at: input.at })
    .where("state_hash", "=", hash)
    .where("tenant_id", "=", input.tenantId)
    .where("started_by", "=", input.by)
    .where("used_at", "is", null)
    .where("expires_at", ">", input.at)
    .returningAll()
    .executeTakeFirst();
  if (claimed) {
    return {
      ok: true,
      connect: {
        tenantId: claimed.tenant_id,
        provider: claimed.provider as OAuthProvider,
        draftVersion: claimed.draft_version,
        redirectUri: claimed.redirect_uri,
        codeVerifier: open(secretKey, contextOf(claimed.tenant_id), claimed.code_verifier),
      },
    };
  }
  // Why not, for the administrator's message (the row is left as it was).
  const row = await db
    .selectFrom("oauth_authorizations")
    .select(["tenant_id", "started_by", "used_at", "expires_at"])
    .where("state_hash", "=", hash)
    .executeTakeFirst();
  if (!row || row.tenant_id !== input.tenantId) return { ok: false, reason: "unknown" };
  if (row.started_by !== input.by) return { ok: false, reason: "not_yours" };
  if (row.used_at !== null) return { ok: false, reason: "used" };
  return { ok: false, reason: "expired" };
}

/** The operator's app registration, as the draft's OAuth2 login records it. */
export interface ConnectClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenUrl: string;
}

/**
 * Seals the refresh token Connect obtained into the draft: the sending server (and the
 * receiving one, when the draft has one) log in with OAuth2 as the account's address. Servers
 * the draft does not have yet take the provider's. Refused when the draft is gone or changed
 * since Connect started (nothing is written then).
 */
export async function connectDraft(
  database: Database,
  secretKey: string,
  input: {
    readonly tenantId: string;
    readonly connect: ClaimedConnect;
    readonly client: ConnectClient;
    readonly refreshToken: string;
    readonly at: number;
    readonly by: string;
  },
): Promise<{ ok: true; version: number } | { ok: false; reason: "draft_changed" }> {
  return database.db.transaction().execute(async (tx) => {
    if (database.dialect === "postgres") {
      await tx.selectFrom("tenants").select("id").where("id", "=", input.tenantId).forUpdate().execute();
    }
    const draft = await loadDraft(tx, secretKey, input.tenantId);
    if (!draft || draft.version !== input.connect.draftVersion) return { ok: false, reason: "draft_changed" };
    const provider = input.connect.provider;
    const preset = PROVIDER_PRESETS[provider];
    const before: AccountStep = draft.settings.account ?? {
      mode: "own_account",
      fromAddress: null,
      fromName: null,
      smtp: null,
      receive: null,
    };
    const user = before.fromAddress ?? before.smtp?.auth.user ?? "";
    const auth = {
      method: "oauth2",
      provider,
      user,
      clientId: input.client.clientId,
      tokenUrl: input.client.tokenUrl,
      scope: null,
    } as const;
    const server = (s: DraftServer | null, fallback: Omit<DraftServer, "auth">): DraftServer => ({
      ...(s ?? fallback),
      auth,
    });
    const account: AccountStep = {
      ...before,
      mode: "own_account",
      smtp: server(before.smtp, preset.smtp),
      receive: before.receive ? { ...before.receive, auth } : null,
    };
    const secrets: { -readonly [K in keyof AccountSecrets]?: string } = { ...draft.secrets };
    delete secrets.smtpPassword;
    secrets.smtpClientSecret = input.client.clientSecret;
    secrets.smtpRefreshToken = input.refreshToken;
    delete secrets.receivePassword;
    delete secrets.receiveClientSecret;
    delete secrets.receiveRefreshToken;
    if (account.receive) {
      secrets.receiveClientSecret = input.client.clientSecret;
      secrets.receiveRefreshToken = input.refreshToken;
    }
    const version = await saveDraft(
      tx,
      secretKey,
      input.tenantId,
      { ...draft.settings, account },
      secrets,
      input.at,
      input.by,
    );
    return { ok: true, version };
  });
}
