import { Type } from "typebox";
import { queueStats } from "../../delivery/queue-stats.js";
import { recentRelayErrors } from "../../delivery/relay-errors.js";
import { OPERATOR_MAILBOX, readMailboxState } from "../../mailboxes/mailbox-state.js";
import type { App, AppDeps } from "../route-context.js";
import { errorResponses, Nullable } from "../schemas.js";

const DateTime = Type.String({ format: "date-time" });

const QueueSchema = Type.Object({
  waiting: Type.Integer({ description: "Recipients queued or retrying" }),
  inFlight: Type.Integer({ description: "Of those, held by a worker now" }),
  delayed: Type.Integer({
    description: "Waiting longer than POSTBAG_DELAYED_AFTER_MINUTES (suspended tenants' mail not counted)",
  }),
  suspended: Type.Integer({ description: "Of those waiting, held because their tenant is suspended" }),
  oldestWaitingSince: Nullable(DateTime),
  delayedTenants: Type.Array(Type.Object({ tenantId: Type.String(), delayed: Type.Integer() })),
  tenants: Type.Array(
    Type.Object({
      tenantId: Type.String(),
      tenantName: Type.String(),
      waiting: Type.Integer(),
      inFlight: Type.Integer(),
      delayed: Type.Integer(),
      suspended: Type.Integer(),
    }),
    { description: "Tenants with waiting mail, most waiting first (at most 20)" },
  ),
});

const HealthSchema = Type.Object({
  bounceMailbox: Type.Object({
    configured: Type.Boolean({ description: "POSTBAG_BOUNCE_MAILBOX_URL is set" }),
    lastPollAt: Nullable(DateTime),
    nextPollAt: Nullable(DateTime),
    lastError: Nullable(Type.String({ description: "The last poll's error; null when it succeeded" })),
  }),
  relayErrors: Type.Array(
    Type.Object({
      at: DateTime,
      tenantId: Type.String(),
      tenantName: Type.String(),
      recipientId: Type.String(),
      status: Type.String({ description: "soft_bounce, hard_bounce or rejected" }),
      smtpCode: Nullable(Type.Integer()),
      enhancedCode: Nullable(Type.String()),
      text: Nullable(Type.String({ description: "The server's words" })),
      reason: Nullable(Type.String()),
    }),
    { description: "The newest 50 failed attempts through the relay in the last 7 days, newest first" },
  ),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The operator's health views: the outbox, the bounce mailbox and the relay's recent errors. */
export function registerOperatorQueueRoute(app: App, { database, clock, config }: AppDeps): void {
  app.get(
    "/v1/operator/queue",
    {
      config: { access: { auth: "operator" } },
      schema: {
        tags: ["operator"],
        summary: "The outbox across all tenants: waiting, in flight, delayed, per tenant",
        response: { 200: QueueSchema, ...errorResponses },
      },
    },
    async () => {
      const s = await queueStats(database, clock.now(), config.delayedAfterMs);
      const ids = s.tenants.map((t) => t.tenantId);
      const names = new Map(
        ids.length === 0
          ? []
          : (await database.db.selectFrom("tenants").select(["id", "name"]).where("id", "in", ids).execute()).map(
              (t) => [t.id, t.name],
            ),
      );
      return {
        ...s,
        delayedTenants: [...s.delayedTenants],
        tenants: s.tenants.map((t) => ({ ...t, tenantName: names.get(t.tenantId) ?? "" })),
        oldestWaitingSince: iso(s.oldestWaitingSince),
      };
    },
  );

  app.get(
    "/v1/operator/health",
    {
      config: { access: { auth: "operator" } },
      schema: {
        tags: ["operator"],
        summary: "The bounce mailbox's last poll and the relay's recent delivery errors",
        response: { 200: HealthSchema, ...errorResponses },
      },
    },
    async () => {
      const now = clock.now();
      const state = await readMailboxState(database.db, OPERATOR_MAILBOX);
      const errors = await recentRelayErrors(database.db, now, 50);
      return {
        bounceMailbox: {
          configured: config.bounceMailboxUrl !== undefined,
          lastPollAt: iso(state?.last_poll_at ?? null),
          nextPollAt: iso(state?.next_poll_at ?? null),
          lastError: state?.last_error ?? null,
        },
        relayErrors: errors.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      };
    },
  );
}
