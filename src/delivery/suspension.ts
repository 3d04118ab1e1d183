import type { Database, Tx } from "../db/database.js";
import type { Tenant } from "../db/tables.js";
import {
  holdForSuspension,
  releaseSuspensionHold,
  SUSPENDED_NOTE,
  SUSPENDED_UNTIL,
} from "../messages/recipient-state.js";
import { findTenant, POSTBAG_TENANT_ID } from "../tenants/tenants.js";
import { type ClaimedDelivery, type Deferral, deferClaims } from "./outbox.js";

/**
 * Suspending a tenant (the operator's console, docs/security.md): its keys and people are
 * refused (`tenants.assertNotSuspended`), and its mail waits, held with the reason `suspended`:
 * nothing is sent, nothing deleted, and the resume puts every held row back as it was.
 */
export interface SuspensionChange {
  readonly tenant: Tenant;
  /** Recipients held (suspend) or released (resume) by this change. */
  readonly recipients: number;
  /** False when the tenant already was in that state (nothing changed). */
  readonly changed: boolean;
}

/** Suspends a tenant and holds its waiting mail; undefined when there is no such tenant. */
export async function suspendTenant(
  database: Database,
  tenantId: string,
  note: string | null,
  now: number,
): Promise<SuspensionChange | undefined> {
  if (tenantId === POSTBAG_TENANT_ID) return undefined;
  return database.db.transaction().execute(async (tx) => {
    const before = await findTenant(tx, tenantId);
    if (!before) return undefined;
    if (before.suspended_at !== null) return { tenant: before, recipients: 0, changed: false };
    await tx
      .updateTable("tenants")
      .set({ suspended_at: now, suspended_note: note })
      .where("id", "=", tenantId)
      .where("suspended_at", "is", null)
      .execute();
    const recipients = await holdForSuspension(tx, tenantId, now);
    return { tenant: { ...before, suspended_at: now, suspended_note: note }, recipients, changed: true };
  });
}

/** Resumes a tenant and releases the mail its suspension held; undefined when there is no such tenant. */
export async function resumeTenant(
  database: Database,
  tenantId: string,
  now: number,
): Promise<SuspensionChange | undefined> {
  if (tenantId === POSTBAG_TENANT_ID) return undefined;
  return database.db.transaction().execute(async (tx) => {
    const before = await findTenant(tx, tenantId);
    if (!before) return undefined;
    if (before.suspended_at === null) return { tenant: before, recipients: 0, changed: false };
    await tx
      .updateTable("tenants")
      .set({ suspended_at: null, suspended_note: null })
      .where("id", "=", tenantId)
      .execute();
    const recipients = await releaseSuspensionHold(tx, tenantId, now);
    return { tenant: { ...before, suspended_at: null, suspended_note: null }, recipients, changed: true };
  });
}

/**
 * The worker's suspension check, in the claim transaction: rows of suspended tenants claimed
 * now (mail queued after the suspension, a retry that came due, a row a worker held while the
 * tenant was suspended) are handed back held with the reason `suspended`, no attempt, no event.
 * Returns the rows that may go on.
 */
export async function holdSuspendedClaims(
  tx: Tx,
  owner: string,
  claimed: readonly ClaimedDelivery[],
  now: number,
): Promise<ClaimedDelivery[]> {
  if (claimed.length === 0) return [];
  const suspended = new Set(
    (
      await tx
        .selectFrom("tenants")
        .select("id")
        .where("id", "in", [...new Set(claimed.map((d) => d.tenantId))])
        .where("suspended_at", "is not", null)
        .execute()
    ).map((t) => t.id),
  );
  if (suspended.size === 0) return [...claimed];
  const deferrals: Deferral[] = claimed
    .filter((d) => suspended.has(d.tenantId))
    .map((d) => ({
      id: d.id,
      tenantId: d.tenantId,
      until: SUSPENDED_UNTIL,
      note: SUSPENDED_NOTE,
      holdReason: "suspended",
    }));
  await deferClaims(tx, owner, deferrals, now);
  return claimed.filter((d) => !suspended.has(d.tenantId));
}
