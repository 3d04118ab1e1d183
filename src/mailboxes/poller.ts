import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { decodeAccountSettings, loadAccount, type StoredAccount } from "../accounts/account-settings.js";
import type { Database } from "../db/database.js";
import type { NetworkPolicy } from "../network/network-policy.js";
import type { Clock } from "../time/clock.js";
import { degraded, type ImportResult, importMessage, type ReadMessage, readMessage } from "./import-message.js";
import { storedSourceKeys } from "./inbound-store.js";
import type {
  FetchedMessage,
  MailboxClient,
  MailboxClientDeps,
  MailboxConnection,
  OpenResult,
} from "./mailbox-client.js";
import { isDue, nextPollAt } from "./mailbox-schedule.js";
import {
  acquireMailbox,
  dropLease,
  type MailboxRef,
  OPERATOR_MAILBOX,
  releaseMailbox,
  savePosition,
  tenantMailbox,
} from "./mailbox-state.js";

/**
 * Reads new mail from every mailbox Postbag knows (tenants' own accounts and the operator's
 * bounce mailbox) and stores each message once. One poll of one mailbox is:
 *
 *   lease → connect → list since the saved position → for each message: fetch (byte cap) →
 *   read (parse, classify) → in one transaction: save position + store + apply bounce events
 *   → release (last poll, next poll, last error)
 *
 * Because the position and the message are committed together, a crash (or abort) between
 * any two steps leaves nothing half-done: the next poll starts right after the last stored
 * message. The lease in `mailbox_states` keeps two pollers off one mailbox; the unique
 * (mailbox_key, source_key) index and the Message-ID check keep a message from being stored
 * twice even if a lease ever expired under a slow poll.
 */
export type ReceiveAccessToken = (
  account: StoredAccount,
  options: { readonly forceRefresh?: boolean },
) => Promise<{ readonly ok: true; readonly accessToken: string } | { readonly ok: false; readonly reason: string }>;

export type OpenMailboxClient = (connection: MailboxConnection, deps: MailboxClientDeps) => Promise<OpenResult>;

export interface PollerDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly secretKey: string;
  readonly policy: NetworkPolicy;
  /** Larger messages are skipped (and logged), never loaded whole. */
  readonly inboundMaxBytes: number;
  /** `imap(s)://user:pass@host:port/FOLDER`, or undefined. */
  readonly bounceMailboxUrl: string | undefined;
  readonly bounceMailboxPollMs: number;
  /** IMAP and POP3 backends by protocol. */
  readonly openClient: OpenMailboxClient;
  /** XOAUTH2 access tokens for tenants whose receiving login is OAuth2; absent: such logins fail. */
  readonly accessToken?: ReceiveAccessToken;
  /** Lease length; renewed with every stored message (default 5 min). */
  readonly leaseMs?: number;
  /** Connect/greeting/inactivity limit per mailbox (default 30 s). */
  readonly timeoutMs?: number;
  /** Messages imported per poll at most; the rest wait for the next poll (default 200). */
  readonly maxPerPoll?: number;
  /** Mailboxes polled at once by `pollDue` (default 2). */
  readonly concurrency?: number;
  /** Identifies this poller in leases (default: random). */
  readonly owner?: string;
}

export type PollOutcome =
  | {
      readonly status: "done";
      readonly stored: number;
      readonly duplicates: number;
      readonly skipped: number;
      /** Recipients whose status a report moved. */
      readonly moved: number;
      /** More messages are waiting (maxPerPoll reached). */
      readonly more: boolean;
    }
  | { readonly status: "busy" }
  | { readonly status: "not_configured" }
  | { readonly status: "aborted"; readonly stored: number }
  | { readonly status: "failed"; readonly reason: string; readonly stored: number };

export interface PollProgress {
  readonly mailbox: string;
  readonly sourceKey: string;
  readonly result: "stored" | "duplicate" | "skipped";
}

export interface PollOptions {
  readonly signal?: AbortSignal;
  /** Called after each message is committed (or skipped). */
  readonly onProgress?: (progress: PollProgress) => void;
}

interface Target {
  readonly ref: MailboxRef;
  readonly connection: MailboxConnection;
  readonly policy: NetworkPolicy | null;
  /** Set for tenants with an OAuth2 login: the account whose token to fetch. */
  readonly oauthAccount: StoredAccount | null;
  readonly next: (lastPollAt: number) => number;
}

/** UIDs listed per IMAP round trip, and round trips per poll at most. */
const PAGE = 500;
const MAX_PAGES = 200;

class LeaseLost extends Error {
  override readonly name = "LeaseLost";
}

export class MailboxPoller {
  readonly #deps: PollerDeps;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #running = new Set<AbortController>();
  readonly #polling = new Set<string>();
  #stopping = false;
  /** POP3 messages found over the byte cap, per mailbox (kept for this process's lifetime). */
  readonly #skipped = new Map<string, Set<string>>();

  constructor(deps: PollerDeps) {
    this.#deps = deps;
    this.#owner = deps.owner ?? `poller-${randomBytes(6).toString("hex")}`;
    this.#leaseMs = deps.leaseMs ?? 5 * 60_000;
  }

  /** Polls every mailbox whose time has come; answers what happened per mailbox key. */
  async pollDue(): Promise<Map<string, PollOutcome>> {
    const { database, clock } = this.#deps;
    const now = clock.now();
    const due: MailboxRef[] = [];
    const states = new Map(
      (
        await database.db.selectFrom("mailbox_states").select(["mailbox_key", "last_poll_at", "lease_until"]).execute()
      ).map((s) => [s.mailbox_key, s]),
    );
    const leased = (key: string) => {
      const until = states.get(key)?.lease_until;
      return until !== null && until !== undefined && until > now;
    };
    if (this.#deps.bounceMailboxUrl) {
      const last = states.get(OPERATOR_MAILBOX.key)?.last_poll_at ?? null;
      const next = last === null ? null : last + this.#deps.bounceMailboxPollMs;
      if (isDue(next, now) && !leased(OPERATOR_MAILBOX.key)) due.push(OPERATOR_MAILBOX);
    }
    const accounts = await database.db
      .selectFrom("account_settings")
      .innerJoin("tenants", "tenants.id", "account_settings.tenant_id")
      .select(["account_settings.tenant_id", "account_settings.settings", "tenants.timezone"])
      .execute();
    for (const a of accounts) {
      const receive = receiveOf(a.settings);
      if (!receive) continue;
      const ref = tenantMailbox(a.tenant_id);
      const next = nextPollAt(receive.schedule, a.timezone, states.get(ref.key)?.last_poll_at ?? null);
      if (isDue(next, now) && !leased(ref.key)) due.push(ref);
    }

    const outcomes = new Map<string, PollOutcome>();
    const queue = [...due];
    const worker = async () => {
      for (let ref = queue.shift(); ref; ref = queue.shift()) {
        outcomes.set(ref.key, await this.pollMailbox(ref));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.#deps.concurrency ?? 2) }, worker));
    return outcomes;
  }

  /** One poll of one mailbox. Never throws for a mail server's failure: that is a `failed` outcome. */
  async pollMailbox(ref: MailboxRef, options: PollOptions = {}): Promise<PollOutcome> {
    const { logger } = this.#deps;
    const log = logger.child({ mailbox: ref.key });
    // Within this process a second poll of the same mailbox need not even ask the database.
    if (this.#polling.has(ref.key)) return { status: "busy" };
    this.#polling.add(ref.key);
    try {
      return await this.#poll(ref, options, log);
    } finally {
      this.#polling.delete(ref.key);
    }
  }

  async #poll(ref: MailboxRef, options: PollOptions, log: Logger): Promise<PollOutcome> {
    const { database, clock } = this.#deps;
    const target = await this.#target(ref);
    if (!target) return { status: "not_configured" };
    const state = await acquireMailbox(database.db, ref, {
      owner: this.#owner,
      protocol: target.connection.protocol,
      now: clock.now(),
      leaseMs: this.#leaseMs,
    });
    if (!state) return { status: "busy" };

    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) controller.abort();
    this.#running.add(controller);
    let counts = { stored: 0, duplicates: 0, skipped: 0, moved: 0 };
    let error: string | null = null;
    let outcome: PollOutcome | undefined;
    let client: MailboxClient | undefined;
    try {
      const opened = await this.#open(target);
      if (!opened.ok) {
        error = opened.reason;
        outcome = { status: "failed", reason: opened.reason, stored: 0 };
        return outcome;
      }
      client = opened.client;
      const result = await this.#readNew(target, client, state, controller.signal, options, log);
      counts = result.counts;
      outcome = result.aborted
        ? { status: "aborted", stored: counts.stored }
        : { status: "done", ...counts, more: result.more };
      return outcome;
    } catch (err) {
      if (err instanceof LeaseLost) {
        log.warn("mailbox poll stopped: the mailbox was reset or taken over by another poller");
        outcome = { status: "aborted", stored: counts.stored };
        return outcome;
      }
      error = describe(err);
      log.warn({ err }, "mailbox poll failed");
      outcome = { status: "failed", reason: error, stored: counts.stored };
      return outcome;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      this.#running.delete(controller);
      await client?.close();
      // A poll aborted from outside (a caller's signal) keeps its lease until it expires, like a
      // poller that died: nothing depends on it being released. One stopped by our own shutdown
      // hands the mailbox back at once, still due, so another process can carry on.
      if (outcome?.status === "aborted" && this.#stopping) {
        await dropLease(database.db, ref, this.#owner, clock.now()).catch((err: unknown) =>
          log.warn({ err }, "could not release the mailbox lease"),
        );
      } else if (outcome?.status !== "aborted") {
        const now = clock.now();
        await releaseMailbox(database.db, ref, {
          owner: this.#owner,
          now,
          nextPollAt: target.next(now),
          error,
        }).catch((err: unknown) => log.warn({ err }, "could not release the mailbox lease"));
      }
    }
  }

  /** Aborts polls in progress (shutdown); each stops after the message it is storing. */
  stop(): void {
    this.#stopping = true;
    for (const c of this.#running) c.abort();
  }

  async #readNew(
    target: Target,
    client: MailboxClient,
    state: { uidvalidity: string | null; last_uid: number | null; generation: number },
    signal: AbortSignal,
    options: PollOptions,
    log: Logger,
  ): Promise<{
    counts: { stored: number; duplicates: number; skipped: number; moved: number };
    aborted: boolean;
    more: boolean;
  }> {
    const { database, clock, inboundMaxBytes, secretKey } = this.#deps;
    const { ref } = target;
    const counts = { stored: 0, duplicates: 0, skipped: 0, moved: 0 };
    const maxPerPoll = this.#deps.maxPerPoll ?? 200;
    const isImap = target.connection.protocol === "imap";
    // A changed UIDVALIDITY means every UID was renumbered: start afresh from the first message.
    // Message-IDs (and digests) keep what was stored before from coming in twice.
    const validity = client.validity;
    let lastUid = isImap && state.uidvalidity === validity ? (state.last_uid ?? 0) : 0;
    if (isImap && state.uidvalidity !== null && state.uidvalidity !== validity) {
      log.info({ from: state.uidvalidity, to: validity }, "UIDVALIDITY changed: reading the mailbox afresh");
    }
    const save = (tx: Parameters<typeof savePosition>[0]) =>
      savePosition(tx, ref, {
        owner: this.#owner,
        generation: state.generation,
        uidvalidity: validity,
        lastUid: isImap ? lastUid : null,
        now: clock.now(),
        leaseMs: this.#leaseMs,
      });

    let pendingSkip = false;
    let handled = 0;
    let more = false;
    const skippedHere = this.#skipped.get(ref.key) ?? new Set<string>();
    this.#skipped.set(ref.key, skippedHere);
    // IMAP pages through UIDs after the position; POP3 lists the whole maildrop at once.
    for (let page = 0; ; page++) {
      const entries = await client.list(lastUid, PAGE);
      if (entries.length === 0) break;
      const known = await storedSourceKeys(
        database.db,
        ref,
        entries.map((e) => e.sourceKey),
      );
      for (const entry of entries) {
        if (signal.aborted) return { counts, aborted: true, more };
        const report = (result: PollProgress["result"]) =>
          options.onProgress?.({ mailbox: ref.key, sourceKey: entry.sourceKey, result });
        if (known.has(entry.sourceKey)) {
          if (entry.uid !== null) lastUid = entry.uid;
          pendingSkip = true;
          counts.duplicates++;
          report("duplicate");
          continue;
        }
        // Over POP3 an oversized message is only found by starting to read it: remember it, so
        // this process does not read its first megabytes again at every poll.
        if (skippedHere.has(entry.sourceKey)) continue;
        if (handled >= maxPerPoll) {
          more = true;
          break;
        }
        handled++;
        const fetched: FetchedMessage =
          entry.size > inboundMaxBytes
            ? { ok: false, reason: "too_large" }
            : await client.fetch(entry, inboundMaxBytes);
        if (!fetched.ok) {
          if (fetched.reason === "too_large") {
            log.warn(
              { sourceKey: entry.sourceKey, size: entry.size, limit: inboundMaxBytes },
              "inbound message over POSTBAG_INBOUND_MAX_BYTES skipped",
            );
            if (entry.uid === null && skippedHere.size < 10_000) skippedHere.add(entry.sourceKey);
          }
          if (entry.uid !== null) lastUid = entry.uid;
          pendingSkip = true;
          counts.skipped++;
          report("skipped");
          continue;
        }
        const read = await readMessage(entry.sourceKey, fetched.raw, inboundMaxBytes);
        if (read.parsed.problem) {
          log.warn(
            { sourceKey: entry.sourceKey, problem: read.parsed.problem },
            "inbound message only partly readable",
          );
        }
        if (signal.aborted) return { counts, aborted: true, more };
        if (entry.uid !== null) lastUid = entry.uid;
        const store = (message: ReadMessage) =>
          database.db.transaction().execute(async (tx) => {
            if (!(await save(tx))) throw new LeaseLost();
            return importMessage(tx, ref, message, { secretKey, now: clock.now() });
          });
        let result: ImportResult;
        try {
          result = await store(read);
        } catch (err) {
          if (err instanceof LeaseLost) throw err;
          log.warn({ err, sourceKey: entry.sourceKey }, "inbound message refused by the database; storing it bare");
          result = await store(degraded(read));
        }
        pendingSkip = false;
        if (result.stored) {
          counts.stored++;
          counts.moved += result.moved;
          report("stored");
        } else {
          counts.duplicates++;
          report("duplicate");
        }
      }
      if (more || !isImap || entries.length < PAGE || page >= MAX_PAGES) {
        if (isImap && entries.length === PAGE) more = true;
        break;
      }
    }
    // Skipped and known messages at the end still move the position forward.
    if (pendingSkip && isImap) {
      await database.db.transaction().execute(async (tx) => {
        if (!(await save(tx))) throw new LeaseLost();
      });
    }
    return { counts, aborted: false, more };
  }

  async #open(target: Target): Promise<OpenResult> {
    let connection = target.connection;
    const attempt = async (forceRefresh: boolean): Promise<OpenResult> => {
      if (target.oauthAccount) {
        const token = this.#deps.accessToken
          ? await this.#deps.accessToken(target.oauthAccount, { forceRefresh })
          : { ok: false as const, reason: "OAuth2 sign-in is not available for receiving" };
        if (!token.ok) return { ok: false, reason: token.reason };
        connection = {
          ...connection,
          auth: { method: "oauth2", user: connection.auth.user, accessToken: token.accessToken },
        };
      }
      return this.#deps.openClient(connection, {
        policy: target.policy,
        secureContext: this.#deps.policy.secureContext,
        logger: this.#deps.logger.child({ mailbox: target.ref.key }),
        timeoutMs: this.#deps.timeoutMs ?? 30_000,
        maxMessageBytes: this.#deps.inboundMaxBytes,
      });
    };
    const first = await attempt(false);
    // A refused access token may just have been revoked early by the provider: refresh once.
    if (!first.ok && target.oauthAccount && /login failed|auth/i.test(first.reason)) return attempt(true);
    return first;
  }

  async #target(ref: MailboxRef): Promise<Target | null> {
    const { database, secretKey, policy } = this.#deps;
    if (ref.tenantId === null) {
      if (ref.key !== OPERATOR_MAILBOX.key || !this.#deps.bounceMailboxUrl) return null;
      const connection = connectionFromUrl(this.#deps.bounceMailboxUrl);
      const every = this.#deps.bounceMailboxPollMs;
      return { ref, connection, policy: null, oauthAccount: null, next: (at) => at + every };
    }
    const account = await loadAccount(database.db, secretKey, ref.tenantId);
    const receive = account?.settings.receive;
    if (!account || !receive) return null;
    const tenant = await database.db
      .selectFrom("tenants")
      .select("timezone")
      .where("id", "=", ref.tenantId)
      .executeTakeFirst();
    const timezone = tenant?.timezone ?? "UTC";
    const connection: MailboxConnection = {
      protocol: receive.protocol,
      host: receive.host,
      port: receive.port,
      security: receive.security,
      folder: receive.mailbox || "INBOX",
      auth:
        receive.auth.method === "password"
          ? { method: "password", user: receive.auth.user, password: account.secrets.receivePassword ?? "" }
          : { method: "oauth2", user: receive.auth.user, accessToken: "" },
    };
    return {
      ref,
      connection,
      policy,
      oauthAccount: receive.auth.method === "oauth2" ? account : null,
      next: (at) => nextPollAt(receive.schedule, timezone, at) ?? at,
    };
  }
}

function receiveOf(settingsJson: string): import("../accounts/account-settings.js").ReceiveSettings | null {
  try {
    return decodeAccountSettings(settingsJson).receive;
  } catch {
    return null;
  }
}

/** `imap://user:pass@host:port/FOLDER` (STARTTLS required) or `imaps://…` (TLS) → a connection. */
export function connectionFromUrl(value: string): MailboxConnection {
  const url = new URL(value);
  const tls = url.protocol === "imaps:";
  const folder = decodeURIComponent(url.pathname.replace(/^\/+/, "")) || "INBOX";
  return {
    protocol: "imap",
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : tls ? 993 : 143,
    security: tls ? "tls" : url.searchParams.get("tls") === "none" ? "none" : "starttls",
    folder,
    auth: { method: "password", user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) },
  };
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").slice(0, 300);
}
