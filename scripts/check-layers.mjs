#!/usr/bin/env node
// The layer check of `npm test`: runs dependency-cruiser over `src/` with the rules of
// `.dependency-cruiser.cjs` (folders import only lower layers, no cycles) and fails on any
// violation. It also fails when the cruise missed a source file: a check that finds no modules
// (a parser that silently reads nothing, a wrong path) would otherwise pass everything.
//
//   node scripts/check-layers.mjs [--root DIR]   (DIR holds src/ and tsconfig.json; default: this repo)
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const rootArg = process.argv.indexOf("--root");
const root = rootArg >= 0 ? resolve(process.argv[rootArg + 1] ?? ".") : repo;
const bin = join(repo, "node_modules", ".bin", process.platform === "win32" ? "depcruise.cmd" : "depcruise");
const config = join(repo, ".dependency-cruiser.cjs");

/** The product's source files (tests excluded, as in the config). */
async function sourceFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (/\.(ts|mts|mjs|js)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
      out.push(relative(root, path).split("\\").join("/"));
    }
  }
  return out;
}

function cruise() {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, ["src", "--config", config, "--output-type", "json"], { cwd: root });
    const chunks = [];
    let errors = "";
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => {
      errors += c;
    });
    child.on("error", reject);
    child.on("close", () => {
      try {
        resolvePromise(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new Error(`dependency-cruiser gave no report: ${errors.trim()}`));
      }
    });
  });
}

let failed = false;
try {
  const [report, files] = await Promise.all([cruise(), sourceFiles(join(root, "src"))]);
  const cruised = new Set(report.modules.map((m) => m.source));
  const missed = files.filter((f) => !cruised.has(f));
  for (const f of missed) console.error(`not cruised: ${f}`);
  if (missed.length > 0 || files.length === 0) {
    console.error(
      `layers: dependency-cruiser read ${cruised.size} modules but missed ${missed.length} of ${files.length}`,
    );
    failed = true;
  }
  for (const v of report.summary.violations) {
    const cycle = v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name ?? c).join(" -> ")})` : "";
    console.error(`${v.rule.severity} ${v.rule.name}: ${v.from} -> ${v.to}${cycle}`);
    failed = true;
  }
  console.log(
    `layers: ${report.summary.totalCruised} modules, ${report.summary.totalDependenciesCruised} dependencies, ` +
      `${report.summary.violations.length} violations`,
  );
} catch (err) {
  console.error(`layers: ${err instanceof Error ? err.message : String(err)}`);
  failed = true;
}
process.exitCode = failed ? 1 : 0;
