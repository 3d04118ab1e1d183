import { isIP } from "node:net";
import { ImapFlow } from "imapflow";
import type { Logger } from "pino";
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

/** imapflow wants debug/info/warn/error; its debug and info chatter is left out of our logs. */
function imapLogger(logger: Logger) {
  return {
    debug: () => {},
    info: () => {},
    warn: (obj: unknown) => logger.warn({ imap: obj }, "IMAP client warning"),
    error: (obj: unknown) => logger.warn({ imap: obj }, "IMAP client error"),
  };
}

/**
 * Logs in, opens the folder read-only and answers a MailboxClient over it. The connection goes
 * to the address the network policy checked; the host name is the TLS servername. imapflow's
 * own limits bound what a hostile server can make us hold: no literal larger than the largest
 * message we store, no response line longer than 1 MB.
 */
export async function openImapMailbox(connection: MailboxConnection, deps: MailboxClientDeps): Promise<OpenResult> {
  const target = await resolveTarget(connection.host, deps.policy);
  if (!target.ok) return target;
  // SNI takes names only; for an address the certificate is checked against the address.
  const servername = isIP(connection.host) === 0 ? connection.host : undefined;
  const client = new ImapFlow({
    host: target.address,
    port: connection.port,
    secure: connection.security === "tls",
    // "starttls" must upgrade or fail; "none" stays in cleartext (the tenant chose it).
    doSTARTTLS: connection.security === "starttls" ? true : connection.security === "none" ? false : undefined,
    ...(servername ? { servername } : {}),
    tls: {
      ...(servername ? { servername } : {}),
      ...(deps.secureContext ? { secureContext: deps.secureContext } : {}),
      rejectUnauthorized: true,
    },
    auth:
      connection.auth.method === "password"
        ? { user: connection.auth.user, pass: connection.auth.password }
        : { user: connection.auth.user, accessToken: connection.auth.accessToken },
    logger: imapLogger(deps.logger),
    disableAutoIdle: true,
    disableCompression: true,
    connectionTimeout: deps.timeoutMs,
    greetingTimeout: deps.timeoutMs,
    socketTimeout: Math.max(deps.timeoutMs, 30_000),
    maxLiteralSize: deps.maxMessageBytes + 1024,
    maxResponseSize: deps.maxMessageBytes + 1024 * 1024,
    maxLineLength: 1024 * 1024,
    maxResponseTokens: 200_000,
    clientInfo: { name: "Postbag" },
  });
  // An 'error' event without a listener would take the process down; failures surface through
  // the pending command instead.
  client.on("error", (err: unknown) => deps.logger.debug({ err }, "IMAP connection error"));
  try {
    await client.connect();
    const box = await client.mailboxOpen(connection.folder || "INBOX", { readOnly: true });
    return { ok: true, client: new ImapMailbox(client, String(box.uidValidity)) };
  } catch (err) {
    client.close();
    return { ok: false, reason: describeFailure(err) };
  }
}

class ImapMailbox implements MailboxClient {
  readonly #client: ImapFlow;
  readonly validity: string;

  constructor(client: ImapFlow, validity: string) {
    this.#client = client;
    this.validity = validity;
  }

  async list(afterUid: number, limit: number): Promise<MailboxEntry[]> {
    // SEARCH UID n:* answers plain numbers (cheap to parse); sizes are then fetched for the
    // first `limit` only. "n:*" always includes the highest UID even when it is below n.
    const found = await this.#client.search({ uid: `${afterUid + 1}:*` }, { uid: true });
    const uids = (found || [])
      .filter((uid) => uid > afterUid)
      .sort((a, b) => a - b)
      .slice(0, limit);
    if (uids.length === 0) return [];
    const sizes = new Map<number, number>();
    for await (const m of this.#client.fetch(uids.join(","), { uid: true, size: true }, { uid: true })) {
      sizes.set(m.uid, m.size ?? 0);
    }
    return uids
      .filter((uid) => sizes.has(uid)) // expunged in between
      .map((uid) => ({
        sourceKey: `imap:${this.validity}:${uid}`,
        uid,
        number: null,
        size: sizes.get(uid) ?? 0,
      }));
  }

  async fetch(entry: MailboxEntry, maxBytes: number): Promise<FetchedMessage> {
    if (entry.uid === null) throw new Error("an IMAP entry always has a UID");
    // A partial fetch (BODY.PEEK[]<0.maxBytes+1>): whatever RFC822.SIZE claimed, the server
    // cannot hand us more than one byte over the limit, and PEEK leaves \Seen alone.
    const message = await this.#client.fetchOne(
      String(entry.uid),
      { uid: true, source: { start: 0, maxLength: maxBytes + 1 } },
      { uid: true },
    );
    const raw = message ? message.source : undefined;
    if (!raw) return { ok: false, reason: "gone" };
    if (raw.length > maxBytes) return { ok: false, reason: "too_large" };
    return { ok: true, raw };
  }

  async close(): Promise<void> {
    try {
      await this.#client.logout();
    } catch {
      this.#client.close();
    }
  }
}
