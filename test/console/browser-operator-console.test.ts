// The operator runs a week of the service in the console, in Debian's Chromium against a real
// `postbag serve` on SQLite in sandbox mode: a new school with its administrator, its allowance
// and policy, the default rules, a package and its price, a trust topped up and allocated to two schools, a
// repeat offender contacted, and a school suspended and resumed (its administrator refused, then
// back). axe-core on every screen; the screens fit a phone.

import { DateTime } from "luxon";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/database.js";
import {
  type ConsoleRig,
  chromiumAvailable,
  DESKTOP,
  expectAccessible,
  PHONE,
  startConsoleRig,
} from "../support/browser.js";
import { GOOD_PASSWORD, openScreen, pathOf } from "./support.js";

describe.skipIf(!chromiumAvailable())("the operator's console", () => {
  let rig: ConsoleRig;

  beforeAll(async () => {
    rig = await startConsoleRig();
  }, 240_000);

  afterAll(async () => {
    await rig?.close();
  });

  async function choose(page: Page, label: string, option: string): Promise<void> {
    await page.getByLabel(label, { exact: true }).and(page.locator("input")).click();
    await page.getByRole("option", { name: option, exact: true }).click();
  }

  async function addSchool(op: Page, name: string): Promise<void> {
    await op.getByLabel("School name").fill(name);
    await op.getByRole("button", { name: "Add school" }).click();
    await op.getByText(`${name} was added`).waitFor();
  }

  async function fitsPhone(page: Page, screen: string): Promise<void> {
    expect(await page.evaluate<number>("document.documentElement.scrollWidth"), screen).toBeLessThanOrEqual(
      PHONE.width,
    );
    await expectAccessible(page, `${screen} (375 px)`);
  }

  it("a school, its policy, a package, a trust for two schools, a repeat offender contacted, a suspension", async () => {
    const printed = /^\s*(http\S+\/invitation#token=\S+)$/m.exec(rig.serve.stdout())?.[1];
    expect(printed, rig.serve.stdout()).toBeTruthy();
    const { page: op } = await rig.newPage(DESKTOP, "198.51.100.11");
    await op.goto(pathOf(printed ?? ""));
    await op.getByLabel("Your name").fill("Olu Operator");
    await op.getByLabel("New password").fill(GOOD_PASSWORD);
    await op.getByRole("button", { name: "Accept and sign in" }).click();
    await op.getByRole("heading", { name: "Schools", level: 1 }).waitFor();

    // Two schools; the first one's administrator is invited and accepts.
    await addSchool(op, "Maple Primary");
    await op.getByRole("button", { name: "Invite its administrator" }).click();
    const dialog = op.getByRole("dialog");
    await dialog.getByLabel("Email address").fill("head@maple.test");
    await dialog.getByRole("button", { name: "Invite", exact: true }).click();
    const invitationUrl = await dialog.getByTestId("invitation-url").inputValue();
    await dialog.getByRole("button", { name: "Close", exact: true }).first().click();
    await addSchool(op, "Birch Academy");
    await op.getByTestId("schools-table").getByText("Birch Academy").waitFor();
    await expectAccessible(op, "Schools");

    const { page: head } = await rig.newPage(PHONE, "198.51.100.12");
    await head.goto(pathOf(invitationUrl));
    await head.getByLabel("Your name").fill("Mina Head");
    await head.getByLabel("New password").fill(GOOD_PASSWORD);
    await head.getByRole("button", { name: "Accept and sign in" }).click();
    await head.getByRole("heading", { name: "Overview", level: 1 }).waitFor();

    // The school's own screen: its allowance and policy; a refused value shows the API's words.
    await op.getByTestId("schools-table").getByRole("link", { name: "Maple Primary" }).click();
    await op.getByRole("heading", { name: "Maple Primary", level: 1 }).waitFor();
    await expectAccessible(op, "A school");
    await op.getByRole("textbox", { name: "Monthly allowance" }).fill("100");
    await choose(op, "Over-limit policy", "Hard: hold counted mail at 0 credit");
    await op.getByRole("textbox", { name: "Grace days" }).fill("1000");
    await op.getByRole("button", { name: "Save rules" }).click();
    await op.getByRole("alert").filter({ hasText: "grace" }).waitFor();
    await op.getByRole("textbox", { name: "Grace days" }).fill("");
    await op.getByRole("button", { name: "Save rules" }).click();
    await op.getByText(/The rules were saved/).waitFor();
    await op.getByText(/Now: 100 a month, Hard: hold counted mail at 0 credit/).waitFor();
    await expectAccessible(op, "A school, rules saved");

    // The default rules for every school.
    await openScreen(op, "Credits");
    await op.getByRole("textbox", { name: "Default monthly allowance" }).fill("2000");
    await op.getByRole("checkbox", { name: "Alerts" }).first().check();
    await op.getByRole("button", { name: "Save the rules" }).click();
    await op.getByText(/The rules were saved/).waitFor();
    await expectAccessible(op, "Credits");

    // A package.
    await openScreen(op, "Packages");
    await op.getByLabel("Package name").fill("1,000 emails");
    await op.getByRole("textbox", { name: "Credits" }).fill("1000");
    await op.getByRole("button", { name: "Add package" }).click();
    await op.getByTestId("packages-table").getByText("1,000 emails").waitFor();
    await op.getByRole("button", { name: "Price: 1,000 emails" }).click();
    await op.getByRole("dialog").getByRole("textbox", { name: "Price" }).fill("15");
    await op.getByRole("dialog").getByRole("button", { name: "Save price" }).click();
    await op.getByTestId("packages-table").getByText("£15.00").waitFor();
    await op.getByRole("dialog").waitFor({ state: "detached" });
    await expectAccessible(op, "Packages");

    // A trust: both schools, a top-up, an allocation to each, the ledger.
    await openScreen(op, "Trusts");
    await op.getByText("No trusts yet").waitFor();
    await op.getByLabel("Trust name").fill("Maple Trust");
    await op.getByRole("button", { name: "Add trust" }).click();
    await op.getByTestId("trusts").getByRole("link", { name: "Maple Trust" }).click();
    await op.getByRole("heading", { name: "Maple Trust", level: 1 }).waitFor();
    for (const school of ["Maple Primary", "Birch Academy"]) {
      await choose(op, "Add a school", school);
      await op.getByRole("button", { name: "Add to the trust" }).click();
      await op.getByTestId("members-table").getByRole("link", { name: school }).waitFor();
    }
    await op.getByRole("textbox", { name: "Credits to add" }).fill("10000");
    await op.getByLabel("Note (an invoice, say)").fill("Invoice 7");
    await op.getByRole("button", { name: "Top up" }).click();
    await expect.poll(() => op.getByTestId("bundle-balance").textContent()).toBe("10,000");
    // More than the bundle holds: refused, with the API's words.
    await choose(op, "School", "Maple Primary");
    await op.getByRole("textbox", { name: "Credits to allocate" }).fill("20000");
    await op.getByRole("button", { name: "Allocate" }).click();
    await op.getByRole("alert").filter({ hasText: "bundle" }).waitFor();
    for (const [school, credits] of [
      ["Maple Primary", "6000"],
      ["Birch Academy", "4000"],
    ] as const) {
      await choose(op, "School", school);
      await op.getByRole("textbox", { name: "Credits to allocate" }).fill(credits);
      await op.getByRole("button", { name: "Allocate" }).click();
      await op.getByTestId("members-table").getByText(Number(credits).toLocaleString("en-GB")).waitFor();
    }
    await expect.poll(() => op.getByTestId("bundle-balance").textContent()).toBe("0");
    const ledger = op.getByTestId("ledger-table");
    await ledger.getByText("to Birch Academy").waitFor();
    await ledger.getByText("to Maple Primary").waitFor();
    await ledger.getByText("Invoice 7").waitFor();
    await expectAccessible(op, "A trust");

    // Maple Primary went over its limit last month and this month (as the meter records it).
    const database = createDatabase(`sqlite:${rig.dataDir}/postbag.db`);
    try {
      const maple = await database.db
        .selectFrom("tenants")
        .select("id")
        .where("name", "=", "Maple Primary")
        .executeTakeFirstOrThrow();
      const now = DateTime.now().setZone("Europe/London");
      for (const month of [now.minus({ months: 1 }), now]) {
        await database.db
          .insertInto("credit_periods")
          .values({
            tenant_id: maple.id,
            period: month.toFormat("yyyy-MM"),
            counted: 2500,
            low_alert_at: null,
            over_at: month.startOf("month").plus({ days: 0, hours: 12 }).toMillis(),
            last_reminder_at: null,
          })
          .onConflict((oc) => oc.columns(["tenant_id", "period"]).doUpdateSet({ counted: 2500, over_at: Date.now() }))
          .execute();
      }
    } finally {
      await database.close();
    }

    // Reports: the repeat offender, contacted.
    await openScreen(op, "Reports");
    const repeat = op.getByTestId("repeat-table");
    await repeat.getByRole("link", { name: "Maple Primary" }).waitFor();
    await expectAccessible(op, "Reports");
    await op.getByRole("button", { name: "Contact Maple Primary", exact: true }).click();
    const contact = op.getByRole("dialog");
    await contact.getByLabel("Your message (optional)").fill("Could we talk on Monday at 10?");
    await contact.getByRole("button", { name: "Send notice" }).click();
    await contact.getByText(/went to 1 administrator/).waitFor();
    await expectAccessible(op, "Contact dialog, sent");
    await contact.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => repeat.getByText("Never").count()).toBe(0);
    await repeat.getByRole("link", { name: "Maple Primary" }).click();
    await op.getByTestId("notices").getByText("Maple Primary keeps going over its monthly email allowance").waitFor();

    // Suspended: the administrator is refused; resumed: back.
    await op.getByRole("button", { name: "Suspend Maple Primary" }).click();
    await op.getByRole("dialog").getByRole("button", { name: "Suspend", exact: true }).click();
    await op.getByRole("button", { name: "Resume Maple Primary" }).waitFor();
    await op.getByRole("dialog").waitFor({ state: "detached" });
    await op.getByText("Suspended", { exact: true }).first().waitFor();
    await expectAccessible(op, "A suspended school");
    await head.reload();
    await head
      .getByText(/suspended/)
      .first()
      .waitFor();
    await op.getByRole("button", { name: "Resume Maple Primary" }).click();
    await op.getByRole("button", { name: "Suspend Maple Primary" }).waitFor();
    await head.reload();
    await head.getByTestId("available").waitFor();

    // Health.
    await openScreen(op, "Health");
    await op.getByTestId("queue-waiting").waitFor();
    await op.getByTestId("bounce-mailbox").waitFor();
    await expectAccessible(op, "Health");

    // Every operator screen fits a phone.
    await op.setViewportSize(PHONE);
    for (const screen of ["Health", "Reports", "Trusts", "Credits", "Schools"]) {
      await openScreen(op, screen);
      await fitsPhone(op, screen);
    }
    await op.getByTestId("schools-table").getByRole("link", { name: "Maple Primary" }).click();
    await op.getByRole("heading", { name: "Maple Primary", level: 1 }).waitFor();
    await fitsPhone(op, "A school");
  }, 240_000);
});
