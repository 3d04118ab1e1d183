import { randomBytes } from "node:crypto";
import { createSecureContext } from "node:tls";
import type { Logger } from "pino";
import pino from "pino";
import {
  type AccountSettings,
  DEFAULT_SCHEDULE,
  type ReceiveSettings,
  saveAccount,
} from "../../src/accounts/account-settings.js";
import type { Database } from "../../src/db/database.js";
import { newId } from "../../src/db/ids.js";
import { legacyMessageRefFor, recipientRefFor, returnPathFor } from "../../src/delivery/return-path.js";
import { openMailboxClient } from "../../src/mailboxes/open-mailbox-client.js";
import { MailboxPoller, type PollerDeps } from "../../src/mailboxes/poller.js";
import { createNetworkPolicy, type NetworkPolicy } from "../../src/network/network-policy.js";
import type { Clock } from "../../src/time/clock.js";
import { acceptMessages, BOUNCE_DOMAIN, message, SECRET_KEY } from "./delivery.js";
import type { Dovecot } from "./dovecot.js";

/** Test helpers for mailbox polling against the real Dovecot of `dovecot.ts`. */

export const silent: Logger = pino({ level: "silent" });

/** The outbound policy with loopback let through, trusting Dovecot's self-signed certificate. */
export function loopbackPolicy(dovecot: Dovecot): NetworkPolicy {
  const base = createNetworkPolicy({
    outboundAllow: ["127.0.0.1/32", "::1/128"],
    outboundDeny: [],
    extraCaFile: undefined,
  });
  const ca = [dovecot.cert];
  return { check: (host) => base.check(host), ca, secureContext: createSecureContext({ ca }) };
}

export function receiveSettings(
  dovecot: Dovecot,
  user: string,
  overrides: Partial<ReceiveSettings> = {},
): ReceiveSettings {
  return {
    protocol: "imap",
    host: dovecot.host,
    port: overrides.protocol === "pop3" ? dovecot.pop3Port : dovecot.imapPort,
    security: "starttls",
    auth: { method: "password", user },
    mailbox: "INBOX",
    schedule: { mode: "every", minutes: 5 },
    ...overrides,
  };
}

/** Saves the tenant's live account with receiving set up (as the wizard's Finish would). */
export async function saveReceiving(
  database: Database,
  tenantId: string,
  receive: ReceiveSettings,
  password: string,
  at: number,
): Promise<void> {
  const settings: AccountSettings = {
    mode: "own_account",
    fromAddress: "office@practice.example",
    fromName: "The Practice",
    smtp: null,
    receive,
    schedule: DEFAULT_SCHEDULE,
    attachments: { maxBytes: 10_000_000, blockedExtensions: [] },
  };
  await database.db
    .transaction()
    .execute((tx) => saveAccount(tx, SECRET_KEY, tenantId, settings, { receivePassword: password }, at, null));
}

export function newPoller(
  database: Database,
  clock: Clock,
  dovecot: Dovecot,
  overrides: Partial<PollerDeps> = {},
): MailboxPoller {
  return new MailboxPoller({
    database,
    clock,
    logger: silent,
    secretKey: SECRET_KEY,
    policy: loopbackPolicy(dovecot),
    inboundMaxBytes: 1_000_000,
    bounceMailboxUrl: undefined,
    bounceMailboxPollMs: 60_000,
    openClient: openMailboxClient,
    timeoutMs: 10_000,
    ...overrides,
  });
}

/** A message the tenant sent, its recipient rows marked `sent`; one contact per recipient. */
export async function sentMessage(
  database: Database,
  clock: Clock,
  tenantId: string,
  to: readonly string[],
): Promise<{
  messageId: string;
  messageIdHeader: string;
  recipients: { id: string; email: string; contactId: string }[];
}> {
  const [accepted] = await acceptMessages(database, clock, tenantId, [message({ to: [...to] })]);
  if (!accepted) throw new Error("not accepted");
  const row = await database.db
    .selectFrom("messages")
    .select(["id", "message_id_header"])
    .where("tenant_id", "=", tenantId)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  const rows = await database.db
    .selectFrom("recipients")
    .select(["id", "email"])
    .where("tenant_id", "=", tenantId)
    .where("message_id", "=", row.id)
    .orderBy("id")
    .execute();
  const recipients: { id: string; email: string; contactId: string }[] = [];
  for (const r of rows) {
    const contactId = newId(clock.now());
    await database.db
      .insertInto("contacts")
      .values({
        id: contactId,
        tenant_id: tenantId,
        external_id: `ext-${randomBytes(4).toString("hex")}`,
        name: r.email,
        email: r.email,
        email_given: null,
        email_problem: null,
        digest: "none",
        digest_time: null,
        digest_weekday: null,
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .execute();
    await database.db
      .updateTable("recipients")
      .set({ status: "sent", next_attempt_at: null, sent_at: clock.now(), contact_id: contactId })
      .where("id", "=", r.id)
      .execute();
    recipients.push({ id: r.id, email: r.email, contactId });
  }
  return { messageId: row.id, messageIdHeader: row.message_id_header, recipients };
}

export const verpFor = (recipientId: string) => returnPathFor(SECRET_KEY, BOUNCE_DOMAIN, recipientId);
/** The VERP address with one character of its signature changed. */
export function forgedVerp(address: string): string {
  return address.replace(/([0-9a-f])@/, (_, c: string) => `${c === "0" ? "1" : "0"}@`);
}

/** The `X-Postbag-Ref` own-account mail carries: signed per recipient, naming its tenant. */
export const refFor = (tenantId: string, recipientId: string) => recipientRefFor(SECRET_KEY, tenantId, recipientId);
/** The per-message reference of mail sent before references were per recipient. */
export const legacyRefFor = (messageId: string) => legacyMessageRefFor(SECRET_KEY, messageId);

/** A Postfix-style RFC 3464 DSN. */
export function dsn(options: {
  to: string;
  recipient: string;
  action?: string;
  status?: string;
  diagnostic?: string;
  returnedHeaders?: readonly string[];
  messageId?: string;
  /** Further Final-Recipient blocks with the same status (one DSN may list many recipients). */
  alsoRecipients?: readonly string[];
}): string {
  const boundary = `B${randomBytes(6).toString("hex")}`;
  const status = options.status ?? "5.1.1";
  return [
    "Return-Path: <>",
    `Delivered-To: ${options.to}`,
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)",
    `To: ${options.to}`,
    "Subject: Undelivered Mail Returned to Sender",
    "Auto-Submitted: auto-replied",
    `Message-ID: ${options.messageId ?? `<dsn-${randomBytes(6).toString("hex")}@mx.example.net>`}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "Your message could not be delivered.",
    "",
    `--${boundary}`,
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.net",
    "",
    `Final-Recipient: rfc822; ${options.recipient}`,
    `Action: ${options.action ?? "failed"}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${options.diagnostic ?? `550 ${status} User unknown`}`,
    "",
    ...(options.alsoRecipients ?? []).flatMap((r) => [
      `Final-Recipient: rfc822; ${r}`,
      `Action: ${options.action ?? "failed"}`,
      `Status: ${status}`,
      "",
    ]),
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    "",
    ...(options.returnedHeaders ?? ["From: office@practice.example", `To: ${options.recipient}`, "Subject: Hello"]),
    "",
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

/** A plain message (a parent's reply, say). */
export function plainMessage(options: {
  from: string;
  to?: string;
  subject?: string;
  body?: string;
  headers?: readonly string[];
  messageId?: string | null;
}): string {
  return [
    `From: ${options.from}`,
    `To: ${options.to ?? "office@practice.example"}`,
    `Subject: ${options.subject ?? "Re: Hello"}`,
    ...(options.messageId === null
      ? []
      : [`Message-ID: ${options.messageId ?? `<m-${randomBytes(6).toString("hex")}@parent.example>`}`]),
    "Date: Thu, 15 Jan 2026 10:00:00 +0000",
    ...(options.headers ?? []),
    "",
    options.body ?? "Thanks, see you then.",
    "",
  ].join("\r\n");
}

export async function inboundRows(database: Database, mailboxKey: string) {
  return database.db
    .selectFrom("inbound_messages")
    .selectAll()
    .where("mailbox_key", "=", mailboxKey)
    .orderBy("id")
    .execute();
}
