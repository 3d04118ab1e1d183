import { expect } from "vitest";
import { json, type TestApp, type TestTenant, validMessage } from "../support/test-app.js";

/**
 * Builds a known sending history for report tests.
 *
 * Messages and recipients go in through POST /v1/messages (the real accept path: real rows,
 * real categories); then each recipient's `sent_at`, `charge` and `status` are set directly, as
 * the delivery worker leaves them after metering and a 250 from the relay. Running the real
 * worker would stamp every recipient with one "now" and one charge decided by the credit rules,
 * so a history spread over days, DST changes and months (and a chosen mix of charges) would
 * need dozens of clock moves and worker runs per test; the reports read only these three
 * columns plus the category, and the worker's own tests cover how they get written.
 */
export interface SentMail {
  /** When the relay accepted it (ISO 8601, UTC); null: never sent. */
  readonly at: string | null;
  readonly category?: string;
  /** `allowance:2026-03`, `over:…`, `grant:…:id`, `uncounted`, `refunded:…`. */
  readonly charge: string | null;
  readonly recipients?: number;
  readonly status?: string;
}

let seq = 0;

export async function sendHistory(t: TestApp, tenant: TestTenant, mail: readonly SentMail[]): Promise<void> {
  for (const m of mail) {
    const n = m.recipients ?? 1;
    const category = m.category ?? "announcement";
    // A password reset goes to one person, so several are several messages.
    const perMessage = category.startsWith("password_reset") ? 1 : n;
    for (let sent = 0; sent < n; sent += perMessage) {
      const to = Array.from({ length: perMessage }, () => `parent${++seq}@example.com`);
      const res = await t.inject({
        method: "POST",
        url: "/v1/messages",
        headers: tenant.auth(),
        payload: validMessage({ to, category }),
      });
      expect(res.statusCode, res.body).toBe(202);
      const { id } = json<{ id: string }>(res);
      await t.db
        .updateTable("recipients")
        .set({
          status: m.status ?? (m.at === null ? "queued" : "sent"),
          sent_at: m.at === null ? null : Date.parse(m.at),
          charge: m.charge,
          // A sent (or finally failed) recipient leaves the outbox; a queued one keeps its slot.
          ...(m.status !== undefined && m.status !== "queued" ? { next_attempt_at: null } : {}),
          ...(m.at !== null ? { next_attempt_at: null } : {}),
        })
        .where("tenant_id", "=", tenant.id)
        .where("message_id", "=", id)
        .execute();
    }
  }
}

/** A credit_periods row as the meter leaves it. */
export async function creditPeriod(
  t: TestApp,
  tenantId: string,
  period: string,
  counted: number,
  overAt: string | null = null,
): Promise<void> {
  await t.db
    .insertInto("credit_periods")
    .values({
      tenant_id: tenantId,
      period,
      counted,
      low_alert_at: null,
      over_at: overAt === null ? null : Date.parse(overAt),
      last_reminder_at: null,
    })
    .execute();
}

export async function setTimezone(t: TestApp, tenantId: string, timezone: string): Promise<void> {
  await t.db.updateTable("tenants").set({ timezone }).where("id", "=", tenantId).execute();
}
