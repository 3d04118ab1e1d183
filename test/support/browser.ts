// Browser tests of the console: Debian's Chromium driven by playwright-core (Playwright's own
// browser download does not work here) against a real `postbag serve` on SQLite in sandbox mode.
// One browser per test file, one context (cookies, storage) per test.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import axe from "axe-core";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { ensureConsoleBuilt } from "../../src/main/console-build.js";
import { type ServeProcess, startServe } from "./postbag-process.js";

export const CHROMIUM = process.env.POSTBAG_TEST_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Whether the browser tests can run. Without Chromium they are skipped with a message, except
 * under CI=true, where a missing browser is a failure (.ci/run installs it).
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true") throw new Error(`${CHROMIUM} is missing: CI must run the browser tests`);
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
  return false;
}

export const PHONE = { width: 375, height: 740 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

export interface ConsoleRig {
  readonly serve: ServeProcess;
  readonly browser: Browser;
  /** The API and console, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly dataDir: string;
  /**
   * A fresh browser context (its own cookies) at `viewport`. `clientIp` makes it a client of its
   * own (X-Forwarded-For from loopback, which the rig trusts as a proxy), so per-address
   * sign-in limits of one test do not reach the others.
   */
  newPage(
    viewport?: { width: number; height: number },
    clientIp?: string,
  ): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Builds the console if its sources changed (cached by hash), starts Postbag and Chromium. */
export async function startConsoleRig(env: Record<string, string> = {}): Promise<ConsoleRig> {
  await ensureConsoleBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), "postbag-console-"));
  const serve = await startServe(
    {
      POSTBAG_DATA_DIR: dataDir,
      POSTBAG_HTTP_HOST: "127.0.0.1",
      POSTBAG_HTTP_PORT: "0",
      POSTBAG_SANDBOX_SMTP_PORT: "0",
      POSTBAG_WORKER_POLL_MS: "50",
      POSTBAG_SHUTDOWN_GRACE_MS: "2000",
      POSTBAG_TRUST_PROXY: "127.0.0.1",
      ...env,
    },
    [],
    60_000,
  );
  const root = process.getuid?.() === 0;
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: root ? ["--no-sandbox"] : [],
    });
  } catch (err) {
    await serve.stop("SIGKILL");
    throw err;
  }
  const contexts: BrowserContext[] = [];
  return {
    serve,
    browser,
    url: serve.url,
    dataDir,
    async newPage(viewport = DESKTOP, clientIp) {
      const context = await browser.newContext({
        viewport,
        baseURL: serve.url,
        timezoneId: "Europe/London",
        // The console then shows notifications and menus at once (its theme respects the setting):
        // axe-core never meets one half faded in, whose text it would measure as too pale.
        reducedMotion: "reduce",
        ...(clientIp ? { extraHTTPHeaders: { "x-forwarded-for": clientIp } } : {}),
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return { context, page };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await serve.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs axe-core on the page as it is now and fails on serious or critical violations,
 * naming the rule and the elements.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  // Through the DevTools protocol, so the console's CSP (scripts from itself only) stays on.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: typeof axe }).axe.run({ resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  expect(violations, `axe-core on ${screen}`).toEqual([]);
}
