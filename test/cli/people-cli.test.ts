import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hashToken } from "../../src/auth/links.js";
import { createApiKey, createTenant } from "../../src/tenants/tenants.js";
import { systemClock } from "../../src/time/clock.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { runCli } from "../support/postbag-process.js";

// Each run starts Node afresh (seconds on a busy machine): generous timeouts.
describeEachDialect("postbag user invite, operator invite, key revoke", (dialect) => {
  let testDb: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDb = await openTestDatabase(dialect);
    dataDir = await mkdtemp(join(tmpdir(), "postbag-cli-people-"));
    env = {
      POSTBAG_DATA_DIR: dataDir,
      POSTBAG_DATABASE_URL: testDb.url,
      POSTBAG_PUBLIC_URL: "https://mail.school.example",
    };
  });
  afterAll(async () => {
    await testDb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("invites print the invitation URL as their last line; bad input exits 2 or 1", async () => {
    const tenant = await createTenant(testDb.database.db, systemClock, { name: "Oak" });
    const user = await runCli(
      [
        "user",
        "invite",
        "--tenant",
        tenant.id,
        "--email",
        "head@oak.example",
        "--name",
        "Ms Head",
        "--role",
        "administrator",
      ],
      env,
    );
    expect(user.code, user.stderr).toBe(0);
    expect(user.lastLine).toMatch(/^https:\/\/mail\.school\.example\/invitation#token=[A-Za-z0-9_-]{43}$/);
    const token = user.lastLine.split("#token=")[1] ?? "";
    const link = await testDb.database.db
      .selectFrom("auth_links")
      .selectAll()
      .where("token_hash", "=", hashToken(token))
      .executeTakeFirstOrThrow();
    expect(link).toMatchObject({ kind: "invitation", tenant_id: tenant.id, role: "administrator", used_at: null });

    const operator = await runCli(["operator", "invite", "--email", "ops@provider.example"], env);
    expect(operator.code, operator.stderr).toBe(0);
    expect(operator.lastLine).toMatch(/\/invitation#token=/);
    const person = await testDb.database.db
      .selectFrom("people")
      .select(["operator"])
      .where("email_key", "=", "ops@provider.example")
      .executeTakeFirstOrThrow();
    expect(Number(person.operator)).toBe(1);

    expect((await runCli(["user", "invite", "--email", "x@oak.example"], env)).code).toBe(2);
    expect(
      (await runCli(["user", "invite", "--tenant", tenant.id, "--email", "x@oak.example", "--role", "system"], env))
        .code,
    ).toBe(2);
    const noTenant = await runCli(
      ["user", "invite", "--tenant", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "--email", "x@oak.example"],
      env,
    );
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toContain("no tenant");
  }, 300_000);

  it("key revoke: refused from the next request on; an unknown key exits 1", async () => {
    const tenant = await createTenant(testDb.database.db, systemClock, { name: "Elm" });
    const key = await createApiKey(testDb.database.db, systemClock, { tenantId: tenant.id, role: "system" });
    const revoked = await runCli(["key", "revoke", key.id], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.lastLine).toBe(`revoked key ${key.id} of tenant ${tenant.id}`);
    const row = await testDb.database.db
      .selectFrom("api_keys")
      .select("revoked_at")
      .where("id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
    const unknown = await runCli(["key", "revoke", "01ARZ3NDEKTSV4RRFFQ69G5FAV"], env);
    expect(unknown.code).toBe(1);
    expect((await runCli(["key", "revoke"], env)).code).toBe(2);
  }, 300_000);
});
