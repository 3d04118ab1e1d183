import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../src/config/config.js";
import { type Served, serve } from "../../src/main/serve.js";
import { createApiKey, createTenant } from "../../src/tenants/tenants.js";
import { systemClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { parsePrometheus, sample } from "../support/prometheus.js";

// `serve` in this process with a Config that the process environment could not reproduce: the
// delivery worker thread must run on the settings it was handed (same database, same sandbox
// port), not parse POSTBAG_* from the environment a second time.
describe.each(dialects)("serve hands its Config to the delivery worker thread [%s]", (dialect) => {
  let test: TestDatabase;
  let dataDir: string;
  let served: Served | undefined;
  let config: Config;
  beforeAll(async () => {
    test = await openTestDatabase(dialect);
    dataDir = await mkdtemp(join(tmpdir(), "postbag-serve-"));
    config = loadConfig({
      POSTBAG_DATA_DIR: dataDir,
      POSTBAG_DATABASE_URL: test.url,
      POSTBAG_SECRET_KEY: "serve-config-secret-0123456789-abcdefgh",
      POSTBAG_HTTP_PORT: "0",
      POSTBAG_SANDBOX_SMTP_PORT: "0",
      POSTBAG_WORKER_POLL_MS: "50",
      POSTBAG_SHUTDOWN_GRACE_MS: "1000",
      POSTBAG_LOG_LEVEL: "silent",
      POSTBAG_METRICS_LISTEN: "127.0.0.1:0",
    });
  });
  afterAll(async () => {
    await served?.stop();
    await test?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("a message accepted by the API is delivered by the thread to the capture relay", async () => {
    served = await serve(config, test.database, pino({ level: "silent" }), {
      api: true,
      worker: true,
      scheduler: false,
      out: () => {},
    });
    const tenant = await createTenant(test.database.db, systemClock, { name: "Serve test" });
    const { key } = await createApiKey(test.database.db, systemClock, { tenantId: tenant.id, role: "system" });
    const res = await fetch(`${served.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ to: ["parent@example.com"], subject: "Hi", text: "Hello", category: "announcement" }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const deadline = Date.now() + 10_000;
    let status: string | undefined;
    while (Date.now() < deadline) {
      const row = await test.database.db
        .selectFrom("recipients")
        .select("status")
        .where("tenant_id", "=", tenant.id)
        .where("message_id", "=", id)
        .executeTakeFirst();
      status = row?.status;
      if (status === "sent") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe("sent");
    const captured = await test.database.db
      .selectFrom("sandbox_messages")
      .select("id")
      .where("tenant_id", "=", tenant.id)
      .execute();
    expect(captured).toHaveLength(1);

    // GET /metrics on its own listener: the thread's sends added to the main thread's figures.
    expect(served.metricsUrl).toBeDefined();
    expect(served.metricsUrl).not.toBe(served.url);
    let families = parsePrometheus("");
    const until = Date.now() + 10_000;
    // The outcome is counted as it is decided, just before the row says `sent`; a scrape is
    // all it takes to see it, but the thread may answer the first one before counting.
    while (Date.now() < until) {
      families = parsePrometheus(await (await fetch(`${served.metricsUrl}/metrics`)).text());
      if (sample(families, "postbag_sends_total", { outcome: "sent" }) === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(sample(families, "postbag_sends_total", { outcome: "sent" })).toBe(1);
    expect(sample(families, "postbag_send_duration_seconds_count")).toBe(1);
    expect(sample(families, "postbag_claim_to_send_seconds_count")).toBe(1);
    expect(
      sample(families, "postbag_http_request_duration_seconds_count", {
        method: "POST",
        route: "/v1/messages",
        status: "2xx",
      }),
    ).toBe(1);
    expect(sample(families, "postbag_queue_depth", { status: "queued" })).toBe(0);
    const labels = [...families.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));
    expect(labels).not.toContain(tenant.id);
    expect(labels.some((l) => l.includes("@"))).toBe(false);
  });
});
