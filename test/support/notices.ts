import type { MeterRequest } from "../../src/credits/meter.js";
import { type NoticeSender, prepareNotice } from "../../src/credits/notices.js";
import type { OverLimitPolicy } from "../../src/credits/settings.js";
import type { Db } from "../../src/db/database.js";
import { newId } from "../../src/db/ids.js";
import { insertPlanned, planMessage } from "../../src/messages/message-store.js";
import { TEST_SENDER_DOMAIN } from "./test-app.js";

/** What the test apps use for Postbag's own notices. */
export const testNoticeSender: NoticeSender = { senderDomain: TEST_SENDER_DOMAIN, publicUrl: "http://postbag.test" };

/** A user row (users are rows; the users API is not needed to make one). */
export async function addUser(
  db: Db,
  tenantId: string,
  role: "administrator" | "staff",
  email: string | null,
  name = "A user",
): Promise<string> {
  const id = newId();
  await db.insertInto("users").values({ id, tenant_id: tenantId, name, email, role, created_at: Date.now() }).execute();
  return id;
}

export async function setCreditSettings(
  db: Db,
  tenantId: string,
  settings: { allowance?: number; policy?: OverLimitPolicy; lowCreditRecipients?: string[] },
): Promise<void> {
  const values = {
    monthly_allowance: settings.allowance ?? null,
    over_limit_policy: settings.policy ?? null,
    grace_days: null,
    low_credit_recipients: JSON.stringify(settings.lowCreditRecipients ?? []),
    updated_at: Date.now(),
  };
  await db
    .insertInto("credit_settings")
    .values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column("tenant_id").doUpdateSet(values))
    .execute();
}

/** A notice as stored: a message with category and source `notice`, and its recipients. */
export interface StoredNotice {
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  readonly to: readonly string[];
  readonly createdAt: number;
}

/**
 * The tenant's notices, oldest first. Each person gets a message of their own; the messages
 * one notice was queued as (same subject and text, same moment) are read back as one notice
 * with all its recipients.
 */
export async function noticesOf(db: Db, tenantId: string): Promise<StoredNotice[]> {
  const messages = await db
    .selectFrom("messages")
    .select(["id", "subject", "text_body", "html_body", "category", "created_at"])
    .where("tenant_id", "=", tenantId)
    .where("source", "=", "notice")
    .orderBy("id")
    .execute();
  const grouped = new Map<
    string,
    { subject: string; text: string; html: string | null; to: string[]; createdAt: number }
  >();
  for (const m of messages) {
    if (m.category !== "notice") throw new Error(`notice ${m.id} has category ${m.category}`);
    const recipients = await db
      .selectFrom("recipients")
      .select("email")
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", m.id)
      .execute();
    const key = `${m.created_at}\n${m.subject}\n${m.text_body ?? ""}`;
    const notice = grouped.get(key) ?? {
      subject: m.subject,
      text: m.text_body ?? "",
      html: m.html_body,
      to: [],
      createdAt: m.created_at,
    };
    notice.to.push(...recipients.map((r) => r.email));
    grouped.set(key, notice);
  }
  return [...grouped.values()].map((n) => ({ ...n, to: n.to.sort() }));
}

/**
 * Stores one message of `category` to `count` recipients as the API would have accepted it,
 * returning what meterBatch needs to meter it.
 */
export async function acceptCounted(
  db: Db,
  tenantId: string,
  count: number,
  now: number,
  category = "announcement",
): Promise<MeterRequest[]> {
  const emails = Array.from({ length: count }, (_, i) => `parent${i}@example.test`);
  const prepared = { ...prepareNotice(testNoticeSender, emails, "Trip", "Bring lunch"), category } as Parameters<
    typeof planMessage
  >[1];
  const planned = planMessage(tenantId, prepared, now, TEST_SENDER_DOMAIN);
  await db.transaction().execute((tx) => insertPlanned(tx, [planned]));
  return planned.recipients.map((r) => ({
    recipientId: r.id,
    tenantId,
    messageId: planned.message.id,
    category,
  }));
}

/** Marks recipients sent at `at` with the given charge, as delivery would have. */
export async function markSent(db: Db, tenantId: string, ids: readonly string[], at: number, charge: string) {
  await db
    .updateTable("recipients")
    .set({ status: "sent", sent_at: at, charge, next_attempt_at: null, updated_at: at })
    .where("tenant_id", "=", tenantId)
    .where("id", "in", [...ids])
    .execute();
}
