/**
 * Bounce classification benchmark: scores `classifyInbound` against a labelled folder.
 *
 *   npm run bench:bounces -- DIR            # figures and the commonest mismatches
 *   npm run bench:bounces -- DIR --all      # every mismatch, not three examples of each
 *
 * Exits 1 when a figure is under its target (kind >= 97 %, recipient >= 98 %, status >= 95 %,
 * no crash). The folder's format is described in bench/README.md.
 */
import { formatScore, meetsTargets, scoreFolder } from "./bounce-score.js";

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith("--"));
if (!dir) {
  process.stderr.write("usage: npm run bench:bounces -- DIR [--all]\n");
  process.exit(2);
}
const started = performance.now();
const score = await scoreFolder(dir);
process.stdout.write(`${formatScore(score, args.includes("--all") ? Number.POSITIVE_INFINITY : 3)}\n`);
process.stdout.write(`\n${((performance.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(meetsTargets(score) ? 0 : 1);
