import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import { ApiError } from "../errors/api-error.js";
import type { TestConnectionDeps } from "../mailboxes/test-connection.js";
import type { MessageWriter } from "../messages/message-store.js";
import type { NetworkPolicy } from "../network/network-policy.js";
import type { Principal, TenantRole } from "../tenants/tenants.js";
import type { Clock } from "../time/clock.js";

/*
 * What every route module needs from the app, kept apart from `app.ts` so that routes never
 * import the app that imports them (the route list is `routes.ts`).
 */

export interface AppDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly config: Config;
  readonly logger: Logger;
  readonly writer: MessageWriter;
  /** Called after messages were committed, to wake an idle in-process worker. */
  readonly onAccepted?: () => void;
  /** Which hosts tenants may make Postbag connect to; default: built from `config`. */
  readonly networkPolicy?: NetworkPolicy;
  /**
   * OAuth2 access tokens for test connection, stored nowhere: `fetchAccessToken` of
   * src/transports/oauth2.ts bound to the network policy; without it OAuth2 logins are not tested.
   */
  readonly fetchAccessToken?: TestConnectionDeps["fetchAccessToken"];
}

/** Who may call a route. Tenant routes may further require roles. */
export type Access =
  | { readonly auth: "none" }
  | { readonly auth: "operator" }
  | { readonly auth: "tenant"; readonly roles?: readonly TenantRole[] }
  | { readonly auth: "any" };

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export type App = FastifyInstance<
  import("node:http").Server,
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The tenant a request acts for; the auth hook guarantees it on tenant routes. */
export function tenantOf(request: FastifyRequest): { tenantId: string; role: TenantRole } {
  const p = request.principal;
  if (p?.kind !== "tenant") throw new ApiError("forbidden", "this route needs a tenant key");
  return { tenantId: p.tenantId, role: p.role };
}
