import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usagePageUrl } from "../../src/reports/usage-page.js";
import { createTenant } from "../../src/tenants/tenants.js";
import { ManualClock } from "../../src/time/clock.js";
import { signToken } from "../../src/tracking/tokens.js";
import { dialects } from "../support/databases.js";
import { acceptCounted, markSent, setCreditSettings } from "../support/notices.js";
import { openTestApp, type TestApp } from "../support/test-app.js";

const DAY = 86_400_000;
const EVIL = `<script>alert("x")</script> & 'Oak'`;

for (const dialect of dialects) {
  describe(`usage page [${dialect}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    let tenantId: string;
    let otherId: string;
    const NOW = Date.UTC(2026, 0, 20, 12, 0);

    /** Path of a fresh usage link for `tenant` made at `now`. */
    const pathFor = (tenant: string, at = clock.now()) => usagePageUrl(t.config.secretKey, "", tenant, at);
    const get = (url: string) => t.inject({ method: "GET", url });

    async function sent(tenant: string, at: number, counted: number, uncounted: number) {
      if (counted > 0) {
        const rs = await acceptCounted(t.db, tenant, counted, at);
        await markSent(
          t.db,
          tenant,
          rs.map((r) => r.recipientId),
          at,
          "allowance:x",
        );
      }
      if (uncounted > 0) {
        const rs = await acceptCounted(t.db, tenant, uncounted, at, "password_reset_system");
        await markSent(
          t.db,
          tenant,
          rs.map((r) => r.recipientId),
          at,
          "uncounted",
        );
      }
    }

    beforeAll(async () => {
      clock = new ManualClock(Date.UTC(2025, 10, 10, 12, 0)); // created 10 November 2025
      t = await openTestApp(dialect, { clock });
      tenantId = (await createTenant(t.db, clock, { name: EVIL })).id;
      otherId = (await createTenant(t.db, clock, { name: "Other Academy" })).id;
      await setCreditSettings(t.db, tenantId, { allowance: 100 });
      await sent(tenantId, Date.UTC(2025, 10, 12, 9, 0), 2, 0);
      await sent(tenantId, Date.UTC(2025, 11, 1, 0, 30), 3, 1);
      await sent(tenantId, Date.UTC(2025, 11, 31, 23, 59), 1, 0);
      await sent(tenantId, Date.UTC(2026, 0, 1, 0, 0), 5, 0);
      await sent(tenantId, Date.UTC(2026, 0, 19, 15, 0), 0, 2);
      await sent(otherId, Date.UTC(2026, 0, 19, 15, 0), 40, 0);
      // Not yet sent, and refunded: neither shows.
      await acceptCounted(t.db, tenantId, 6, Date.UTC(2026, 0, 19, 16, 0));
      await t.db
        .insertInto("credit_periods")
        .values({
          tenant_id: tenantId,
          period: "2026-01",
          counted: 5,
          low_alert_at: null,
          over_at: null,
          last_reminder_at: null,
        })
        .execute();
      clock.set(NOW);
    });
    afterAll(async () => {
      await t?.close();
    });

    function expectPageHeaders(res: LightMyRequestResponse) {
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.headers["content-security-policy"]).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["cache-control"]).toBe("no-store");
    }

    /** A refusal shows no tenant's name or numbers. */
    function expectNothingShown(res: LightMyRequestResponse) {
      expectPageHeaders(res);
      expect(res.body).not.toContain("Oak");
      expect(res.body).not.toContain("Other Academy");
      expect(res.body).not.toContain("<table");
      expect(res.body).not.toContain(tenantId);
    }

    it("shows the current month: counted and uncounted, day by day, escaped", async () => {
      const res = await get(pathFor(tenantId));
      expect(res.statusCode).toBe(200);
      expectPageHeaders(res);
      expect(res.body).toContain("<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Oak&#39;</h1>");
      expect(res.body).not.toContain("<script");
      expect(res.body).toContain("January 2026 (so far)");
      expect(res.body).toContain("<tr><td>Thu 1 Jan</td><td>5</td><td>0</td><td>5</td></tr>");
      expect(res.body).toContain("<tr><td>Mon 19 Jan</td><td>0</td><td>2</td><td>2</td></tr>");
      expect(res.body).toContain("<tr><td>Tue 20 Jan</td><td>0</td><td>0</td><td>0</td></tr>");
      expect(res.body).not.toContain("Wed 21 Jan");
      expect(res.body).toContain("<tfoot><tr><td>Total</td><td>5</td><td>2</td><td>7</td></tr></tfoot>");
      expect(res.body).toContain("<b>95</b><span>can still be sent</span>");
      expect(res.body).not.toContain("Other Academy");
      // Back to December; nothing after the current month.
      expect(res.body).toContain('<a href="?month=2025-12">&larr; December 2025</a>');
      expect(res.body).not.toContain("?month=2026-02");
    });

    it("navigates to earlier months, not before the tenant existed", async () => {
      const base = pathFor(tenantId);
      const december = await get(`${base}?month=2025-12`);
      expect(december.statusCode).toBe(200);
      expect(december.body).toContain("Email sent in December 2025</h2>");
      expect(december.body).toContain("<tr><td>Mon 1 Dec</td><td>3</td><td>1</td><td>4</td></tr>");
      expect(december.body).toContain("<tr><td>Wed 31 Dec</td><td>1</td><td>0</td><td>1</td></tr>");
      expect(december.body).toContain("<tfoot><tr><td>Total</td><td>4</td><td>1</td><td>5</td></tr></tfoot>");
      expect(december.body).not.toContain("can still be sent");
      expect(december.body).toContain('<a href="?month=2025-11">&larr; November 2025</a>');
      expect(december.body).toContain('<a href="?month=2026-01">January 2026 &rarr;</a>');

      const november = await get(`${base}?month=2025-11`);
      expect(november.statusCode).toBe(200);
      expect(november.body).toContain("<tfoot><tr><td>Total</td><td>2</td><td>0</td><td>2</td></tr></tfoot>");
      expect(november.body).not.toContain("?month=2025-10");
      expect(november.body.match(/<tbody>[\s\S]*<\/tbody>/)?.[0].match(/<tr>/g)).toHaveLength(30);

      for (const month of ["2025-10", "2026-02", "2030-01", "2026-1", "2026-13", "junk", "<b>"]) {
        const res = await get(`${base}?month=${encodeURIComponent(month)}`);
        expect(res.statusCode, month).toBe(404);
        expectNothingShown(res);
      }
      const twice = await get(`${base}?month=2025-12&month=2025-11`);
      expect(twice.statusCode).toBe(404);
    });

    it("counts days in the tenant's zone across a daylight-saving change", async () => {
      clock.set(Date.UTC(2026, 2, 1, 12, 0));
      const zoned = (await createTenant(t.db, clock, { name: "Spring School" })).id;
      await sent(zoned, Date.UTC(2026, 2, 28, 23, 30), 1, 0); // Sat 28 Mar 23:30 GMT
      await sent(zoned, Date.UTC(2026, 2, 29, 23, 30), 2, 0); // Mon 30 Mar 00:30 BST
      await sent(zoned, Date.UTC(2026, 2, 31, 23, 30), 3, 0); // Wed 1 Apr 00:30 BST: April
      clock.set(Date.UTC(2026, 3, 2, 12, 0));
      const res = await get(`${pathFor(zoned)}?month=2026-03`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain("<tr><td>Sat 28 Mar</td><td>1</td><td>0</td><td>1</td></tr>");
      expect(res.body).toContain("<tr><td>Sun 29 Mar</td><td>0</td><td>0</td><td>0</td></tr>");
      expect(res.body).toContain("<tr><td>Mon 30 Mar</td><td>2</td><td>0</td><td>2</td></tr>");
      expect(res.body).toContain("<tfoot><tr><td>Total</td><td>3</td><td>0</td><td>3</td></tr></tfoot>");
      const april = await get(pathFor(zoned));
      expect(april.body).toContain("<tr><td>Wed 1 Apr</td><td>3</td><td>0</td><td>3</td></tr>");
      clock.set(NOW);
    });

    it("refuses tampered, expired, foreign and other-purpose tokens without showing anything", async () => {
      const token = pathFor(tenantId).slice("/usage/".length);
      const [body, sig] = token.split(".") as [string, string];
      const forged = Buffer.from(JSON.stringify({ v: 1, p: "usage", t: otherId, e: NOW + DAY })).toString("base64url");
      const cases: Record<string, string> = {
        "other tenant's id under this signature": `${forged}.${sig}`,
        "changed signature": `${body}.${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`,
        "another secret": signToken("some-other-secret-0123456789-abcdefghij", {
          purpose: "usage",
          tenantId,
          expiresAt: NOW + DAY,
        }),
        "another purpose": signToken(t.config.secretKey, { purpose: "unsubscribe", tenantId, expiresAt: NOW + DAY }),
        expired: signToken(t.config.secretKey, { purpose: "usage", tenantId, expiresAt: NOW }),
        junk: "not-a-token",
        "dot only": ".",
      };
      for (const [name, bad] of Object.entries(cases)) {
        for (const suffix of ["", "?month=2025-12"]) {
          const res = await get(`/usage/${encodeURIComponent(bad)}${suffix}`);
          expect(res.statusCode, name).toBe(403);
          expectNothingShown(res);
        }
      }
      expect((await get(`/usage/${cases.expired}`)).body).toContain("This link has expired");
      expect((await get(`/usage/${cases.junk}`)).body).toContain("This link is not valid");

      // A genuine token for a tenant that no longer exists (or never did).
      const ghost = await get(pathFor("01JZZZZZZZZZZZZZZZZZZZZZZZ"));
      expect(ghost.statusCode).toBe(404);
      expectNothingShown(ghost);

      // Far too long for a token: refused before it is even routed.
      const huge = await get(`/usage/${"a".repeat(5000)}.${"b".repeat(43)}`);
      expect(huge.statusCode).toBeGreaterThanOrEqual(400);
      expect(huge.statusCode).toBeLessThan(500);
      expect(huge.body).not.toContain("Oak");
    });

    it("shows each tenant only its own numbers", async () => {
      const res = await get(pathFor(otherId));
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain("<h1>Other Academy</h1>");
      expect(res.body).toContain("<tfoot><tr><td>Total</td><td>40</td><td>0</td><td>40</td></tr></tfoot>");
      expect(res.body).not.toContain("Oak");
    });

    it("needs no API key, and is not in the OpenAPI document", async () => {
      const res = await t.inject({
        method: "GET",
        url: pathFor(tenantId),
        headers: { authorization: "Bearer nonsense" },
      });
      expect(res.statusCode).toBe(200);
      const doc = await t.inject({ method: "GET", url: "/openapi.json" });
      expect(doc.body).not.toContain("/usage/");
    });
  });
}
