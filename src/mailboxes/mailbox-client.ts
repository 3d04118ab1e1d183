import type { SecureContext } from "node:tls";
import type { Logger } from "pino";
import type { NetworkPolicy } from "../network/network-policy.js";

/**
 * The seam to a mailbox Postbag reads (a tenant's own account, the operator's bounce mailbox).
 * The poller sees only this; the IMAP backend (`imap-mailbox.ts`, imapflow) and the POP3 backend
 * (`pop3-mailbox.ts`) own their connections. Mail is only read: nothing is deleted, moved or
 * flagged on the server (IMAP fetches with BODY.PEEK, POP3 never sends DELE).
 */
export interface MailboxClient {
  /**
   * The mailbox's identity epoch: IMAP UIDVALIDITY (a change means every UID was renumbered);
   * null for POP3, whose UIDL values are stable for as long as a message exists.
   */
  readonly validity: string | null;
  /**
   * Messages after `afterUid` (IMAP; 0 = all), or every message (POP3), oldest first, at most
   * `limit`, each with its size as the server reports it.
   */
  list(afterUid: number, limit: number): Promise<MailboxEntry[]>;
  /**
   * The raw message, or `too_large` when it is over `maxBytes`: never more than `maxBytes` + 1
   * bytes are kept in memory, whatever size the server announced.
   */
  fetch(entry: MailboxEntry, maxBytes: number): Promise<FetchedMessage>;
  /** Logs out (or just closes); never throws. */
  close(): Promise<void>;
}

export interface MailboxEntry {
  /** `imap:<uidvalidity>:<uid>` or `pop3:<uidl>`: the message's identity in its mailbox. */
  readonly sourceKey: string;
  /** IMAP UID (the saved position); null for POP3. */
  readonly uid: number | null;
  /** POP3 message number in this session; null for IMAP. */
  readonly number: number | null;
  readonly size: number;
}

export type FetchedMessage =
  | { readonly ok: true; readonly raw: Buffer }
  | { readonly ok: false; readonly reason: "too_large" | "gone" };

export type MailboxSecurity = "none" | "starttls" | "tls";

export type MailboxAuth =
  | { readonly method: "password"; readonly user: string; readonly password: string }
  | { readonly method: "oauth2"; readonly user: string; readonly accessToken: string };

/** Where and how to log in; secrets already unsealed by the caller. */
export interface MailboxConnection {
  readonly protocol: "imap" | "pop3";
  readonly host: string;
  readonly port: number;
  readonly security: MailboxSecurity;
  readonly auth: MailboxAuth;
  /** IMAP folder; ignored by POP3. */
  readonly folder: string;
}

export interface MailboxClientDeps {
  /**
   * Checks the host before connecting; the client connects to the checked address with the host
   * as TLS servername, so DNS cannot answer differently in between. Null: the operator's own
   * mailbox, which is configured by the operator and may well live on a private network.
   */
  readonly policy: NetworkPolicy | null;
  /** Extra CAs to trust, parsed once (the policy's `secureContext`); undefined: Node's defaults. */
  readonly secureContext: SecureContext | undefined;
  readonly logger: Logger;
  /** Connect, greeting and socket inactivity limit. */
  readonly timeoutMs: number;
  /** Bounds memory against a hostile server: no single response may be larger than this (+ framing). */
  readonly maxMessageBytes: number;
}

export type OpenResult =
  | { readonly ok: true; readonly client: MailboxClient }
  | { readonly ok: false; readonly reason: string };

/** Where to connect: the first address the policy allowed, or the host itself without a policy. */
export async function resolveTarget(
  host: string,
  policy: NetworkPolicy | null,
): Promise<{ ok: true; address: string } | { ok: false; reason: string }> {
  if (!policy) return { ok: true, address: host };
  const checked = await policy.check(host);
  if (!checked.ok) return checked;
  const address = checked.addresses[0];
  return address ? { ok: true, address } : { ok: false, reason: `${host} has no address` };
}

/** A short, secret-free description of why talking to a mail server failed. */
export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return "unknown error";
  const e = err as Error & { code?: unknown; authenticationFailed?: unknown; responseText?: unknown };
  if (e.authenticationFailed) return "login failed (check the user name and password or token)";
  const text = typeof e.responseText === "string" && e.responseText ? e.responseText : e.message;
  const code = typeof e.code === "string" ? `${e.code}: ` : "";
  return `${code}${text}`.replace(/\s+/g, " ").slice(0, 300);
}
