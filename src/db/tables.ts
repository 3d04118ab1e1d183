import type { Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Table types shared by both dialects. Times are integer milliseconds since the epoch
 * (PostgreSQL `bigint`, parsed to number), ids are ULIDs (sortable by creation time), and
 * structured values are JSON text, so every query reads the same on SQLite and PostgreSQL.
 */
export interface TenantGroupTable {
  id: string;
  name: string;
  created_at: number;
}

export interface TenantTable {
  id: string;
  name: string;
  timezone: string;
  /** `relay` (the operator's built-in service, metered) or `own_account`. */
  sending_mode: string;
  group_id: string | null;
  created_at: number;
  /** A time zone change waiting for the next credit period (docs/credits.md). */
  pending_timezone: Generated<string | null>;
  timezone_effective_from: Generated<number | null>;
  /** 1: people may open attachments of received mail (the inbox); 0: they may not (0018). */
  open_received_attachments: Generated<number>;
  /** When the operator suspended the tenant; null: not suspended (0019). */
  suspended_at: Generated<number | null>;
  suspended_note: Generated<string | null>;
}

export interface ApiKeyTable {
  id: string;
  /** Null for operator keys. */
  tenant_id: string | null;
  role: string;
  name: string;
  /** SHA-256 of the secret part, hex. The key itself is shown once and never stored. */
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  /** Who created it: `person` or `key` (null for keys made on the command line or at first start). */
  created_by_kind: Generated<string | null>;
  created_by_id: Generated<string | null>;
  created_by_name: Generated<string | null>;
  /** Written at most once a minute per key. */
  last_used_at: Generated<number | null>;
}

export interface MessageTable {
  id: string;
  tenant_id: string;
  category: string;
  /** `api` now; announcements, notices and SMTP submission later. */
  source: string;
  from_address: string;
  from_name: string | null;
  reply_to: string | null;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  /** JSON: `{ to: Address[], cc: Address[] }` as shown in the MIME headers (bcc never is). */
  header_recipients: string;
  /** JSON object of extra headers (X-* only). */
  headers: string;
  message_id_header: string;
  idempotency_key: string | null;
  request_hash: string | null;
  size_bytes: number;
  /** Lets delivery skip the attachments query for the (usual) message without any. */
  attachment_count: number;
  created_at: number;
  /** 1: reaches contacts who opted out of the category (never suppressed addresses). */
  essential: Generated<number>;
  /** SMTP submission: the MIME as submitted (minus Bcc and X-Postbag-*); null for other mail. */
  raw_mime: Generated<Buffer | null>;
}

export interface AttachmentTable {
  id: string;
  tenant_id: string;
  message_id: string;
  position: number;
  filename: string;
  content_type: string;
  size_bytes: number;
  content: Buffer;
}

export interface RecipientTable {
  id: string;
  tenant_id: string;
  message_id: string;
  email: string;
  name: string | null;
  /** `to`, `cc` or `bcc`. */
  kind: string;
  status: string;
  attempts: number;
  /** When the outbox should next try this row; null once it reached a final status. */
  next_attempt_at: number | null;
  lease_owner: string | null;
  last_smtp_code: number | null;
  last_enhanced_code: string | null;
  last_smtp_text: string | null;
  /** Why the last failure happened (email/failure-reasons.ts); null if none. Migration 0010. */
  last_reason: string | null;
  /** What the recipient was charged (see credits/): null before its first attempt. */
  charge: string | null;
  sent_at: number | null;
  /** Start of the retry lifetime when it is not created_at (held mail, once released). */
  retry_from: number | null;
  created_at: number;
  updated_at: number;
  /** The contact this email is for (announcements, digests); null for plain API mail. */
  contact_id: string | null;
  /** JSON array of subject ids whose sections this email carries; null for plain mail. */
  subject_ids: string | null;
  /** First recorded open. */
  opened_at: number | null;
  /** Why the row waits: `no_credit`, `hold_time`, `revoked_sign_in`; null when not held (0008). */
  hold_reason: string | null;
  /** The delivery this one resends (migration 0016); null for a first delivery. */
  resend_of: string | null;
  /** When a resend replaced this delivery; null while it is the latest (migration 0016). */
  replaced_at: number | null;
  /** A row held by a suspension: its due time and hold reason before, put back on resume (0019). */
  suspended_due_at: Generated<number | null>;
  suspended_hold_reason: Generated<string | null>;
}

export interface EventTable {
  id: string;
  tenant_id: string;
  message_id: string;
  recipient_id: string;
  at: number;
  status: string;
  attempt: number;
  smtp_code: number | null;
  enhanced_code: string | null;
  smtp_text: string | null;
  /** Why this attempt or report failed (email/failure-reasons.ts); null if it did not. Migration 0010. */
  reason: string | null;
}

export interface SandboxMessageTable {
  id: string;
  tenant_id: string | null;
  recipient_id: string | null;
  received_at: number;
  mail_from: string;
  /** JSON array of envelope recipients. */
  rcpt_to: string;
  subject: string | null;
  message_id_header: string | null;
  size_bytes: number;
  raw: Buffer;
}

export interface OperatorSettingTable {
  key: string;
  /** JSON. */
  value: string;
  updated_at: number;
}

export interface CreditSettingsTable {
  tenant_id: string;
  monthly_allowance: number | null;
  over_limit_policy: string | null;
  grace_days: number | null;
  /** JSON array of user ids and email addresses. */
  low_credit_recipients: string;
  updated_at: number;
}

export interface UserTable {
  id: string;
  tenant_id: string;
  name: string;
  email: string | null;
  role: string;
  created_at: number;
  /** The person this membership belongs to (users with an address have one). */
  person_id: Generated<string | null>;
}

export interface PackageTable {
  id: string;
  name: string;
  credits: number;
  expires_in_days: number | null;
  active: number;
  created_at: number;
  /** Price in minor units (2500 = 25.00) and its ISO 4217 currency; null when not priced. */
  price_minor: Generated<number | null>;
  price_currency: Generated<string | null>;
}

export interface CreditGrantTable {
  id: string;
  /** The tenant that may spend it, or null for a group's bundle. */
  tenant_id: string | null;
  group_id: string | null;
  /** `package` (bought), `group` (allocated from a group bundle), `group_bundle`, `adjustment`. */
  source: string;
  package_id: string | null;
  credits: number;
  remaining: number;
  expires_at: number | null;
  created_at: number;
  created_by: string | null;
  idempotency_key: string | null;
}

export interface CreditPeriodTable {
  tenant_id: string;
  /** `YYYY-MM` in the tenant's time zone. */
  period: string;
  /** Counted mail charged this period, whatever paid for it (allowance, package, over). */
  counted: number;
  low_alert_at: number | null;
  over_at: number | null;
  last_reminder_at: number | null;
}

export interface CreditLedgerTable {
  id: string;
  tenant_id: string | null;
  group_id: string | null;
  at: number;
  period: string;
  kind: string;
  amount: number;
  grant_id: string | null;
  recipient_id: string | null;
  actor: string | null;
  note: string | null;
}

export interface DailyUsageRunTable {
  tenant_id: string;
  local_date: string;
  at: number;
}

// ---- audience (0003) ----

export interface ContactTable {
  id: string;
  tenant_id: string;
  external_id: string;
  name: string;
  /** The usable address, or null when there is none (mail to them is `email_missing`). */
  email: string | null;
  /** What was given when it was not usable. */
  email_given: string | null;
  email_problem: string | null;
  /**
   * Set when the address was corrected in Postbag: what the sync last gave (usable address,
   * unusable text, or "" for none). A sync giving the same keeps the correction.
   */
  email_fixed_from: Generated<string | null>;
  /** `none` (the default), `daily` or `weekly`. */
  digest: Generated<string>;
  /** `HH:MM` in the tenant's zone. */
  digest_time: string | null;
  /** 1 = Monday … 7 = Sunday, for weekly digests. */
  digest_weekday: number | null;
  created_at: number;
  updated_at: number;
}

export interface SubjectTable {
  id: string;
  tenant_id: string;
  external_id: string;
  name: string;
  /** JSON array of group names. */
  groups: string;
  created_at: number;
  updated_at: number;
}

export interface SubjectGroupTable {
  tenant_id: string;
  subject_id: string;
  name: string;
}

export interface ContactSubjectTable {
  tenant_id: string;
  contact_id: string;
  subject_id: string;
  relationship: string | null;
  receives_mail: number;
  updated_at: number;
}

export interface ContactOptOutTable {
  tenant_id: string;
  contact_id: string;
  category: string;
  /** `link`, `one_click` or `api`. */
  source: string;
  at: number;
}

// ---- announcements (0004) ----

export interface AnnouncementTable {
  id: string;
  tenant_id: string;
  /** The template message (subject, bodies with merge fields, category, attachments). */
  message_id: string;
  /** `scheduled`, `sending`, `sent` or `cancelled`. */
  state: string;
  essential: number;
  consolidate: number;
  use_signature: number;
  /** JSON `{ contacts?, subjects?, subjectGroups? }`. */
  audience: string;
  /** JSON `{ <subject external id>: { field: value } }`. */
  merge_data: string;
  send_at: number;
  created_by: string | null;
  created_at: number;
  fanout_cursor: string | null;
  fanout_lease_until: number | null;
  fanned_out_at: number | null;
  cancelled_at: number | null;
  recipient_count: number;
}

/** The audience of an announcement being fanned out (see migration 0004). */
export interface AnnouncementAudienceTable {
  announcement_id: string;
  tenant_id: string;
  contact_id: string;
  /** '' for a contact addressed directly rather than through a subject. */
  subject_id: string;
}

export interface DigestItemTable {
  recipient_id: string;
  tenant_id: string;
  contact_id: string;
  message_id: string;
  due_at: number;
  digest_message_id: string | null;
  created_at: number;
}

// ---- tracking (0005) ----

export interface SuppressionTable {
  tenant_id: string;
  email: string;
  /** `hard_bounce` or `spam`. */
  reason: string;
  detail: string | null;
  recipient_id: string | null;
  created_at: number;
}

export interface SuppressionResetTable {
  id: string;
  tenant_id: string;
  email: string;
  reason: string;
  suppressed_at: number;
  reset_by: string;
  note: string;
  at: number;
}

export interface OpenTable {
  id: string;
  tenant_id: string;
  recipient_id: string;
  at: number;
  automated: number;
  automated_reason: string | null;
  user_agent: string | null;
}

/** A deleted contact or subject (migration 0017): a sync may bring it back only with `restore`. */
export interface AudienceTombstoneTable {
  tenant_id: string;
  /** `contact` or `subject`. */
  kind: string;
  external_id: string;
  deleted_at: number;
}

/** Whether the preference page offers a digest, and the time and day it sets (migration 0017). */
export interface DigestOfferSettingsTable {
  tenant_id: string;
  offer: number;
  default_time: string;
  default_weekday: number;
  updated_at: number;
}

export interface TrackingSettingsTable {
  tenant_id: string;
  track_opens: number;
  updated_at: number;
}

export interface WebhookEndpointTable {
  id: string;
  tenant_id: string;
  url: string;
  /** Sealed signing secret. */
  secret: string;
  /** JSON array of event types, or `["*"]`. */
  events: string;
  description: string | null;
  active: number;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveryTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_type: string;
  payload: string;
  /** `pending`, `delivered` or `failed`. */
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  lease_owner: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

// ---- own mail account (0006) ----

/** One OAuth2 Connect in progress (0018): single use, expiring. */
export interface OauthAuthorizationTable {
  state_hash: string;
  tenant_id: string;
  /** `person:<id>` or `key:<id>`. */
  started_by: string;
  draft_version: number;
  provider: string;
  redirect_uri: string;
  /** Sealed PKCE code verifier. */
  code_verifier: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** An account step (by fingerprint) that passed Test connection (0018). */
export interface AccountTestTable {
  tenant_id: string;
  fingerprint: string;
  passed_at: number;
}

export interface AccountSettingsTable {
  tenant_id: string;
  /** JSON without secrets. */
  settings: string;
  /** Sealed JSON of the secrets. */
  secrets: string | null;
  version: number;
  updated_at: number;
  updated_by: string | null;
}

export interface OauthTokenTable {
  tenant_id: string;
  settings_version: number;
  access_token: string | null;
  refresh_token: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
  updated_at: number;
}

export interface TenantSignatureTable {
  tenant_id: string;
  enabled: number;
  text: string | null;
  html: string | null;
  updated_at: number;
}

export interface SendGateTable {
  tenant_id: string;
  next_at: number;
}

// ---- mailboxes (0007) ----

export interface MailboxStateTable {
  mailbox_key: string;
  tenant_id: string | null;
  protocol: string;
  uidvalidity: string | null;
  last_uid: number | null;
  /** Bumped by "reset mailbox counter"; a poll started before a reset stops at its next save. */
  generation: Generated<number>;
  reset_at: number | null;
  lease_until: number | null;
  lease_owner: string | null;
  last_poll_at: number | null;
  next_poll_at: number | null;
  last_error: string | null;
  updated_at: number;
}

/** A scheduled job's next tick and, while one runs it, the process holding it (migration 0013). */
export interface JobLeaseTable {
  name: string;
  next_due_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_error: string | null;
}

export interface InboundMessageTable {
  id: string;
  tenant_id: string | null;
  mailbox_key: string;
  source_key: string;
  message_id_header: string | null;
  /** SHA-256 of the raw message (hex): catches a re-import of a message without a Message-ID. */
  raw_sha256: string;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  sent_at: number | null;
  received_at: number;
  text_body: string | null;
  html_body: string | null;
  /** `reply`, `bounce`, `delay`, `complaint`, `auto_reply` or `other`. */
  kind: string;
  message_id: string | null;
  recipient_id: string | null;
  contact_id: string | null;
  size_bytes: number;
  attachment_count: number;
  raw: Buffer | null;
}

export interface InboundAttachmentTable {
  id: string;
  tenant_id: string | null;
  inbound_id: string;
  position: number;
  filename: string;
  content_type: string;
  size_bytes: number;
  content: Buffer;
}

export interface PersonTable {
  id: string;
  email: string;
  /** Lower-cased email: unique across Postbag. */
  email_key: string;
  name: string;
  password_hash: string | null;
  password_changed_at: number | null;
  /** 1 for operator people (they belong to no tenant). */
  operator: number;
  created_at: number;
  last_sign_in_at: number | null;
}

export interface SessionTable {
  /** SHA-256 (hex) of the cookie value. */
  id: string;
  person_id: string;
  active_tenant_id: string | null;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  /** Absolute expiry. */
  expires_at: number;
}

export interface AuthLinkTable {
  id: string;
  /** SHA-256 (hex) of the token. */
  token_hash: string;
  /** `sign_in`, `password_reset` or `invitation`. */
  kind: string;
  person_id: string;
  tenant_id: string | null;
  role: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface RateLimitTable {
  key: string;
  count: number;
  reset_at: number;
}

export interface AuditEventTable {
  id: string;
  /** Null for operator actions outside a tenant. */
  tenant_id: string | null;
  at: number;
  /** `person` or `key`. */
  actor_kind: string;
  actor_id: string;
  actor_name: string;
  action: string;
  target: string | null;
  detail: string | null;
}

export interface SendingDomainTable {
  id: string;
  tenant_id: string;
  domain: string;
  selector: string;
  /** Sealed PKCS#8 PEM (`dkim:<tenant>:<id>`). */
  private_key: string;
  /** Base64 SPKI DER (the record's `p=`). */
  public_key: string;
  /** `pending`, `verified` or `failed`. */
  status: string;
  /** JSON: the records as last checked (codec in domains/domain-records.ts). */
  records: string;
  verified_at: number | null;
  checked_at: number | null;
  created_at: number;
}

export interface SenderSettingsTable {
  tenant_id: string;
  generic_address: string | null;
  from_name: string | null;
  updated_at: number;
}

/** A notice the operator sent a tenant's administrators (the Contact action, 0019). */
export interface OperatorNoticeTable {
  id: string;
  tenant_id: string;
  at: number;
  template: string;
  subject: string;
  text: string;
  /** How many addresses it went to. */
  recipients: number;
  /** The operator's name (person or key). */
  sent_by: string;
}

export interface Tables {
  people: PersonTable;
  sessions: SessionTable;
  auth_links: AuthLinkTable;
  rate_limits: RateLimitTable;
  audit_events: AuditEventTable;
  tenant_groups: TenantGroupTable;
  tenants: TenantTable;
  api_keys: ApiKeyTable;
  messages: MessageTable;
  attachments: AttachmentTable;
  recipients: RecipientTable;
  events: EventTable;
  sandbox_messages: SandboxMessageTable;
  operator_settings: OperatorSettingTable;
  credit_settings: CreditSettingsTable;
  users: UserTable;
  packages: PackageTable;
  credit_grants: CreditGrantTable;
  credit_periods: CreditPeriodTable;
  credit_ledger: CreditLedgerTable;
  daily_usage_runs: DailyUsageRunTable;
  contacts: ContactTable;
  subjects: SubjectTable;
  subject_groups: SubjectGroupTable;
  contact_subjects: ContactSubjectTable;
  contact_opt_outs: ContactOptOutTable;
  audience_tombstones: AudienceTombstoneTable;
  digest_offer_settings: DigestOfferSettingsTable;
  announcements: AnnouncementTable;
  announcement_audience: AnnouncementAudienceTable;
  digest_items: DigestItemTable;
  suppressions: SuppressionTable;
  suppression_resets: SuppressionResetTable;
  opens: OpenTable;
  tracking_settings: TrackingSettingsTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  account_settings: AccountSettingsTable;
  account_drafts: AccountSettingsTable;
  oauth_tokens: OauthTokenTable;
  oauth_authorizations: OauthAuthorizationTable;
  account_tests: AccountTestTable;
  tenant_signatures: TenantSignatureTable;
  send_gates: SendGateTable;
  mailbox_states: MailboxStateTable;
  inbound_messages: InboundMessageTable;
  inbound_attachments: InboundAttachmentTable;
  sending_domains: SendingDomainTable;
  sender_settings: SenderSettingsTable;
  job_leases: JobLeaseTable;
  operator_notices: OperatorNoticeTable;
}

export type Tenant = Selectable<TenantTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type MessageRow = Selectable<MessageTable>;
export type SendingDomainRow = Selectable<SendingDomainTable>;
export type NewMessage = Insertable<MessageTable>;
export type RecipientRow = Selectable<RecipientTable>;
export type NewRecipient = Insertable<RecipientTable>;
export type RecipientUpdate = Updateable<RecipientTable>;
export type EventRow = Selectable<EventTable>;
export type NewEvent = Insertable<EventTable>;
export type SandboxMessageRow = Selectable<SandboxMessageTable>;
export type InboundMessageRow = Selectable<InboundMessageTable>;
export type NewInboundMessage = Insertable<InboundMessageTable>;
export type InboundAttachmentRow = Selectable<InboundAttachmentTable>;
export type AnnouncementRow = Selectable<AnnouncementTable>;
