import { type TSchema, Type } from "typebox";
import type { Db, Tx } from "../db/database.js";
import { jsonCodec } from "../db/json-codec.js";
import { open, seal } from "../tenants/secret-box.js";

/**
 * A tenant's own mail account and sending rules (docs/own-account.md), as saved by the settings wizard.
 * Non-secret settings are JSON in `account_settings.settings`; secrets are sealed apart in
 * `account_settings.secrets` and only ever leave this module in full for the code that logs in.
 * The draft (`account_drafts`) has the same shape; Finish copies it whole into the live row.
 */
export type Security = "none" | "starttls" | "tls";
export type OAuthProvider = "microsoft" | "google";

export type AccountAuth =
  | { readonly method: "password"; readonly user: string }
  | {
      readonly method: "oauth2";
      readonly provider: OAuthProvider;
      readonly user: string;
      readonly clientId: string;
      /** The provider's token endpoint; defaults per provider, overridable (tests, sovereign clouds). */
      readonly tokenUrl: string;
      readonly scope: string | null;
    };

export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  readonly security: Security;
  readonly auth: AccountAuth;
}

export interface ReceiveSettings extends ServerSettings {
  readonly protocol: "imap" | "pop3";
  /** IMAP folder (default INBOX); ignored for POP3. */
  readonly mailbox: string;
  readonly schedule:
    | {
        readonly mode: "every";
        readonly minutes: number;
        /** Only within these local hours (the wizard's "mailbox checking times"); absent or null: all day. */
        readonly window?: { readonly start: string; readonly end: string } | null;
      }
    | { readonly mode: "times"; readonly times: readonly string[] };
}

export interface SendingSchedule {
  /** 0: send immediately; otherwise each email is held this long and can be cancelled meanwhile. */
  readonly holdMinutes: number;
  /** Least time between two emails of this tenant, across all workers. 0: no pacing. */
  readonly delaySeconds: number;
  /** Local times (tenant zone) between which mail may go out, or null for any time. */
  readonly window: { readonly start: string; readonly end: string } | null;
  /** The provider's daily limit, if given: the delay helper derives delaySeconds from it. */
  readonly dailyLimit: number | null;
}

export interface AttachmentPolicy {
  readonly maxBytes: number;
  /** Extra file extensions refused on top of the built-in dangerous list (lower case, no dot). */
  readonly blockedExtensions: readonly string[];
}

export interface AccountSettings {
  /** `builtin` (the operator's relay) or `own_account`. */
  readonly mode: "builtin" | "own_account";
  readonly fromAddress: string | null;
  readonly fromName: string | null;
  readonly smtp: ServerSettings | null;
  readonly receive: ReceiveSettings | null;
  readonly schedule: SendingSchedule;
  readonly attachments: AttachmentPolicy;
}

/** The secrets, by the server they log in to. */
export interface AccountSecrets {
  readonly smtpPassword?: string;
  readonly smtpClientSecret?: string;
  readonly smtpRefreshToken?: string;
  readonly receivePassword?: string;
  readonly receiveClientSecret?: string;
  readonly receiveRefreshToken?: string;
}

export interface Stored<S> {
  readonly tenantId: string;
  readonly settings: S;
  readonly secrets: AccountSecrets;
  /** Bumped on every save: caches of connections and tokens compare it. */
  readonly version: number;
  readonly updatedAt: number;
}

export type StoredAccount = Stored<AccountSettings>;
export type StoredDraft = Stored<DraftSettings>;

/** One signature per tenant (docs/own-account.md), added to every email when enabled. HTML is stored sanitised. */
export interface SignatureSettings {
  readonly enabled: boolean;
  readonly text: string | null;
  readonly html: string | null;
}

/**
 * The wizard's draft, one section per step, as the administrator saved it: each section is
 * whole once saved, but not necessarily valid (Finish validates). Secrets are not in here but
 * in the draft's sealed `AccountSecrets`, like the live settings.
 */
export type DraftAuth =
  | { readonly method: "password"; readonly user: string }
  | {
      readonly method: "oauth2";
      readonly provider: OAuthProvider;
      readonly user: string;
      readonly clientId: string;
      /** null: the provider's default. */
      readonly tokenUrl: string | null;
      readonly scope: string | null;
    };

export interface DraftServer {
  readonly host: string;
  readonly port: number;
  readonly security: Security;
  readonly auth: DraftAuth;
}

export interface AccountStep {
  readonly mode: "builtin" | "own_account";
  readonly fromAddress: string | null;
  readonly fromName: string | null;
  readonly smtp: DraftServer | null;
  readonly receive: (DraftServer & { readonly protocol: "imap" | "pop3"; readonly mailbox: string | null }) | null;
}

export interface SendingStep {
  readonly holdMinutes: number;
  /** null: derived from dailyLimit by the pacing helper (0 without a limit). */
  readonly delaySeconds: number | null;
  readonly window: { readonly start: string; readonly end: string } | null;
  readonly dailyLimit: number | null;
}

export interface ReceivingStep {
  readonly schedule: ReceiveSettings["schedule"];
}

export interface AttachmentsSignatureStep {
  readonly attachments: AttachmentPolicy;
  readonly signature: SignatureSettings;
  /** Whether people may open attachments of received mail; absent in drafts saved before it existed. */
  readonly openReceivedAttachments?: boolean;
}

export interface DraftSettings {
  readonly account?: AccountStep;
  readonly sending?: SendingStep;
  readonly receiving?: ReceivingStep;
  readonly attachments_signature?: AttachmentsSignatureStep;
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Security = Type.Union([Type.Literal("none"), Type.Literal("starttls"), Type.Literal("tls")]);
const ServerSchema = Type.Object({
  host: Type.String(),
  port: Type.Number(),
  security: Security,
  auth: Type.Union([
    Type.Object({ method: Type.Literal("password"), user: Type.String() }),
    Type.Object({
      method: Type.Literal("oauth2"),
      provider: Type.Union([Type.Literal("microsoft"), Type.Literal("google")]),
      user: Type.String(),
      clientId: Type.String(),
      tokenUrl: Type.String(),
      scope: Nullable(Type.String()),
    }),
  ]),
});

/**
 * `account_settings.settings`: the live settings, checked on every read (see db/json-codec.ts).
 * The draft (`account_drafts.settings`) is checked step by step by the wizard instead.
 */
export const accountSettingsColumn = jsonCodec(
  "account_settings.settings",
  Type.Object({
    mode: Type.Union([Type.Literal("builtin"), Type.Literal("own_account")]),
    fromAddress: Nullable(Type.String()),
    fromName: Nullable(Type.String()),
    smtp: Nullable(ServerSchema),
    receive: Nullable(
      Type.Intersect([
        ServerSchema,
        Type.Object({
          protocol: Type.Union([Type.Literal("imap"), Type.Literal("pop3")]),
          mailbox: Type.String(),
          schedule: Type.Union([
            Type.Object({
              mode: Type.Literal("every"),
              minutes: Type.Number(),
              window: Type.Optional(Nullable(Type.Object({ start: Type.String(), end: Type.String() }))),
            }),
            Type.Object({ mode: Type.Literal("times"), times: Type.Array(Type.String()) }),
          ]),
        }),
      ]),
    ),
    schedule: Type.Object({
      holdMinutes: Type.Number(),
      delaySeconds: Type.Number(),
      window: Nullable(Type.Object({ start: Type.String(), end: Type.String() })),
      dailyLimit: Nullable(Type.Number()),
    }),
    attachments: Type.Object({ maxBytes: Type.Number(), blockedExtensions: Type.Array(Type.String()) }),
  }),
);

const DraftServerSchema = Type.Object({
  host: Type.String(),
  port: Type.Number(),
  security: Security,
  auth: Type.Union([
    Type.Object({ method: Type.Literal("password"), user: Type.String() }),
    Type.Object({
      method: Type.Literal("oauth2"),
      provider: Type.Union([Type.Literal("microsoft"), Type.Literal("google")]),
      user: Type.String(),
      clientId: Type.String(),
      tokenUrl: Nullable(Type.String()),
      scope: Nullable(Type.String()),
    }),
  ]),
});
const Mode = Type.Union([Type.Literal("builtin"), Type.Literal("own_account")]);
const ReceiveSchedule = Type.Union([
  Type.Object({
    mode: Type.Literal("every"),
    minutes: Type.Number(),
    window: Type.Optional(Nullable(Type.Object({ start: Type.String(), end: Type.String() }))),
  }),
  Type.Object({ mode: Type.Literal("times"), times: Type.Array(Type.String()) }),
]);

/**
 * `account_drafts.settings`: the wizard's draft, one section per saved step. A section's values
 * may still be invalid (Finish validates them), but its shape is checked on every read.
 */
export const draftSettingsColumn = jsonCodec(
  "account_drafts.settings",
  Type.Object({
    account: Type.Optional(
      Type.Object({
        mode: Mode,
        fromAddress: Nullable(Type.String()),
        fromName: Nullable(Type.String()),
        smtp: Nullable(DraftServerSchema),
        receive: Nullable(
          Type.Intersect([
            DraftServerSchema,
            Type.Object({
              protocol: Type.Union([Type.Literal("imap"), Type.Literal("pop3")]),
              mailbox: Nullable(Type.String()),
            }),
          ]),
        ),
      }),
    ),
    sending: Type.Optional(
      Type.Object({
        holdMinutes: Type.Number(),
        delaySeconds: Nullable(Type.Number()),
        window: Nullable(Type.Object({ start: Type.String(), end: Type.String() })),
        dailyLimit: Nullable(Type.Number()),
      }),
    ),
    receiving: Type.Optional(Type.Object({ schedule: ReceiveSchedule })),
    attachments_signature: Type.Optional(
      Type.Object({
        attachments: Type.Object({ maxBytes: Type.Number(), blockedExtensions: Type.Array(Type.String()) }),
        signature: Type.Object({
          enabled: Type.Boolean(),
          text: Nullable(Type.String()),
          html: Nullable(Type.String()),
        }),
        openReceivedAttachments: Type.Optional(Type.Boolean()),
      }),
    ),
  }),
);

const SecretsSchema = Type.Object({
  smtpPassword: Type.Optional(Type.String()),
  smtpClientSecret: Type.Optional(Type.String()),
  smtpRefreshToken: Type.Optional(Type.String()),
  receivePassword: Type.Optional(Type.String()),
  receiveClientSecret: Type.Optional(Type.String()),
  receiveRefreshToken: Type.Optional(Type.String()),
});

/** `secrets` of both tables, once unsealed (the column itself holds the sealed text). */
const secretsColumns = {
  account_settings: jsonCodec("account_settings.secrets", SecretsSchema),
  account_drafts: jsonCodec("account_drafts.secrets", SecretsSchema),
} as const;

/** Reads `account_settings.settings` (throws `StoredJsonError` if it lost its shape). */
export function decodeAccountSettings(text: string): AccountSettings {
  return accountSettingsColumn.decode(text) satisfies AccountSettings;
}

export const DEFAULT_SCHEDULE: SendingSchedule = { holdMinutes: 0, delaySeconds: 0, window: null, dailyLimit: null };

function contextOf(tenantId: string): string {
  return `account:${tenantId}`;
}

type Table = "account_settings" | "account_drafts";

async function load<S>(db: Db | Tx, table: Table, secretKey: string, tenantId: string): Promise<Stored<S> | null> {
  const row = await db.selectFrom(table).selectAll().where("tenant_id", "=", tenantId).executeTakeFirst();
  if (!row) return null;
  return {
    tenantId,
    settings: (table === "account_settings"
      ? decodeAccountSettings(row.settings)
      : (draftSettingsColumn.decode(row.settings) satisfies DraftSettings)) as S,
    secrets: row.secrets ? secretsColumns[table].decode(open(secretKey, contextOf(tenantId), row.secrets)) : {},
    version: row.version,
    updatedAt: row.updated_at,
  };
}

async function save(
  db: Db | Tx,
  table: Table,
  secretKey: string,
  tenantId: string,
  settings: AccountSettings | DraftSettings,
  secrets: AccountSecrets,
  at: number,
  by: string | null,
): Promise<number> {
  const sealed =
    Object.keys(secrets).length === 0
      ? null
      : seal(secretKey, contextOf(tenantId), secretsColumns[table].encode({ ...secrets }));
  const row = await db
    .insertInto(table)
    .values({
      tenant_id: tenantId,
      settings: JSON.stringify(settings),
      secrets: sealed,
      version: 1,
      updated_at: at,
      updated_by: by,
    })
    .onConflict((oc) =>
      oc.column("tenant_id").doUpdateSet((eb) => ({
        settings: JSON.stringify(settings),
        secrets: sealed,
        version: eb(`${table}.version`, "+", 1),
        updated_at: at,
        updated_by: by,
      })),
    )
    .returning("version")
    .executeTakeFirstOrThrow();
  return row.version;
}

/** The live settings (what delivery and polling use), or null if the tenant never finished the wizard. */
export function loadAccount(db: Db | Tx, secretKey: string, tenantId: string): Promise<StoredAccount | null> {
  return load<AccountSettings>(db, "account_settings", secretKey, tenantId);
}

/**
 * The attachment policy of a tenant that sends through its own account, or null (the relay:
 * only the built-in dangerous list applies). One query without the secrets; acceptance calls it
 * only for a message that has attachments.
 */
export async function loadAttachmentPolicy(db: Db | Tx, tenantId: string): Promise<AttachmentPolicy | null> {
  const row = await db
    .selectFrom("account_settings")
    .innerJoin("tenants", "tenants.id", "account_settings.tenant_id")
    .select("account_settings.settings")
    .where("account_settings.tenant_id", "=", tenantId)
    .where("tenants.sending_mode", "=", "own_account")
    .executeTakeFirst();
  if (!row) return null;
  const settings = decodeAccountSettings(row.settings);
  return settings.mode === "own_account" ? settings.attachments : null;
}

/** Saves the live settings whole (Finish) and sets the tenant's sending mode. Returns the new version. */
export async function saveAccount(
  tx: Tx,
  secretKey: string,
  tenantId: string,
  settings: AccountSettings,
  secrets: AccountSecrets,
  at: number,
  by: string | null,
): Promise<number> {
  const version = await save(tx, "account_settings", secretKey, tenantId, settings, secrets, at, by);
  await tx
    .updateTable("tenants")
    .set({ sending_mode: settings.mode === "own_account" ? "own_account" : "relay" })
    .where("id", "=", tenantId)
    .execute();
  return version;
}

export function loadDraft(db: Db | Tx, secretKey: string, tenantId: string): Promise<StoredDraft | null> {
  return load<DraftSettings>(db, "account_drafts", secretKey, tenantId);
}

/** Saves the wizard's draft whole (the live settings are untouched). Returns the draft's version. */
export function saveDraft(
  db: Db | Tx,
  secretKey: string,
  tenantId: string,
  settings: DraftSettings,
  secrets: AccountSecrets,
  at: number,
  by: string | null,
): Promise<number> {
  return save(db, "account_drafts", secretKey, tenantId, settings, secrets, at, by);
}

export async function deleteDraft(db: Db | Tx, tenantId: string): Promise<void> {
  await db.deleteFrom("account_drafts").where("tenant_id", "=", tenantId).execute();
}

export const NO_SIGNATURE: SignatureSettings = { enabled: false, text: null, html: null };

export async function loadSignature(db: Db | Tx, tenantId: string): Promise<SignatureSettings> {
  const row = await db.selectFrom("tenant_signatures").selectAll().where("tenant_id", "=", tenantId).executeTakeFirst();
  return row ? { enabled: row.enabled === 1, text: row.text, html: row.html } : NO_SIGNATURE;
}

export async function saveSignature(
  tx: Db | Tx,
  tenantId: string,
  signature: SignatureSettings,
  at: number,
): Promise<void> {
  const values = { enabled: signature.enabled ? 1 : 0, text: signature.text, html: signature.html, updated_at: at };
  await tx
    .insertInto("tenant_signatures")
    .values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column("tenant_id").doUpdateSet(values))
    .execute();
}

/** Whether the tenant's people may open attachments of received mail (the inbox's download obeys it). */
export async function loadOpenReceivedAttachments(db: Db | Tx, tenantId: string): Promise<boolean> {
  const row = await db
    .selectFrom("tenants")
    .select("open_received_attachments")
    .where("id", "=", tenantId)
    .executeTakeFirst();
  return (row?.open_received_attachments ?? 1) === 1;
}

export async function saveOpenReceivedAttachments(tx: Db | Tx, tenantId: string, open: boolean): Promise<void> {
  await tx
    .updateTable("tenants")
    .set({ open_received_attachments: open ? 1 : 0 })
    .where("id", "=", tenantId)
    .execute();
}
