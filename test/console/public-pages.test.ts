// The pages a person sees before signing in, in a real Chromium against a real Postbag.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleRig,
  chromiumAvailable,
  DESKTOP,
  expectAccessible,
  PHONE,
  startConsoleRig,
} from "../support/browser.js";

describe.skipIf(!chromiumAvailable())("console pages before sign-in", () => {
  let rig: ConsoleRig;
  beforeAll(async () => {
    rig = await startConsoleRig();
  }, 180_000);
  afterAll(async () => {
    await rig?.close();
  });

  it.each([
    ["phone", PHONE],
    ["desktop", DESKTOP],
  ] as const)("sends a visitor to Sign in, every control labelled, at %s width", async (_, viewport) => {
    const { page } = await rig.newPage(viewport);
    await page.goto("/people");
    await page.waitForURL(/\/sign-in\?next=%2Fpeople$/);
    await expect.poll(() => page.getByLabel("Email address").isVisible()).toBe(true);
    expect(await page.getByLabel("Password").first().isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Sign in" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Email me a sign-in link" }).isVisible()).toBe(true);
    // Nothing wider than the screen.
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(viewport.width);
    await expectAccessible(page, `Sign in (${viewport.width} px)`);
  });

  it("the forgotten-password, reset, invitation and link pages open, and say so when the link is incomplete", async () => {
    const { page } = await rig.newPage(PHONE);
    await page.goto("/forgot-password");
    await page.getByRole("button", { name: "Email me a reset link" }).waitFor();
    await expectAccessible(page, "Forgotten password");
    for (const path of ["/reset-password", "/invitation", "/sign-in/link"]) {
      await page.goto(path);
      await page.getByText(/link is incomplete/i).waitFor();
      await expectAccessible(page, path);
    }
  });

  it("an unknown API path stays a JSON 404 for the browser too", async () => {
    const { page } = await rig.newPage();
    const res = await page.goto("/v1/no-such-route");
    expect(res?.status()).toBe(404);
    expect(JSON.parse((await page.textContent("body")) ?? "")).toMatchObject({ error: { code: "not_found" } });
  });
});
