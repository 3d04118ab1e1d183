import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One registry's figures as JSON (structured-cloneable, so it crosses threads). */
export type MetricsSnapshot = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/**
 * Postbag's Prometheus metrics (prom-client). Every label has a bounded set of values: a job
 * name, an HTTP method, a route pattern (never the raw URL), a status class, a recipient
 * status. Nothing per tenant or per address.
 *
 * Each process (and `serve`'s delivery worker thread) keeps its own `Metrics`; the thread sends
 * its figures to the main thread as JSON (`snapshot()`), which adds them up with its own
 * (`renderAggregated`) when `/metrics` is scraped.
 */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export class Metrics {
  readonly registry = new Registry();
  readonly #jobRuns: Counter<"job" | "outcome">;
  readonly #jobSeconds: Histogram<"job">;
  readonly #requests: Histogram<"method" | "route" | "status">;
  readonly #sends: Counter<"outcome">;
  readonly #sendSeconds: Histogram;
  readonly #claimToSend: Histogram;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "postbag_" });
    this.#jobRuns = new Counter({
      name: "postbag_job_runs_total",
      help: "Scheduled job runs by this process, by job and outcome (ok or failed).",
      labelNames: ["job", "outcome"],
      registers,
    });
    this.#jobSeconds = new Histogram({
      name: "postbag_job_duration_seconds",
      help: "How long scheduled job runs took.",
      labelNames: ["job"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
    this.#requests = new Histogram({
      name: "postbag_http_request_duration_seconds",
      help: "API request durations by method, route pattern and status class.",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#sends = new Counter({
      name: "postbag_sends_total",
      help: "Delivery attempts by outcome (the recipient status recorded: sent, soft_bounce, hard_bounce, rejected, ...).",
      labelNames: ["outcome"],
      registers,
    });
    this.#sendSeconds = new Histogram({
      name: "postbag_send_duration_seconds",
      help: "SMTP send latency: from handing the message to the transport to its answer.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.#claimToSend = new Histogram({
      name: "postbag_claim_to_send_seconds",
      help: "From a recipient's claim by a worker to its outcome (rendering, queueing for a connection, sending).",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
  }

  jobRun(job: string, outcome: "ok" | "failed", seconds: number): void {
    this.#jobRuns.inc({ job, outcome });
    this.#jobSeconds.observe({ job }, seconds);
  }

  /** `route` is the route's pattern (`/v1/messages/:id`); undefined (no route matched) is `unmatched`. */
  request(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    this.#requests.observe(
      {
        method: KNOWN_METHODS.has(method) ? method : "other",
        route: route ?? "unmatched",
        status: `${Math.floor(statusCode / 100)}xx`,
      },
      seconds,
    );
  }

  sendLatency(seconds: number): void {
    this.#sendSeconds.observe(seconds);
  }

  outcome(status: string, claimToOutcomeSeconds: number): void {
    this.#sends.inc({ outcome: status });
    this.#claimToSend.observe(claimToOutcomeSeconds);
  }

  /** A gauge filled at each scrape by `collect` (e.g. a database count). */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (set: (labels: Partial<Record<L, string>>, value: number) => void) => Promise<void>,
  ): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await collect((labels, value) => this.set(labels, value));
      },
    });
  }

  /** This registry's figures as JSON, to be added up in another thread. */
  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON();
  }
}

/** The Prometheus text of `own` plus the snapshots of other threads (counters and histograms add up). */
export async function renderAggregated(own: Metrics, others: readonly MetricsSnapshot[]): Promise<string> {
  if (others.length === 0) return own.registry.metrics();
  const registry = AggregatorRegistry.aggregate([await own.snapshot(), ...others]);
  return registry.metrics();
}

export const metricsContentType = Registry.PROMETHEUS_CONTENT_TYPE;
