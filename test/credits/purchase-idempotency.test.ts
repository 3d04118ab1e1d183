import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import { json, openTestApp, type TestApp } from "../support/test-app.js";

// A purchase is the tenant's billing record: a request retried after a timeout must not buy twice.
for (const dialect of dialects) {
  describe(`package purchase with an Idempotency-Key [${dialect}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await openTestApp(dialect);
    });
    afterAll(async () => t?.close());

    async function newPackage(credits: number): Promise<string> {
      const res = await t.inject({
        method: "POST",
        url: "/v1/operator/packages",
        headers: await t.operatorAuth(),
        payload: { name: `${credits} emails`, credits },
      });
      expect(res.statusCode, res.body).toBe(201);
      return json<{ id: string }>(res).id;
    }

    it("buys once however often it is retried, and refuses the key for another package", async () => {
      const tenant = await t.newTenant();
      const small = await newPackage(1000);
      const big = await newPackage(5000);
      const buy = (id: string, key: string) =>
        t.inject({
          method: "POST",
          url: `/v1/packages/${id}/purchase`,
          headers: { ...tenant.auth("administrator"), "idempotency-key": key },
        });
      const first = await buy(small, "order-42");
      const again = await buy(small, "order-42");
      expect(first.statusCode, first.body).toBe(201);
      expect(again.statusCode, again.body).toBe(201);
      expect(json<{ packageBalance: number }>(again).packageBalance).toBe(1000);
      const grants = await t.db.selectFrom("credit_grants").select("id").where("tenant_id", "=", tenant.id).execute();
      expect(grants).toHaveLength(1);
      const purchases = await t.db
        .selectFrom("credit_ledger")
        .select("id")
        .where("tenant_id", "=", tenant.id)
        .where("kind", "=", "package_purchase")
        .execute();
      expect(purchases).toHaveLength(1);

      const other = await buy(big, "order-42");
      expect(other.statusCode).toBe(409);
      expect(json<{ error: { code: string } }>(other).error.code).toBe("idempotency_conflict");

      const second = await buy(big, "order-43");
      expect(json<{ packageBalance: number }>(second).packageBalance).toBe(6000);
    });
  });
}
