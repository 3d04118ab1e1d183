import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { mailLink } from "../../auth/invitations.js";
import { type LinkKind, peekLink, redeemLink } from "../../auth/links.js";
import { checkPassword, hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from "../../auth/passwords.js";
import { findPerson, findPersonByEmail, membershipsOf, type Person, roleIn } from "../../auth/people.js";
import type { Limits } from "../../auth/rate-limits.js";
import {
  createSession,
  endSession,
  endSessionsOf,
  findSession,
  SESSION_COOKIE,
  type SessionRow,
  sessionView,
  setActiveTenant,
} from "../../auth/sessions.js";
import type { Tx } from "../../db/database.js";
import { ApiError } from "../../errors/api-error.js";
import { findTenant } from "../../tenants/tenants.js";
import { clearSessionCookie, RateLimitedError, sessionSettings, setSessionCookie } from "../authenticate.js";
import type { App, AppDeps } from "../route-context.js";
import { errorResponses, Nullable } from "../schemas.js";

export const SessionSchema = Type.Object({
  person: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }),
  operator: Type.Boolean(),
  memberships: Type.Array(
    Type.Object({
      tenantId: Type.String(),
      tenantName: Type.String(),
      role: Type.String({ enum: ["administrator", "staff"] }),
      timezone: Type.String(),
    }),
  ),
  activeTenantId: Nullable(Type.String()),
  csrfToken: Type.String(),
  expiresAt: Type.String({ format: "date-time" }),
});

const Email = Type.String({ minLength: 1, maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH * 4 });
const Token = Type.String({ minLength: 1, maxLength: 200 });
const session = { access: { auth: "session" } } as const;
const open = { access: { auth: "none" } } as const;

/**
 * Sign-in, sessions, sign-in links, password resets, invitations and the person's own
 * password: the console's routes (docs/console.md). Answers never say whether an address
 * belongs to anyone.
 */
function missingLimits(): never {
  throw new Error("the session routes need the app's rate limits (createApp passes them)");
}

export function registerSessionRoutes(app: App, deps: AppDeps): void {
  const { database, clock, config } = deps;
  const limits: Limits = deps.limits ?? missingLimits();
  const settings = sessionSettings(config);

  async function signIn(reply: FastifyReply, tx: Tx, person: Person, tenantId: string | null, now: number) {
    const memberships = await membershipsOf(tx, person.id);
    const active =
      tenantId && memberships.some((m) => m.tenantId === tenantId) ? tenantId : (memberships[0]?.tenantId ?? null);
    const { cookie, session: row } = await createSession(tx, person.id, active, now, settings);
    await tx.updateTable("people").set({ last_sign_in_at: now }).where("id", "=", person.id).execute();
    setSessionCookie(reply, config, cookie, settings.absoluteMs);
    return sessionView(tx, row, person);
  }

  const attemptKeys = (request: FastifyRequest, emailKey: string) => [
    `signin:addr:${emailKey}`,
    `signin:ip:${request.ip}`,
  ];

  async function refuseIfLimited(keys: readonly string[]) {
    for (const key of keys) {
      const state = await limits.check(key, config.signInAttempts, config.signInWindowMs);
      if (!state.allowed) {
        throw new RateLimitedError(
          "too many wrong passwords; wait, or sign in with a link sent by email",
          state.retryAfterSeconds,
        );
      }
    }
  }

  async function countFailure(keys: readonly string[]) {
    for (const key of keys) await limits.count(key, config.signInAttempts, config.signInWindowMs);
  }

  app.post(
    "/v1/session",
    {
      config: open,
      schema: {
        tags: ["session"],
        summary: "Sign in with email and password",
        security: [],
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: { 200: SessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const emailKey = request.body.email.trim().toLowerCase();
      const keys = attemptKeys(request, emailKey);
      await refuseIfLimited(keys);
      const person = await findPersonByEmail(database.db, request.body.email.trim());
      const ok = await verifyPassword(request.body.password, person?.password_hash ?? null);
      if (!person || !ok) {
        await countFailure(keys);
        throw new ApiError("invalid_credentials", "the email address or the password is wrong");
      }
      const now = clock.now();
      return database.db.transaction().execute((tx) => signIn(reply, tx, person, null, now));
    },
  );

  app.get(
    "/v1/session",
    {
      config: open,
      schema: {
        tags: ["session"],
        summary: "The current session",
        security: [],
        response: { 200: SessionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const found = await findSession(database.db, request.cookies[SESSION_COOKIE], clock.now(), settings);
      if (!found) throw new ApiError("unauthorized", "not signed in");
      return sessionView(database.db, found.session, found.person);
    },
  );

  const signedIn = (request: FastifyRequest): { session: SessionRow; person: Person } => {
    if (!request.signedIn) throw new ApiError("unauthorized", "sign in first");
    return request.signedIn;
  };

  app.put(
    "/v1/session/tenant",
    {
      config: session,
      schema: {
        tags: ["session"],
        summary: "Switch the school the session acts for",
        body: Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 200: SessionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { session: row, person } = signedIn(request);
      const role = await roleIn(database.db, person.id, request.body.tenantId);
      if (!role) throw new ApiError("forbidden", "you are not a member of that school");
      await setActiveTenant(database.db, row.id, request.body.tenantId);
      return sessionView(database.db, { ...row, active_tenant_id: request.body.tenantId }, person);
    },
  );

  app.delete(
    "/v1/session",
    {
      config: session,
      schema: { tags: ["session"], summary: "Sign out", response: { 204: Type.Null(), ...errorResponses } },
    },
    async (request, reply) => {
      await endSession(database.db, signedIn(request).session.id);
      clearSessionCookie(reply, config);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/v1/sessions",
    {
      config: session,
      schema: {
        tags: ["session"],
        summary: "Sign out everywhere: every session of the person ends",
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await endSessionsOf(database.db, signedIn(request).person.id);
      clearSessionCookie(reply, config);
      return reply.code(204).send(null);
    },
  );

  // Asking for a link answers 202 whatever the address; mail to one address is limited quietly.
  for (const [path, kind] of [
    ["/v1/sign-in-links", "sign_in"],
    ["/v1/password-resets", "password_reset"],
  ] as const) {
    app.post(
      path,
      {
        config: open,
        schema: {
          tags: ["session"],
          summary: kind === "sign_in" ? "Mail a sign-in link" : "Mail a password reset link",
          security: [],
          body: Type.Object({ email: Email }, { additionalProperties: false }),
          response: { 202: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const email = request.body.email.trim();
        const limited = await limits.count(
          `mail:${kind}:${email.toLowerCase()}`,
          config.signInAttempts,
          config.signInWindowMs,
        );
        if (limited.allowed) await mailLink(database, config, clock.now(), kind, email);
        return reply.code(202).send(null);
      },
    );
  }

  app.post(
    "/v1/sign-in-links/redeem",
    {
      config: open,
      schema: {
        tags: ["session"],
        summary: "Sign in with the token of a sign-in link (spends it)",
        security: [],
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: { 200: SessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const now = clock.now();
      return database.db.transaction().execute(async (tx) => {
        const link = await redeemLink(tx, "sign_in", request.body.token, now);
        const person = link && (await findPerson(tx, link.person_id));
        if (!person) throw new ApiError("invalid_token", "the link is not valid, was used already or has expired");
        return signIn(reply, tx, person, null, now);
      });
    },
  );

  /** Spends a link that sets a password, after the password was found acceptable. */
  async function setPasswordWithLink(
    reply: FastifyReply,
    kind: LinkKind,
    token: string,
    password: string,
    name: string | undefined,
  ) {
    const now = clock.now();
    const peeked = await peekLink(database.db, kind, token, now);
    const before = peeked && (await findPerson(database.db, peeked.person_id));
    if (!before) throw new ApiError("invalid_token", "the link is not valid, was used already or has expired");
    checkPassword(password, [before.email, name ?? before.name]);
    const hash = await hashPassword(password);
    return database.db.transaction().execute(async (tx) => {
      const link = await redeemLink(tx, kind, token, now);
      if (!link) throw new ApiError("invalid_token", "the link is not valid, was used already or has expired");
      await tx
        .updateTable("people")
        .set({ password_hash: hash, password_changed_at: now, ...(name !== undefined ? { name } : {}) })
        .where("id", "=", link.person_id)
        .execute();
      // A new password ends every other session of the person.
      await endSessionsOf(tx, link.person_id);
      const person = { ...before, password_hash: hash, ...(name !== undefined ? { name } : {}) };
      return signIn(reply, tx, person, link.tenant_id, now);
    });
  }

  app.post(
    "/v1/password-resets/redeem",
    {
      config: open,
      schema: {
        tags: ["session"],
        summary: "Choose a new password with the token of a reset link (spends it); signs in",
        security: [],
        body: Type.Object({ token: Token, password: Password }, { additionalProperties: false }),
        response: { 200: SessionSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      setPasswordWithLink(reply, "password_reset", request.body.token, request.body.password, undefined),
  );

  app.get(
    "/v1/invitations/:token",
    {
      config: open,
      schema: {
        tags: ["session"],
        summary: "What an invitation is for (spends nothing)",
        security: [],
        params: Type.Object({ token: Token }),
        response: {
          200: Type.Object({
            email: Type.String(),
            name: Type.String(),
            tenantName: Nullable(Type.String()),
            role: Nullable(Type.String()),
            operator: Type.Boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const link = await peekLink(database.db, "invitation", request.params.token, clock.now());
      const person = link && (await findPerson(database.db, link.person_id));
      if (!link || !person) throw new ApiError("invalid_token", "the invitation is not valid, was used or has expired");
      const tenant = link.tenant_id ? await findTenant(database.db, link.tenant_id) : undefined;
      return {
        email: person.email,
        name: person.name,
        tenantName: tenant?.name ?? null,
        role: link.role,
        operator: link.tenant_id === null,
      };
    },
  );

  app.post(
    "/v1/invitations/accept",
    {
      config: open,
      schema: {
        tags: ["session"],
        summary: "Accept an invitation: your name and password (spends it); signs in",
        security: [],
        body: Type.Object(
          { token: Token, name: Type.String({ minLength: 1, maxLength: 200 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 200: SessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const name = request.body.name.trim();
      if (name.length === 0 || /\p{Cc}/u.test(name)) {
        throw new ApiError("invalid_request", "name must be 1-200 characters without control characters");
      }
      return setPasswordWithLink(reply, "invitation", request.body.token, request.body.password, name);
    },
  );

  app.put(
    "/v1/me/password",
    {
      config: session,
      schema: {
        tags: ["session"],
        summary: "Change your password; your other sessions end",
        body: Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { session: row, person } = signedIn(request);
      const keys = attemptKeys(request, person.email_key);
      await refuseIfLimited(keys);
      if (!(await verifyPassword(request.body.currentPassword, person.password_hash))) {
        await countFailure(keys);
        throw new ApiError("invalid_credentials", "the current password is wrong");
      }
      checkPassword(request.body.newPassword, [person.email, person.name]);
      const hash = await hashPassword(request.body.newPassword);
      const now = clock.now();
      await database.db
        .updateTable("people")
        .set({ password_hash: hash, password_changed_at: now })
        .where("id", "=", person.id)
        .execute();
      await endSessionsOf(database.db, person.id, row.id);
      return reply.code(204).send(null);
    },
  );
}
