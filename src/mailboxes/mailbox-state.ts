import type { Selectable } from "kysely";
import type { Db, Tx } from "../db/database.js";
import type { MailboxStateTable } from "../db/tables.js";

/**
 * Where each mailbox poller got to (`mailbox_states`), and the lease that keeps two pollers
 * (threads, processes, hosts) from reading one mailbox at once.
 *
 * A mailbox is a tenant's own account (`tenant:<id>`) or the operator's bounce mailbox
 * (`operator`, no tenant). Every query names the tenant (or "no tenant"), so one tenant's key can
 * never reach another's row.
 */
export interface MailboxRef {
  readonly key: string;
  readonly tenantId: string | null;
}

export const OPERATOR_MAILBOX: MailboxRef = { key: "operator", tenantId: null };

export function tenantMailbox(tenantId: string): MailboxRef {
  return { key: `tenant:${tenantId}`, tenantId };
}

export type MailboxState = Selectable<MailboxStateTable>;

/** `tenant_id = ?`, or `tenant_id is null` for the operator's mailbox. */
function tenantOp(ref: MailboxRef): "=" | "is" {
  return ref.tenantId === null ? "is" : "=";
}

export async function readMailboxState(db: Db | Tx, ref: MailboxRef): Promise<MailboxState | undefined> {
  return db
    .selectFrom("mailbox_states")
    .selectAll()
    .where("mailbox_key", "=", ref.key)
    .where("tenant_id", tenantOp(ref), ref.tenantId)
    .executeTakeFirst();
}

/**
 * Takes the mailbox for `owner` until `now + leaseMs`, or answers null while another poller
 * holds an unexpired lease. A different protocol than last time (the tenant switched between
 * IMAP and POP3) starts the position afresh; Message-IDs still keep out re-imports.
 */
export async function acquireMailbox(
  db: Db,
  ref: MailboxRef,
  options: { owner: string; protocol: "imap" | "pop3"; now: number; leaseMs: number },
): Promise<MailboxState | null> {
  const { owner, protocol, now, leaseMs } = options;
  await db
    .insertInto("mailbox_states")
    .values({ mailbox_key: ref.key, tenant_id: ref.tenantId, protocol, updated_at: now })
    .onConflict((oc) => oc.column("mailbox_key").doNothing())
    .execute();
  const taken = await db
    .updateTable("mailbox_states")
    .set({ lease_owner: owner, lease_until: now + leaseMs, updated_at: now })
    .where("mailbox_key", "=", ref.key)
    .where("tenant_id", tenantOp(ref), ref.tenantId)
    // Even the same owner waits: two polls of one mailbox in one process would race too.
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", now)]))
    .returningAll()
    .executeTakeFirst();
  if (!taken) return null;
  if (taken.protocol === protocol) return taken;
  return (
    (await db
      .updateTable("mailbox_states")
      .set({ protocol, uidvalidity: null, last_uid: null })
      .where("mailbox_key", "=", ref.key)
      .where("tenant_id", tenantOp(ref), ref.tenantId)
      .where("lease_owner", "=", owner)
      .returningAll()
      .executeTakeFirst()) ?? null
  );
}

/**
 * Saves the position (and renews the lease) in the caller's transaction, the one that stores
 * the message: a crash leaves either both or neither. Answers false if the lease was lost to
 * another poller, in which case the caller must roll back.
 */
export async function savePosition(
  tx: Tx,
  ref: MailboxRef,
  options: {
    owner: string;
    /** The generation the poll started with: a reset since then makes the save (and the poll) stop. */
    generation: number;
    uidvalidity: string | null;
    lastUid: number | null;
    now: number;
    leaseMs: number;
  },
): Promise<boolean> {
  const result = await tx
    .updateTable("mailbox_states")
    .set({
      uidvalidity: options.uidvalidity,
      last_uid: options.lastUid,
      lease_until: options.now + options.leaseMs,
      updated_at: options.now,
    })
    .where("mailbox_key", "=", ref.key)
    .where("tenant_id", tenantOp(ref), ref.tenantId)
    .where("lease_owner", "=", options.owner)
    .where("generation", "=", options.generation)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends a poll: frees the lease and records when it ran, what went wrong, and when it runs next. */
export async function releaseMailbox(
  db: Db,
  ref: MailboxRef,
  options: { owner: string; now: number; nextPollAt: number | null; error: string | null },
): Promise<void> {
  await db
    .updateTable("mailbox_states")
    .set({
      lease_owner: null,
      lease_until: null,
      last_poll_at: options.now,
      next_poll_at: options.nextPollAt,
      last_error: options.error,
      updated_at: options.now,
    })
    .where("mailbox_key", "=", ref.key)
    .where("tenant_id", tenantOp(ref), ref.tenantId)
    .where("lease_owner", "=", options.owner)
    .execute();
}

/** Gives the mailbox back without recording a poll (shutdown mid-poll): it stays due. */
export async function dropLease(db: Db, ref: MailboxRef, owner: string, now: number): Promise<void> {
  await db
    .updateTable("mailbox_states")
    .set({ lease_owner: null, lease_until: null, updated_at: now })
    .where("mailbox_key", "=", ref.key)
    .where("tenant_id", tenantOp(ref), ref.tenantId)
    .where("lease_owner", "=", owner)
    .execute();
}

/**
 * "Reset mailbox counter": forgets the saved position (UIDVALIDITY and last UID) so the next
 * poll reads the whole mailbox again from its first message, and makes that poll due now.
 * What is already stored is recognised by its identity in the mailbox or its Message-ID and is
 * not imported again. `generation` goes up, so a poll that is running right now stops at its
 * next save (rolling back the message it was storing) instead of writing an old position over
 * the reset.
 */
export async function resetMailboxCounter(
  db: Db | Tx,
  ref: MailboxRef,
  protocol: "imap" | "pop3",
  now: number,
): Promise<{ generation: number; resetAt: number }> {
  const row = await db
    .insertInto("mailbox_states")
    .values({
      mailbox_key: ref.key,
      tenant_id: ref.tenantId,
      protocol,
      reset_at: now,
      next_poll_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .column("mailbox_key")
        .doUpdateSet((eb) => ({
          uidvalidity: null,
          last_uid: null,
          generation: eb("mailbox_states.generation", "+", 1),
          reset_at: now,
          last_poll_at: null,
          next_poll_at: now,
          last_error: null,
          updated_at: now,
        }))
        // A key belongs to one tenant; never touch a row of another.
        .where("mailbox_states.tenant_id", tenantOp(ref), ref.tenantId),
    )
    .returning(["generation", "reset_at"])
    .executeTakeFirstOrThrow();
  return { generation: row.generation, resetAt: row.reset_at ?? now };
}
