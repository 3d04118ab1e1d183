import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../support/databases.js";
import { waitUntil } from "../support/delivery.js";
import { openTestApp, type TestApp } from "../support/test-app.js";
import type { Summary } from "./support.js";

/** A streaming POST over real HTTP (chunked): `write` lines, then `end()` for the summary. */
function openSync(port: number, key: string) {
  let resolveSummary: (value: { status: number; body: string }) => void = () => {};
  let rejectSummary: (err: Error) => void = () => {};
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    resolveSummary = resolve;
    rejectSummary = reject;
  });
  const req = http.request(
    {
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/v1/audience/sync",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/x-ndjson" },
    },
    (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolveSummary({ status: res.statusCode ?? 0, body }));
    },
  );
  req.on("error", rejectSummary);
  return {
    write: (text: string) =>
      new Promise<void>((resolve) => {
        if (req.write(text)) resolve();
        else req.once("drain", () => resolve());
      }),
    end: async () => {
      req.end();
      return answer;
    },
  };
}

async function countContacts(t: TestApp, tenantId: string): Promise<number> {
  const row = await t.db
    .selectFrom("contacts")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("tenant_id", "=", tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describeEachDialect("audience sync streams NDJSON", (dialect) => {
  let t: TestApp;
  let port = 0;
  beforeAll(async () => {
    t = await openTestApp(dialect);
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    port = typeof address === "object" && address ? address.port : 0;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("rows are written in batches while the body is still arriving", async () => {
    const tenant = await t.newTenant();
    const sync = openSync(port, tenant.keys.system);
    let text = "";
    for (let i = 0; i < 1_200; i++)
      text += `${JSON.stringify({ type: "contact", externalId: `c${i}`, name: `C ${i}` })}\n`;
    await sync.write(text);
    // Two full batches (500 rows each) are committed before the client has finished sending.
    await waitUntil("first batches committed", async () => (await countContacts(t, tenant.id)) >= 1_000, 10_000);
    await sync.write(`${JSON.stringify({ type: "link", contactExternalId: "c0", subjectExternalId: "s0" })}\n`);
    await sync.write(`${JSON.stringify({ type: "subject", externalId: "s0", name: "S" })}\n`);
    const res = await sync.end();
    expect(res.status, res.body).toBe(200);
    const summary = JSON.parse(res.body) as Summary;
    expect(summary.contacts.created).toBe(1_200);
    expect(summary.links.created).toBe(1);
    expect(summary.errorCount).toBe(0);
  });

  it("a streamed body past POSTBAG_AUDIENCE_SYNC_MAX_BYTES is 413 in our shape; batches before it stay", async () => {
    const small = await openTestApp(dialect, { env: { POSTBAG_AUDIENCE_SYNC_MAX_BYTES: "40000" } });
    try {
      await small.app.listen({ host: "127.0.0.1", port: 0 });
      const address = small.app.server.address();
      const tenant = await small.newTenant();
      const sync = openSync(typeof address === "object" && address ? address.port : 0, tenant.keys.system);
      const rows = (from: number, to: number) => {
        let text = "";
        for (let i = from; i < to; i++) {
          text += `${JSON.stringify({ type: "contact", externalId: `c${i}`, name: "C" })}\n`;
        }
        return text;
      };
      const first = rows(0, 500);
      expect(first.length).toBeLessThan(40_000);
      await sync.write(first);
      await waitUntil("first batch committed", async () => (await countContacts(small, tenant.id)) === 500, 10_000);
      await sync.write(rows(500, 1_000));
      const res = await sync.end();
      expect(res.status).toBe(413);
      const body = JSON.parse(res.body) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("payload_too_large");
      expect(body.error.message).toContain("syncing again is safe");
      // The first 500-row batch was written before the limit; nothing after it.
      expect(await countContacts(small, tenant.id)).toBe(500);
    } finally {
      await small.close();
    }
  });

  it("100,000 rows in one call stream through with bounded memory", { timeout: 240_000 }, async () => {
    const tenant = await t.newTenant();
    const families = 33_334;
    const sync = openSync(port, tenant.keys.system);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    const send = async (make: (i: number) => Record<string, unknown>, count: number) => {
      let chunk = "";
      for (let i = 0; i < count; i++) {
        chunk += `${JSON.stringify(make(i))}\n`;
        if (chunk.length > 64 * 1024) {
          await sync.write(chunk);
          chunk = "";
        }
      }
      if (chunk) await sync.write(chunk);
    };
    await send(
      (i) => ({ type: "contact", externalId: `P${i}`, name: `Parent ${i}`, email: `p${i}@example.com` }),
      families,
    );
    await send(
      (i) => ({ type: "subject", externalId: `S${i}`, name: `Student ${i}`, groups: [`Year ${7 + (i % 5)}`] }),
      families,
    );
    await send(
      (i) => ({ type: "link", contactExternalId: `P${i}`, subjectExternalId: `S${i}` }),
      100_000 - 2 * families,
    );
    const res = await sync.end();
    clearInterval(sampler);
    expect(res.status, res.body.slice(0, 500)).toBe(200);
    const summary = JSON.parse(res.body) as Summary;
    expect(summary.contacts.created + summary.subjects.created + summary.links.created).toBe(100_000);
    expect(summary.errorCount).toBe(0);
    // Generous: the body is about 9 MB, and the whole thing parsed would be several times that;
    // bench/audience-sync.ts measures the real figure (about +25 to +50 MB). A machine shared by
    // many processes makes RSS noisy, hence the wide margin.
    expect(peak - before).toBeLessThan(250 * 1024 * 1024);
  });
});
