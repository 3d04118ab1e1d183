import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatScore, meetsTargets, percent, scoreFolder, TARGETS } from "../../bench/bounce-score.js";

/**
 * Scores the classifier on a labelled folder of real reports (the format is in bench/README.md),
 * named by POSTBAG_TEST_BOUNCE_CORPUS; `.ci/run` sets it. Without it the test is skipped, except
 * under CI=true, where a missing corpus is a failure.
 */
const dir = process.env.POSTBAG_TEST_BOUNCE_CORPUS;
const ci = process.env.CI === "true";

describe("bounce classification on a real corpus", () => {
  if (!dir) {
    if (ci) {
      it("has a corpus to score (POSTBAG_TEST_BOUNCE_CORPUS is required when CI=true)", () => {
        expect.fail("POSTBAG_TEST_BOUNCE_CORPUS is not set");
      });
    } else {
      it.skip("meets the targets (skipped: set POSTBAG_TEST_BOUNCE_CORPUS=DIR to a labelled corpus to run it)", () => {});
    }
    return;
  }

  it(`meets the targets: kind >= ${TARGETS.kind}%, recipient >= ${TARGETS.recipient}%, status >= ${TARGETS.status}%, no crash`, async () => {
    expect(existsSync(join(dir, "labels.json")), `${dir}/labels.json`).toBe(true);
    const score = await scoreFolder(dir);
    const report = formatScore(score);
    expect(score.files, report).toBeGreaterThan(0);
    expect(score.crashed, report).toBe(0);
    expect(percent(score.kind), report).toBeGreaterThanOrEqual(TARGETS.kind);
    expect(percent(score.recipient), report).toBeGreaterThanOrEqual(TARGETS.recipient);
    expect(percent(score.status), report).toBeGreaterThanOrEqual(TARGETS.status);
    expect(meetsTargets(score)).toBe(true);
  }, 120_000);
});
