// The operator's Health and trust-ledger routes: the relay's recent delivery errors (from a real
// worker against a real SMTP server that refuses), the bounce mailbox's last poll, the queue per
// tenant, and a group's ledger of top-ups and allocations. Operators only; unknown ids 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { OPERATOR_MAILBOX } from "../../src/mailboxes/mailbox-state.js";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { newTestWorker } from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { json, openTestApp, type TestApp, validMessage } from "../support/test-app.js";

interface Health {
  bounceMailbox: {
    configured: boolean;
    lastPollAt: string | null;
    nextPollAt: string | null;
    lastError: string | null;
  };
  relayErrors: { tenantId: string; tenantName: string; status: string; smtpCode: number | null; text: string | null }[];
}

for (const dialect of dialects) {
  describe(`operator health and group ledger [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    let operator: { authorization: string };
    let server: TestSmtpServer;
    const transports: MailTransport[] = [];
    beforeAll(async () => {
      t = await openTestApp(dialect);
      clock = t.clock as ManualClock;
      operator = await t.operatorAuth();
      server = await startTestSmtpServer();
    });
    afterAll(async () => {
      for (const tr of transports) await tr.close();
      await server?.close();
      await t?.close();
    });

    it("shows the relay's refusals, the bounce mailbox's last poll and the queue per tenant", async () => {
      const school = await t.newTenant("Refused school");
      server.setBehaviour({ kind: "reply", code: 550, message: "5.1.1 no such mailbox here", at: "rcpt" });
      const res = await t.inject({
        method: "POST",
        url: "/v1/messages",
        headers: school.auth(),
        payload: validMessage({ to: ["nobody@example.com"] }),
      });
      expect(res.statusCode).toBe(202);
      const waiting = await t.newTenant("Waiting school");
      await t.inject({ method: "POST", url: "/v1/messages", headers: waiting.auth(), payload: validMessage() });
      clock.advance(1_000);
      const { worker, transport } = newTestWorker({ database: t.database, clock, server });
      transports.push(transport);
      // Only the refused school's mail is due for this run: the other one waits.
      await t.db
        .updateTable("recipients")
        .set({ next_attempt_at: clock.now() + 3_600_000 })
        .where("tenant_id", "=", waiting.id)
        .execute();
      expect(await worker.runOnce()).toBe(1);

      const before = json<Health>(await t.inject({ method: "GET", url: "/v1/operator/health", headers: operator }));
      expect(before.bounceMailbox).toEqual({ configured: false, lastPollAt: null, nextPollAt: null, lastError: null });
      expect(before.relayErrors[0]).toMatchObject({
        tenantId: school.id,
        tenantName: "Refused school",
        status: "hard_bounce",
        smtpCode: 550,
      });
      expect(before.relayErrors[0]?.text).toContain("no such mailbox");

      const polled = clock.now();
      await t.db
        .insertInto("mailbox_states")
        .values({
          mailbox_key: OPERATOR_MAILBOX.key,
          tenant_id: null,
          protocol: "imap",
          last_poll_at: polled,
          next_poll_at: polled + 300_000,
          last_error: "LOGIN failed",
          updated_at: polled,
        })
        .execute();
      const after = json<Health>(await t.inject({ method: "GET", url: "/v1/operator/health", headers: operator }));
      expect(after.bounceMailbox).toMatchObject({
        lastPollAt: new Date(polled).toISOString(),
        lastError: "LOGIN failed",
      });

      const queue = json<{ tenants: { tenantId: string; tenantName: string; waiting: number }[] }>(
        await t.inject({ method: "GET", url: "/v1/operator/queue", headers: operator }),
      );
      expect(queue.tenants).toContainEqual(
        expect.objectContaining({ tenantId: waiting.id, tenantName: "Waiting school", waiting: 1 }),
      );

      for (const url of ["/v1/operator/health", "/v1/operator/queue"]) {
        expect((await t.inject({ method: "GET", url, headers: school.auth("administrator") })).statusCode).toBe(403);
        expect((await t.inject({ method: "GET", url })).statusCode).toBe(401);
      }
    });

    it("a group's ledger: top-ups and what each allocation took, newest first, a page at a time", async () => {
      const created = await t.inject({
        method: "POST",
        url: "/v1/operator/groups",
        headers: operator,
        payload: { name: "Oak Trust" },
      });
      const group = json<{ id: string }>(created);
      const a = await t.newTenant("Oak Primary");
      const b = await t.newTenant("Oak Secondary");
      for (const tenant of [a, b]) {
        const put = await t.inject({
          method: "PUT",
          url: `/v1/operator/tenants/${tenant.id}/group`,
          headers: operator,
          payload: { groupId: group.id },
        });
        expect(put.statusCode).toBe(200);
      }
      const topUp = await t.inject({
        method: "POST",
        url: `/v1/operator/groups/${group.id}/top-ups`,
        headers: operator,
        payload: { credits: 10_000, note: "Invoice 42" },
      });
      expect(topUp.statusCode, topUp.body).toBe(201);
      for (const [tenant, credits] of [
        [a, 6_000],
        [b, 4_000],
      ] as const) {
        clock.advance(1_000);
        const alloc = await t.inject({
          method: "POST",
          url: `/v1/operator/groups/${group.id}/allocations`,
          headers: operator,
          payload: { tenantId: tenant.id, credits },
        });
        expect(alloc.statusCode, alloc.body).toBe(201);
      }
      const first = json<{ items: { kind: string; amount: number; note: string | null }[]; nextCursor: string }>(
        await t.inject({ method: "GET", url: `/v1/operator/groups/${group.id}/ledger?limit=2`, headers: operator }),
      );
      expect(first.items.map((i) => [i.kind, i.amount])).toEqual([
        ["group_allocation", -4_000],
        ["group_allocation", -6_000],
      ]);
      expect(first.items[0]?.note).toContain(b.id);
      const second = json<{
        items: { kind: string; amount: number; note: string | null }[];
        nextCursor: string | null;
      }>(
        await t.inject({
          method: "GET",
          url: `/v1/operator/groups/${group.id}/ledger?limit=2&cursor=${first.nextCursor}`,
          headers: operator,
        }),
      );
      expect(second.items).toEqual([
        expect.objectContaining({ kind: "group_bundle", amount: 10_000, note: "Invoice 42" }),
      ]);

      const refused: [string, Record<string, string>, number][] = [
        [`/v1/operator/groups/${group.id}/ledger`, a.auth("administrator"), 403],
        ["/v1/operator/groups/01J00000000000000000000000/ledger", operator, 404],
        ["/v1/operator/groups/junk/ledger", operator, 404],
        [`/v1/operator/groups/${group.id}/ledger?limit=0`, operator, 400],
        [`/v1/operator/groups/${group.id}/ledger?cursor=%%%`, operator, 400],
      ];
      for (const [url, headers, status] of refused) {
        expect((await t.inject({ method: "GET", url, headers })).statusCode, url).toBe(status);
      }
    });
  });
}
