import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/database.js";
import { isId } from "../../src/db/ids.js";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { runCli } from "../support/postbag-process.js";

// Each run starts Node and tsx afresh (about a second); the suite keeps the count of runs small.

const KEY = /^pb_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{32})$/;

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "postbag-cli-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("postbag migrate", () => {
  it("creates and migrates the default SQLite database in POSTBAG_DATA_DIR, then is a no-op", async () => {
    const dir = join(dataDir, "fresh");
    const first = await runCli(["migrate"], { POSTBAG_DATA_DIR: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.lastLine).toBe("database is up to date");
    // Logs go to stderr, so stdout carries only the command's own answer.
    expect(first.stderr).toContain("0001_initial");
    expect(first.stdout.trim()).toBe("database is up to date");

    const database = createDatabase(`sqlite:${join(dir, "postbag.db")}`);
    try {
      const tables = await database.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["tenants", "api_keys", "sandbox_messages"]));
    } finally {
      await database.close();
    }

    const again = await runCli(["migrate"], { POSTBAG_DATA_DIR: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("0001_initial");
  });
});

describeEachDialect("postbag tenant and key commands", (dialect) => {
  let testDb: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDb = await openTestDatabase(dialect);
    env = { POSTBAG_DATA_DIR: join(dataDir, dialect), POSTBAG_DATABASE_URL: testDb.url };
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it("migrate exits 0 on an up-to-date database", async () => {
    const result = await runCli(["migrate"], env);
    expect(result.code, result.stderr).toBe(0);
  });

  it("tenant create prints the new tenant's id; key create prints a key whose hash alone is stored", async () => {
    const tenant = await runCli(["tenant", "create", "--name", "Oakwood", "--timezone", "Europe/Paris"], env);
    expect(tenant.code, tenant.stderr).toBe(0);
    const tenantId = tenant.lastLine;
    expect(isId(tenantId)).toBe(true);
    const row = await testDb.database.db
      .selectFrom("tenants")
      .selectAll()
      .where("id", "=", tenantId)
      .executeTakeFirst();
    expect(row).toMatchObject({ name: "Oakwood", timezone: "Europe/Paris" });

    const created = await runCli(["key", "create", "--tenant", tenantId, "--role", "staff", "--name", "office"], env);
    expect(created.code, created.stderr).toBe(0);
    const key = created.lastLine;
    const [, keyId, secret] = KEY.exec(key) ?? [];
    expect(keyId, `last line of stdout is not a key: ${key}`).toBeDefined();
    expect(created.stderr).toContain("shown only once");

    const stored = await testDb.database.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", keyId ?? "")
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ tenant_id: tenantId, role: "staff", name: "office", revoked_at: null });
    expect(stored.secret_hash).toBe(
      createHash("sha256")
        .update(secret ?? "")
        .digest("hex"),
    );
    const everyValue = JSON.stringify(Object.values(stored));
    expect(everyValue).not.toContain(secret);
    expect(everyValue).not.toContain(key);
  });

  it("key create --operator makes an operator key with no tenant", async () => {
    const created = await runCli(["key", "create", "--operator", "--name", "ops laptop"], env);
    expect(created.code, created.stderr).toBe(0);
    const keyId = KEY.exec(created.lastLine)?.[1];
    expect(keyId).toBeDefined();
    const stored = await testDb.database.db
      .selectFrom("api_keys")
      .select(["tenant_id", "role", "name"])
      .where("id", "=", keyId ?? "")
      .executeTakeFirst();
    expect(stored).toEqual({ tenant_id: null, role: "operator", name: "ops laptop" });
  });
});

describe("postbag refuses bad input", () => {
  const env = () => ({ POSTBAG_DATA_DIR: join(dataDir, "bad-input") });

  it("tenant create with a bad time zone: exit 1, names the zone, stores nothing", async () => {
    const result = await runCli(["tenant", "create", "--name", "Oakwood", "--timezone", "Mars/Olympus_Mons"], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"Mars/Olympus_Mons" is not an IANA time zone');
    const database = createDatabase(`sqlite:${join(dataDir, "bad-input", "postbag.db")}`);
    try {
      expect(await database.db.selectFrom("tenants").select("id").execute()).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it("key create for a tenant that does not exist: exit 1", async () => {
    const result = await runCli(["key", "create", "--tenant", "01ARZ3NDEKTSV4RRFFQ69G5FAV"], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no tenant 01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(result.stdout).not.toMatch(/pb_/);
  });

  describe.concurrent("usage errors exit 2 before touching the database", () => {
    it.each([
      [["key", "create", "--tenant", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "--role", "bogus"], "--role must be one of"],
      [["key", "create", "--operator", "--role", "staff"], "operator keys have the operator role"],
      [["key", "create"], "exactly one of --tenant ID or --operator"],
      [["tenant", "create"], "needs --name"],
      [["tenant", "create", "--name", "X", "--colour", "red"], "usage: postbag"],
      [["frobnicate"], "usage: postbag"],
      [["tenant", "delete"], "usage: postbag"],
    ])("%j", async (args, message) => {
      const result = await runCli(args, env());
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe("");
    });
  });

  it("a bad setting: exit 1 naming the setting and the value", async () => {
    const result = await runCli(["migrate"], { ...env(), POSTBAG_HTTP_PORT: "abc" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('POSTBAG_HTTP_PORT="abc" is invalid');
    expect(result.stderr).not.toContain("    at "); // a message, not a stack trace
  });

  it("an unknown POSTBAG_ setting: exit 1 naming it", async () => {
    const result = await runCli(["migrate"], { ...env(), POSTBAG_HTTP_PROT: "8080" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("POSTBAG_HTTP_PROT is not a Postbag setting");
  });
});
