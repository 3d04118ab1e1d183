import { isIP } from "node:net";
import {
  describeFailure,
  type FetchedMessage,
  type MailboxClient,
  type MailboxClientDeps,
  type MailboxConnection,
  type MailboxEntry,
  type OpenResult,
  resolveTarget,
} from "./mailbox-client.js";
import { Pop3Client, Pop3Error } from "./pop3-client.js";

/** At most this many messages are listed from one maildrop (UIDL lines are small). */
const MAX_LISTED = 100_000;

/**
 * POP3 backend: UIDL identifies each message (`pop3:<uidl>`), so nothing needs deleting to know
 * what was read. Mail is left on the server: DELE is never sent. POP3 has no way to skip the
 * rest of a message once RETR started, so a message over the byte cap ends the session; the
 * next fetch logs in again and finds its message by UIDL (numbers are per session).
 */
export async function openPop3Mailbox(connection: MailboxConnection, deps: MailboxClientDeps): Promise<OpenResult> {
  const target = await resolveTarget(connection.host, deps.policy);
  if (!target.ok) return target;
  const mailbox = new Pop3Mailbox(connection, deps, target.address);
  try {
    await mailbox.session();
    return { ok: true, client: mailbox };
  } catch (err) {
    await mailbox.close();
    return { ok: false, reason: pop3Failure(err) };
  }
}

function pop3Failure(err: unknown): string {
  if (err instanceof Pop3Error && err.kind === "auth")
    return "login failed (check the user name and password or token)";
  return describeFailure(err);
}

class Pop3Mailbox implements MailboxClient {
  readonly validity = null;
  readonly #connection: MailboxConnection;
  readonly #deps: MailboxClientDeps;
  readonly #address: string;
  #client: Pop3Client | null = null;
  /** UIDL → message number in the current session. */
  #numbers = new Map<string, number>();

  constructor(connection: MailboxConnection, deps: MailboxClientDeps, address: string) {
    this.#connection = connection;
    this.#deps = deps;
    this.#address = address;
  }

  /** The live session, logging in (again) when there is none. */
  async session(): Promise<Pop3Client> {
    if (this.#client) return this.#client;
    const c = this.#connection;
    const client = await Pop3Client.connect({
      host: c.host,
      address: this.#address,
      port: c.port,
      security: c.security,
      ...(isIP(c.host) === 0 ? { servername: c.host } : {}),
      ...(this.#deps.secureContext ? { secureContext: this.#deps.secureContext } : {}),
      timeoutMs: this.#deps.timeoutMs,
    });
    try {
      if (c.auth.method === "password") await client.login(c.auth.user, c.auth.password);
      else await client.loginXoauth2(c.auth.user, c.auth.accessToken);
      this.#numbers = new Map((await client.uidl()).slice(0, MAX_LISTED).map((u) => [u.uid, u.n]));
    } catch (err) {
      client.close();
      throw err;
    }
    this.#client = client;
    return client;
  }

  async list(_afterUid: number, _limit: number): Promise<MailboxEntry[]> {
    // No order to resume from: every message is listed and the poller drops what it has.
    await this.session();
    return [...this.#numbers].map(([uid, n]) => ({ sourceKey: `pop3:${uid}`, uid: null, number: n, size: 0 }));
  }

  async fetch(entry: MailboxEntry, maxBytes: number): Promise<FetchedMessage> {
    const client = await this.session();
    const n = this.#numbers.get(entry.sourceKey.slice("pop3:".length));
    if (n === undefined) return { ok: false, reason: "gone" };
    try {
      return { ok: true, raw: await client.retr(n, maxBytes) };
    } catch (err) {
      if (err instanceof Pop3Error && err.kind === "too_large") {
        this.#client = null;
        return { ok: false, reason: "too_large" };
      }
      if (err instanceof Pop3Error && err.kind === "command") return { ok: false, reason: "gone" };
      throw err;
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    if (!client) return;
    try {
      // QUIT without DELE deletes nothing.
      await client.quit();
    } catch {
      client.close();
    }
  }
}
