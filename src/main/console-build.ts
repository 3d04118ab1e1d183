// Builds the web console (web/ -> web/dist) when it is missing or older than its sources.
// `npm install` runs this file (the root package's postinstall), `postbag serve` calls
// ensureConsoleBuilt() at start, and the browser tests call it before they start Postbag: the
// build is cached by a hash of the console's sources, so whoever comes first builds it once.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const webDir = join(repoRoot, "web");
export const consoleDistDir = join(webDir, "dist");
const HASH_FILE = ".build-hash";
const LOCK_STALE_MS = 10 * 60_000;

/** Every file the build reads from web/ (node_modules and outputs aside). */
async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith("dist") || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else files.push(path);
  }
  return files.sort();
}

/** A hash of the console's sources and of the versions of the tools that build it. */
export async function consoleSourceHash(): Promise<string | undefined> {
  if (!existsSync(join(webDir, "src"))) return undefined;
  const hash = createHash("sha256");
  for (const file of await sourceFiles(webDir)) {
    hash
      .update(relative(webDir, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  }
  const require = createRequire(join(webDir, "package.json"));
  for (const tool of ["vite", "@mantine/core", "react"]) {
    try {
      hash.update(`${tool}@${(require(`${tool}/package.json`) as { version: string }).version}`);
    } catch {
      hash.update(`${tool}@missing`);
    }
  }
  return hash.digest("hex").slice(0, 32);
}

async function builtHash(): Promise<string | undefined> {
  try {
    return (await readFile(join(consoleDistDir, HASH_FILE), "utf8")).trim();
  } catch {
    return undefined;
  }
}

/** Whether web/dist holds a build of the current sources. */
export async function consoleIsFresh(): Promise<boolean> {
  const want = await consoleSourceHash();
  if (want === undefined) return existsSync(join(consoleDistDir, "index.html"));
  return (await builtHash()) === want;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock another process holds, unless that process is gone or the lock is very old. */
async function lockIsStale(lock: string): Promise<boolean> {
  const age = await stat(lock).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  if (age > LOCK_STALE_MS) return true;
  const pid = Number(await readFile(join(lock, "pid"), "utf8").catch(() => ""));
  // A lock without a pid yet is being taken right now, unless it has been so for a while.
  return pid > 0 ? !isAlive(pid) : age > 5_000;
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = join(webDir, ".build-lock");
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, "pid"), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (await lockIsStale(lock)) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function runVite(outDir: string, log: (line: string) => void): Promise<void> {
  const require = createRequire(join(webDir, "package.json"));
  const viteBin = join(dirname(require.resolve("vite/package.json")), "bin", "vite.js");
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [viteBin, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
      {
        cwd: webDir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) {
        if (output.trim()) log(output.trim());
        resolve();
      } else reject(new Error(`vite build failed (exit code ${code}):\n${output.slice(-4000)}`));
    });
  });
}

/**
 * Builds web/dist unless it already holds a build of the current sources. Concurrent callers
 * (test files, processes) wait for one build. Returns whether it built.
 */
export async function ensureConsoleBuilt(log: (line: string) => void = () => {}): Promise<boolean> {
  if (await consoleIsFresh()) return false;
  return withLock(async () => {
    const want = await consoleSourceHash();
    if (want === undefined || (await builtHash()) === want) return false;
    log("building the web console (web/ -> web/dist) …");
    const tmp = join(webDir, `dist-tmp-${process.pid}`);
    await runVite(tmp, log);
    await writeFile(join(tmp, HASH_FILE), `${want}\n`);
    await rm(consoleDistDir, { recursive: true, force: true });
    await rename(tmp, consoleDistDir);
    log("web console built");
    return true;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureConsoleBuilt((line) => process.stdout.write(`${line}\n`)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
