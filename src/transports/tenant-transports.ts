import { isIP } from "node:net";
import type { Logger } from "pino";
import { loadAccount, type ServerSettings, type StoredAccount } from "../accounts/account-settings.js";
import type { NoticeSender } from "../credits/notices.js";
import type { Database } from "../db/database.js";
import type { AccountTransports } from "../delivery/mail-transport.js";
import type { ClaimedDelivery } from "../delivery/outbox.js";
import { MESSAGE_REF_HEADER, recipientRefFor } from "../delivery/return-path.js";
import { HELD_NOTE, HELD_RETRY_MS, pushGateAfterSend } from "../delivery/send-gate.js";
import type { SendResult } from "../delivery/send-result.js";
import { isValidEmail } from "../email/address.js";
import { deferClaims } from "../messages/recipient-state.js";
import type { NetworkPolicy } from "../network/network-policy.js";
import type { Clock } from "../time/clock.js";
import { type AccessTokenResult, accessTokenFor, isSendingRevoked, type OAuthDeps } from "./oauth2.js";
import { SmtpTransport } from "./smtp-transport.js";

export interface TenantTransportsDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly policy: NetworkPolicy;
  readonly secretKey: string;
  readonly notices: NoticeSender;
  readonly logger: Logger;
  readonly timeoutMs: number;
  /** RFC 5321's waits for command replies and for the reply to the end of the message. */
  readonly commandTimeoutMs?: number | undefined;
  readonly dataEndTimeoutMs?: number | undefined;
  /** Name given in EHLO. */
  readonly name: string;
  /** Connections per tenant account (default 2: pacing, not throughput, is the point). */
  readonly poolSize?: number;
  /** A tenant's pool unused this long is closed (default 60 s). */
  readonly idleMs?: number;
}

interface Pool {
  readonly version: number;
  readonly transport: SmtpTransport;
  lastUsed: number;
}

type PoolOrFailure = { readonly pool: Pool } | { readonly failure: SendResult };

function soft(text: string): SendResult {
  return { kind: "soft", code: null, enhanced: null, text };
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);
}

/**
 * SMTP through each own-account tenant's mailbox: one small pool per tenant, built from its live
 * settings, rebuilt when the settings' `version` changes, closed when idle. What it decides:
 *
 * - The server is connected to at the address the network policy checked (the host name is the
 *   TLS server name), so DNS cannot point Postbag elsewhere after the check; a refused host is a
 *   soft failure that says why.
 * - `tls`: implicit TLS. `starttls`: STARTTLS required; a server that does not offer it gets no
 *   AUTH (and no mail) at all. `none`: no TLS; a password or token is then only sent to a server
 *   on loopback (a relay on the same machine), never across a network: otherwise soft failure.
 *   A password account with no password saved does not log in (a relay that trusts the sender).
 * - Certificates are always verified (the policy's CAs: Node's plus POSTBAG_EXTRA_CA_FILE).
 * - The envelope sender is the account's own address (providers refuse others). The From header
 *   is kept if it is on the account address's domain, else it becomes the account address (the
 *   display name kept), since providers reject or rewrite mail "from" other domains.
 * - OAuth2: tokens from `accessTokenFor`; a revoked sign-in holds the mail: the row is handed
 *   back for `HELD_RETRY_MS` with no attempt counted (so the result returned is never recorded).
 */
export class TenantTransports implements AccountTransports {
  readonly #deps: TenantTransportsDeps;
  readonly #oauth: OAuthDeps;
  readonly #pools = new Map<string, { readonly version: number; readonly pool: Promise<PoolOrFailure> }>();
  readonly #sweeper: NodeJS.Timeout;
  /** Token requests in progress: concurrent sends of one tenant share one refresh. */
  readonly #tokens = new Map<string, Promise<AccessTokenResult>>();

  constructor(deps: TenantTransportsDeps) {
    this.#deps = deps;
    this.#oauth = {
      database: deps.database,
      clock: deps.clock,
      policy: deps.policy,
      secretKey: deps.secretKey,
      notices: deps.notices,
    };
    const idle = deps.idleMs ?? 60_000;
    this.#sweeper = setInterval(() => void this.#closeIdle(idle), Math.max(1000, idle / 2));
    this.#sweeper.unref();
  }

  async send(
    delivery: ClaimedDelivery,
    raw: Buffer,
    owner: string,
    recorded?: Promise<unknown>,
  ): Promise<SendResult | null> {
    const { database, secretKey } = this.#deps;
    const account = await loadAccount(database.db, secretKey, delivery.tenantId);
    if (account?.settings.mode !== "own_account") return null;
    const smtp = account.settings.smtp;
    if (!smtp) return soft("the tenant's mail account has no outgoing (SMTP) server configured");
    const sender = senderOf(account, smtp);
    if (!sender) return soft("the tenant's mail account has no valid sending address");

    if (smtp.auth.method === "oauth2") {
      const token = await this.#token(account, false);
      if (!token.ok && token.revoked) return this.#hold(delivery, owner);
      if (!token.ok) return soft(`could not get an OAuth2 access token for the mail account: ${token.reason}`);
    }
    const got = await this.#poolFor(account, smtp);
    if ("failure" in got) return got.failure;
    got.pool.lastUsed = Date.now();
    const message = withAccountHeaders(
      raw,
      sender,
      account.settings.fromName,
      recipientRefFor(secretKey, delivery.tenantId, delivery.id),
    );
    const result = await got.pool.transport.send({ from: sender, to: delivery.email }, message, recorded);
    await pushGateAfterSend(
      database.db,
      delivery.tenantId,
      this.#deps.clock.now(),
      account.settings.schedule.delaySeconds,
    );
    // Refused while logging in, and the refresh that followed found the grant revoked.
    if (result.kind === "soft" && result.code === null && smtp.auth.method === "oauth2") {
      if (await isSendingRevoked(this.#oauth, account)) return this.#hold(delivery, owner);
    }
    return result;
  }

  #token(account: StoredAccount, forceRefresh: boolean): Promise<AccessTokenResult> {
    const key = `${account.tenantId} ${account.version} ${forceRefresh}`;
    let pending = this.#tokens.get(key);
    if (!pending) {
      pending = accessTokenFor(this.#oauth, account, "smtp", { forceRefresh }).finally(() => this.#tokens.delete(key));
      this.#tokens.set(key, pending);
    }
    return pending;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const entries = [...this.#pools.values()];
    this.#pools.clear();
    for (const entry of entries) {
      const got = await entry.pool;
      if ("pool" in got) await got.pool.transport.close();
    }
  }

  /** Hands the row back unsent, uncounted; the worker's outcome for it then finds no lease and is dropped. */
  async #hold(delivery: ClaimedDelivery, owner: string): Promise<SendResult> {
    const now = this.#deps.clock.now();
    await deferClaims(
      this.#deps.database.db,
      owner,
      [
        {
          id: delivery.id,
          tenantId: delivery.tenantId,
          until: now + HELD_RETRY_MS,
          note: HELD_NOTE,
          holdReason: "revoked_sign_in",
        },
      ],
      now,
    );
    return soft(HELD_NOTE);
  }

  #poolFor(account: StoredAccount, smtp: ServerSettings): Promise<PoolOrFailure> {
    const existing = this.#pools.get(account.tenantId);
    if (existing && existing.version >= account.version) return existing.pool;
    // New settings (or none built yet): the old pool, if any, finishes what it has and closes.
    if (existing) void existing.pool.then((got) => ("pool" in got ? got.pool.transport.close() : undefined));
    const entry = { version: account.version, pool: this.#build(account, smtp) };
    this.#pools.set(account.tenantId, entry);
    // A failure (a refused host) is not kept: the next send checks again.
    void entry.pool.then((got) => {
      if ("failure" in got && this.#pools.get(account.tenantId) === entry) this.#pools.delete(account.tenantId);
    });
    return entry.pool;
  }

  async #build(account: StoredAccount, smtp: ServerSettings): Promise<PoolOrFailure> {
    const checked = await this.#deps.policy.check(smtp.host);
    if (!checked.ok) return { failure: soft(`the mail account's server is not allowed: ${checked.reason}`) };
    const address = checked.addresses[0] ?? smtp.host;
    // A password account with no password saved logs in not at all (a relay that trusts the
    // sender's address): the only kind that may cross a network unencrypted.
    const logsIn = smtp.auth.method === "oauth2" || !!account.secrets.smtpPassword;
    if (smtp.security === "none" && logsIn && !isLoopback(address)) {
      return {
        failure: soft(
          "the mail account is set to connect without encryption; Postbag never sends a password or token " +
            "unencrypted across a network: choose STARTTLS or TLS",
        ),
      };
    }
    const auth = smtp.auth;
    const tenantId = account.tenantId;
    const logger = this.#deps.logger;
    const transport = new SmtpTransport({
      host: address,
      port: smtp.port,
      secure: smtp.security === "tls",
      starttls: smtp.security === "starttls" ? "require" : smtp.security === "none" ? "never" : undefined,
      servername: isIP(smtp.host.replace(/^\[|\]$/g, "")) ? undefined : smtp.host,
      secureContext: this.#deps.policy.secureContext,
      rejectUnauthorized: true,
      detailedErrors: true,
      auth:
        auth.method === "password"
          ? logsIn
            ? { user: auth.user, pass: account.secrets.smtpPassword ?? "" }
            : undefined
          : {
              user: auth.user,
              xoauth2: async (forceRefresh: boolean) => {
                const token = await this.#token(account, forceRefresh);
                if (!token.ok) throw Object.assign(new Error(token.reason), { code: "EAUTH" });
                return token.accessToken;
              },
            },
      poolSize: this.#deps.poolSize ?? 2,
      timeoutMs: this.#deps.timeoutMs,
      commandTimeoutMs: this.#deps.commandTimeoutMs,
      dataEndTimeoutMs: this.#deps.dataEndTimeoutMs,
      name: this.#deps.name,
      idleMs: Math.min(this.#deps.idleMs ?? 60_000, 30_000),
      maxMessagesPerConnection: 100,
      onConnectionError: (err) =>
        logger.warn(
          { err, tenantId, server: `${smtp.host}:${smtp.port}` },
          "SMTP connection to a tenant's mail account failed",
        ),
    });
    return { pool: { version: account.version, transport, lastUsed: Date.now() } };
  }

  async #closeIdle(idleMs: number): Promise<void> {
    const cutoff = Date.now() - idleMs;
    for (const [tenantId, entry] of this.#pools) {
      const got = await entry.pool;
      if ("pool" in got && got.pool.lastUsed < cutoff && this.#pools.get(tenantId) === entry) {
        this.#pools.delete(tenantId);
        await got.pool.transport.close();
      }
    }
  }
}

/** The account's own address: `fromAddress`, else the login name when it is an address. */
function senderOf(account: StoredAccount, smtp: ServerSettings): string | null {
  const candidates = [account.settings.fromAddress, smtp.auth.user];
  return candidates.find((c): c is string => !!c && isValidEmail(c)) ?? null;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

/** A display name as a header value: as is when plain, quoted when it has specials, RFC 2047 when not ASCII. */
function displayName(name: string | null): string {
  const clean = (name ?? "")
    .replace(/[\r\n\t]+/g, " ")
    .trim()
    .slice(0, 200);
  if (clean === "") return "";
  if (/[^\x20-\x7e]/.test(clean)) return `=?UTF-8?B?${Buffer.from(clean, "utf8").toString("base64")}?=`;
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(clean)) return clean;
  return `"${clean.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * Adjusts the rendered header block for the tenant's account: a From on another domain than
 * the account's becomes the account address (display name kept), and `X-Postbag-Ref` is set to
 * this recipient's signed reference (bounces to the tenant's mailbox are matched through it); any
 * other `X-Postbag-Ref` already in the block is dropped, whoever wrote it. The body is untouched.
 */
export function withAccountHeaders(raw: Buffer, sender: string, senderName: string | null, ref: string): Buffer {
  const text = raw.toString("latin1");
  let end = text.indexOf("\r\n\r\n");
  let eol = "\r\n";
  if (end < 0) {
    end = text.indexOf("\n\n");
    eol = "\n";
  }
  if (end < 0) return raw;
  const head = text.slice(0, end);
  // Header fields with their folded continuation lines.
  const fields: string[] = [];
  for (const line of head.split(eol)) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += `${eol}${line}`;
    else fields.push(line);
  }
  const refPrefix = `${MESSAGE_REF_HEADER.toLowerCase()}:`;
  const isRef = (f: string) => f.toLowerCase().startsWith(refPrefix);
  const ours = `${MESSAGE_REF_HEADER}: ${ref}`;
  if (fields.some((f) => isRef(f) && f !== ours)) fields.splice(0, fields.length, ...fields.filter((f) => !isRef(f)));
  let changed = false;
  const out = fields.map((field) => {
    if (!/^from:/i.test(field)) return field;
    const value = field.slice(field.indexOf(":") + 1);
    const unfolded = value.replace(/\r?\n[ \t]/g, " ").trim();
    const angle = /<([^<>]*)>\s*$/.exec(unfolded);
    const current = (angle?.[1] ?? unfolded).trim();
    if (isValidEmail(current) && domainOf(current) === domainOf(sender)) return field;
    changed = true;
    const display = (angle ? unfolded.slice(0, angle.index).trim() : "") || displayName(senderName);
    return `From: ${display ? `${display} ` : ""}<${sender}>`;
  });
  if (!fields.includes(ours)) {
    out.push(ours);
    changed = true;
  }
  if (!changed) return raw;
  return Buffer.concat([Buffer.from(out.join(eol), "latin1"), raw.subarray(end)]);
}
