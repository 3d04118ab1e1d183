import type { Db } from "../db/database.js";
import { idFloor } from "./outbox.js";

export interface RelayError {
  readonly at: number;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly recipientId: string;
  readonly status: string;
  readonly smtpCode: number | null;
  readonly enhancedCode: string | null;
  readonly text: string | null;
  readonly reason: string | null;
}

/** How far back the operator's Health screen looks for delivery errors. */
export const RELAY_ERRORS_WINDOW_MS = 7 * 24 * 60 * 60_000;

/**
 * The newest failed attempts through the operator's relay (soft and hard bounces, rejections) of
 * the last `RELAY_ERRORS_WINDOW_MS`, newest first: mail of tenants on the built-in service and
 * Postbag's own mail, not that of schools sending through their own account. Events are read
 * backwards by id (time-ordered) from the window's floor, so the query stays bounded.
 */
export async function recentRelayErrors(db: Db, now: number, limit: number): Promise<RelayError[]> {
  const rows = await db
    .selectFrom("events as e")
    .innerJoin("tenants as t", "t.id", "e.tenant_id")
    .select([
      "e.at",
      "e.tenant_id",
      "t.name",
      "e.recipient_id",
      "e.status",
      "e.smtp_code",
      "e.enhanced_code",
      "e.smtp_text",
      "e.reason",
    ])
    .where("e.id", ">=", idFloor(now - RELAY_ERRORS_WINDOW_MS))
    .where("e.status", "in", ["soft_bounce", "hard_bounce", "rejected"])
    .where("t.sending_mode", "=", "relay")
    .orderBy("e.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    at: Number(r.at),
    tenantId: r.tenant_id,
    tenantName: r.name,
    recipientId: r.recipient_id,
    status: r.status,
    smtpCode: r.smtp_code,
    enhancedCode: r.enhanced_code,
    text: r.smtp_text,
    reason: r.reason,
  }));
}
