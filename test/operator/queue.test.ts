import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { delayedQueueWatch } from "../../src/scheduler/delayed-queue-watch.js";
import type { ManualClock } from "../../src/time/clock.js";
import { dialects } from "../support/databases.js";
import { json, openTestApp, type TestApp, validMessage } from "../support/test-app.js";

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

for (const dialect of dialects) {
  describe(`operator queue and the delayed-mail watch [${dialect}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await openTestApp(dialect);
    });
    afterAll(async () => t?.close());

    it("reports waiting, in-flight and delayed mail only to operators, and the watch warns", async () => {
      const clock = t.clock as ManualClock;
      const a = await t.newTenant("Oakwood");
      const b = await t.newTenant("Elm Park");
      for (const tenant of [a, a, b]) {
        const res = await t.inject({
          method: "POST",
          url: "/v1/messages",
          headers: tenant.auth(),
          payload: validMessage(),
        });
        expect(res.statusCode).toBe(202);
      }
      const operator = await t.operatorAuth();

      const fresh = json<{ waiting: number; delayed: number; inFlight: number }>(
        await t.inject({ method: "GET", url: "/v1/operator/queue", headers: operator }),
      );
      expect(fresh).toMatchObject({ waiting: 3, delayed: 0, inFlight: 0 });

      const { logger, lines } = capturingLogger();
      const watch = delayedQueueWatch(t.database, clock, t.config.delayedAfterMs, logger);
      await watch.run();
      expect(lines).toHaveLength(0);

      clock.advance(31 * 60_000);
      const late = json<{ delayed: number; delayedTenants: Array<{ tenantId: string; delayed: number }> }>(
        await t.inject({ method: "GET", url: "/v1/operator/queue", headers: operator }),
      );
      expect(late.delayed).toBe(3);
      expect(late.delayedTenants).toEqual([
        { tenantId: a.id, delayed: 2 },
        { tenantId: b.id, delayed: 1 },
      ]);

      await watch.run();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 40, delayed: 3, waiting: 3 });

      const denied = await t.inject({ method: "GET", url: "/v1/operator/queue", headers: a.auth("administrator") });
      expect(denied.statusCode).toBe(403);
    });
  });
}
