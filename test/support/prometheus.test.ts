import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parsePrometheus, sample } from "./prometheus.js";

describe("the test support's Prometheus text parser", () => {
  it("reads what prom-client writes: help, type, labels (escaped too), histogram lines", async () => {
    const registry = new Registry();
    const c = new Counter({ name: "x_total", help: "Things.", labelNames: ["kind"], registers: [registry] });
    c.inc({ kind: 'a "quoted"\\ back\nslash' }, 2);
    c.inc({ kind: "plain" });
    const h = new Histogram({
      name: "lat_seconds",
      help: "Latency.",
      labelNames: ["route"],
      buckets: [0.1, 1],
      registers: [registry],
    });
    h.observe({ route: "/v1/messages/:id" }, 0.05);
    h.observe({ route: "/v1/messages/:id" }, 0.5);
    const families = parsePrometheus(await registry.metrics());
    expect(families.get("x_total")).toMatchObject({ help: "Things.", type: "counter" });
    expect(sample(families, "x_total", { kind: 'a "quoted"\\ back\nslash' })).toBe(2);
    expect(sample(families, "x_total", { kind: "plain" })).toBe(1);
    expect(families.get("lat_seconds")?.type).toBe("histogram");
    expect(sample(families, "lat_seconds_count", { route: "/v1/messages/:id" })).toBe(2);
    expect(sample(families, "lat_seconds_sum", { route: "/v1/messages/:id" })).toBeCloseTo(0.55);
    expect(sample(families, "lat_seconds_bucket", { route: "/v1/messages/:id", le: "0.1" })).toBe(1);
    expect(sample(families, "lat_seconds_bucket", { route: "/v1/messages/:id", le: "+Inf" })).toBe(2);
    expect(sample(families, "lat_seconds_count", { route: "/other" })).toBeUndefined();
  });

  it("takes special values and timestamps, and refuses a malformed line", () => {
    const families = parsePrometheus('# TYPE g gauge\ng Nan\ng{a="1"} +Inf 1700000000000\n');
    expect(sample(families, "g")).toBeNaN();
    expect(sample(families, "g", { a: "1" })).toBe(Number.POSITIVE_INFINITY);
    expect(() => parsePrometheus("g{a=1} 2")).toThrow(/bad labels|not a sample/);
    expect(() => parsePrometheus("g two")).toThrow(/not a sample value/);
  });
});
