import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, where `npx postbag` runs from. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(repoRoot, "bin", "postbag.mjs");

/**
 * The test process's environment minus every `POSTBAG_*` variable, plus `env`: a child sees only
 * the settings a test gives it (an unknown `POSTBAG_*` would even stop it starting). The metrics
 * listener takes a free port unless the test says otherwise, so test files running at once never
 * fight over the default 9464.
 */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("POSTBAG_")));
  return { ...base, POSTBAG_METRICS_LISTEN: "127.0.0.1:0", ...env };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last non-empty line of stdout. */
  readonly lastLine: string;
}

/** Runs `node bin/postbag.mjs …args` to completion, as `npx postbag` would. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: childEnv(env), stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [code, signal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  const lines = stdout.split("\n").filter((line) => line.trim() !== "");
  return { code, signal, stdout, stderr, lastLine: lines[lines.length - 1] ?? "" };
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** The API's base URL, from the start-up banner. */
  readonly url: string;
  /** The operator key the banner printed on first start, if it did. */
  readonly operatorKey: string | undefined;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILLs after `timeoutMs` and says so. */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: string | null; ms: number }>;
}

/**
 * Starts `postbag serve` and waits for its start-up banner (the line `API reference: …` ends
 * it). Rejects, with the output so far, if the process exits or takes longer than `timeoutMs`.
 */
export async function startServe(
  env: Record<string, string>,
  args: readonly string[] = [],
  // Generous: start-up transpiles the sources with tsx, slow while other test files load the CPU.
  timeoutMs = 90_000,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, "serve", ...args], { cwd: repoRoot, env: childEnv(env), stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;

  const banner = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      child.kill("SIGKILL");
      reject(new Error(`postbag serve ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`printed no banner within ${timeoutMs} ms`), timeoutMs);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      fail(`exited early (code ${code}, signal ${signal})`);
    };
    child.once("exit", onExit);
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (/^API reference: .*$/m.test(stdout)) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(stdout);
      }
    });
  });

  const url = /Postbag is running at (http:\/\/\S+)/.exec(banner)?.[1];
  if (!url) {
    child.kill("SIGKILL");
    throw new Error(`no URL in the banner:\n${banner}`);
  }
  return {
    child,
    url,
    operatorKey: /^\s*OPERATOR_KEY=(\S+)$/m.exec(banner)?.[1],
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal = "SIGTERM", stopTimeoutMs = 15_000) {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMs);
      const [code, exitSignal] = await exited;
      clearTimeout(timer);
      return { code, signal: exitSignal, ms: Date.now() - started };
    },
  };
}
