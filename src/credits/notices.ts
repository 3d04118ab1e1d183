import { createHash } from "node:crypto";
import type { Tx } from "../db/database.js";
import { isValidEmail } from "../email/address.js";
import { insertPlanned, planMessage } from "../messages/message-store.js";
import type { PreparedMessage } from "../messages/prepare.js";
import type { TenantCreditRules } from "./settings.js";

/** Where Postbag's own notices come from, and the domain of their Message-IDs. */
export interface NoticeSender {
  readonly senderDomain: string;
  readonly publicUrl: string;
}

/**
 * Who hears about a tenant's credit: every administrator with an email address, plus the
 * tenant's low-credit recipients (user ids, resolved to their address, or plain addresses).
 */
export async function creditAlertRecipients(tx: Tx, rules: TenantCreditRules): Promise<string[]> {
  const users = await tx
    .selectFrom("users")
    .select(["id", "email", "role"])
    .where("tenant_id", "=", rules.tenantId)
    .execute();
  const byId = new Map(users.map((u) => [u.id, u.email]));
  const out = new Map<string, string>();
  const add = (email: string | null | undefined) => {
    if (email && isValidEmail(email)) out.set(email.toLowerCase(), email);
  };
  for (const u of users) if (u.role === "administrator") add(u.email);
  for (const entry of rules.lowCreditRecipients) add(entry.includes("@") ? entry : byId.get(entry));
  return [...out.values()];
}

/** A notice as a prepared message: category `notice`, never counted, never held. */
export function prepareNotice(
  sender: NoticeSender,
  to: readonly string[],
  subject: string,
  text: string,
  html?: string,
): PreparedMessage {
  return {
    category: "notice",
    from: { email: `noreply@${sender.senderDomain}`, name: "Postbag" },
    replyTo: null,
    subject,
    text,
    html: html ?? null,
    recipients: to.map((email) => ({ kind: "to" as const, email, name: null })),
    headers: {},
    attachments: [],
    sizeBytes: Buffer.byteLength(subject) + Buffer.byteLength(text) + Buffer.byteLength(html ?? ""),
    idempotencyKey: null,
    requestHash: createHash("sha256").update(`${subject}\n${text}`).digest("hex"),
  };
}

/**
 * Queues a notice in the caller's transaction, so it exists exactly when the decision does.
 * Each recipient gets a message of their own: administrators and the extra low-credit
 * addresses never see each other's addresses.
 */
export async function queueNotice(
  tx: Tx,
  sender: NoticeSender,
  tenantId: string,
  now: number,
  notice: PreparedMessage,
): Promise<void> {
  if (notice.recipients.length === 0) return;
  await insertPlanned(
    tx,
    notice.recipients.map((r) =>
      planMessage(tenantId, { ...notice, recipients: [r] }, now, sender.senderDomain, "notice"),
    ),
  );
}
