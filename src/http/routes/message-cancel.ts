import { Type } from "typebox";
import { isId } from "../../db/ids.js";
import { ApiError } from "../../errors/api-error.js";
import { cancelMessage } from "../../messages/cancel.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams, Nullable } from "../schemas.js";

const Recipient = Type.Object({ id: Type.String(), email: Nullable(Type.String()) });

const Cancelled = Type.Object({
  id: Type.String(),
  cancelled: Type.Array(Recipient),
  alreadyCancelled: Type.Array(Recipient),
  notCancelled: Type.Array(
    Type.Object({
      ...Recipient.properties,
      status: Type.String(),
      reason: Type.String({
        description: "`sending`: a worker is sending it now; `status`: past the point of stopping",
      }),
    }),
  ),
});

export function registerMessageCancelRoute(app: App, { database, clock }: AppDeps): void {
  app.post(
    "/v1/messages/:id/cancel",
    {
      // The same callers as sending: whoever may send a message may stop it.
      config: { access: { auth: "tenant" } },
      schema: {
        tags: ["messages"],
        summary: "Stop a message that has not gone out yet",
        description:
          "Every recipient still waiting (for instance held for the tenant's hold time) becomes `cancelled` " +
          "and is never sent. Recipients already being sent or sent are listed in `notCancelled`; if none " +
          "could be cancelled the answer is 409 with them in `details`.",
        params: IdParams,
        response: { 200: Cancelled, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { id } = request.params;
      // Another tenant's message is "not found", exactly like one that does not exist.
      const outcome = isId(id) ? await cancelMessage(database, tenantId, id, clock.now()) : { found: false as const };
      if (!outcome.found) throw new ApiError("not_found", `no message ${id.slice(0, 40)}`);
      if (outcome.cancelled.length === 0 && outcome.notCancelled.length > 0) {
        throw new ApiError(
          "conflict",
          "the message can no longer be cancelled: it is being sent or was sent",
          outcome.notCancelled.map((r) => ({
            path: `/recipients/${r.id}`,
            message: `${r.email ?? "(no address)"}: ${r.reason === "sending" ? "being sent now" : r.status}`,
          })),
        );
      }
      return {
        id,
        cancelled: [...outcome.cancelled],
        alreadyCancelled: [...outcome.alreadyCancelled],
        notCancelled: [...outcome.notCancelled],
      };
    },
  );
}
