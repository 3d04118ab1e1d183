// The operator's first screens in the console, in Debian's Chromium against a real `postbag
// serve` on SQLite in sandbox mode: issue 11's acceptance journey with no curl. The operator
// accepts the invitation the first start printed, adds a package and a school, invites the
// school's administrator, who accepts, sees the Overview and buys the package. axe-core runs on
// every screen visited.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleRig,
  chromiumAvailable,
  DESKTOP,
  expectAccessible,
  PHONE,
  startConsoleRig,
} from "../support/browser.js";
import { GOOD_PASSWORD, openScreen, pathOf } from "./support.js";

describe.skipIf(!chromiumAvailable())("the console for the operator", () => {
  let rig: ConsoleRig;

  beforeAll(async () => {
    rig = await startConsoleRig();
  }, 240_000);

  afterAll(async () => {
    await rig?.close();
  });

  it("the first start's operator invitation, a package, a school, its administrator buying the package", async () => {
    const printed = /^\s*(http\S+\/invitation#token=\S+)$/m.exec(rig.serve.stdout())?.[1];
    expect(printed, rig.serve.stdout()).toBeTruthy();

    // The operator accepts the printed invitation and lands on Schools, empty.
    const operator = await rig.newPage(DESKTOP, "198.51.100.1");
    const op = operator.page;
    await op.goto(pathOf(printed ?? ""));
    await op.getByText(/is invited as an operator of this Postbag/).waitFor();
    await op.getByLabel("Your name").fill("Olu Operator");
    await op.getByLabel("New password").fill(GOOD_PASSWORD);
    await op.getByRole("button", { name: "Accept and sign in" }).click();
    await op.getByRole("heading", { name: "Schools", level: 1 }).waitFor();
    expect(new URL(op.url()).pathname).toBe("/operator/schools");
    await op.getByText("No schools yet").waitFor();
    expect(await op.getByRole("navigation").getByRole("link").allTextContents()).toEqual([
      "Schools",
      "Credits",
      "Packages",
      "Trusts",
      "Reports",
      "Health",
    ]);
    await expectAccessible(op, "Schools, empty");

    // A package for the schools to buy.
    await openScreen(op, "Packages");
    await op.getByText("No packages yet").waitFor();
    await expectAccessible(op, "Packages, empty");
    await op.getByLabel("Package name").fill("5,000 emails");
    await op.getByRole("textbox", { name: "Price (optional)" }).fill("120");
    // The API's refusal is shown as its message, and the form keeps what was typed.
    await op.getByRole("textbox", { name: "Credits" }).fill("20000000");
    await op.getByRole("button", { name: "Add package" }).click();
    await op.getByRole("alert").filter({ hasText: "credits" }).waitFor();
    await expectAccessible(op, "Packages, refused");
    await op.getByRole("textbox", { name: "Credits" }).fill("5000");
    await op.getByRole("button", { name: "Add package" }).click();
    const catalogue = op.getByTestId("packages-table");
    await catalogue.getByText("£120.00").waitFor();
    await catalogue.getByText("5,000", { exact: true }).waitFor();
    await expectAccessible(op, "Packages");

    // A school, in the default time zone.
    await openScreen(op, "Schools");
    await op.getByLabel("School name").fill("Riverside Primary");
    await op.getByRole("button", { name: "Add school" }).click();
    await op.getByText("Riverside Primary was added").waitFor();
    await op.getByTestId("schools-table").getByText("Riverside Primary").waitFor();
    await op.getByTestId("schools-table").getByText("Europe/London").waitFor();
    await expectAccessible(op, "Schools, one added");

    // Its administrator's invitation, shown to copy.
    await op.getByRole("button", { name: "Invite its administrator" }).click();
    const dialog = op.getByRole("dialog");
    await dialog.getByLabel("Email address").fill("head@riverside.test");
    await dialog.getByLabel("Name (optional)").fill("Ravi Head");
    await dialog.getByRole("button", { name: "Invite", exact: true }).click();
    const urlBox = dialog.getByTestId("invitation-url");
    await urlBox.waitFor();
    const invitationUrl = await urlBox.inputValue();
    expect(invitationUrl).toMatch(/\/invitation#token=/);
    await expectAccessible(op, "Invite dialog");
    await dialog.getByRole("button", { name: "Close", exact: true }).first().click();

    // At 375 px the screen fits and the navigation opens from the menu button.
    await op.setViewportSize(PHONE);
    await op.reload();
    await op.getByTestId("schools-table").getByText("Riverside Primary").waitFor();
    expect(await op.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(op, "Schools (375 px)");
    await openScreen(op, "Packages");
    expect(await op.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(op, "Packages (375 px)");

    // The administrator accepts on a phone, sees the Overview and buys the package.
    const admin = await rig.newPage(PHONE, "198.51.100.2");
    const page = admin.page;
    await page.goto(pathOf(invitationUrl));
    await page.getByText("head@riverside.test is invited to Riverside Primary as an administrator").waitFor();
    await page.getByLabel("Your name").fill("Ravi Head");
    await page.getByLabel("New password").fill(GOOD_PASSWORD);
    await page.getByRole("button", { name: "Accept and sign in" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page.getByTestId("available").waitFor();
    await expectAccessible(page, "Overview of the new school (375 px)");
    const balance = async () => Number((await page.getByTestId("package-balance").textContent())?.replace(/\D/g, ""));
    const before = await balance();
    await page.getByText("£120.00").waitFor();
    await page.getByRole("button", { name: "Buy 5,000 emails" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Buy 5,000 emails" }).click();
    await expect.poll(balance).toBe(before + 5_000);

    // The operator screens are not a school's: the administrator is sent to the Overview.
    await page.goto("/operator/schools");
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    const refused = await page.request.get("/v1/operator/tenants");
    expect(refused.status()).toBe(403);
  }, 180_000);
});
