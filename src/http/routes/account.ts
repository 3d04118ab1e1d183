import { Type } from "typebox";
import type { OAuthProvider } from "../../accounts/account-settings.js";
import { loadAccount, loadDraft, loadOpenReceivedAttachments, loadSignature } from "../../accounts/account-settings.js";
import { accountFingerprint, passedTest, recordPassedTest } from "../../accounts/account-tests.js";
import {
  CONNECT_TTL_MS,
  claimConnect,
  connectDraft,
  PROVIDER_PRESETS,
  startConnect,
} from "../../accounts/oauth-connect.js";
import {
  accountView,
  applyDraftInput,
  checkAccountStep,
  currentDraft,
  DEFAULT_RECEIVE_SCHEDULE,
  type DraftInput,
  describeProblems,
  draftView,
  finishDraft,
  MAX_BLOCKED_EXTENSIONS,
  MAX_DAILY_LIMIT,
  type Problem,
  STEPS,
  updateDraft,
} from "../../accounts/wizard.js";
import { releaseHeldMail } from "../../delivery/send-gate.js";
import { verifiedDomains } from "../../domains/domain-store.js";
import { getSenderSettings } from "../../domains/sender-settings.js";
import { ApiError } from "../../errors/api-error.js";
import { createNetworkPolicy } from "../../network/network-policy.js";
import { exchangeAuthorizationCode } from "../../transports/oauth2.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { ErrorBody, errorResponses, Nullable, StringEnum } from "../schemas.js";

/*
 * The own-account settings wizard (docs/own-account.md) and test connection. Administrators change and
 * test; staff may read the live settings (the pace and hold time decide when their mail goes).
 * Secrets are write-only: every answer shows them masked (`••••` and at most the last 4).
 */

const User = Type.String({ maxLength: 254, description: "The login name, often the email address" });
const SecretInput = (max: number, what: string) =>
  Type.Optional(
    Nullable(
      Type.String({
        maxLength: max,
        description: `${what}: a string sets it, omitted keeps the saved one, null removes it. Never shown back.`,
      }),
    ),
  );

const AuthBody = Type.Union([
  Type.Object(
    { method: Type.Literal("password"), user: User, password: SecretInput(1024, "The password") },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      method: Type.Literal("oauth2"),
      provider: StringEnum(["microsoft", "google"] as const),
      user: User,
      clientId: Type.String({ maxLength: 512 }),
      clientSecret: SecretInput(2048, "The OAuth2 client secret"),
      refreshToken: SecretInput(8192, "The OAuth2 refresh token"),
      tokenUrl: Type.Optional(
        Nullable(Type.String({ maxLength: 2048, description: "Default: the provider's token endpoint" })),
      ),
      scope: Type.Optional(
        Nullable(Type.String({ maxLength: 1024, description: "Default: the provider's mail scope" })),
      ),
    },
    { additionalProperties: false },
  ),
]);

const serverFields = {
  host: Type.String({ maxLength: 253, description: "Host name or IP address, without scheme or port" }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  security: StringEnum(["none", "starttls", "tls"] as const, {
    description: "starttls: STARTTLS required (never falls back to clear text); tls: TLS from the first byte",
  }),
  auth: AuthBody,
};

const Time = Type.String({ maxLength: 5, description: "HH:MM, tenant time" });

const AccountStepBody = Type.Object(
  {
    mode: StringEnum(["builtin", "own_account"] as const),
    fromAddress: Type.Optional(Nullable(Type.String({ maxLength: 320 }))),
    fromName: Type.Optional(Nullable(Type.String({ maxLength: 400 }))),
    smtp: Type.Optional(Nullable(Type.Object(serverFields, { additionalProperties: false }))),
    receive: Type.Optional(
      Nullable(
        Type.Object(
          {
            protocol: StringEnum(["imap", "pop3"] as const),
            ...serverFields,
            mailbox: Type.Optional(
              Nullable(Type.String({ maxLength: 400, description: "IMAP folder, default INBOX" })),
            ),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

const SendingStepBody = Type.Object(
  {
    holdMinutes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1440, description: "0: send immediately; else held (and cancellable)" }),
    ),
    delaySeconds: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 0,
          maximum: 86_400,
          description: "Least seconds between two emails; null: derived from dailyLimit",
        }),
      ),
    ),
    window: Type.Optional(Nullable(Type.Object({ start: Time, end: Time }, { additionalProperties: false }))),
    dailyLimit: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: MAX_DAILY_LIMIT }))),
  },
  { additionalProperties: false },
);

const ReceivingStepBody = Type.Object(
  {
    schedule: Type.Union([
      Type.Object(
        {
          mode: Type.Literal("every"),
          minutes: Type.Integer({ minimum: 1, maximum: 1440 }),
          window: Type.Optional(
            Nullable(
              Type.Object(
                { start: Time, end: Time },
                { additionalProperties: false, description: "Check only within these hours (tenant time)" },
              ),
            ),
          ),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        { mode: Type.Literal("times"), times: Type.Array(Time, { minItems: 1, maxItems: 48 }) },
        { additionalProperties: false },
      ),
    ]),
  },
  { additionalProperties: false },
);

const AttachmentsSignatureStepBody = Type.Object(
  {
    attachments: Type.Optional(
      Type.Object(
        {
          maxBytes: Type.Optional(Type.Integer({ minimum: 1 })),
          blockedExtensions: Type.Optional(
            Type.Array(Type.String({ maxLength: 20 }), {
              maxItems: MAX_BLOCKED_EXTENSIONS,
              description:
                "Refused on top of the built-in dangerous types (exe, js, vbs, ...), which are always refused",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    signature: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean(),
          text: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
          html: Type.Optional(Nullable(Type.String({ maxLength: 100_000, description: "Sanitised when saved" }))),
        },
        { additionalProperties: false },
      ),
    ),
    openReceivedAttachments: Type.Optional(
      Type.Boolean({
        description:
          "Whether people may open (download) attachments of received mail in the inbox; default: as it is now",
      }),
    ),
  },
  { additionalProperties: false },
);

const DraftBody = Type.Object(
  {
    step: Type.Optional(
      StringEnum(STEPS, { description: "The one step this request saves; its section must be the only one given" }),
    ),
    account: Type.Optional(AccountStepBody),
    sending: Type.Optional(SendingStepBody),
    receiving: Type.Optional(ReceivingStepBody),
    attachments_signature: Type.Optional(AttachmentsSignatureStepBody),
  },
  { additionalProperties: false },
);

/** Someone is waiting on test connection: each step gives up after this long at most. */
const TEST_TIMEOUT_MS = 15_000;

// Answers are built by the wizard's view functions; documented loosely here.
const AnyObject = Type.Object({}, { additionalProperties: true });

function problemDetails(problems: readonly Problem[]) {
  return problems.slice(0, 50).map((p) => ({
    path: `/${p.step}${p.field ? `/${p.field.replace(/\./g, "/")}` : ""}`,
    message: `step ${p.step}${p.field ? `, field ${p.field}` : ""}: ${p.message}`,
  }));
}

export function registerAccountRoutes(app: App, deps: AppDeps): void {
  const { database, clock, config } = deps;
  const policy = deps.networkPolicy ?? createNetworkPolicy(config);
  const limits = { maxMessageBytes: config.maxMessageBytes };
  const administrator = { access: { auth: "tenant", roles: ["administrator"] } } as const;
  const readers = { access: { auth: "tenant", roles: ["administrator", "staff"] } } as const;
  const byKey = (request: Parameters<typeof tenantOf>[0]) =>
    request.principal?.kind === "tenant" ? `key:${request.principal.keyId}` : null;
  /** Who is acting: `person:<id>` in the console, `key:<id>` for an API key. */
  const actorOf = (request: Parameters<typeof tenantOf>[0]) => {
    const p = request.principal;
    if (p?.kind !== "tenant") throw new ApiError("forbidden", "this route needs a tenant key");
    return `${p.actor.kind}:${p.actor.id}`;
  };
  /** Whether the draft's account step, as it is now, passed Test connection. */
  const accountTested = async (
    tenantId: string,
    draft: {
      settings: { account?: Parameters<typeof accountFingerprint>[2] };
      secrets: Parameters<typeof accountFingerprint>[3];
    },
  ) =>
    draft.settings.account
      ? passedTest(
          database.db,
          tenantId,
          accountFingerprint(config.secretKey, tenantId, draft.settings.account, draft.secrets),
        )
      : false;

  app.get(
    "/v1/account",
    {
      config: readers,
      schema: {
        tags: ["account"],
        summary: "The live own-account settings, secrets masked, with the pace they allow (administrator, staff)",
        description:
          "`builtinSender` is the address the built-in service sends this tenant's mail from (noreply@ the " +
          "operator's domain, or the tenant's generic address once its domain is verified).",
        response: { 200: AnyObject, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const [stored, signature, openReceived, sender, domains] = await Promise.all([
        loadAccount(database.db, config.secretKey, tenantId),
        loadSignature(database.db, tenantId),
        loadOpenReceivedAttachments(database.db, tenantId),
        getSenderSettings(database.db, tenantId),
        verifiedDomains(database.db, tenantId),
      ]);
      // What built-in mail goes out from: the generic address once its domain is verified (docs/sending-domains.md).
      const generic = sender.genericAddress;
      const genericDomain = generic?.slice(generic.lastIndexOf("@") + 1).toLowerCase();
      const builtinSender =
        generic && genericDomain && domains.has(genericDomain) ? generic : `noreply@${config.senderDomain}`;
      return { ...accountView(stored, signature, limits, openReceived), builtinSender };
    },
  );

  app.get(
    "/v1/account/draft",
    {
      config: administrator,
      schema: {
        tags: ["account"],
        summary: "The settings wizard's draft (administrator keys only)",
        description:
          "Each saved step, secrets masked, and the problems Finish would report. Without a draft, a copy of the live settings.",
        response: { 200: AnyObject, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const draft = await currentDraft(database.db, config.secretKey, tenantId);
      return { ...draftView(draft, limits), accountTested: await accountTested(tenantId, draft) };
    },
  );

  app.put(
    "/v1/account/draft",
    {
      config: administrator,
      schema: {
        tags: ["account"],
        summary: "Save wizard steps into the draft (administrator keys only)",
        description:
          "Send `{ step, <step>: {...} }` to save one step, or any of the sections to save several. Each section " +
          "replaces that step whole. A step is saved even when a field is wrong; the answer lists `problems` " +
          "per step and field, and Finish refuses until there are none. The live settings are untouched. " +
          "Secrets: a string sets one, omitted keeps the saved one, null removes it.",
        body: DraftBody,
        response: { 200: AnyObject, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { step, ...sections } = request.body;
      const given = STEPS.filter((s) => sections[s] !== undefined);
      if (given.length === 0) {
        throw new ApiError("invalid_request", `give at least one step: ${STEPS.join(", ")}`);
      }
      if (step !== undefined && (given.length !== 1 || given[0] !== step)) {
        throw new ApiError("invalid_request", `step is ${step}: send exactly the section "${step}"`, [
          { path: `/${step}`, message: `section ${step} must be the only one given` },
        ]);
      }
      const saved = await updateDraft(
        database,
        config.secretKey,
        tenantId,
        sections as DraftInput,
        limits,
        clock.now(),
        byKey(request),
      );
      return { ...draftView(saved, limits), accountTested: await accountTested(tenantId, saved) };
    },
  );

  app.post(
    "/v1/account/draft/finish",
    {
      config: administrator,
      schema: {
        tags: ["account"],
        summary: "Finish: save the draft as the live settings, whole and at once (administrator keys only)",
        description:
          "Checks every step; any problem refuses Finish (400, naming the step and field) and changes nothing. " +
          "An own-account draft whose account step, as it is now, never passed Test connection is refused " +
          "with 409 account_not_tested. " +
          "Otherwise the settings, the signature and the sending mode are saved in one transaction and the draft is removed.",
        response: { 200: AnyObject, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const result = await finishDraft(
        database,
        config.secretKey,
        tenantId,
        limits,
        clock.now(),
        byKey(request),
        releaseHeldMail,
      );
      if (!result.ok) {
        if (result.reason === "no_draft") {
          throw new ApiError("conflict", "there is no draft to finish: save the wizard's steps first");
        }
        if (result.reason === "untested") {
          throw new ApiError(
            "account_not_tested",
            "Finish is blocked: the account step, as it is now, has not passed Test connection; test it, then finish",
          );
        }
        throw new ApiError(
          "invalid_request",
          `Finish is blocked: ${describeProblems(result.problems)}`,
          problemDetails(result.problems),
        );
      }
      const [stored, signature, openReceived] = await Promise.all([
        loadAccount(database.db, config.secretKey, tenantId),
        loadSignature(database.db, tenantId),
        loadOpenReceivedAttachments(database.db, tenantId),
      ]);
      return { finished: true, account: accountView(stored, signature, limits, openReceived) };
    },
  );

  app.post(
    "/v1/account/test",
    {
      config: administrator,
      schema: {
        tags: ["account"],
        summary: "Test connection to the sending and receiving servers; saves nothing (administrator keys only)",
        description:
          "Tests the `account` step given in the body, applied over the saved draft (so saved secrets are used " +
          "when omitted); with an empty body, the saved draft (or live settings). Answers each step " +
          "(dns, connect, tls, auth, send for SMTP; dns, connect, tls, login, mailbox for IMAP/POP3) with ok, " +
          "a readable message and the time taken; after a failure the later steps are skipped. `send` offers " +
          "the account's address in MAIL FROM, then RSET: nothing is sent. A test that passes is remembered " +
          "for these values (Finish needs it).",
        body: DraftBody,
        response: { 200: AnyObject, 409: ErrorBody, ...errorResponses },
      },
      // No body at all means "test the saved draft": validate it as an empty object.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) (request as { body: unknown }).body = {};
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const current = await currentDraft(database.db, config.secretKey, tenantId);
      const body = request.body;
      const draft = body.account
        ? await applyDraftInput(current, { account: body.account } as DraftInput, limits)
        : current;
      const account = draft.settings.account;
      if (!account) {
        throw new ApiError("conflict", "nothing to test: send the account step, or save it in the draft first");
      }
      const check = checkAccountStep(account, draft.secrets);
      if (check.problems.length > 0) {
        throw new ApiError(
          "invalid_request",
          `the settings cannot be tested: ${describeProblems(check.problems)}`,
          problemDetails(check.problems),
        );
      }
      if (!check.smtp && !check.receive) {
        throw new ApiError("invalid_request", "nothing to test: the account step has no sending or receiving server");
      }
      // Loaded on first use: imapflow and Nodemailer's SMTP client are not needed to start the app.
      const { testConnection } = await import("../../mailboxes/test-connection.js");
      const result = await testConnection(
        {
          policy,
          timeoutMs: Math.min(config.smtpTimeoutMs, TEST_TIMEOUT_MS),
          ehloName: config.senderDomain,
          ...(deps.fetchAccessToken ? { fetchAccessToken: deps.fetchAccessToken } : {}),
        },
        {
          smtp: check.smtp,
          receive: check.receive ? { ...check.receive, schedule: DEFAULT_RECEIVE_SCHEDULE } : null,
          sender: account.fromAddress,
        },
        draft.secrets,
      );
      if (result.ok) {
        const fingerprint = accountFingerprint(config.secretKey, tenantId, account, draft.secrets);
        await recordPassedTest(database.db, tenantId, fingerprint, clock.now());
      }
      return result;
    },
  );

  const providerIds = ["microsoft", "google"] as const satisfies readonly OAuthProvider[];
  const ServerPreset = Type.Object({
    host: Type.String(),
    port: Type.Integer(),
    security: StringEnum(["none", "starttls", "tls"] as const),
  });

  app.get(
    "/v1/account/providers",
    {
      config: administrator,
      schema: {
        tags: ["account"],
        summary:
          "The mail providers the wizard offers, their servers, and whether Connect is available (administrator)",
        description:
          "Connect (OAuth2 sign-in) is offered only for a provider the operator registered an app with " +
          "(POSTBAG_OAUTH_MICROSOFT_* / POSTBAG_OAUTH_GOOGLE_*).",
        response: {
          200: Type.Object({
            providers: Type.Array(
              Type.Object({
                id: StringEnum(providerIds),
                name: Type.String(),
                connect: Type.Boolean({ description: "Whether Connect (OAuth2 sign-in) is available" }),
                smtp: ServerPreset,
                imap: ServerPreset,
                pop3: ServerPreset,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async () => ({
      providers: providerIds.map((id) => {
        const preset = PROVIDER_PRESETS[id];
        return {
          id,
          name: preset.name,
          connect: config.oauth[id] !== undefined,
          smtp: preset.smtp,
          imap: preset.imap,
          pop3: preset.pop3,
        };
      }),
    }),
  );

  const CALLBACK_PATH = "/v1/account/oauth/callback";
  /** Where the wizard lives in the console; the callback returns there. */
  const WIZARD_PATH = "/email-settings";

  app.post(
    "/v1/account/oauth/start",
    {
      config: administrator,
      schema: {
        tags: ["account"],
        summary: "Connect: start OAuth2 sign-in at Microsoft or Google for the draft's account (administrator)",
        description:
          "Answers the provider's authorization URL (authorization-code flow with PKCE S256) for the browser " +
          "to open. The state and the PKCE verifier stay on the server, bound to this tenant, this person and " +
          `the draft's current version, for ${CONNECT_TTL_MS / 60_000} minutes and one use. Save the account ` +
          "step (address, servers) first: the provider's answer is sealed into that draft.",
        body: Type.Object({ provider: StringEnum(providerIds) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ authorizeUrl: Type.String(), expiresAt: Type.String() }),
          409: ErrorBody,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { provider } = request.body;
      const client = config.oauth[provider];
      if (!client) {
        throw new ApiError(
          "invalid_request",
          `Connect is not available for ${PROVIDER_PRESETS[provider].name}: the operator has not registered an app with it`,
        );
      }
      const draft = await loadDraft(database.db, config.secretKey, tenantId);
      if (!draft?.settings.account) {
        throw new ApiError("conflict", "save the account step (the email address) before Connect");
      }
      const at = clock.now();
      const redirectUri = `${config.publicUrl}${CALLBACK_PATH}`;
      const started = await startConnect(database.db, config.secretKey, {
        tenantId,
        startedBy: actorOf(request),
        provider,
        draftVersion: draft.version,
        redirectUri,
        at,
      });
      const preset = PROVIDER_PRESETS[provider];
      const url = new URL(client.authorizeUrl);
      const params: Record<string, string> = {
        response_type: "code",
        client_id: client.clientId,
        redirect_uri: redirectUri,
        scope: preset.scope,
        state: started.state,
        code_challenge: started.codeChallenge,
        code_challenge_method: "S256",
        ...preset.extraParams,
      };
      const hint = draft.settings.account.fromAddress;
      if (hint) params.login_hint = hint;
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return { authorizeUrl: url.toString(), expiresAt: new Date(at + CONNECT_TTL_MS).toISOString() };
    },
  );

  app.get(
    CALLBACK_PATH,
    {
      config: administrator,
      schema: {
        tags: ["account"],
        summary: "Connect: where the provider sends the administrator back; returns to the wizard",
        description:
          "Checks the state (this tenant, this person, unused, unexpired), trades the code with the PKCE " +
          "verifier for a refresh token and seals it into the draft; then redirects (303) to the console's " +
          `wizard (${WIZARD_PATH}?connected=<provider>, or ?connectError=<reason>). A wrong, replayed or ` +
          "expired state, or a draft changed since Connect, changes nothing.",
        querystring: Type.Object(
          {
            state: Type.Optional(Type.String({ maxLength: 200 })),
            code: Type.Optional(Type.String({ maxLength: 4096 })),
            error: Type.Optional(Type.String({ maxLength: 200 })),
            error_description: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: true },
        ),
        response: { 303: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = tenantOf(request);
      const back = (query: Record<string, string>) =>
        reply.redirect(`${WIZARD_PATH}?${new URLSearchParams(query).toString()}`, 303);
      const { state, code, error, error_description: description } = request.query;
      if (!state) return back({ connectError: "The sign-in did not come back from the provider." });
      const at = clock.now();
      const by = actorOf(request);
      const claimed = await claimConnect(database.db, config.secretKey, { state, tenantId, by, at });
      if (!claimed.ok) {
        const why = {
          unknown: "This sign-in is not one Postbag started for this school.",
          not_yours: "This sign-in was started by someone else.",
          used: "This sign-in was already used. Click Connect again.",
          expired: "This sign-in took too long. Click Connect again.",
        }[claimed.reason];
        return back({ connectError: why });
      }
      const provider = claimed.connect.provider;
      if (error || !code) {
        const said = [error, description].filter(Boolean).join(": ").slice(0, 300);
        return back({ connectError: `The provider did not connect the account${said ? ` (${said})` : ""}.` });
      }
      const client = config.oauth[provider];
      if (!client) return back({ connectError: "Connect is no longer available for this provider." });
      const exchanged = await exchangeAuthorizationCode(
        {
          tokenUrl: client.tokenUrl,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          code,
          redirectUri: claimed.connect.redirectUri,
          codeVerifier: claimed.connect.codeVerifier,
        },
        { policy, timeoutMs: TEST_TIMEOUT_MS, clock },
      );
      if (!exchanged.ok) return back({ connectError: `The provider refused the sign-in: ${exchanged.reason}` });
      const saved = await connectDraft(database, config.secretKey, {
        tenantId,
        connect: claimed.connect,
        client: { clientId: client.clientId, clientSecret: client.clientSecret, tokenUrl: client.tokenUrl },
        refreshToken: exchanged.refreshToken,
        at,
        by,
      });
      if (!saved.ok) {
        return back({ connectError: "The settings were changed while you were signing in. Click Connect again." });
      }
      return back({ connected: provider });
    },
  );
}
