import { Type } from "typebox";
import { ApiError } from "../../errors/api-error.js";
import { createNetworkPolicy } from "../../network/network-policy.js";
import {
  checkWebhookUrl,
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  updateEndpoint,
  type WebhookDelivery,
  type WebhookEndpoint,
  webhookEventTypes,
} from "../../tracking/webhook-endpoints.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, IdParams, Nullable, Page, PageQuery, StringEnum } from "../schemas.js";

const Events = Type.Array(StringEnum(webhookEventTypes), {
  minItems: 1,
  maxItems: webhookEventTypes.length,
  description: '`["*"]` for every event, or `message.<status>` types such as `message.hard_bounce`',
});
const Description = Type.String({ maxLength: 200 });

const EndpointSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

const CreatedSchema = Type.Object({
  ...EndpointSchema.properties,
  secret: Type.String({ description: "The signing secret (`whsec_…`): shown only in this answer" }),
});

const DeliverySchema = Type.Object({
  id: Type.String({ description: "Also the `webhook-id` header of every attempt" }),
  eventType: Type.String(),
  state: Type.String({ description: "`pending`, `delivered` or `failed` (gave up)" }),
  attempts: Type.Integer(),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  nextAttemptAt: Nullable(Type.String({ format: "date-time" })),
  deliveredAt: Nullable(Type.String({ format: "date-time" })),
});

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

function view(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    events: [...e.events],
    description: e.description,
    active: e.active,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    eventType: d.eventType,
    state: d.state,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    nextAttemptAt: isoOrNull(d.nextAttemptAt),
    deliveredAt: isoOrNull(d.deliveredAt),
  };
}

function cleanDescription(text: string | null | undefined): string | null | undefined {
  if (text === undefined || text === null) return text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new ApiError("invalid_request", "description must not contain control characters");
  return text.trim() === "" ? null : text.trim();
}

/**
 * Webhook endpoints (administrator keys only): HTTPS URLs that receive signed status events.
 * The URL's host is checked with the outbound network policy here and before every delivery.
 */
export function registerWebhookRoutes(app: App, { database, clock, config }: AppDeps): void {
  const administrator = { access: { auth: "tenant", roles: ["administrator"] } } as const;
  const policy = createNetworkPolicy(config);

  async function checkedUrl(raw: string): Promise<string> {
    const check = await checkWebhookUrl(policy, raw);
    if (!check.ok) throw new ApiError("invalid_request", check.reason, [{ path: "/url", message: check.reason }]);
    return check.url.href;
  }

  async function found(tenantId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await getEndpoint(database.db, tenantId, id);
    if (!endpoint) throw new ApiError("not_found", `no webhook ${id.slice(0, 40)}`);
    return endpoint;
  }

  app.post(
    "/v1/webhooks",
    {
      config: administrator,
      schema: {
        tags: ["webhooks"],
        summary: "Register an HTTPS endpoint for status events; the answer carries the signing secret, once",
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2000 }),
            events: Type.Optional(Events),
            description: Type.Optional(Nullable(Description)),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const url = await checkedUrl(request.body.url);
      const { endpoint, secret } = await createEndpoint(database.db, config.secretKey, {
        tenantId,
        url,
        events: request.body.events ?? ["*"],
        description: cleanDescription(request.body.description) ?? null,
        at: clock.now(),
      });
      return reply.code(201).send({ ...view(endpoint), secret });
    },
  );

  app.get(
    "/v1/webhooks",
    {
      config: administrator,
      schema: {
        tags: ["webhooks"],
        summary: "The tenant's webhook endpoints, oldest first (secrets are never shown again)",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(EndpointSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listEndpoints(database.db, tenantId, decodeCursor(request.query.cursor), limit);
      return { items: rows.map(view), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.get(
    "/v1/webhooks/:id",
    {
      config: administrator,
      schema: {
        tags: ["webhooks"],
        summary: "One webhook endpoint",
        params: IdParams,
        response: { 200: EndpointSchema, ...errorResponses },
      },
    },
    async (request) => view(await found(tenantOf(request).tenantId, request.params.id)),
  );

  app.patch(
    "/v1/webhooks/:id",
    {
      config: administrator,
      schema: {
        tags: ["webhooks"],
        summary: "Change an endpoint's URL, events, description, or pause it (`active: false`)",
        params: IdParams,
        body: Type.Object(
          {
            url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
            events: Type.Optional(Events),
            description: Type.Optional(Nullable(Description)),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: EndpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      await found(tenantId, request.params.id);
      const body = request.body;
      const url = body.url === undefined ? undefined : await checkedUrl(body.url);
      const updated = await updateEndpoint(
        database.db,
        tenantId,
        request.params.id,
        { url, events: body.events, description: cleanDescription(body.description), active: body.active },
        clock.now(),
      );
      if (!updated) throw new ApiError("not_found", `no webhook ${request.params.id.slice(0, 40)}`);
      return view(updated);
    },
  );

  app.delete(
    "/v1/webhooks/:id",
    {
      config: administrator,
      schema: {
        tags: ["webhooks"],
        summary: "Remove an endpoint with its delivery log; pending deliveries are dropped",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      if (!(await deleteEndpoint(database.db, tenantId, request.params.id))) {
        throw new ApiError("not_found", `no webhook ${request.params.id.slice(0, 40)}`);
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v1/webhooks/:id/deliveries",
    {
      config: administrator,
      schema: {
        tags: ["webhooks"],
        summary: "An endpoint's delivery log, newest first",
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(DeliverySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      await found(tenantId, request.params.id);
      const limit = request.query.limit ?? 50;
      const rows = await listDeliveries(
        database.db,
        tenantId,
        request.params.id,
        decodeCursor(request.query.cursor),
        limit,
      );
      return { items: rows.map(deliveryView), nextCursor: nextCursor(rows, limit) };
    },
  );
}
