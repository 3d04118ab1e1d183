import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import { expectRefused, openTestApp, type TestApp, validMessage } from "../support/test-app.js";

// Password resets are free or never held under a hard limit, so the API keeps them personal.
for (const dialect of dialects) {
  describe(`password reset categories [${dialect}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await openTestApp(dialect);
    });
    afterAll(async () => t?.close());

    for (const category of ["password_reset_system", "password_reset_parent"]) {
      it(`${category} goes to exactly one recipient`, async () => {
        const tenant = await t.newTenant();
        const ok = await t.inject({
          method: "POST",
          url: "/v1/messages",
          headers: tenant.auth(),
          payload: validMessage({ category, to: ["one@example.com"] }),
        });
        expect(ok.statusCode, ok.body).toBe(202);
        const other = await t.newTenant();
        for (const extra of [{ to: ["a@example.com", "b@example.com"] }, { bcc: ["c@example.com"] }]) {
          const res = await t.inject({
            method: "POST",
            url: "/v1/messages",
            headers: other.auth(),
            payload: validMessage({ category, to: ["one@example.com"], ...extra }),
          });
          await expectRefused(t, other.id, res, 400, "invalid_request");
        }
      });
    }
  });
}
