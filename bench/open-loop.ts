/**
 * An open-loop load generator: requests start at a constant rate, one every 1/rate seconds,
 * whether or not earlier ones have been answered (as wrk2 does), over keep-alive connections.
 * Each latency is measured from the moment its request was due to start, so a stalled server
 * cannot hide its stall by slowing the generator down (coordinated omission).
 *
 * autocannon's `overallRate` is not this: each connection sends its share of the second's
 * requests back to back when the second begins, so "500 a second" arrives as one burst of 500
 * a second, and its latencies measure how long the server takes to drain that burst.
 */
import http from "node:http";

export interface OpenLoopOptions {
  readonly port: number;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Requests started per second. */
  readonly rate: number;
  readonly seconds: number;
  /** Keep-alive connections at most (more requests in flight than this wait for a socket). */
  readonly connections?: number;
}

export interface OpenLoopResult {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Requests answered per second over the run. */
  readonly rate: number;
  /** Failed requests and answers other than 2xx. */
  readonly errors: number;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections ?? 100 });
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];

  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const done = (ok: boolean) => {
        if (ok) latencies.push(performance.now() - due);
        else errors++;
        resolve();
      };
      const req = http.request(
        {
          host: "127.0.0.1",
          port: options.port,
          path: options.path,
          method: "POST",
          agent,
          headers: options.headers,
        },
        (res) => {
          res.resume();
          res.on("end", () => done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
        },
      );
      req.on("error", () => done(false));
      req.end(options.body);
    });

  const start = performance.now();
  let started = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      // Every request due by now starts now, each measured from when it was due.
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      for (; started < due; started++) inFlight.push(send(start + started * interval));
      if (started >= total) resolve();
      else setTimeout(tick, Math.max(0, start + started * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: Math.round(latencies[latencies.length - 1] ?? 0),
    rate: latencies.length / elapsed,
    errors,
  };
}
