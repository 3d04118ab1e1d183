import { createHmac } from "node:crypto";
import type { Db, Tx } from "../db/database.js";
import type { AccountSecrets, AccountStep } from "./account-settings.js";

/**
 * "Your email account must be connected to move to the next window", kept by the
 * server: Test connection records a fingerprint of the account step it passed with, and Finish
 * refuses an own-account draft whose account step, as it is now, has no such record.
 *
 * The fingerprint is an HMAC (under the service's secret key, bound to the tenant) of what the
 * test depended on: the mode, the sender address, each server (host, port, security, login,
 * OAuth2 client and endpoints) and the secrets those servers use. Any change to one of them (a new
 * password, another port) is a new fingerprint, which has to pass a test of its own; the display
 * name and the other steps do not matter.
 */

/** Records kept per tenant: the newest ones (an administrator may test a few variants). */
const KEEP = 20;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The fingerprint of an account step with its secrets (only the ones its servers use). */
export function accountFingerprint(secretKey: string, tenantId: string, account: AccountStep, secrets: AccountSecrets) {
  const used = (slot: "smtp" | "receive", server: AccountStep["smtp"]) => {
    if (!server) return null;
    const s = secrets;
    return server.auth.method === "password"
      ? { password: slot === "smtp" ? s.smtpPassword : s.receivePassword }
      : {
          clientSecret: slot === "smtp" ? s.smtpClientSecret : s.receiveClientSecret,
          refreshToken: slot === "smtp" ? s.smtpRefreshToken : s.receiveRefreshToken,
        };
  };
  const receive = account.receive;
  const subject = {
    mode: account.mode,
    fromAddress: account.fromAddress?.trim().toLowerCase() ?? null,
    smtp: account.smtp ? { ...account.smtp, host: account.smtp.host.replace(/\.$/, "") } : null,
    smtpSecrets: used("smtp", account.smtp),
    receive: receive
      ? {
          ...receive,
          host: receive.host.replace(/\.$/, ""),
          mailbox: receive.protocol === "imap" ? (receive.mailbox ?? "INBOX") : null,
        }
      : null,
    receiveSecrets: used("receive", receive),
  };
  return createHmac("sha256", secretKey)
    .update(`account-test:${tenantId}\n${canonical(subject)}`)
    .digest("hex");
}

/** Remembers that the account step with this fingerprint passed Test connection. */
export async function recordPassedTest(db: Db | Tx, tenantId: string, fingerprint: string, at: number): Promise<void> {
  await db
    .insertInto("account_tests")
    .values({ tenant_id: tenantId, fingerprint, passed_at: at })
    .onConflict((oc) => oc.columns(["tenant_id", "fingerprint"]).doUpdateSet({ passed_at: at }))
    .execute();
  const keep = await db
    .selectFrom("account_tests")
    .select("passed_at")
    .where("tenant_id", "=", tenantId)
    .orderBy("passed_at", "desc")
    .offset(KEEP - 1)
    .limit(1)
    .executeTakeFirst();
  if (keep) {
    await db
      .deleteFrom("account_tests")
      .where("tenant_id", "=", tenantId)
      .where("passed_at", "<", keep.passed_at)
      .execute();
  }
}

/** Whether an account step with this fingerprint ever passed Test connection for the tenant. */
export async function passedTest(db: Db | Tx, tenantId: string, fingerprint: string): Promise<boolean> {
  const row = await db
    .selectFrom("account_tests")
    .select("fingerprint")
    .where("tenant_id", "=", tenantId)
    .where("fingerprint", "=", fingerprint)
    .executeTakeFirst();
  return row !== undefined;
}
