import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meterBatch } from "../../src/credits/meter.js";
import { newId } from "../../src/db/ids.js";
import { sweepHeldMail } from "../../src/scheduler/release-held.js";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { newTestWorker, recipientRows } from "../support/delivery.js";
import { acceptCounted, setCreditSettings, testNoticeSender } from "../support/notices.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { openTestApp, type TestApp } from "../support/test-app.js";

const DAY = 86_400_000;

async function grant(t: TestApp, tenantId: string, credits: number) {
  await t.db
    .insertInto("credit_grants")
    .values({
      id: newId(),
      tenant_id: tenantId,
      group_id: null,
      source: "adjustment",
      package_id: null,
      credits,
      remaining: credits,
      expires_at: null,
      created_at: t.clock.now(),
      created_by: null,
    })
    .execute();
}

for (const dialect of dialects) {
  describe(`held mail released [${dialect}]`, () => {
    let t: TestApp;
    let server: TestSmtpServer;
    beforeAll(async () => {
      t = await openTestApp(dialect);
      server = await startTestSmtpServer();
    });
    afterAll(async () => {
      await server?.close();
      await t?.close();
    });

    it("the sweep releases only as many as the new credit pays for, oldest first", async () => {
      const tenant = await t.newTenant();
      await setCreditSettings(t.db, tenant.id, { allowance: 0, policy: "hard" });
      const requests = await acceptCounted(t.db, tenant.id, 5, t.clock.now());
      const { held } = await meterBatch(t.database, requests, t.clock.now(), testNoticeSender);
      expect(held.size).toBe(5);

      await grant(t, tenant.id, 2);
      const released = await sweepHeldMail(t.database, t.clock.now());
      expect(released.get(tenant.id)).toBe(2);
      const rows = await recipientRows(t.database, tenant.id);
      expect(rows.filter((r) => r.status === "queued").map((r) => r.id)).toEqual(
        requests.slice(0, 2).map((r) => r.recipientId),
      );
      expect(rows.filter((r) => r.status === "held_no_credit")).toHaveLength(3);
    });

    it("mail held for days gets its full retry lifetime once released", async () => {
      const clock = t.clock as ManualClock;
      const tenant = await t.newTenant();
      await setCreditSettings(t.db, tenant.id, { allowance: 0, policy: "hard" });
      const requests = await acceptCounted(t.db, tenant.id, 1, clock.now());
      await meterBatch(t.database, requests, clock.now(), testNoticeSender);
      clock.advance(3 * DAY); // longer than the 48 h retry lifetime
      await grant(t, tenant.id, 1);
      await sweepHeldMail(t.database, clock.now());

      // The outbox is shared by this file's tenants: only this one's mail is to be claimed.
      await t.db.updateTable("recipients").set({ next_attempt_at: null }).where("tenant_id", "!=", tenant.id).execute();
      server.setBehaviour({ kind: "reply", code: 451, message: "4.7.1 greylisted, try again later" });
      const { worker, transport } = newTestWorker({ database: t.database, clock, server });
      try {
        expect(await worker.runOnce()).toBe(1);
      } finally {
        await transport.close();
      }
      const [row] = await recipientRows(t.database, tenant.id);
      // A first greylisting after release is a soft bounce with a retry, not "gave up after 48 h".
      expect(row).toMatchObject({ status: "soft_bounce", attempts: 1 });
      expect(row?.next_attempt_at).toBe(clock.now() + 5 * 60_000);
    });
  });
}
