import { openImapMailbox } from "./imap-mailbox.js";
import type { MailboxClientDeps, MailboxConnection, OpenResult } from "./mailbox-client.js";
import { openPop3Mailbox } from "./pop3-mailbox.js";

/** Logs in to a mailbox with the backend its protocol names. */
export function openMailboxClient(connection: MailboxConnection, deps: MailboxClientDeps): Promise<OpenResult> {
  return connection.protocol === "imap" ? openImapMailbox(connection, deps) : openPop3Mailbox(connection, deps);
}
