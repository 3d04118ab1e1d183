// Contacts, students, the parents' own preference page and the inbox, in Debian's Chromium
// against a real `postbag serve` (SQLite, sandbox mode) that reads a real Dovecot mailbox.
// axe-core runs on every screen visited.

import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { SECRET_KEY, waitUntil } from "../support/delivery.js";
import { type Dovecot, dovecotMissing, startDovecot } from "../support/dovecot.js";
import { receiveSettings, saveReceiving } from "../support/mailboxes.js";

const PASSWORD = "zebra-lantern-quietly-47";
const OFFICE = { user: "office", pass: "office-mailbox-pw-1" };

interface School {
  id: string;
  adminKey: string;
}

describe.skipIf(!chromiumAvailable())("contacts, students, the preference page and the inbox", () => {
  let rig: ConsoleRig;
  let dovecot: Dovecot | undefined;
  let operatorKey: string;
  let ip = 10;
  const clientIp = () => `198.51.100.${ip++}`;

  async function call<T>(method: string, path: string, key: string | undefined, body?: unknown) {
    const res = await fetch(`${rig.url}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** A school with an administrator key and a signed-up administrator `email`. */
  async function newSchool(name: string, email: string): Promise<School> {
    const tenant = await call<{ id: string }>("POST", "/v1/operator/tenants", operatorKey, {
      name,
      timezone: "Europe/London",
    });
    expect(tenant.status).toBe(201);
    const key = await call<{ key: string }>("POST", `/v1/operator/tenants/${tenant.body.id}/keys`, operatorKey, {
      role: "administrator",
      name: "set-up",
    });
    expect(key.status).toBe(201);
    const invited = await call<{ invitationUrl: string }>("POST", "/v1/people/invitations", key.body.key, {
      email,
      role: "administrator",
      name: "Ms Office",
    });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const token = /#token=(.+)$/.exec(invited.body.invitationUrl)?.[1];
    const accepted = await call("POST", "/v1/invitations/accept", undefined, {
      token,
      name: "Ms Office",
      password: PASSWORD,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    return { id: tenant.body.id, adminKey: key.body.key };
  }

  /** Syncs two parents (one without a usable address) and their student, and sends them an announcement. */
  async function audienceAndMail(school: School): Promise<{ messageId: string; unsubscribe: string }> {
    const sync = await call("POST", "/v1/audience/sync", school.adminKey, {
      contacts: [
        { externalId: "P1", name: "Sam Patel", email: "sam.patel@example.test" },
        { externalId: "P2", name: "Alex Jones", email: "alex@@example" },
        { externalId: "P3", name: "Robin Lee", email: "robin.lee@example.test" },
      ],
      subjects: [
        { externalId: "S1", name: "Priya Patel", groups: ["Year 7"] },
        { externalId: "S2", name: "Jamie Lee", groups: ["Year 7"] },
      ],
      links: [
        { contactExternalId: "P1", subjectExternalId: "S1", relationship: "mother" },
        { contactExternalId: "P2", subjectExternalId: "S1", relationship: "father" },
        { contactExternalId: "P3", subjectExternalId: "S2", relationship: "carer" },
      ],
    });
    expect(sync.status, JSON.stringify(sync.body)).toBe(200);
    const sent = await call<{ id: string }>("POST", "/v1/announcements", school.adminKey, {
      subject: "Trip on Friday",
      text: "Dear {{contact.name}}, the Year 7 trip is on Friday.",
      audience: { subjectGroups: ["Year 7"] },
      consolidate: true,
      essential: false,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    type Captured = { id: string; rcptTo: string[]; messageId: string | null };
    let captured: Captured | undefined;
    await waitUntil(
      "the announcement reached the sandbox",
      async () => {
        const list = await call<{ items: Captured[] }>("GET", "/v1/sandbox/messages", school.adminKey);
        captured = list.body.items.find((m) => m.rcptTo.includes("sam.patel@example.test"));
        return captured !== undefined && list.body.items.length >= 2;
      },
      60_000,
    );
    const detail = await call<{ raw: string }>("GET", `/v1/sandbox/messages/${captured?.id}`, school.adminKey);
    const unsubscribe = /^List-Unsubscribe:\s*<[^>]*?(\/u\/[A-Za-z0-9_.-]+)>/im.exec(detail.body.raw)?.[1];
    expect(unsubscribe, `a List-Unsubscribe header in ${detail.body.raw.slice(0, 2000)}`).toBeTruthy();
    return { messageId: captured?.messageId ?? "", unsubscribe: unsubscribe ?? "" };
  }

  /** Waits until no CSS transition or animation runs (a dialog fading in, a button leaving its loading state). */
  async function settled(page: Page): Promise<void> {
    type Doc = { document: { getAnimations(): { playState: string }[] } };
    await waitUntil(
      "transitions have ended",
      () =>
        page.evaluate(() =>
          (globalThis as unknown as Doc).document.getAnimations().every((a) => a.playState !== "running"),
        ),
      10_000,
    );
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto("/sign-in");
    await page.getByLabel("Email address").fill(email);
    await page.getByRole("textbox", { name: "Password" }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  }

  async function openScreen(page: Page, name: string): Promise<void> {
    const burger = page.getByRole("button", { name: "Menu" });
    if (await burger.isVisible()) await burger.click();
    await page.getByRole("link", { name, exact: true }).click();
    await page.getByRole("heading", { name, level: 1 }).waitFor();
  }

  beforeAll(async () => {
    const env: Record<string, string> = { POSTBAG_SECRET_KEY: SECRET_KEY };
    if (!dovecotMissing()) {
      dovecot = await startDovecot({ users: [OFFICE] });
      const ca = join(tmpdir(), `postbag-dovecot-ca-${process.pid}.pem`);
      await writeFile(ca, dovecot.cert);
      Object.assign(env, { POSTBAG_OUTBOUND_ALLOW: "127.0.0.1/32", POSTBAG_EXTRA_CA_FILE: ca });
    }
    rig = await startConsoleRig(env);
    operatorKey = rig.serve.operatorKey ?? "";
  }, 240_000);

  afterAll(async () => {
    await rig?.close();
    await dovecot?.stop();
  });

  it("an office finds a parent, corrects an address, reads their choices and mail, and deletes a leaver", async () => {
    const school = await newSchool("Hillside Primary", "office@hillside.test");
    await audienceAndMail(school);
    const { page } = await rig.newPage(DESKTOP, clientIp());
    await signIn(page, "office@hillside.test");
    await openScreen(page, "Contacts");
    await page.getByRole("link", { name: "Sam Patel" }).waitFor();
    await expectAccessible(page, "Contacts");

    await page.getByLabel("Search").fill("PATEL");
    await page.getByRole("link", { name: "Robin Lee" }).waitFor({ state: "detached" });
    await page.getByRole("link", { name: "Sam Patel" }).click();
    await page.getByRole("heading", { name: "Sam Patel", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Priya Patel" }).waitFor();
    await page.getByText("Trip on Friday").waitFor();
    await page.getByText("Sent", { exact: true }).waitFor();
    await page.getByText("Each email as it is sent").waitFor();
    await expectAccessible(page, "Contact profile");

    // The father's address was unusable: the office corrects it.
    await page.goto("/contacts?x=1");
    await page.getByLabel("Only without a usable address").check();
    await page.getByRole("link", { name: "Alex Jones" }).click();
    await page.getByText("which is not usable").waitFor();
    // The browser refuses what is not an address at all; the server explains the rest.
    await page.getByLabel("Correct the address").fill("not an address");
    await page.getByRole("button", { name: "Save address" }).click();
    expect(
      await page
        .getByLabel("Correct the address")
        .evaluate((el) => (el as { validity: { valid: boolean } }).validity.valid),
    ).toBe(false);
    await page.getByLabel("Correct the address").fill("alex@example");
    await page.getByRole("button", { name: "Save address" }).click();
    await page.getByRole("alert").getByText("invalid domain").waitFor();
    await page.getByLabel("Correct the address").fill("alex.jones@example.test");
    await page.getByRole("button", { name: "Save address" }).click();
    await page.getByText("Corrected in Postbag").waitFor();
    await expectAccessible(page, "Contact profile after a correction");

    // Robin Lee left: deleted, with a clear confirmation first.
    await page.goto(`/contacts/P3`);
    await page.getByRole("heading", { name: "Robin Lee", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Delete contact Robin Lee" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete Robin Lee?" });
    await dialog.getByText("cannot be undone").waitFor();
    await settled(page);
    await expectAccessible(page, "Delete contact dialog");
    await dialog.getByRole("button", { name: "Delete for good" }).click();
    await page.getByRole("heading", { name: "Contacts", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Sam Patel" }).waitFor();
    expect(await page.getByRole("link", { name: "Robin Lee" }).count()).toBe(0);
    expect((await call("GET", "/v1/contacts/P3", school.adminKey)).status).toBe(404);

    // Students: search, one student's contacts, and a deletion.
    await openScreen(page, "Students");
    await page.getByRole("link", { name: "Jamie Lee" }).waitFor();
    await expectAccessible(page, "Students");
    await page.getByLabel("Search").fill("priya");
    await page.getByRole("link", { name: "Jamie Lee" }).waitFor({ state: "detached" });
    await page.getByRole("link", { name: "Priya Patel" }).click();
    await page.getByRole("link", { name: "Alex Jones" }).waitFor();
    await expectAccessible(page, "Student");
    await page.goto("/students/S2");
    await page.getByRole("button", { name: "Delete student Jamie Lee" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete for good" }).click();
    await page.getByRole("heading", { name: "Students", level: 1 }).waitFor();
    expect((await call("GET", "/v1/subjects/S2", school.adminKey)).status).toBe(404);
    // A contact that does not exist is a clear error, not a blank screen.
    await page.goto("/contacts/nobody");
    await page.getByRole("alert").getByText('no contact "nobody"').waitFor();

    // On a phone.
    const phone = await rig.newPage(PHONE, clientIp());
    await signIn(phone.page, "office@hillside.test");
    await openScreen(phone.page, "Contacts");
    await phone.page.getByRole("link", { name: "Sam Patel" }).click();
    await phone.page.getByRole("heading", { name: "Sam Patel", level: 1 }).waitFor();
    expect(await phone.page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(phone.page, "Contact profile (375 px)");
  });

  it("a parent chooses a weekly digest from the link in the email, with and without JavaScript", async () => {
    const school = await newSchool("Oakwood Academy", "office@oakwood.test");
    const { unsubscribe } = await audienceAndMail(school);
    const { page } = await rig.newPage(PHONE, clientIp());
    await page.goto(unsubscribe);
    await page.getByRole("heading", { name: "Your email from Oakwood Academy" }).waitFor();
    await expectAccessible(page, "Preference page");
    await page.getByRole("radio", { name: /A weekly digest instead/ }).check();
    await page.getByRole("button", { name: "Save my choice" }).click();
    await page.getByRole("heading", { name: "Your digest is set" }).waitFor();
    await page.getByText("a weekly digest every Friday at 08:00").waitFor();
    await expectAccessible(page, "Preference page, saved");
    const sam = await call<{ preferences: { digest: unknown; optOuts: unknown[] } }>(
      "GET",
      "/v1/contacts/P1",
      school.adminKey,
    );
    expect(sam.body.preferences).toEqual({ optOuts: [], digest: { mode: "weekly", time: "08:00", weekday: 5 } });

    // Without JavaScript the page is the same form: the parent goes back to each email, then weekly again.
    const context = await rig.browser.newContext({ javaScriptEnabled: false, baseURL: rig.url, viewport: PHONE });
    try {
      const plain = await context.newPage();
      await plain.goto(unsubscribe);
      await plain.getByText("weekly digest every Friday at 08:00").waitFor();
      await plain.getByRole("radio", { name: /Each email as it is sent/ }).check();
      await plain.getByRole("button", { name: "Save my choice" }).click();
      await plain.getByRole("heading", { name: "Your choice is saved" }).waitFor();
      await plain.getByRole("link", { name: "Change your choice" }).click();
      await plain.getByRole("radio", { name: /A weekly digest instead/ }).check();
      await plain.getByRole("button", { name: "Save my choice" }).click();
      await plain.getByRole("heading", { name: "Your digest is set" }).waitFor();
    } finally {
      await context.close();
    }
    const after = await call<{ preferences: { digest: unknown } }>("GET", "/v1/contacts/P1", school.adminKey);
    expect(after.body.preferences.digest).toEqual({ mode: "weekly", time: "08:00", weekday: 5 });

    // The office sees the parent's choice on the profile.
    const office = await rig.newPage(DESKTOP, clientIp());
    await signIn(office.page, "office@oakwood.test");
    await office.page.goto("/contacts/P1");
    await office.page.getByText("Weekly digest, Fridays at 08:00").waitFor();
  });

  it.skipIf(dovecotMissing() !== null)(
    "reading a reply in the inbox: the message and contact it answers, images on request, an attachment",
    async () => {
      const school = await newSchool("Riverside School", "office@riverside.test");
      const { messageId } = await audienceAndMail(school);
      expect(messageId).toMatch(/^<.+>$/);
      const database = createDatabase(`sqlite:${join(rig.dataDir, "postbag.db")}`);
      try {
        if (!dovecot) throw new Error("no Dovecot");
        await saveReceiving(database, school.id, receiveSettings(dovecot, OFFICE.user), OFFICE.pass, Date.now());
      } finally {
        await database.close();
      }
      const reply = [
        "From: Sam Patel <sam.patel@example.test>",
        "To: office@riverside.test",
        "Subject: Re: Trip on Friday",
        "Message-ID: <reply-1@parent.example>",
        `In-Reply-To: ${messageId}`,
        "Date: Thu, 15 Jan 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/html; charset=utf-8",
        "",
        '<p>Priya will bring a <b>packed lunch</b>.</p><img src="https://tracker.example/pixel.gif" alt="pixel">',
        "--b",
        "Content-Type: application/pdf",
        'Content-Disposition: attachment; filename="consent form.pdf"',
        "",
        "%PDF-1.4 consent",
        "--b--",
        "",
      ].join("\r\n");
      await dovecot?.deliver(OFFICE.user, reply);
      await dovecot?.deliver(
        OFFICE.user,
        "From: away@example.test\r\nTo: office@riverside.test\r\nSubject: Out of Office: away\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <ooo-1@example.test>\r\n\r\nI am away.\r\n",
      );
      await waitUntil(
        "Postbag read both messages from Dovecot",
        async () => {
          const res = await call<{ items: unknown[] }>("GET", "/v1/inbox", school.adminKey);
          return res.status === 200 && res.body.items.length === 2;
        },
        90_000,
        250,
      );

      const { page } = await rig.newPage(DESKTOP, clientIp());
      await signIn(page, "office@riverside.test");
      await openScreen(page, "Inbox");
      await page.getByRole("link", { name: "Re: Trip on Friday" }).waitFor();
      // The out-of-office answer is left out until asked for.
      expect(await page.getByText("Out of Office: away").count()).toBe(0);
      await expectAccessible(page, "Inbox");
      await page.getByText("Auto-replies and reports").click();
      await page.getByRole("link", { name: "Out of Office: away" }).waitFor();
      await page.getByText("Replies and other mail").click();
      // The list is fetched again for the search (after a 250 ms pause in typing): click the
      // link of the searched list, not the one the search is about to replace.
      const searched = page.waitForResponse((res) => res.url().includes("/v1/inbox?") && res.url().includes("search="));
      await page.getByLabel("Search").fill("packed lunch");
      await searched;
      await page.getByRole("link", { name: "Re: Trip on Friday" }).click();

      await page.getByRole("heading", { name: "Re: Trip on Friday", level: 1 }).waitFor();
      await page.getByText("Your message “Trip on Friday”").waitFor();
      await page.getByRole("link", { name: "Sam Patel" }).waitFor();
      const frame = page.frameLocator('iframe[title="Message text"]');
      await frame.getByText("packed lunch").waitFor();
      await page.getByText("Images from elsewhere are blocked").waitFor();
      await expectAccessible(page, "Inbox message");
      await page.getByRole("button", { name: "Show images" }).click();
      await page.getByRole("button", { name: "Show images" }).waitFor({ state: "detached" });
      await frame.getByText("packed lunch").waitFor();
      expect(await page.locator('iframe[title="Message text"]').getAttribute("src")).toContain("images=true");

      const download = page.waitForEvent("download");
      await page.getByRole("button", { name: "Download consent form.pdf" }).click();
      expect((await download).suggestedFilename()).toBe("consent form.pdf");

      // The school turns off opening received attachments: the screen says so where it was asked.
      const settings = createDatabase(`sqlite:${join(rig.dataDir, "postbag.db")}`);
      try {
        await settings.db
          .updateTable("tenants")
          .set({ open_received_attachments: 0 })
          .where("id", "=", school.id)
          .execute();
      } finally {
        await settings.close();
      }
      await page.getByRole("button", { name: "Download consent form.pdf" }).click();
      await page.getByRole("alert").getByText("does not allow opening received attachments").waitFor();
      await expectAccessible(page, "Inbox message, attachment refused");

      // The contact link leads to the parent's profile.
      await page.getByRole("link", { name: "Sam Patel" }).click();
      await page.getByRole("heading", { name: "Sam Patel", level: 1 }).waitFor();
    },
  );
});
