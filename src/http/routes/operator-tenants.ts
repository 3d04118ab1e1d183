import { Type } from "typebox";
import { recordAudit } from "../../auth/audit.js";
import { changeTimezone } from "../../auth/timezone.js";
import { getTenantCreditSettings } from "../../credits/tenant-settings.js";
import type { Database } from "../../db/database.js";
import type { Tenant } from "../../db/tables.js";
import { tenantQueue } from "../../delivery/queue-stats.js";
import { resumeTenant, suspendTenant } from "../../delivery/suspension.js";
import { ApiError } from "../../errors/api-error.js";
import { listOperatorNotices } from "../../reports/operator-notices.js";
import {
  createApiKey,
  createTenant,
  findTenant,
  listTenants,
  POSTBAG_TENANT_ID,
  renameTenant,
  tenantRoles,
} from "../../tenants/tenants.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import type { App, AppDeps } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams, Nullable, Page, PageQuery, StringEnum } from "../schemas.js";
import { CreditsSchema, creditsView } from "./credits-balance.js";
import { TenantSettingsSchema, tenantSettingsView } from "./operator-credits-settings.js";
import { actorOf } from "./people.js";

const DateTime = Type.String({ format: "date-time" });

const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  pendingTimezone: Nullable(Type.String({ description: "Takes effect from the tenant's next credit period" })),
  timezoneEffectiveFrom: Nullable(DateTime),
  sendingMode: Type.String(),
  groupId: Nullable(Type.String({ description: "The group (trust) the tenant belongs to" })),
  suspendedAt: Nullable(DateTime),
  suspendedNote: Nullable(Type.String({ description: "Why, as the operator wrote it" })),
  createdAt: DateTime,
});

export const NoticeSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  at: DateTime,
  template: Type.String({ description: "over_limit or repeat_offender" }),
  subject: Type.String(),
  text: Type.String({ description: "The notice as the administrators received it" }),
  recipients: Type.Integer({ description: "How many administrators it went to" }),
  sentBy: Type.String({ description: "The operator (person or key) who sent it" }),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function view(t: Tenant) {
  return {
    id: t.id,
    name: t.name,
    timezone: t.timezone,
    pendingTimezone: t.pending_timezone,
    timezoneEffectiveFrom: iso(t.timezone_effective_from),
    sendingMode: t.sending_mode,
    groupId: t.group_id,
    suspendedAt: iso(t.suspended_at),
    suspendedNote: t.suspended_note,
    createdAt: iso(t.created_at) ?? "",
  };
}

async function existing(database: Database, id: string): Promise<Tenant> {
  const tenant = id === POSTBAG_TENANT_ID ? undefined : await findTenant(database.db, id);
  if (!tenant) throw new ApiError("not_found", `no tenant ${id.slice(0, 40)}`);
  return tenant;
}

/** Operator routes: only operators (keys or operator people) reach them. */
export function registerOperatorTenantRoutes(app: App, { database, clock, config }: AppDeps): void {
  const operator = { access: { auth: "operator" } } as const;
  app.post(
    "/v1/operator/tenants",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Create a tenant",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            timezone: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone; default Europe/London" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: TenantSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await createTenant(database.db, clock, request.body);
      return reply.code(201).send(view(tenant));
    },
  );

  app.get(
    "/v1/operator/tenants",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "All tenants",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(TenantSchema), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listTenants(database.db, decodeCursor(request.query.cursor), limit);
      return { items: rows.map(view), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.get(
    "/v1/operator/tenants/:id",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "One tenant as the operator sees it: credit, rules, outbox, administrators, notices",
        params: IdParams,
        response: {
          200: Type.Object({
            tenant: TenantSchema,
            group: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
            credits: CreditsSchema,
            creditSettings: TenantSettingsSchema,
            queue: Type.Object({
              waiting: Type.Integer(),
              inFlight: Type.Integer(),
              delayed: Type.Integer(),
              suspended: Type.Integer({ description: "Held because the tenant is suspended" }),
              heldNoCredit: Type.Integer({ description: "Held for lack of credit" }),
            }),
            administrators: Type.Array(Type.Object({ name: Type.String(), email: Nullable(Type.String()) })),
            notices: Type.Array(NoticeSchema, { description: "The newest 20 notices the operator sent, newest first" }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const now = clock.now();
      const tenant = await existing(database, request.params.id);
      const [credits, settings, queue, group, administrators, notices] = await Promise.all([
        creditsView(database, tenant.id, now),
        getTenantCreditSettings(database.db, tenant.id),
        tenantQueue(database, tenant.id, now, config.delayedAfterMs),
        tenant.group_id
          ? database.db
              .selectFrom("tenant_groups")
              .select(["id", "name"])
              .where("id", "=", tenant.group_id)
              .executeTakeFirst()
          : undefined,
        database.db
          .selectFrom("users")
          .select(["name", "email"])
          .where("tenant_id", "=", tenant.id)
          .where("role", "=", "administrator")
          .orderBy("id")
          .limit(50)
          .execute(),
        listOperatorNotices(database.db, tenant.id, undefined, 20),
      ]);
      if (!settings) throw new ApiError("not_found", `no tenant ${tenant.id}`);
      const { tenantId: _, ...q } = queue;
      return {
        tenant: view(tenant),
        group: group ?? null,
        credits,
        creditSettings: tenantSettingsView(settings),
        queue: q,
        administrators,
        notices: notices.map((n) => ({ ...n, at: new Date(n.at).toISOString() })),
      };
    },
  );

  app.patch(
    "/v1/operator/tenants/:id",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Rename a tenant or change its time zone (from its next credit period)",
        description:
          "An absent field is kept. A new time zone takes effect from the 1st of the tenant's next month " +
          "(pendingTimezone until then); the current zone cancels a pending change.",
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TenantSchema, ...errorResponses },
      },
    },
    async (request) => {
      const now = clock.now();
      const before = await existing(database, request.params.id);
      const { name, timezone } = request.body;
      if (name !== undefined && name.trim() !== before.name) {
        await renameTenant(database.db, before.id, name);
        await recordAudit(
          database.db,
          {
            tenantId: before.id,
            actor: actorOf(request),
            action: "tenant.renamed",
            target: name.trim(),
            detail: `was ${before.name}`,
          },
          now,
        );
      }
      if (timezone !== undefined) {
        const changed = await changeTimezone(database.db, before.id, timezone, now);
        await recordAudit(
          database.db,
          {
            tenantId: before.id,
            actor: actorOf(request),
            action: "timezone.changed",
            target: timezone,
            detail: changed.timezoneEffectiveFrom
              ? `from ${changed.timezoneEffectiveFrom}`
              : "pending change cancelled",
          },
          now,
        );
      }
      return view(await existing(database, before.id));
    },
  );

  app.post(
    "/v1/operator/tenants/:id/suspend",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Suspend a tenant: its keys and people are refused, its mail is held",
        description:
          "From the next request on, the tenant's API keys and console sessions get 403 tenant_suspended and " +
          "SMTP submission refuses its keys. Its queued and scheduled mail is held with the hold reason " +
          "`suspended`: nothing is sent and nothing deleted. Suspending a suspended tenant changes nothing.",
        params: IdParams,
        body: Type.Object(
          {
            note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "Why (kept on the tenant)" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ tenant: TenantSchema, held: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const now = clock.now();
      const note = request.body.note?.replace(/[\p{Cc}\s]+/gu, " ").trim() || null;
      const change = await suspendTenant(database, request.params.id, note, now);
      if (!change) throw new ApiError("not_found", `no tenant ${request.params.id.slice(0, 40)}`);
      if (change.changed) {
        await recordAudit(
          database.db,
          { tenantId: change.tenant.id, actor: actorOf(request), action: "tenant.suspended", detail: note },
          now,
        );
      }
      return { tenant: view(change.tenant), held: change.recipients };
    },
  );

  app.post(
    "/v1/operator/tenants/:id/resume",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Resume a suspended tenant: its keys and people work again, its held mail goes",
        description:
          "Mail held by the suspension is due again at the time it was due before (now, if that has passed). " +
          "Resuming a tenant that is not suspended changes nothing.",
        params: IdParams,
        response: { 200: Type.Object({ tenant: TenantSchema, released: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const now = clock.now();
      const change = await resumeTenant(database, request.params.id, now);
      if (!change) throw new ApiError("not_found", `no tenant ${request.params.id.slice(0, 40)}`);
      if (change.changed) {
        await recordAudit(
          database.db,
          { tenantId: change.tenant.id, actor: actorOf(request), action: "tenant.resumed" },
          now,
        );
      }
      return { tenant: view(change.tenant), released: change.recipients };
    },
  );

  app.post(
    "/v1/operator/tenants/:id/keys",
    {
      config: operator,
      schema: {
        tags: ["operator"],
        summary: "Create an API key for a tenant (the key is shown once)",
        params: IdParams,
        body: Type.Object(
          {
            role: Type.Optional(StringEnum(tenantRoles)),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.String(), role: Type.String(), tenantId: Type.String(), key: Type.String() }),
          409: ErrorBody,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.params.id;
      // createApiKey answers not_found for a tenant that does not exist.
      const created = await createApiKey(database.db, clock, {
        tenantId,
        role: request.body.role ?? "system",
        name: request.body.name,
        createdBy: request.principal?.actor,
      });
      return reply.code(201).send({ id: created.id, role: created.role, tenantId, key: created.key });
    },
  );
}
