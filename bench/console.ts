// The console's budgets, measured in Debian's Chromium against a real `postbag serve` on SQLite
// over loopback (see bench/README.md):
//   1. the JavaScript loaded for the first screen, gzipped: Sign in for a visitor, and Overview
//      for a signed-in person (the chart chunk included), budget 350 KB;
//   2. the Overview's data on screen after navigation (credit figures and the week table
//      rendered), budget 1 s: cold (new browser context, empty cache) and warm (assets cached).
// Run: npm run bench:console   (BENCH_RUNS=N, default 7)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Page } from "playwright-core";
import { ensureConsoleBuilt } from "../src/main/console-build.js";
import { startServe } from "../test/support/postbag-process.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PASSWORD = "zebra-lantern-quietly-47";
const CHROMIUM = process.env.POSTBAG_TEST_CHROMIUM ?? "/usr/bin/chromium";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function call<T>(base: string, method: string, path: string, key?: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Gzipped bytes of every script the page loads until `ready` resolves. */
async function scriptBytes(page: Page, url: string, ready: () => Promise<unknown>): Promise<number> {
  const bodies: Promise<number>[] = [];
  page.on("response", (res) => {
    if (res.request().resourceType() === "script") {
      bodies.push(res.body().then((b) => gzipSync(b, { level: 9 }).length));
    }
  });
  await page.goto(url);
  await ready();
  await page.waitForLoadState("networkidle");
  return (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  await ensureConsoleBuilt((line) => console.log(line));
  const dataDir = await mkdtemp(join(tmpdir(), "postbag-bench-console-"));
  const serve = await startServe(
    {
      POSTBAG_DATA_DIR: dataDir,
      POSTBAG_HTTP_PORT: "0",
      POSTBAG_SANDBOX_SMTP_PORT: "0",
      POSTBAG_LOG_LEVEL: "warn",
    },
    [],
    60_000,
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
  });
  try {
    const base = serve.url;
    const operator = serve.operatorKey ?? "";
    const tenant = await call<{ id: string }>(base, "POST", "/v1/operator/tenants", operator, { name: "Bench School" });
    const admin = await call<{ key: string }>(base, "POST", `/v1/operator/tenants/${tenant.id}/keys`, operator, {
      role: "administrator",
    });
    const system = await call<{ key: string }>(base, "POST", `/v1/operator/tenants/${tenant.id}/keys`, operator, {
      role: "system",
    });
    // A week with mail in it, so the chart is drawn.
    for (const category of ["announcement", "alert", "scheduled"]) {
      await call(base, "POST", "/v1/messages", system.key, {
        to: ["a@example.test", "b@example.test"],
        subject: "Bench",
        text: "Hello",
        category,
      });
    }
    const invited = await call<{ invitationUrl: string }>(base, "POST", "/v1/people/invitations", admin.key, {
      email: "head@bench.test",
      role: "administrator",
    });
    const token = /#token=(.+)$/.exec(invited.invitationUrl)?.[1];
    await call(base, "POST", "/v1/invitations/accept", undefined, { token, name: "Head", password: PASSWORD });

    const newContext = async () => {
      const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
      return context;
    };
    const signedIn = async () => {
      const context = await newContext();
      const res = await context.request.post("/v1/session", { data: { email: "head@bench.test", password: PASSWORD } });
      if (!res.ok()) throw new Error(`sign-in: ${res.status()} ${await res.text()}`);
      return context;
    };
    const overviewReady = (page: Page) => () =>
      Promise.all([
        page.getByTestId("available").waitFor(),
        page.getByTestId("week-table").waitFor(),
        page.locator(".recharts-surface").first().waitFor(),
      ]);

    // 1. JavaScript for the first screen.
    const visitor = await newContext();
    const visitorPage = await visitor.newPage();
    const signInJs = await scriptBytes(visitorPage, "/", () =>
      visitorPage.getByRole("button", { name: "Sign in", exact: true }).waitFor(),
    );
    await visitor.close();
    const member = await signedIn();
    const memberPage = await member.newPage();
    const overviewJs = await scriptBytes(memberPage, "/", overviewReady(memberPage));
    await member.close();

    // 2. The Overview's data on screen after navigation.
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await signedIn();
      for (const into of [cold, warm]) {
        const page = await context.newPage();
        const started = performance.now();
        await page.goto("/", { waitUntil: "commit" });
        await Promise.all([page.getByTestId("available").waitFor(), page.getByTestId("week-table").waitFor()]);
        into.push(performance.now() - started);
        await page.close();
      }
      await context.close();
    }
    // In-app navigation (Suppressions -> Overview), as a person moving around the console.
    const inApp: number[] = [];
    {
      const context = await signedIn();
      const page = await context.newPage();
      for (let i = 0; i < RUNS; i++) {
        await page.goto("/suppressions");
        await page.getByRole("heading", { name: "Suppressions", level: 1 }).waitFor();
        // A fresh query: what the Overview shows is fetched, not taken from the cache.
        await page.evaluate("void 0");
        const started = performance.now();
        await page.getByRole("link", { name: "Overview", exact: true }).click();
        await Promise.all([page.getByTestId("available").waitFor(), page.getByTestId("week-table").waitFor()]);
        inApp.push(performance.now() - started);
      }
      await context.close();
    }

    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const ms = (n: number) => `${n.toFixed(0)} ms`;
    console.log("\nConsole budgets (Chromium, loopback)");
    console.log(
      `  JavaScript, first screen, gzipped: Sign in ${kb(signInJs)}; Overview ${kb(overviewJs)} (budget 350 KB)`,
    );
    console.log(
      `  Overview data on screen after navigation, median of ${RUNS}: cold ${ms(median(cold))} (max ${ms(Math.max(...cold))}); ` +
        `warm ${ms(median(warm))} (max ${ms(Math.max(...warm))}); in-app ${ms(median(inApp))} (max ${ms(Math.max(...inApp))}) (budget 1 s)`,
    );
    const failed = Math.max(signInJs, overviewJs) > 350 * 1024 || median(cold) > 1000;
    if (failed) process.exitCode = 1;
  } finally {
    await browser.close();
    await serve.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
