import { DateTime } from "luxon";
import { decodeAccountSettings, type SendingSchedule } from "../accounts/account-settings.js";
import type { Db, Tx } from "../db/database.js";
import { releaseRevokedSignInHold } from "../messages/recipient-state.js";
import { type ClaimedDelivery, type Deferral, deferClaims } from "./outbox.js";

/** How long the mail of a tenant whose OAuth2 sign-in was revoked waits before it is looked at again. */
export const HELD_RETRY_MS = 15 * 60_000;

export const HELD_NOTE = "held: the mail account's sign-in was revoked; waiting for the account to be connected again";

/** Rows deferred to individual slots; the rest of a large batch share the slot after the last. */
const SPREAD_ROWS = 50;

/**
 * The send gate for tenants that send through their own mail account (docs/own-account.md: "delay between
 * sending each email", a sending window, the provider's daily limit). Runs inside the claim
 * transaction, on the rows just claimed:
 *
 * - Postbag's own notices (`messages.source = 'notice'`) go through the relay, ungated.
 * - A tenant whose sending sign-in is revoked: every row is handed back for `HELD_RETRY_MS`.
 * - Outside the tenant's window (local time, luxon, DST-correct): handed back to the next opening.
 * - With a delay: one row per slot. The slot is taken with a conditional UPDATE of the tenant's
 *   `send_gates` row (`next_at <= now` → `next_at = now + delay`); on PostgreSQL the UPDATE locks
 *   the row, so a second worker's UPDATE waits, then finds `next_at` in the future and takes
 *   nothing; on SQLite the claim transaction holds the write lock. The other rows are handed
 *   back, spread one delay apart (estimates only: each still has to win the gate when due).
 *
 * Handed-back rows count no attempt and get no event. Rows that may go now are returned, those
 * of own-account tenants marked `via: "own_account"`.
 */
export async function gateOwnAccountSends(
  tx: Tx,
  owner: string,
  claimed: readonly ClaimedDelivery[],
  now: number,
  /**
   * The batch's tenants that send through their own account, when the caller has read them
   * (the worker's claim): the gate then reads nothing for a batch with none of them.
   */
  ownAccountTenants?: ReadonlySet<string>,
): Promise<ClaimedDelivery[]> {
  if (claimed.length === 0) return [];
  const tenantIds = [...new Set(claimed.map((d) => d.tenantId))].filter(
    (id) => ownAccountTenants === undefined || ownAccountTenants.has(id),
  );
  if (tenantIds.length === 0) return [...claimed];
  const own = await tx
    .selectFrom("tenants")
    .leftJoin("account_settings", "account_settings.tenant_id", "tenants.id")
    .leftJoin("oauth_tokens", "oauth_tokens.tenant_id", "tenants.id")
    .select([
      "tenants.id",
      "tenants.timezone",
      "account_settings.settings",
      "account_settings.version",
      "oauth_tokens.settings_version",
      "oauth_tokens.revoked_at",
    ])
    .where("tenants.id", "in", tenantIds)
    .where("tenants.sending_mode", "=", "own_account")
    .execute();
  if (own.length === 0) return [...claimed];

  const ownIds = new Set(own.map((t) => t.id));
  const ownRows = claimed.filter((d) => ownIds.has(d.tenantId));
  const notices = new Set(
    (
      await tx
        .selectFrom("messages")
        .select("id")
        .where("tenant_id", "in", [...ownIds])
        .where("id", "in", [...new Set(ownRows.map((d) => d.messageId))])
        .where("source", "=", "notice")
        .execute()
    ).map((m) => m.id),
  );

  const go = new Set<string>();
  const deferrals: Deferral[] = [];
  for (const tenant of own) {
    const rows = ownRows.filter((d) => d.tenantId === tenant.id && !notices.has(d.messageId));
    if (rows.length === 0) continue;
    const settings = tenant.settings ? decodeAccountSettings(tenant.settings) : null;
    const revoked = tenant.revoked_at !== null && tenant.version !== null && tenant.settings_version === tenant.version;
    if (revoked) {
      for (const d of rows)
        deferrals.push({
          id: d.id,
          tenantId: d.tenantId,
          until: now + HELD_RETRY_MS,
          note: HELD_NOTE,
          holdReason: "revoked_sign_in",
        });
      continue;
    }
    const schedule = settings?.schedule;
    if (!schedule) {
      for (const d of rows) go.add(d.id);
      continue;
    }
    const plan = await planTenant(tx, tenant.id, tenant.timezone, schedule, rows, now);
    for (const id of plan.go) go.add(id);
    deferrals.push(...plan.deferred);
  }
  await deferClaims(tx, owner, deferrals, now);
  const deferred = new Set(deferrals.map((d) => d.id));
  return claimed
    .filter((d) => !deferred.has(d.id))
    .map((d) => (go.has(d.id) ? { ...d, via: "own_account" as const } : d));
}

async function planTenant(
  tx: Tx,
  tenantId: string,
  zone: string,
  schedule: SendingSchedule,
  rows: readonly ClaimedDelivery[],
  now: number,
): Promise<{ go: string[]; deferred: Deferral[] }> {
  const delay = Math.max(0, Math.round(schedule.delaySeconds * 1000));
  const window = schedule.window;
  const note = window ? `waiting for the sending window ${window.start}-${window.end}` : undefined;
  const spread = (from: number, list: readonly ClaimedDelivery[]): Deferral[] =>
    list.map((d, i) => {
      const until = fitWindow(from + Math.min(i, SPREAD_ROWS) * delay, zone, window);
      return { id: d.id, tenantId, until, ...(note && until > now + delay ? { note } : {}) };
    });

  if (window && !inWindow(now, zone, window)) return { go: [], deferred: spread(nextOpening(now, zone, window), rows) };
  if (delay === 0) return { go: rows.map((d) => d.id), deferred: [] };

  await tx
    .insertInto("send_gates")
    .values({ tenant_id: tenantId, next_at: 0 })
    .onConflict((oc) => oc.column("tenant_id").doNothing())
    .execute();
  const took = await tx
    .updateTable("send_gates")
    .set({ next_at: now + delay })
    .where("tenant_id", "=", tenantId)
    .where("next_at", "<=", now)
    .executeTakeFirst();
  if (Number(took.numUpdatedRows) > 0) {
    const [first, ...rest] = rows;
    return { go: first ? [first.id] : [], deferred: spread(now + delay, rest) };
  }
  const gate = await tx
    .selectFrom("send_gates")
    .select("next_at")
    .where("tenant_id", "=", tenantId)
    .executeTakeFirstOrThrow();
  return { go: [], deferred: spread(Math.max(gate.next_at, now), rows) };
}

/**
 * Makes mail held for a revoked sign-in due now: for the wizard's Finish, in its transaction
 * right after `saveAccount` saved a new sign-in, so the mail does not wait for its next look
 * (up to `HELD_RETRY_MS`). Returns how many recipients were released.
 */
export async function releaseHeldMail(db: Db | Tx, tenantId: string, now: number): Promise<number> {
  return releaseRevokedSignInHold(db, tenantId, now);
}

/**
 * Called when a paced send ended (its reply arrived): the next slot is at least one delay after
 * that moment, not only after the claim. A send that took long (a fresh connection: TLS, login)
 * would otherwise leave less than the delay between two arrivals at the provider. Only ever
 * moves the gate later.
 */
export async function pushGateAfterSend(db: Db, tenantId: string, at: number, delaySeconds: number): Promise<void> {
  const delay = Math.round(delaySeconds * 1000);
  if (delay <= 0) return;
  await db
    .updateTable("send_gates")
    .set({ next_at: at + delay })
    .where("tenant_id", "=", tenantId)
    .where("next_at", "<", at + delay)
    .execute();
}

type Window = NonNullable<SendingSchedule["window"]>;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** True if `at` falls in the window, in the tenant's local time. An overnight window (22:00-06:00) wraps. */
export function inWindow(at: number, zone: string, window: Window): boolean {
  const local = DateTime.fromMillis(at, { zone });
  const m = local.hour * 60 + local.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return true;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * The next moment at or after `at` when the window is open: `at` itself if open, else the next
 * local `start`. Luxon resolves a start that a DST change skips (02:30 on the spring-forward
 * night) to the first valid local time after it.
 */
export function nextOpening(at: number, zone: string, window: Window): number {
  if (inWindow(at, zone, window)) return at;
  const local = DateTime.fromMillis(at, { zone });
  const start = minutesOf(window.start);
  let candidate = local.set({ hour: Math.floor(start / 60), minute: start % 60, second: 0, millisecond: 0 });
  if (candidate.toMillis() <= at) {
    candidate = local
      .plus({ days: 1 })
      .set({ hour: Math.floor(start / 60), minute: start % 60, second: 0, millisecond: 0 });
  }
  return candidate.toMillis();
}

function fitWindow(at: number, zone: string, window: Window | null): number {
  return window ? nextOpening(at, zone, window) : at;
}
