import type { Insertable, Selectable, Updateable } from "kysely";

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
  /** What the recipient was charged (see credits/): null before its first attempt. */
  charge: string | null;
  sent_at: number | null;
  /** Start of the retry lifetime when it is not created_at (held mail, once released). */
  retry_from: number | null;
  created_at: number;
  updated_at: number;
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
}

export interface PackageTable {
  id: string;
  name: string;
  credits: number;
  expires_in_days: number | null;
  active: number;
  created_at: number;
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

export interface Tables {
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
}

export type Tenant = Selectable<TenantTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type MessageRow = Selectable<MessageTable>;
export type NewMessage = Insertable<MessageTable>;
export type RecipientRow = Selectable<RecipientTable>;
export type NewRecipient = Insertable<RecipientTable>;
export type RecipientUpdate = Updateable<RecipientTable>;
export type EventRow = Selectable<EventTable>;
export type NewEvent = Insertable<EventTable>;
export type SandboxMessageRow = Selectable<SandboxMessageTable>;
