import type { Tx } from "../db/database.js";
import { isValidEmail } from "../email/address.js";
import { suppressedFor, suppressionKey } from "../messages/suppressions.js";
import { nextDigestAt, wantsDigest } from "./digest-schedule.js";
import type { ClaimedDelivery, DeliveryOutcome } from "./outbox.js";

/** What screening needs to know about each claimed row's message. */
export interface ScreenedMessage {
  readonly category: string;
  readonly essential: boolean;
  readonly source: string;
}

export interface Screening {
  /**
   * Rows decided without sending (`rejected`, `opted_out`, `pending_digest`, `email_missing`):
   * attempts unchanged, no next attempt, never charged. The caller records them (one event each).
   */
  readonly outcomes: DeliveryOutcome[];
  /** Message id -> what screening read about it (metering needs the category). */
  readonly messages: ReadonlyMap<string, ScreenedMessage>;
}

const SUPPRESSION_WORDS: Record<string, string> = {
  hard_bounce: "an earlier hard bounce",
  spam: "a spam complaint",
};

/**
 * The steps before any credit is reserved, on every attempt (a retry too: the address may have
 * been suppressed or the contact opted out while it waited), in this order:
 * `checkSuppression` (a suppressed address is `rejected`, whatever the message; Essential never
 * overrides it) -> `checkOptOut` (the contact opted out of the category and the message is not
 * Essential) -> `checkDigest` (a non-essential announcement to a contact who chose a digest waits
 * as `pending_digest`, with a `digest_items` row due at the contact's next digest time; first
 * attempts only: a retry was already sent on its own once) ->
 * `checkAddress` (`email_missing`). Runs in the claim transaction: the messages and the
 * suppressions are one query each for the whole batch, whatever its tenants; opt-outs and digest
 * choices one per tenant with contact mail, so plain API mail costs only the first two.
 * `zones`: tenants' time zones when the caller has them (for digest times), else read here.
 */
export async function screenDeliveries(
  tx: Tx,
  deliveries: readonly ClaimedDelivery[],
  now: number,
  zones?: ReadonlyMap<string, string>,
): Promise<Screening> {
  const outcomes: DeliveryOutcome[] = [];
  const messages = new Map<string, ScreenedMessage>();
  const byTenant = new Map<string, ClaimedDelivery[]>();
  for (const d of deliveries) byTenant.set(d.tenantId, [...(byTenant.get(d.tenantId) ?? []), d]);
  const messageIds = [...new Set(deliveries.map((d) => d.messageId))];
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await tx
      .selectFrom("messages")
      .select(["id", "tenant_id", "category", "essential", "source"])
      .where("tenant_id", "in", [...byTenant.keys()])
      .where("id", "in", messageIds.slice(i, i + 500))
      .execute();
    for (const r of rows) messages.set(r.id, { category: r.category, essential: r.essential === 1, source: r.source });
  }
  // checkSuppression, for every tenant at once
  const suppressed = await suppressedFor(tx, deliveries);
  for (const [tenantId, list] of byTenant) {
    const decide = (d: ClaimedDelivery, status: DeliveryOutcome["status"], text: string) =>
      outcomes.push({
        delivery: d,
        status,
        attempts: d.attempts,
        nextAttemptAt: null,
        smtpCode: null,
        enhancedCode: null,
        smtpText: text,
        at: now,
      });

    let rest: ClaimedDelivery[] = [];
    for (const d of list) {
      const reason = suppressed.get(`${tenantId} ${suppressionKey(d.email)}`);
      if (reason === undefined) rest.push(d);
      else {
        const why = SUPPRESSION_WORDS[reason] ?? reason;
        decide(d, "rejected", `not sent: the address is suppressed for this tenant after ${why} (${reason})`);
      }
    }

    // checkOptOut: only mail for a contact can be opted out of.
    const forContacts = rest.filter((d) => d.contactId !== null && messages.get(d.messageId)?.essential === false);
    if (forContacts.length > 0) {
      const contactIds = [...new Set(forContacts.map((d) => d.contactId ?? ""))];
      const optOuts = new Set<string>();
      for (let i = 0; i < contactIds.length; i += 500) {
        const found = await tx
          .selectFrom("contact_opt_outs")
          .select(["contact_id", "category"])
          .where("tenant_id", "=", tenantId)
          .where("contact_id", "in", contactIds.slice(i, i + 500))
          .execute();
        for (const o of found) optOuts.add(`${o.contact_id} ${o.category}`);
      }
      const kept: ClaimedDelivery[] = [];
      for (const d of rest) {
        const category = messages.get(d.messageId)?.category ?? "";
        const essential = messages.get(d.messageId)?.essential ?? false;
        if (d.contactId !== null && !essential && optOuts.has(`${d.contactId} ${category}`)) {
          decide(d, "opted_out", `not sent: the contact opted out of ${category} mail`);
        } else kept.push(d);
      }
      rest = kept;
    }

    // checkDigest: non-essential announcements wait for a contact's digest; a contact without a
    // usable address is reported `email_missing` now rather than after waiting for the digest.
    const digestable = rest.filter((d) => {
      const m = messages.get(d.messageId);
      return (
        d.attempts === 0 &&
        d.contactId !== null &&
        m?.source === "announcement" &&
        !m.essential &&
        isValidEmail(d.email)
      );
    });
    const waiting = new Set(digestable);
    if (digestable.length > 0) {
      const contactIds = [...new Set(digestable.map((d) => d.contactId ?? ""))];
      const zone =
        zones?.get(tenantId) ??
        (await tx.selectFrom("tenants").select("timezone").where("id", "=", tenantId).executeTakeFirst())?.timezone ??
        "UTC";
      const choices = new Map<string, { digest: string; time: string | null; weekday: number | null }>();
      for (let i = 0; i < contactIds.length; i += 500) {
        const found = await tx
          .selectFrom("contacts")
          .select(["id", "digest", "digest_time", "digest_weekday"])
          .where("tenant_id", "=", tenantId)
          .where("id", "in", contactIds.slice(i, i + 500))
          .where("digest", "in", ["daily", "weekly"])
          .execute();
        for (const c of found) choices.set(c.id, { digest: c.digest, time: c.digest_time, weekday: c.digest_weekday });
      }
      const items = [];
      const kept: ClaimedDelivery[] = [];
      for (const d of rest) {
        const choice = d.contactId !== null && waiting.has(d) ? choices.get(d.contactId) : undefined;
        if (!choice || !wantsDigest(choice.digest) || d.contactId === null) {
          kept.push(d);
          continue;
        }
        const dueAt = nextDigestAt(now, zone, choice);
        items.push({
          recipient_id: d.id,
          tenant_id: tenantId,
          contact_id: d.contactId,
          message_id: d.messageId,
          due_at: dueAt,
          digest_message_id: null,
          created_at: now,
        });
        decide(
          d,
          "pending_digest",
          `waiting for the contact's ${choice.digest} digest, due ${new Date(dueAt).toISOString()}`,
        );
      }
      for (let i = 0; i < items.length; i += 500) {
        await tx
          .insertInto("digest_items")
          .values(items.slice(i, i + 500))
          // A row screened twice (its claim's commit failed and it was claimed again) keeps one item.
          .onConflict((oc) => oc.column("recipient_id").doNothing())
          .execute();
      }
      rest = kept;
    }

    // checkAddress
    for (const d of rest) {
      if (!isValidEmail(d.email)) decide(d, "email_missing", "no valid email address");
    }
  }
  return { outcomes, messages };
}
