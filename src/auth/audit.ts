import type { Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { Actor } from "../tenants/tenants.js";

/**
 * The audit trail: actions that change money, mail or access, with the person or key that did
 * them. Read by the tenant's administrators (`GET /v1/audit`).
 */
export type AuditAction =
  | "package.purchased"
  | "suppression.reset"
  | "settings.changed"
  | "invitation.created"
  | "key.created"
  | "key.revoked"
  | "person.role_changed"
  | "person.removed"
  | "timezone.changed"
  | "tenant.renamed"
  | "tenant.suspended"
  | "tenant.resumed"
  | "operator.notice_sent"
  | "contact.email_corrected"
  | "contact.deleted"
  | "subject.deleted";

export interface AuditEntry {
  readonly tenantId: string | null;
  readonly actor: Actor;
  readonly action: AuditAction;
  readonly target?: string | null;
  readonly detail?: string | null;
}

const oneLine = (s: string | null | undefined) => (s ? s.replace(/[\p{Cc}\s]+/gu, " ").slice(0, 500) : null);

export async function recordAudit(db: Db | Tx, entry: AuditEntry, now: number): Promise<void> {
  await db
    .insertInto("audit_events")
    .values({
      id: newId(now),
      tenant_id: entry.tenantId,
      at: now,
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id,
      actor_name: entry.actor.name,
      action: entry.action,
      target: oneLine(entry.target),
      detail: oneLine(entry.detail),
    })
    .execute();
}

/** A tenant's audit entries, newest first. */
export async function listAudit(db: Db, tenantId: string, before: string | undefined, limit: number) {
  let q = db.selectFrom("audit_events").selectAll().where("tenant_id", "=", tenantId);
  if (before) q = q.where("id", "<", before);
  const rows = await q.orderBy("id", "desc").limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    at: new Date(Number(r.at)).toISOString(),
    actor: {
      kind: r.actor_kind === "person" ? ("person" as const) : ("key" as const),
      id: r.actor_id,
      name: r.actor_name,
    },
    action: r.action,
    target: r.target,
    detail: r.detail,
  }));
}
