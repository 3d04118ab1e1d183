import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { roleIn } from "../auth/people.js";
import { DatabaseCounterStore, Limits, RedisCounterStore } from "../auth/rate-limits.js";
import { findSession, SESSION_COOKIE, type SessionSettings } from "../auth/sessions.js";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import { ApiError } from "../errors/api-error.js";
import { assertNotSuspended, authenticateKey, type Principal, touchKey } from "../tenants/tenants.js";
import type { Clock } from "../time/clock.js";
import type { Access, SignedIn } from "./route-context.js";

export type { Access, SignedIn } from "./route-context.js";

/**
 * Who is calling: a Bearer API key, or a console session (cookie `postbag_session`). A request
 * authenticated by the cookie that changes anything must carry the session's CSRF token in
 * `X-CSRF-Token` (403 csrf_failed otherwise), so a cross-site form post is refused. Failed
 * authentication is limited per client address and requests per key or session; both answer
 * 429 rate_limited with Retry-After. Every request reads the key's row, so a revoked key is
 * refused from the next request on in every process; likewise the tenant's row, so a suspended
 * tenant's keys and people get 403 tenant_suspended from the next request on.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const PER_KEY_WINDOW_MS = 10_000;
const AUTH_FAILURE_WINDOW_MS = 60_000;

export class RateLimitedError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", message);
  }
}

export function sessionSettings(config: Config): SessionSettings {
  return { idleMs: config.sessionIdleMs, absoluteMs: config.sessionMaxMs };
}

export function createLimits(config: Config, database: Database, clock: Clock): Limits {
  const store = config.redisUrl
    ? new RedisCounterStore(config.redisUrl)
    : new DatabaseCounterStore(database.db, () => clock.now());
  return new Limits(store, () => clock.now());
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the public URL is https. */
export function setSessionCookie(reply: FastifyReply, config: Config, value: string, maxAgeMs: number): void {
  reply.setCookie(SESSION_COOKIE, value, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.publicUrl.startsWith("https:"),
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.publicUrl.startsWith("https:"),
  });
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AuthenticateDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly config: Config;
  readonly limits: Limits;
}

/** The onRequest hook body: sets `request.principal` (and `request.signedIn` for sessions). */
export function createAuthenticator({ database, clock, config, limits }: AuthenticateDeps) {
  const settings = sessionSettings(config);

  async function limitKey(subject: string): Promise<void> {
    if (config.rateLimitPerKey === 0) return;
    const result = await limits.spend(
      `req:${subject}`,
      config.rateLimitPerKey * (PER_KEY_WINDOW_MS / 1000),
      PER_KEY_WINDOW_MS,
    );
    if (!result.allowed)
      throw new RateLimitedError("too many requests with this key; slow down", result.retryAfterSeconds);
  }

  async function failed(request: FastifyRequest, error: ApiError): Promise<never> {
    if (config.rateLimitAuthFailures > 0) {
      await limits.count(`authfail:${request.ip}`, config.rateLimitAuthFailures, AUTH_FAILURE_WINDOW_MS);
    }
    throw error;
  }

  async function fromKey(request: FastifyRequest, presented: string): Promise<Principal> {
    if (config.rateLimitAuthFailures > 0) {
      const state = await limits.check(`authfail:${request.ip}`, config.rateLimitAuthFailures, AUTH_FAILURE_WINDOW_MS);
      if (!state.allowed) {
        throw new RateLimitedError("too many failed authentications from this address", state.retryAfterSeconds);
      }
    }
    const found = await authenticateKey(database.db, presented);
    if (!found) return failed(request, new ApiError("unauthorized", "the API key is not valid"));
    await limitKey(found.principal.keyId);
    await touchKey(database.db, found.principal.keyId, found.lastUsedAt, clock.now());
    return found.principal;
  }

  async function fromSession(
    request: FastifyRequest,
    access: Access,
    signedIn: SignedIn,
  ): Promise<Principal | undefined> {
    const { session, person } = signedIn;
    if (
      !SAFE_METHODS.has(request.method) &&
      !sameToken(request.headers["x-csrf-token"] as string | undefined, session.csrf_token)
    ) {
      throw new ApiError("csrf_failed", "send the session's CSRF token as X-CSRF-Token with every change");
    }
    await limitKey(`person:${person.id}`);
    const actor = { kind: "person" as const, id: person.id, name: person.name || person.email };
    const keyId = `person:${person.id}`;
    const wantsOperator = access.auth === "operator" || (access.auth !== "tenant" && !session.active_tenant_id);
    if (wantsOperator && person.operator === 1) return { kind: "operator", keyId, actor };
    if (session.active_tenant_id) {
      const role = await roleIn(database.db, person.id, session.active_tenant_id);
      if (role) return { kind: "tenant", keyId, tenantId: session.active_tenant_id, role, actor };
    }
    return undefined;
  }

  return async function authenticate(request: FastifyRequest): Promise<void> {
    const access: Access = request.routeOptions.config.access ?? { auth: "tenant" };
    if (access.auth === "none") return;
    const header = request.headers.authorization;
    const presented = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    let principal: Principal | undefined;
    if (presented && access.auth !== "session") {
      principal = await fromKey(request, presented);
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (!cookie) {
        throw new ApiError(
          "unauthorized",
          access.auth === "session" ? "sign in first" : "send an API key as Authorization: Bearer <key>",
        );
      }
      const signedIn = await findSession(database.db, cookie, clock.now(), settings);
      if (!signedIn) throw new ApiError("unauthorized", "the session has ended; sign in again");
      request.signedIn = signedIn;
      principal = await fromSession(request, access, signedIn);
      if (access.auth === "session") {
        request.principal = principal;
        return;
      }
      if (!principal) {
        throw new ApiError(
          "forbidden",
          access.auth === "operator" ? "this needs an operator" : "choose a school you are a member of first",
        );
      }
    }
    if (access.auth === "operator" && principal.kind !== "operator") {
      throw new ApiError("forbidden", "this route needs an operator key");
    }
    // A suspended tenant's keys and people are refused (the operator is not: it acts for none).
    if (principal.kind === "tenant") await assertNotSuspended(database.db, principal.tenantId);
    if (access.auth === "tenant") {
      if (principal.kind !== "tenant") throw new ApiError("forbidden", "this route needs a tenant key");
      if (access.roles && !access.roles.includes(principal.role)) {
        throw new ApiError("forbidden", `this route needs the role ${access.roles.join(" or ")}`);
      }
    }
    request.principal = principal;
  };
}
