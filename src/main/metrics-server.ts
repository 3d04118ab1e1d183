import { createHash, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { ConfigError } from "../config/config.js";
import type { Database } from "../db/database.js";
import { queueDepth } from "../delivery/queue-stats.js";
import { Metrics, metricsContentType } from "../metrics/metrics.js";

export interface MetricsServer {
  /** `http://host:port`, the port the listener got (the setting may ask for 0). */
  readonly url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  readonly host: string;
  readonly port: number;
  /** When set, `Authorization: Bearer <token>` is required. */
  readonly token: string | undefined;
  readonly logger: Logger;
  /** The Prometheus text, produced at each scrape. */
  render(): Promise<string>;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * The `GET /metrics` listener: its own address (POSTBAG_METRICS_LISTEN), never the API's, so a
 * proxy in front of the API never exposes it and the API's notion of a client address plays no
 * part. Optionally guarded by a bearer token (compared in constant time).
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const expected = options.token === undefined ? undefined : digest(`Bearer ${options.token}`);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: try GET /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ""), expected)) {
      res
        .writeHead(401, { "www-authenticate": 'Bearer realm="postbag-metrics"', "content-type": "text/plain" })
        .end("unauthorized\n");
      return;
    }
    options.render().then(
      (text) => {
        res.writeHead(200, { "content-type": metricsContentType, "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (err: unknown) => {
        options.logger.error({ err }, "metrics could not be collected");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics could not be collected\n");
      },
    );
  });
  server.listen(options.port, options.host);
  try {
    await once(server, "listening");
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    throw new ConfigError(
      `POSTBAG_METRICS_LISTEN=${options.host}:${options.port} cannot be used (${code}): give each process its own address, or off`,
    );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A process's metrics: prom-client's process figures and the outbox's depth, read at each scrape. */
export function createProcessMetrics(database: Database): Metrics {
  const metrics = new Metrics({ processMetrics: true });
  // Both gauges come from one query per scrape.
  let depth: { at: number; value: ReturnType<typeof queueDepth> } | undefined;
  const read = () => {
    if (!depth || performance.now() - depth.at > 1000) depth = { at: performance.now(), value: queueDepth(database) };
    return depth.value;
  };
  metrics.gauge(
    "postbag_queue_depth",
    "Recipients the outbox still works on, by status (queued, soft_bounce, held_no_credit, pending_digest).",
    ["status"],
    async (set) => {
      for (const [status, n] of (await read()).byStatus) set({ status }, n);
    },
  );
  metrics.gauge(
    "postbag_queue_in_flight",
    "Recipients a worker holds right now (claimed, outcome not yet recorded).",
    [],
    async (set) => set({}, (await read()).inFlight),
  );
  return metrics;
}
