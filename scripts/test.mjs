#!/usr/bin/env node
// `npm test`: type-check, lint + format check, the layer check (scripts/check-layers.mjs), then
// vitest. Extra arguments go to vitest
// (`npm test -- test/foo.test.ts`). The last line is always `N passed, N failed[, N skipped]`,
// counting a failed type-check, lint or layer check as one failed check each.
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsFile = join(root, ".test-results", "vitest.json");

/**
 * Runs a locally installed tool (what `npx` would pick, without npm's start-up or network);
 * `dir` is where its node_modules/.bin is (the web workspace has its own TypeScript 5).
 */
function run(tool, args, dir = root) {
  const bin = join(dir, "node_modules", ".bin", process.platform === "win32" ? `${tool}.cmd` : tool);
  return runBin(dir === root ? tool : `(${dir.slice(root.length + 1)}) ${tool}`, bin, args);
}

function runBin(tool, bin, args) {
  console.log(`\n> ${tool} ${args.join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: root, stdio: "inherit" });
    child.on("error", (err) => {
      console.error(`${tool}: ${err.message}`);
      resolve(1);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function readVitestResults() {
  try {
    return JSON.parse(await readFile(resultsFile, "utf8"));
  } catch {
    return undefined;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;

if ((await run("tsc", ["--noEmit", "-p", "."])) !== 0) failed++;
if ((await run("biome", ["check", "--error-on-warnings", "."])) !== 0) failed++;
if ((await runBin("node", process.execPath, ["scripts/check-layers.mjs"])) !== 0) failed++;
// The console (web/) is type-checked with its own TypeScript 5, against the committed API types
// (test/console/openapi-types.test.ts checks that they match the routes).
if ((await run("tsc", ["--noEmit", "-p", "web"], join(root, "web"))) !== 0) failed++;

/** One vitest run with its JSON report (undefined when it wrote none). */
async function runVitest(args) {
  // A stale report must not stand in for a run that crashed before writing one.
  await rm(resultsFile, { force: true });
  const code = await run("vitest", [
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${resultsFile}`,
    ...args,
  ]);
  return { code, results: await readVitestResults() };
}

/** Failed tests, plus files that failed to load (an import error has no failed test of its own). */
function failuresOf(results) {
  let count = results.numFailedTests ?? 0;
  for (const file of results.testResults ?? []) {
    const hasFailedTest = (file.assertionResults ?? []).some((t) => t.status === "failed");
    if (file.status === "failed" && !hasFailedTest) count++;
  }
  return count;
}

const pendingIn = (file) => (file.assertionResults ?? []).filter((t) => t.status === "pending").length;

/**
 * One vitest run, with a file whose test process died run once more. Adds to the counts above.
 */
async function runPhase(args) {
  const first = await runVitest(args);
  if (first.results === undefined) {
    console.error(`\nvitest wrote no report to ${resultsFile} (exit code ${first.code})`);
    failed++;
    return;
  }
  let vitestFailed = failuresOf(first.results);
  passed += first.results.numPassedTests ?? 0;
  skipped += (first.results.numPendingTests ?? 0) + (first.results.numTodoTests ?? 0);
  // A test process that dies (vitest: "Worker exited unexpectedly") fails no test: it leaves the
  // rest of its file pending and the run with an error. Run those files once more, and say so;
  // their second run counts instead. Anything else vitest counts as a failure (unhandled errors,
  // no test files found).
  const interrupted = (first.results.testResults ?? []).filter((f) => pendingIn(f) > 0);
  if (first.code !== 0 && vitestFailed === 0 && interrupted.length > 0) {
    const files = interrupted.map((f) => f.name);
    console.log(`\nvitest ended with an error and no failed test; running again: ${files.join(", ")}`);
    const again = await runVitest(files);
    if (again.results === undefined || again.code !== 0) {
      vitestFailed += again.results === undefined ? 1 : Math.max(1, failuresOf(again.results));
    } else {
      for (const f of interrupted) {
        const done = (f.assertionResults ?? []).filter((t) => t.status === "passed").length;
        passed -= done;
        skipped -= pendingIn(f);
      }
      passed += again.results.numPassedTests ?? 0;
      skipped += (again.results.numPendingTests ?? 0) + (again.results.numTodoTests ?? 0);
    }
  } else if (first.code !== 0 && vitestFailed === 0) {
    vitestFailed++;
  }
  failed += vitestFailed;
}

// `*.solo.test.ts` files assert how soon something happens (the latency targets): they
// run after the rest, one at a time, so that the other test files' load does not decide them.
const extra = process.argv.slice(2);
if (extra.length > 0) {
  await runPhase(extra);
} else {
  await runPhase(["--exclude", "**/*.solo.test.ts"]);
  console.log("\n> the *.solo.test.ts files, one at a time");
  await runPhase(["--maxWorkers=1", ".solo.test.ts"]);
}

console.log(
  skipped > 0 ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`,
);
process.exitCode = failed > 0 ? 1 : 0;
