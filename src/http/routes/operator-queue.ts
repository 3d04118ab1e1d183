import { Type } from "typebox";
import { queueStats } from "../../delivery/queue-stats.js";
import type { App, AppDeps } from "../route-context.js";
import { errorResponses } from "../schemas.js";

const QueueSchema = Type.Object({
  waiting: Type.Integer({ description: "Recipients queued or retrying" }),
  inFlight: Type.Integer({ description: "Of those, held by a worker now" }),
  delayed: Type.Integer({ description: "Waiting longer than POSTBAG_DELAYED_AFTER_MINUTES" }),
  oldestWaitingSince: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  delayedTenants: Type.Array(Type.Object({ tenantId: Type.String(), delayed: Type.Integer() })),
});

export function registerOperatorQueueRoute(app: App, { database, clock, config }: AppDeps): void {
  app.get(
    "/v1/operator/queue",
    {
      config: { access: { auth: "operator" } },
      schema: {
        tags: ["operator"],
        summary: "The outbox across all tenants: waiting, in flight, delayed",
        response: { 200: QueueSchema, ...errorResponses },
      },
    },
    async () => {
      const s = await queueStats(database, clock.now(), config.delayedAfterMs);
      return {
        ...s,
        delayedTenants: [...s.delayedTenants],
        oldestWaitingSince: s.oldestWaitingSince === null ? null : new Date(s.oldestWaitingSince).toISOString(),
      };
    },
  );
}
