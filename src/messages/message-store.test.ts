import type { KyselyPlugin, RootOperationNode } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, openTestDatabase, type TestDatabase } from "../../test/support/databases.js";
import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import { ApiError } from "../errors/api-error.js";
import { createTenant } from "../tenants/tenants.js";
import { ManualClock } from "../time/clock.js";
import { listMessages, MessageWriter } from "./message-store.js";
import { prepareMessage, type SendMessageInput } from "./prepare.js";

const limits = { maxMessageBytes: 1_000_000, maxRecipients: 1000, senderDomain: "postbag.test" };

function prepared(subject: string, key?: string, extra: Partial<SendMessageInput> = {}) {
  return prepareMessage(
    { to: ["parent@example.com"], subject, text: "Hello", category: "alert", ...extra },
    key,
    limits,
  );
}

/**
 * Fails every SELECT on `messages` that mentions `value`, to stand in for a database error in
 * one request's idempotent-replay lookup. The rest of the SQL runs on the real database.
 */
function failSelectsMentioning(value: string): KyselyPlugin {
  return {
    transformQuery({ node }: { node: RootOperationNode }) {
      if (node.kind === "SelectQueryNode" && JSON.stringify(node).includes(JSON.stringify(value))) {
        throw new Error(`injected failure for ${value}`);
      }
      return node;
    },
    transformResult: async ({ result }) => result,
  };
}

describe.each(dialects)("MessageWriter [%s]", (dialect) => {
  let test: TestDatabase;
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
  beforeAll(async () => {
    test = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await test?.drop();
  });

  const newTenant = async () => (await createTenant(test.database.db, clock, { name: "Store test" })).id;
  const subjects = async (tenantId: string) =>
    (
      await test.database.db
        .selectFrom("messages")
        .select("subject")
        .where("tenant_id", "=", tenantId)
        .orderBy("id")
        .execute()
    ).map((r) => r.subject);

  it("a member the database refuses fails alone; the rest of its batch is committed", async () => {
    const tenant = await newTenant();
    // No such tenant: the foreign key on messages.tenant_id refuses the row on both dialects
    // (as it would for a tenant removed between authentication and commit).
    const gone = newId();
    const writer = new MessageWriter({ database: test.database, clock, messageIdDomain: "postbag.test" });
    const results = await Promise.allSettled([
      writer.accept(tenant, prepared("first")),
      writer.accept(gone, prepared("refused")),
      writer.accept(tenant, prepared("keyed", "key-1")),
      writer.accept(tenant, prepared("keyed", "key-1")),
      writer.accept(tenant, prepared("last")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
    const [first, , keyed, replayed] = results.map((r) => (r.status === "fulfilled" ? r.value : undefined));
    expect(first?.replayed).toBe(false);
    expect(keyed?.replayed).toBe(false);
    // The second request with the key is answered with the first's message.
    expect(replayed).toMatchObject({ id: keyed?.id, replayed: true });
    expect(await subjects(tenant)).toEqual(["first", "keyed", "last"]);
    expect(await subjects(gone)).toEqual([]);
  });

  it("a failed idempotent-replay lookup fails only its own request, never a committed one", async () => {
    const tenant = await newTenant();
    const plain = new MessageWriter({ database: test.database, clock, messageIdDomain: "postbag.test" });
    const original = await plain.accept(tenant, prepared("original", "replay-ok"));
    await plain.accept(tenant, prepared("doomed original", "replay-fails"));

    const faulty: Database = {
      ...test.database,
      db: test.database.db.withPlugin(failSelectsMentioning("replay-fails")),
    };
    const writer = new MessageWriter({ database: faulty, clock, messageIdDomain: "postbag.test" });
    const results = await Promise.allSettled([
      writer.accept(tenant, prepared("new")),
      writer.accept(tenant, prepared("original", "replay-ok")),
      writer.accept(tenant, prepared("doomed original", "replay-fails")),
      writer.accept(tenant, prepared("new keyed", "fresh-key")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(results[1]).toMatchObject({ value: { id: original.id, replayed: true } });
    expect(results[2]).toMatchObject({ reason: { message: "injected failure for replay-fails" } });
    // Each new message is stored exactly once.
    expect((await subjects(tenant)).sort()).toEqual(["doomed original", "new", "new keyed", "original"]);
  });

  it("a request reusing a key with a different body gets idempotency_conflict; its batch is unaffected", async () => {
    const tenant = await newTenant();
    const writer = new MessageWriter({ database: test.database, clock, messageIdDomain: "postbag.test" });
    await writer.accept(tenant, prepared("one", "same-key"));
    const results = await Promise.allSettled([
      writer.accept(tenant, prepared("two", "same-key")),
      writer.accept(tenant, prepared("three")),
    ]);
    expect(results[0]).toMatchObject({ status: "rejected", reason: expect.any(ApiError) });
    expect(results[0]?.status === "rejected" && (results[0].reason as ApiError).code).toBe("idempotency_conflict");
    expect(results[1]?.status).toBe("fulfilled");
    expect(await subjects(tenant)).toEqual(["one", "three"]);
  });
});

describe.each(dialects)("listMessages [%s]", (dialect) => {
  let test: TestDatabase;
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
  beforeAll(async () => {
    test = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("counts each page message's recipients by status without loading them", async () => {
    const tenant = (await createTenant(test.database.db, clock, { name: "List test" })).id;
    const writer = new MessageWriter({ database: test.database, clock, messageIdDomain: "postbag.test" });
    const many = Array.from({ length: 300 }, (_, i) => `p${i}@example.com`);
    const big = await writer.accept(tenant, prepared("big", undefined, { to: many, cc: [{ name: "No address" }] }));
    const small = await writer.accept(tenant, prepared("small"));
    await test.database.db
      .updateTable("recipients")
      .set({ status: "sent", next_attempt_at: null })
      .where("tenant_id", "=", tenant)
      .where("message_id", "=", big.id)
      .where("email", "in", ["p1@example.com", "p2@example.com"])
      .execute();
    const listed = await listMessages(test.database, tenant, { limit: 10 });
    expect(listed.map((m) => [m.message.id, m.recipientCount, m.statusCounts])).toEqual([
      [small.id, 1, { queued: 1 }],
      [big.id, 301, { queued: 298, sent: 2, email_missing: 1 }],
    ]);
  });
});
