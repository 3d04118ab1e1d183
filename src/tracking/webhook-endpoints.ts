import type { Db } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { WebhookDeliveryTable, WebhookEndpointTable } from "../db/tables.js";
import { recipientStatuses } from "../email/statuses.js";
import { eventTypeOf, webhookEventsColumn } from "../messages/webhook-events.js";
import type { NetworkPolicy } from "../network/network-policy.js";
import { open, seal } from "../tenants/secret-box.js";
import { newWebhookSecret } from "./webhook-signature.js";

/** A tenant's webhook endpoint as the API shows it: never its secret. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly description: string | null;
  readonly active: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Every event type an endpoint may ask for; `*` is every one. */
export const webhookEventTypes: readonly string[] = ["*", ...recipientStatuses.map(eventTypeOf)];

export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** The context a signing secret is sealed under: a sealed secret copied to another row does not open. */
const sealContext = (endpointId: string) => `webhook:${endpointId}`;

export type UrlCheck =
  | { readonly ok: true; readonly url: URL; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * An endpoint URL must be https, carry no credentials, and name a host the network policy lets
 * tenants reach (checked again before every delivery: DNS may change).
 */
export async function checkWebhookUrl(policy: NetworkPolicy, raw: string): Promise<UrlCheck> {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return { ok: false, reason: "url is too long" };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "url is not a valid URL" };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "url must use https" };
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "url must not carry a user or password" };
  if (url.hostname === "") return { ok: false, reason: "url has no host" };
  const host = await policy.check(url.hostname);
  if (!host.ok) return { ok: false, reason: host.reason };
  url.hash = "";
  return { ok: true, url, addresses: host.addresses };
}

/** Event types kept in order without repeats; `*` swallows the rest. */
export function normalizeEvents(events: readonly string[]): string[] {
  return events.includes("*") ? ["*"] : [...new Set(events)];
}

function view(row: WebhookEndpointTable): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: webhookEventsColumn.decode(row.events),
    description: row.description,
    active: row.active === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Creates an endpoint; the signing secret is returned this once and stored sealed. */
export async function createEndpoint(
  db: Db,
  secretKey: string,
  input: {
    readonly tenantId: string;
    readonly url: string;
    readonly events: readonly string[];
    readonly description: string | null;
    readonly at: number;
  },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const id = newId(input.at);
  const secret = newWebhookSecret();
  const row: WebhookEndpointTable = {
    id,
    tenant_id: input.tenantId,
    url: input.url,
    secret: seal(secretKey, sealContext(id), secret),
    events: webhookEventsColumn.encode(normalizeEvents(input.events)),
    description: input.description,
    active: 1,
    created_at: input.at,
    updated_at: input.at,
  };
  await db.insertInto("webhook_endpoints").values(row).execute();
  return { endpoint: view(row), secret };
}

export async function listEndpoints(
  db: Db,
  tenantId: string,
  after: string | undefined,
  limit: number,
): Promise<WebhookEndpoint[]> {
  let q = db.selectFrom("webhook_endpoints").selectAll().where("tenant_id", "=", tenantId).orderBy("id").limit(limit);
  if (after !== undefined) q = q.where("id", ">", after);
  return (await q.execute()).map(view);
}

export async function getEndpoint(db: Db, tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const row = await db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? view(row) : undefined;
}

export async function updateEndpoint(
  db: Db,
  tenantId: string,
  id: string,
  patch: {
    readonly url?: string | undefined;
    readonly events?: readonly string[] | undefined;
    readonly description?: string | null | undefined;
    readonly active?: boolean | undefined;
  },
  at: number,
): Promise<WebhookEndpoint | undefined> {
  const result = await db
    .updateTable("webhook_endpoints")
    .set({
      updated_at: at,
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.events !== undefined ? { events: webhookEventsColumn.encode(normalizeEvents(patch.events)) } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return undefined;
  return getEndpoint(db, tenantId, id);
}

/** Deletes an endpoint and its delivery log (pending deliveries are dropped). */
export async function deleteEndpoint(db: Db, tenantId: string, id: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const result = await tx
      .deleteFrom("webhook_endpoints")
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    await tx.deleteFrom("webhook_deliveries").where("tenant_id", "=", tenantId).where("endpoint_id", "=", id).execute();
    return true;
  });
}

/** The signing secret of an endpoint row, for the sender. */
export function signingSecretOf(secretKey: string, row: Pick<WebhookEndpointTable, "id" | "secret">): string {
  return open(secretKey, sealContext(row.id), row.secret);
}

export interface WebhookDelivery {
  readonly id: string;
  readonly eventType: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly nextAttemptAt: number | null;
  readonly deliveredAt: number | null;
}

function deliveryView(row: WebhookDeliveryTable): WebhookDelivery {
  return {
    id: row.id,
    eventType: row.event_type,
    state: row.state,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    // While an attempt runs the column holds the lease's end; it is still "the next try at the latest".
    nextAttemptAt: row.state === "pending" ? row.next_attempt_at : null,
    deliveredAt: row.delivered_at,
  };
}

/** An endpoint's delivery log, newest first, before the id `before`. */
export async function listDeliveries(
  db: Db,
  tenantId: string,
  endpointId: string,
  before: string | undefined,
  limit: number,
): Promise<WebhookDelivery[]> {
  let q = db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("endpoint_id", "=", endpointId)
    .orderBy("id", "desc")
    .limit(limit);
  if (before !== undefined) q = q.where("id", "<", before);
  return (await q.execute()).map(deliveryView);
}
