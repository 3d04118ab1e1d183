// Composing an announcement in the console, in Debian's Chromium against a real `postbag serve`
// on SQLite in sandbox mode: an audience synced through the API, the live count, a preview
// rendered by the server, a test to oneself, sending with consolidation (the counts shown
// before sending are what was sent), and a scheduled send cancelled. axe-core on every state.

import { join } from "node:path";
import Sqlite from "better-sqlite3";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleRig,
  chromiumAvailable,
  DESKTOP,
  expectAccessible,
  PHONE,
  startConsoleRig,
} from "../support/browser.js";
import { acceptedInvitation, callApi, signInToOverview } from "./support.js";

describe.skipIf(!chromiumAvailable())("composing an announcement in the console", () => {
  let rig: ConsoleRig;
  let schoolKey: string;
  let ip = 10;
  const clientIp = () => `198.51.100.${ip++}`;

  const call = <T>(method: string, path: string, body?: unknown) => callApi<T>(rig.url, method, path, schoolKey, body);

  async function signedIn(email: string, viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
    await acceptedInvitation(rig.url, schoolKey, email, "staff", "Ms Office");
    const { page } = await rig.newPage(viewport, clientIp());
    await signInToOverview(page, email);
    const burger = page.getByRole("button", { name: "Menu" });
    if (await burger.isVisible()) await burger.click();
    await page.getByRole("link", { name: "New announcement", exact: true }).click();
    await page.getByRole("heading", { name: "New announcement", level: 1 }).waitFor();
    return page;
  }

  /** Picks `option` in the searchable multi-select labelled `label`, typing `search` first. */
  async function pick(page: Page, label: string, search: string, option: RegExp): Promise<void> {
    const input = page.getByRole("combobox", { name: label });
    await input.click();
    await input.fill(search);
    await page.getByRole("option", { name: option }).click();
    await page.keyboard.press("Escape");
  }

  async function write(page: Page, subject: string): Promise<void> {
    await page.getByRole("textbox", { name: "Subject" }).fill(subject);
    const body = page.getByRole("textbox", { name: "Message" });
    await body.click();
    await page.keyboard.type("Dear ");
    await page.getByRole("button", { name: "Insert merge field" }).click();
    await page.getByRole("menuitem", { name: /contact\.name/ }).click();
    await body.click();
    await page.keyboard.press("End");
    await page.keyboard.type(", the trip is on Friday.");
  }

  beforeAll(async () => {
    rig = await startConsoleRig();
    const operatorKey = rig.serve.operatorKey ?? "";
    const op = async <T>(path: string, body: unknown) => {
      const res = await fetch(`${rig.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as T;
    };
    const tenant = await op<{ id: string }>("/v1/operator/tenants", {
      name: "Hillside Primary",
      timezone: "Europe/London",
    });
    schoolKey = (
      await op<{ key: string }>(`/v1/operator/tenants/${tenant.id}/keys`, { role: "administrator", name: "mis" })
    ).key;
    const synced = await call("POST", "/v1/audience/sync", {
      contacts: [
        { externalId: "P1", name: "Alex Parent", email: "alex@families.test" },
        { externalId: "P2", name: "Sam Carer", email: "sam@families.test" },
        { externalId: "P3", name: "Kim Noaddress" },
      ],
      subjects: [
        { externalId: "S1", name: "Ada Parent", groups: ["Year 5"] },
        { externalId: "S2", name: "Ben Parent", groups: ["Year 5"] },
        { externalId: "S3", name: "Cal Carer", groups: ["Year 5"] },
      ],
      links: [
        { contactExternalId: "P1", subjectExternalId: "S1" },
        { contactExternalId: "P1", subjectExternalId: "S2" },
        { contactExternalId: "P2", subjectExternalId: "S3" },
        { contactExternalId: "P3", subjectExternalId: "S2" },
      ],
    });
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await rig?.close();
  });

  it("composes with consolidation: the counts shown before sending are what was sent; preview and a test to oneself", async () => {
    const page = await signedIn("office@hillside.test");
    await expectAccessible(page, "New announcement, empty");
    await pick(page, "Year groups and groups", "Year", /Year 5/);
    const estimate = page.getByTestId("estimate");
    await estimate.getByText("3 recipients, 3 emails with consolidation (4 without)").waitFor();
    await estimate.getByText("Will be sent: 2").waitFor();
    await estimate.getByText("No email address: 1").waitFor();
    await estimate.getByText("Opted out of this category: 0").waitFor();
    await estimate.getByText("Suppressed address: 0").waitFor();
    await estimate.getByText("Waiting for their digest: 0").waitFor();
    // An individual contact already reached through the group changes nothing.
    await pick(page, "Individual contacts", "Sam", /Sam Carer/);
    await write(page, "Trip for {{subject.name}}");
    await expectAccessible(page, "New announcement, written");

    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByTestId("preview-subject").getByText("Trip for Ada Parent and Ben Parent").waitFor();
    const frame = page.frameLocator('iframe[title="Preview of the email to Alex Parent"]');
    await frame.getByText("Part 2 of 2: about Ben Parent").waitFor();
    await frame.getByText("Dear Alex Parent, the trip is on Friday.").first().waitFor();
    await frame.getByRole("link", { name: "Unsubscribe" }).waitFor();
    expect(await page.locator("iframe").getAttribute("sandbox")).toBe("");
    await expectAccessible(page, "New announcement, preview");
    // Another contact of the audience: their own email, about their own student.
    await pick(page, "Preview as", "Sam", /Sam Carer/);
    await page.getByTestId("preview-subject").getByText("Trip for Cal Carer").waitFor();
    await page
      .frameLocator('iframe[title="Preview of the email to Sam Carer"]')
      .getByText("Dear Sam Carer, the trip is on Friday.")
      .waitFor();

    await page.getByRole("button", { name: "Send a test to me" }).click();
    await page.getByText("A test copy is on its way to office@hillside.test.").waitFor();

    const answer = page.waitForResponse(
      (r) => r.url().endsWith("/v1/announcements") && r.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Send now" }).click();
    const composed = (await (await answer).json()) as { id: string };
    await page.waitForURL(new RegExp(`/announcements/${composed.id}$|/$`));
    await expect
      .poll(
        async () => {
          const stats = await call<{ state: string; counts: Record<string, number> }>(
            "GET",
            `/v1/announcements/${composed.id}/stats`,
          );
          const c = stats.body.counts;
          return { state: stats.body.state, sent: (c.sent ?? 0) + (c.opened ?? 0), missing: c.email_missing };
        },
        { timeout: 20_000 },
      )
      .toEqual({ state: "sent", sent: 2, missing: 1 });

    const db = new Sqlite(join(rig.dataDir, "postbag.db"), { readonly: true, fileMustExist: true });
    try {
      const tests = db
        .prepare(
          `SELECT m.subject, r.email FROM messages m JOIN recipients r ON r.message_id = m.id WHERE m.source = 'test'`,
        )
        .all();
      expect(tests).toEqual([{ subject: "[Test] Trip for Ada Parent and Ben Parent", email: "office@hillside.test" }]);
      // The editor's HTML, and a plain-text part made from it, merge fields left for the server.
      const template = db
        .prepare(`SELECT text_body AS text, html_body AS html FROM messages WHERE source = 'announcement'`)
        .get() as { text: string; html: string };
      expect(template.text).toBe("Dear {{contact.name}}, the trip is on Friday.");
      expect(template.html).toBe("<p>Dear {{contact.name}}, the trip is on Friday.</p>");
    } finally {
      db.close();
    }
  });

  it("schedules at a time in the school's zone and cancels it, on a phone", async () => {
    const page = await signedIn("deputy@hillside.test", PHONE);
    await pick(page, "Students", "Cal", /Cal Carer/);
    await page.getByTestId("estimate").getByText("1 recipients, 1 emails with consolidation (1 without)").waitFor();
    await write(page, "Reminder");
    await page.getByRole("radio", { name: "At a time" }).check();
    const tomorrow = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" }).format(
      new Date(Date.now() + 24 * 3_600_000),
    );
    await page.locator('input[type="date"]').fill(tomorrow);
    await page.locator('input[type="time"]').fill("09:30");
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "New announcement, scheduling (375 px)");
    const answer = page.waitForResponse(
      (r) => r.url().endsWith("/v1/announcements") && r.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Schedule" }).click();
    const composed = (await (await answer).json()) as { id: string; sendAt: string };
    const status = page.getByRole("status").filter({ hasText: "will be sent" });
    await status.waitFor();
    await expectAccessible(page, "Scheduled");
    expect(
      new Intl.DateTimeFormat("en-CA", {
        timeZone: "Europe/London",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(new Date(composed.sendAt)),
    ).toBe(`${tomorrow}, 09:30`);
    expect((await call<{ state: string }>("GET", `/v1/announcements/${composed.id}`)).body.state).toBe("scheduled");

    await page.getByRole("button", { name: "Cancel this announcement" }).click();
    await page.getByText("The announcement will not be sent.").waitFor();
    expect((await call<{ state: string }>("GET", `/v1/announcements/${composed.id}`)).body.state).toBe("cancelled");
  });

  it("an attachment the API refuses shows why, before sending", async () => {
    const page = await signedIn("bursar@hillside.test");
    await pick(page, "Students", "Ada", /Ada Parent/);
    await page.locator('input[type="file"]').setInputFiles({
      name: "setup.exe",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("MZ-not-really"),
    });
    await page
      .getByText(/setup\.exe/)
      .first()
      .waitFor();
    await page
      .getByText(/not allowed|blocked|refused/i)
      .first()
      .waitFor();
    await expectAccessible(page, "New announcement, attachment refused");
  });
});
