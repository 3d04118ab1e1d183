import { type NoticeSender, prepareNotice, queueNotice } from "../credits/notices.js";
import type { Tx } from "../db/database.js";
import { POSTBAG_TENANT_ID } from "../tenants/tenants.js";

/**
 * Postbag's own account mail (sign-in links, password resets, invitations). It is queued like
 * the credit alerts: category `notice`, through the operator's relay, never metered, held,
 * paced or kept for a sending window. It is filed under the reserved Postbag tenant, which no
 * key or person can act for, so no tenant's messages or sandbox API ever shows it (a staff
 * member cannot read an administrator's link); the operator sees it in the sandbox.
 */
export async function queueAccountMail(
  tx: Tx,
  sender: NoticeSender,
  to: string,
  subject: string,
  text: string,
  now: number,
): Promise<void> {
  await tx
    .insertInto("tenants")
    .values({
      id: POSTBAG_TENANT_ID,
      name: "Postbag",
      timezone: "UTC",
      sending_mode: "relay",
      group_id: null,
      created_at: 0,
      pending_timezone: null,
      timezone_effective_from: null,
      suspended_at: null,
      suspended_note: null,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  await queueNotice(tx, sender, POSTBAG_TENANT_ID, now, prepareNotice(sender, [to], subject, text));
}
