import type { Db } from "../db/database.js";
import { type JsonCodec, StoredJsonError } from "../db/json-codec.js";
import type { MessageRow } from "../db/tables.js";
import { mergeDataColumn } from "../messages/message-columns.js";
import type { ClaimedDelivery } from "./outbox.js";
import type { ContactValues, SubjectValues } from "./personalise.js";

/** What rendering a message needs besides the message: its tenant's settings and its announcement. */
export interface MessageContext {
  readonly tenantName: string;
  /** The signature this message carries, or null. */
  readonly signature: { readonly text: string | null; readonly html: string | null } | null;
  readonly trackOpens: boolean;
  /** `announcements.merge_data` of the announcement this message is the template of. */
  readonly mergeData: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Why the message cannot be rendered (its stored JSON lost its shape), if so. */
  readonly broken?: string;
}

/** Who one recipient row is for: its contact and the subjects its sections are about. */
export interface RecipientData {
  readonly contact: ContactValues | null;
  readonly subjects: ReadonlyArray<SubjectValues & { readonly externalId: string }>;
}

/** Sources whose every copy is rendered for its recipient. */
export const PERSONAL_SOURCES: ReadonlySet<string> = new Set(["announcement", "digest"]);

/** A tenant's settings every copy of its mail is rendered with (`loadTenantSettings`). */
export interface TenantMailSettings {
  readonly name: string;
  readonly signatureEnabled: boolean;
  readonly signature: { readonly text: string | null; readonly html: string | null } | null;
  readonly trackOpens: boolean;
}

/** The announcement a template message belongs to, as rendering needs it. */
export interface AnnouncementSettings {
  readonly useSignature: boolean;
  /** Absent when `broken`. */
  readonly value?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Why the stored merge data cannot be read (its JSON lost its shape), if so. */
  readonly broken?: string;
}

/** Loads tenants' name, signature and open tracking, one query for all. */
export async function loadTenantSettings(
  db: Db,
  tenantIds: readonly string[],
): Promise<Map<string, TenantMailSettings>> {
  if (tenantIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("tenants")
    .leftJoin("tenant_signatures", "tenant_signatures.tenant_id", "tenants.id")
    .leftJoin("tracking_settings", "tracking_settings.tenant_id", "tenants.id")
    .select([
      "tenants.id",
      "tenants.name",
      "tenant_signatures.enabled",
      "tenant_signatures.text",
      "tenant_signatures.html",
      "tracking_settings.track_opens",
    ])
    .where("tenants.id", "in", [...new Set(tenantIds)])
    .execute();
  return new Map(
    rows.map((t) => [
      t.id,
      {
        name: t.name,
        signatureEnabled: t.enabled === 1,
        signature: (t.text ?? "") + (t.html ?? "") === "" ? null : { text: t.text ?? null, html: t.html ?? null },
        // No settings row: tracking is on (the default).
        trackOpens: (t.track_opens ?? 1) === 1,
      },
    ]),
  );
}

/**
 * The context one message is rendered with. The signature: an announcement carries it when
 * composed with `use_signature`; other tenant mail (API, digests) when the tenant has switched
 * its signature on; Postbag's own notices never, nor a test copy (its content is final already).
 */
export function messageContext(
  tenant: TenantMailSettings | undefined,
  message: Pick<MessageRow, "source">,
  announcement: AnnouncementSettings | undefined,
): MessageContext {
  const wantsSignature = FINAL_SOURCES.has(message.source)
    ? false
    : announcement
      ? announcement.useSignature
      : message.source !== "announcement" && tenant?.signatureEnabled === true;
  return {
    tenantName: tenant?.name ?? "",
    signature: wantsSignature ? (tenant?.signature ?? null) : null,
    trackOpens: tenant?.trackOpens ?? true,
    mergeData: announcement?.value ?? {},
    ...(announcement?.broken !== undefined ? { broken: announcement.broken } : {}),
  };
}

/**
 * Sources whose content is sent as it is, with nothing added: Postbag's own notices, and the
 * test copy of an announcement (`test`), rendered for its sender by the preview already.
 */
export const FINAL_SOURCES: ReadonlySet<string> = new Set(["notice", "test"]);

/**
 * Loads the context of a batch of messages: one query for their tenants' name, signature and
 * open tracking, one per tenant for the announcements behind announcement templates.
 */
export async function loadMessageContexts(
  db: Db,
  messages: readonly MessageRow[],
): Promise<Map<string, MessageContext>> {
  const out = new Map<string, MessageContext>();
  if (messages.length === 0) return out;
  const tenantIds = [...new Set(messages.map((m) => m.tenant_id))];
  const tenants = await loadTenantSettings(db, tenantIds);
  const announcements = new Map<string, AnnouncementSettings>();
  for (const tenantId of tenantIds) {
    const ids = messages.filter((m) => m.tenant_id === tenantId && m.source === "announcement").map((m) => m.id);
    if (ids.length === 0) continue;
    const rows = await db
      .selectFrom("announcements")
      .select(["message_id", "use_signature", "merge_data"])
      .where("tenant_id", "=", tenantId)
      .where("message_id", "in", ids)
      .execute();
    for (const a of rows)
      announcements.set(a.message_id, {
        useSignature: a.use_signature === 1,
        ...decodeOrBroken(mergeDataColumn, a.merge_data),
      });
  }
  for (const m of messages) out.set(m.id, messageContext(tenants.get(m.tenant_id), m, announcements.get(m.id)));
  return out;
}

/** A column decoded, or why it cannot be (one message's broken row must not stop its batch). */
function decodeOrBroken<T>(codec: JsonCodec<T>, text: string): { value: T } | { broken: string } {
  try {
    return { value: codec.decode(text) };
  } catch (err) {
    if (err instanceof StoredJsonError) return { broken: err.message };
    throw err;
  }
}

/** The fields of a recipient row that say who it is for. */
export type RecipientRef = Pick<ClaimedDelivery, "id" | "tenantId" | "contactId" | "subjectIds">;

/** The subject ids a row's sections are about, in the order stored. */
export function subjectIdsOf(delivery: Pick<ClaimedDelivery, "subjectIds">): string[] {
  if (!delivery.subjectIds) return [];
  try {
    const ids: unknown = JSON.parse(delivery.subjectIds);
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/**
 * Loads contacts and subjects for the rows of a claimed batch that have a contact: one query
 * per tenant for each. Subject fields from the announcement's merge data are added at render.
 */
export async function loadRecipientData(
  db: Db,
  deliveries: readonly RecipientRef[],
): Promise<Map<string, RecipientData>> {
  const out = new Map<string, RecipientData>();
  const byTenant = new Map<string, RecipientRef[]>();
  for (const d of deliveries) {
    if (d.contactId !== null) byTenant.set(d.tenantId, [...(byTenant.get(d.tenantId) ?? []), d]);
  }
  for (const [tenantId, list] of byTenant) {
    const contactIds = [...new Set(list.map((d) => d.contactId ?? ""))];
    const subjectIds = [...new Set(list.flatMap(subjectIdsOf))];
    const [contacts, subjects] = await Promise.all([
      db
        .selectFrom("contacts")
        .select(["id", "name", "email"])
        .where("tenant_id", "=", tenantId)
        .where("id", "in", contactIds)
        .execute(),
      subjectIds.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom("subjects")
            .select(["id", "external_id", "name"])
            .where("tenant_id", "=", tenantId)
            .where("id", "in", subjectIds)
            .execute(),
    ]);
    const contactById = new Map(contacts.map((c) => [c.id, c]));
    const subjectById = new Map(subjects.map((s) => [s.id, s]));
    for (const d of list) {
      const c = contactById.get(d.contactId ?? "");
      out.set(d.id, {
        contact: c ? { name: c.name, email: c.email } : null,
        subjects: subjectIdsOf(d).flatMap((id) => {
          const s = subjectById.get(id);
          return s ? [{ name: s.name, externalId: s.external_id, fields: {} }] : [];
        }),
      });
    }
  }
  return out;
}
