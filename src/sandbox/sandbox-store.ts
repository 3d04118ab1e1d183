import type { Database } from "../db/database.js";
import { stringList } from "../db/json-codec.js";
import type { SandboxMessageRow } from "../db/tables.js";

/** `sandbox_messages.rcpt_to`: the envelope recipients. */
export const rcptToColumn = stringList("sandbox_messages.rcpt_to");

/** Whose captured mail a caller may see: one tenant's, or (operator) all of it. */
export type SandboxScope = { readonly tenantId: string } | "all";

export async function listCaptured(
  database: Database,
  scope: SandboxScope,
  before: string | undefined,
  limit: number,
): Promise<Omit<SandboxMessageRow, "raw">[]> {
  let q = database.db
    .selectFrom("sandbox_messages")
    .select([
      "id",
      "tenant_id",
      "recipient_id",
      "received_at",
      "mail_from",
      "rcpt_to",
      "subject",
      "message_id_header",
      "size_bytes",
    ]);
  if (scope !== "all") q = q.where("tenant_id", "=", scope.tenantId);
  if (before) q = q.where("id", "<", before);
  return q.orderBy("id", "desc").limit(limit).execute();
}

export async function getCaptured(
  database: Database,
  scope: SandboxScope,
  id: string,
): Promise<SandboxMessageRow | undefined> {
  let q = database.db.selectFrom("sandbox_messages").selectAll().where("id", "=", id);
  if (scope !== "all") q = q.where("tenant_id", "=", scope.tenantId);
  return q.executeTakeFirst();
}
