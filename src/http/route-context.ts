import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Person } from "../auth/people.js";
import type { Limits } from "../auth/rate-limits.js";
import type { SessionRow } from "../auth/sessions.js";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { TxtLookup } from "../domains/dns-check.js";
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
  /** DNS for sending-domain checks; default: Node's resolver asking POSTBAG_DNS_SERVERS. */
  readonly dnsLookup?: TxtLookup;
  /** Shared rate-limit counters; default: built from `config` (the database, or Redis). Routes always get it. */
  readonly limits?: Limits;
  /** The built web console (web/dist) to serve at `/` (src/http/console.ts); without it, no console routes. */
  readonly consoleDir?: string;
  /** Told each request's duration by route pattern (`/v1/messages/:id`; undefined: no route). */
  readonly onRequestTimed?: (method: string, route: string | undefined, statusCode: number, seconds: number) => void;
}

/** Who may call a route. Tenant routes may further require roles. */
export type Access =
  | { readonly auth: "none" }
  | { readonly auth: "operator" }
  | { readonly auth: "tenant"; readonly roles?: readonly TenantRole[] }
  | { readonly auth: "any" }
  /** Any signed-in person (the session cookie only), whatever their tenant: the session routes. */
  | { readonly auth: "session" };

/** The console session of a request that came with one (src/http/authenticate.ts). */
export interface SignedIn {
  readonly session: SessionRow;
  readonly person: Person;
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | undefined;
    signedIn: SignedIn | undefined;
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
