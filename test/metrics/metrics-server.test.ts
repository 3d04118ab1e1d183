import { createServer } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config.js";
import { createProcessMetrics, type MetricsServer, startMetricsServer } from "../../src/main/metrics-server.js";
import { Metrics, renderAggregated } from "../../src/metrics/metrics.js";
import { systemClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { acceptMessages, createTestTenant, message } from "../support/delivery.js";
import { parsePrometheus, sample } from "../support/prometheus.js";

const logger = pino({ level: "silent" });

describe("the metrics listener", () => {
  let server: MetricsServer;
  const metrics = new Metrics();
  beforeAll(async () => {
    metrics.jobRun("digests", "ok", 0.2);
    metrics.request("POST", "/v1/messages/:id/cancel", 202, 0.004);
    metrics.request("BREW", undefined, 404, 0.001);
    server = await startMetricsServer({
      host: "127.0.0.1",
      port: 0,
      token: "s3cret-token",
      logger,
      render: () => metrics.registry.metrics(),
    });
  });
  afterAll(async () => server?.close());

  it("serves Prometheus text to a scraper with the bearer token, and nothing without it", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer s3cret-token" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const families = parsePrometheus(await res.text());
    expect(sample(families, "postbag_job_runs_total", { job: "digests", outcome: "ok" })).toBe(1);
    expect(sample(families, "postbag_job_duration_seconds_count", { job: "digests" })).toBe(1);
    // The route pattern, never the URL; an unknown method and an unmatched path stay bounded.
    expect(
      sample(families, "postbag_http_request_duration_seconds_count", {
        method: "POST",
        route: "/v1/messages/:id/cancel",
        status: "2xx",
      }),
    ).toBe(1);
    expect(
      sample(families, "postbag_http_request_duration_seconds_count", {
        method: "other",
        route: "unmatched",
        status: "4xx",
      }),
    ).toBe(1);
  });

  it("answers only GET /metrics", async () => {
    const auth = { authorization: "Bearer s3cret-token" };
    expect((await fetch(`${server.url}/`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: "POST", headers: auth })).status).toBe(405);
  });

  it("refuses an address already in use with a message naming the setting", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as { port: number };
    try {
      const err = await startMetricsServer({
        host: "127.0.0.1",
        port,
        token: undefined,
        logger,
        render: async () => "",
      })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect(String(err)).toContain("POSTBAG_METRICS_LISTEN");
    } finally {
      busy.close();
    }
  });

  it("adds a worker thread's figures to the main thread's", async () => {
    const main = new Metrics();
    const thread = new Metrics();
    main.jobRun("digests", "ok", 0.1);
    thread.outcome("sent", 0.5);
    thread.outcome("sent", 0.7);
    thread.outcome("soft_bounce", 1.2);
    thread.sendLatency(0.05);
    const families = parsePrometheus(await renderAggregated(main, [await thread.snapshot()]));
    expect(sample(families, "postbag_job_runs_total", { job: "digests", outcome: "ok" })).toBe(1);
    expect(sample(families, "postbag_sends_total", { outcome: "sent" })).toBe(2);
    expect(sample(families, "postbag_sends_total", { outcome: "soft_bounce" })).toBe(1);
    expect(sample(families, "postbag_claim_to_send_seconds_count")).toBe(3);
    expect(sample(families, "postbag_send_duration_seconds_count")).toBe(1);
  });
});

for (const dialect of dialects) {
  describe(`queue depth [${dialect}]`, () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await openTestDatabase(dialect);
    });
    afterAll(async () => test?.drop());

    it("counts waiting recipients by status, every waiting status listed, with no tenant label", async () => {
      const tenantId = await createTestTenant(test.database, systemClock);
      await acceptMessages(test.database, systemClock, tenantId, [
        message({ to: ["a@example.test", "b@example.test"] }),
        message({ to: ["c@example.test"] }),
      ]);
      const metrics = createProcessMetrics(test.database);
      const text = await metrics.registry.metrics();
      const families = parsePrometheus(text);
      expect(sample(families, "postbag_queue_depth", { status: "queued" })).toBe(3);
      expect(sample(families, "postbag_queue_depth", { status: "held_no_credit" })).toBe(0);
      expect(sample(families, "postbag_queue_in_flight")).toBe(0);
      expect(families.has("postbag_process_cpu_seconds_total")).toBe(true);
      expect(text).not.toContain(tenantId);
      expect(text).not.toContain("example.test");
    });
  });
}
