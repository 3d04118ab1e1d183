import type { FastifyRequest } from "fastify";
import { type AuditAction, recordAudit } from "../auth/audit.js";
import type { Db } from "../db/database.js";

/** Records in the audit that the caller (the person or key of `request`) did `action` in its tenant. */
export async function auditRequest(
  db: Db,
  request: FastifyRequest,
  now: number,
  action: AuditAction,
  target: string | null,
  detail: string | null = null,
): Promise<void> {
  const p = request.principal;
  if (!p) return;
  await recordAudit(
    db,
    { tenantId: p.kind === "tenant" ? p.tenantId : null, actor: p.actor, action, target, detail },
    now,
  );
}
