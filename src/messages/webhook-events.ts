import type { Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import { stringList } from "../db/json-codec.js";
import type { FailureReason } from "../email/failure-reasons.js";
import type { RecipientStatus } from "../email/statuses.js";

/** `webhook_endpoints.events`: the event types an endpoint wants (`*` for all). */
export const webhookEventsColumn = stringList("webhook_endpoints.events");

/** A recipient's status changed: what tenants' webhook endpoints hear about. */
export interface StatusEvent {
  readonly tenantId: string;
  readonly messageId: string;
  readonly recipientId: string;
  readonly email: string;
  readonly status: RecipientStatus;
  readonly at: number;
  readonly smtpCode?: number | null;
  readonly enhancedCode?: string | null;
  readonly detail?: string | null;
  /** Why it failed (email/failure-reasons.ts); null when it did not fail or nobody said. */
  readonly reason?: FailureReason | null;
}

/** Event type names: `message.<status>`, e.g. `message.hard_bounce`. */
export function eventTypeOf(status: RecipientStatus): string {
  return `message.${status}`;
}

/**
 * Queues webhook deliveries for status events, in the caller's transaction (so an event is
 * queued exactly when its status change commits). One row per event and subscribed endpoint;
 * the webhook sender delivers them later, signed, with retries. Costs one query for the whole
 * batch, whatever the number of tenants in it, and none when the caller knows that none of them
 * has an endpoint (most have none).
 */
export async function enqueueStatusEvents(
  tx: Tx | Db,
  events: readonly StatusEvent[],
  /**
   * The tenants with an active endpoint, when the caller read that in the same transaction
   * (the outcome UPDATE does): the others' events are dropped without a query.
   */
  tenantsWithEndpoints?: ReadonlySet<string>,
): Promise<void> {
  const byTenant = new Map<string, StatusEvent[]>();
  for (const e of events) {
    if (tenantsWithEndpoints && !tenantsWithEndpoints.has(e.tenantId)) continue;
    byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e]);
  }
  if (byTenant.size === 0) return;
  const active = await tx
    .selectFrom("webhook_endpoints")
    .select(["id", "tenant_id", "events"])
    .where("tenant_id", "in", [...byTenant.keys()])
    .where("active", "=", 1)
    .orderBy("tenant_id")
    .orderBy("id")
    .execute();
  for (const [tenantId, list] of byTenant) {
    const endpoints = active.filter((ep) => ep.tenant_id === tenantId);
    if (endpoints.length === 0) continue;
    const rows = [];
    for (const e of list) {
      const type = eventTypeOf(e.status);
      const payload = JSON.stringify({
        type,
        timestamp: new Date(e.at).toISOString(),
        data: {
          messageId: e.messageId,
          recipientId: e.recipientId,
          email: e.email,
          status: e.status,
          smtpCode: e.smtpCode ?? null,
          enhancedCode: e.enhancedCode ?? null,
          detail: e.detail ?? null,
          reason: e.reason ?? null,
        },
      });
      for (const ep of endpoints) {
        const wanted = webhookEventsColumn.decode(ep.events);
        if (!wanted.includes("*") && !wanted.includes(type)) continue;
        rows.push({
          id: newId(e.at),
          tenant_id: tenantId,
          endpoint_id: ep.id,
          event_type: type,
          payload,
          state: "pending",
          attempts: 0,
          next_attempt_at: e.at,
          created_at: e.at,
        });
      }
    }
    for (let i = 0; i < rows.length; i += 200) {
      await tx
        .insertInto("webhook_deliveries")
        .values(rows.slice(i, i + 200))
        .execute();
    }
  }
}
