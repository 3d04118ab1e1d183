// Following an announcement in the console, in Debian's Chromium against a real `postbag serve`
// on SQLite that relays to a test SMTP server refusing or accepting per address, with a real
// Dovecot as the operator's bounce mailbox (a spam complaint arrives there): the Announcements
// list, the statistics report reaching every status (ten in one school's announcement, held for
// credit and cancelled in a second school's), fix-and-resend of an `email_missing` recipient
// ending `sent`, resend to all failed, the CSV download with the session, and the Messages log.
// axe-core on every screen.

import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { type Dovecot, dovecotMissing, startDovecot } from "../support/dovecot.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { acceptedInvitation, callApi, openScreen, signInToOverview } from "./support.js";

const BROWSER_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
const SUBJECT = "Sports day on Friday";

const address = {
  sent: "sent.parent@example.test",
  open: "reader@example.test",
  soft: "busy@example.test",
  policy: "policy@example.test",
  hard: "gone@example.test",
  spam: "complainer@example.test",
  stall: "slow@example.test",
  optout: "optout@example.test",
  digest: "digest@example.test",
  fixed: "nora.new@example.test",
} as const;

const roll = {
  contacts: [
    { externalId: "C-SENT", name: "Sara Sent", email: address.sent },
    { externalId: "C-OPEN", name: "Olly Reader", email: address.open },
    { externalId: "C-SOFT", name: "Sofia Busy", email: address.soft },
    { externalId: "C-POLICY", name: "Pat Policy", email: address.policy },
    { externalId: "C-HARD", name: "Harriet Gone", email: address.hard },
    { externalId: "C-SPAM", name: "Carl Complainer", email: address.spam },
    { externalId: "C-STALL", name: "Stan Slow", email: address.stall },
    { externalId: "C-OPTOUT", name: "Olga Optout", email: address.optout },
    { externalId: "C-DIGEST", name: "Diego Digest", email: address.digest },
    { externalId: "C-NOMAIL", name: "Nora Noaddress" },
  ],
  subjects: [
    { externalId: "S-1", name: "Ann Pupil", groups: ["Year 4"] },
    { externalId: "S-2", name: "Ben Pupil", groups: ["Year 4"] },
  ],
  links: [
    ...["C-SENT", "C-OPEN", "C-SOFT", "C-POLICY", "C-HARD"].map((c) => ({
      contactExternalId: c,
      subjectExternalId: "S-1",
    })),
    ...["C-SPAM", "C-STALL", "C-OPTOUT", "C-DIGEST", "C-NOMAIL"].map((c) => ({
      contactExternalId: c,
      subjectExternalId: "S-2",
    })),
  ],
};

/** Statuses this announcement reaches (held for credit and cancelled are reached in a second school). */
const expected: Record<string, number> = {
  queued: 1,
  sent: 1,
  opened: 1,
  soft_bounce: 1,
  rejected: 1,
  hard_bounce: 1,
  spam: 1,
  email_missing: 1,
  opted_out: 1,
  pending_digest: 1,
};

const missing = dovecotMissing();

describe.skipIf(!chromiumAvailable() || missing !== null)("the statistics report in the console", () => {
  let rig: ConsoleRig;
  let smtp: TestSmtpServer;
  let dovecot: Dovecot;
  let caFile: string;
  let operatorKey: string;
  let school: { id: string; admin: string; system: string; staff: string };
  let announcementId = "";
  let pixelUrl = "";
  const bounces = { user: "bounces", pass: `pw-${Math.random().toString(36).slice(2)}` };

  const call = <T>(method: string, path: string, key: string | undefined, body?: unknown) =>
    callApi<T>(rig.url, method, path, key, body);

  async function newSchool(name: string) {
    const tenant = await call<{ id: string }>("POST", "/v1/operator/tenants", operatorKey, {
      name,
      timezone: "Europe/London",
    });
    expect(tenant.status).toBe(201);
    const key = async (role: string) => {
      const res = await call<{ key: string }>("POST", `/v1/operator/tenants/${tenant.body.id}/keys`, operatorKey, {
        role,
        name: role,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.key;
    };
    return {
      id: tenant.body.id,
      admin: await key("administrator"),
      system: await key("system"),
      staff: await key("staff"),
    };
  }

  /** Waits until mail to every one of `emails` arrived (Postbag's own mail, such as invitations, arrives too). */
  async function arrived(emails: readonly string[]) {
    for (let n = 1; ; n++) {
      const got = await smtp.waitForMessages(n, 60_000);
      if (emails.every((e) => got.some((m) => m.rcptTo.includes(e)))) return got;
    }
  }

  /** Waits until the notifications shown have closed themselves (axe-core reads them mid-animation). */
  async function notificationsGone(page: Page): Promise<void> {
    const shown = page.locator(".mantine-Notification-root");
    while ((await shown.count()) > 0) await shown.first().waitFor({ state: "detached" });
  }

  /** Waits until the report's status table shows `n` for `status` (the report follows the mail as it moves). */
  async function countShown(page: Page, status: string, n: number): Promise<void> {
    await page
      .getByTestId(`count-${status}`)
      .filter({ hasText: new RegExp(`^${n}$`) })
      .waitFor({ timeout: 30_000 });
  }

  beforeAll(async () => {
    smtp = await startTestSmtpServer({
      behaviour: (rcpt) => {
        if (rcpt === address.hard) return { kind: "reply", code: 550, message: "5.1.1 no such user here", at: "rcpt" };
        if (rcpt === address.soft) return { kind: "reply", code: 450, message: "4.2.1 mailbox busy, try later" };
        if (rcpt === address.policy) return { kind: "reply", code: 550, message: "5.7.1 refused by local policy" };
        // Never answers: this one stays queued while the test runs.
        if (rcpt === address.stall) return { kind: "stall" };
        return { kind: "accept" };
      },
    });
    dovecot = await startDovecot({ users: [bounces] });
    caFile = join(tmpdir(), `postbag-report-ca-${process.pid}.pem`);
    await writeFile(caFile, dovecot.cert);
    rig = await startConsoleRig({
      POSTBAG_RELAY_URL: `smtp://127.0.0.1:${smtp.port}`,
      POSTBAG_BOUNCE_MAILBOX_URL: `imap://${bounces.user}:${encodeURIComponent(bounces.pass)}@127.0.0.1:${dovecot.imapPort}/INBOX`,
      POSTBAG_BOUNCE_MAILBOX_POLL_SECONDS: "5",
      POSTBAG_EXTRA_CA_FILE: caFile,
      POSTBAG_OUTBOUND_ALLOW: "127.0.0.1/32",
    });
    operatorKey = rig.serve.operatorKey ?? "";
    expect(operatorKey).toMatch(/^pb_/);
    school = await newSchool("Beechwood Primary");
    await acceptedInvitation(rig.url, school.admin, "office@beechwood.test", "administrator", "Ms Office");
    const sync = await call("POST", "/v1/audience/sync", school.system, roll);
    expect(sync.status, JSON.stringify(sync.body)).toBe(200);
    for (const [contact, prefs] of [
      ["C-OPTOUT", { optOuts: ["announcement"] }],
      ["C-DIGEST", { digest: { mode: "weekly", time: "07:30", weekday: 5 } }],
    ] as const) {
      const res = await call("PUT", `/v1/contacts/${contact}/preferences`, school.staff, prefs);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const announced = await call<{ id: string }>("POST", "/v1/announcements", school.staff, {
      subject: SUBJECT,
      text: "Dear {{contact.name}}, sports day for {{subject.name}} is on Friday.",
      html: "<p>Dear {{contact.name}}, sports day for <b>{{subject.name}}</b> is on Friday.</p>",
      audience: { subjectGroups: ["Year 4"] },
      consolidate: true,
      essential: false,
    });
    expect(announced.status, JSON.stringify(announced.body)).toBe(202);
    announcementId = announced.body.id;

    // The three accepted emails arrive; the reader opens theirs; the complainer reports theirs.
    const received = await arrived([address.sent, address.open, address.spam]);
    const of = (email: string) => received.find((m) => m.rcptTo.includes(email));
    const html =
      of(address.open)
        ?.raw.toString("utf8")
        .replace(/=\r?\n/g, "")
        .replace(/=3D/g, "=") ?? "";
    const pixel = /<img [^>]*src="(http[^"]+\/o\/[^"]+\.gif)"/.exec(html)?.[1];
    expect(pixel, "the open pixel").toBeDefined();
    // The link's host is the public URL; the path is what matters here.
    pixelUrl = `${rig.url}${new URL(pixel ?? "").pathname}`;
    const complained = of(address.spam);
    expect(complained).toBeDefined();
    const fixture = await readFile(new URL("../fixtures/bounces/arf-abuse.eml", import.meta.url), "latin1");
    const report = fixture
      .replaceAll("b+01hzx3k4m5n6p7q8r9s0t1v2wa-ddddeeeeffff0000@bounces.postbag.example", complained?.mailFrom ?? "")
      .replaceAll("annoyed.parent@hotmail.example", address.spam);
    await dovecot.deliver(bounces.user, report);
  }, 240_000);

  afterAll(async () => {
    await rig?.close();
    await smtp?.close();
    await dovecot?.stop();
    if (caFile) await rm(caFile, { force: true });
  });

  it("lists the announcement, finds it by subject and opens its report with every status", async () => {
    const { page } = await rig.newPage(DESKTOP);
    await signInToOverview(page, "office@beechwood.test");
    await openScreen(page, "Announcements");
    await page.getByRole("link", { name: SUBJECT }).waitFor();
    await expectAccessible(page, "Announcements");
    await page.getByLabel("Search").fill("no such subject");
    await page.getByText("No announcement matches.").waitFor();
    await page.getByLabel("Search").fill("sports");
    await page.getByRole("link", { name: SUBJECT }).click();
    await page.getByRole("heading", { name: SUBJECT, level: 1 }).waitFor();
    expect(page.url()).toContain(`/announcements/${announcementId}`);

    // An open within seconds of sending looks like a mail scanner's prefetch and is not counted:
    // the reader opens the email until Postbag counts it, each time waiting for the report's refresh.
    for (let tries = 0; tries < 30; tries++) {
      const refreshed = page.waitForResponse((r) => r.url().includes(`/v1/announcements/${announcementId}/stats`));
      expect((await fetch(pixelUrl, { headers: { "user-agent": BROWSER_UA } })).status).toBe(200);
      await refreshed;
      if ((await page.getByTestId("count-opened").textContent()) === "1") break;
    }
    for (const [status, n] of Object.entries(expected)) await countShown(page, status, n);
    for (const status of ["held_no_credit", "cancelled"]) await countShown(page, status, 0);
    await page.getByTestId("total").filter({ hasText: "10" }).waitFor();
    // The plain explanation of each status, the 30-minute warning among them.
    const table = page.getByTestId("status-table");
    await table.getByText("If the status has not changed after 30 minutes, raise a ticket with support").waitFor();
    await table.getByText("reported the email as spam").waitFor();
    await table.getByText("no usable email address").waitFor();
    await table.getByText("daily or weekly digest").waitFor();
    await page.getByRole("heading", { name: "Opens over time" }).waitFor();
    await page.getByText("1 recipient(s) opened it").waitFor();
    await expectAccessible(page, "Statistics report");

    // The recipients in one status, with the contact, the student and the server's reply.
    await page.getByRole("button", { name: "Show the 1 hard bounce recipient(s)" }).click();
    const rows = page.getByTestId("recipients-table").locator("tbody tr");
    await rows.filter({ hasText: "Harriet Gone" }).waitFor();
    // The unfiltered rows stay on screen until the filtered page arrives.
    await expect.poll(() => rows.count()).toBe(1);
    const hard = rows.first();
    expect(await hard.textContent()).toContain("Ann Pupil");
    expect(await hard.textContent()).toContain("550 5.1.1 no such user here");
    expect(await hard.textContent()).toContain("Suppressed");
  });

  it("fixes a missing address and resends: the recipient ends sent, counted once", async () => {
    const { page } = await rig.newPage(DESKTOP);
    await signInToOverview(page, "office@beechwood.test");
    await page.goto(`/announcements/${announcementId}`);
    await countShown(page, "email_missing", 1);
    await page.getByRole("button", { name: "Show the 1 email missing recipient(s)" }).click();
    await page.getByRole("button", { name: "Fix and resend to Nora Noaddress" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Nora Noaddress's email address").fill(address.fixed);
    await expectAccessible(page, "Fix and resend");
    await dialog.getByRole("button", { name: "Save address" }).click();
    await page.getByText(`${address.fixed} is the address now.`).waitFor();
    await dialog.getByRole("button", { name: "Resend" }).click();
    await page.getByText(`Queued again to ${address.fixed}.`).waitFor();
    await dialog.waitFor({ state: "detached" });

    expect((await arrived([address.fixed])).filter((m) => m.rcptTo.includes(address.fixed))).toHaveLength(1);
    // Counted once, by the latest email.
    await countShown(page, "email_missing", 0);
    await page.getByTestId("total").filter({ hasText: "10" }).waitFor();
    await page.getByRole("combobox", { name: "Status" }).click();
    await page.getByRole("option", { name: "Sent", exact: true }).click();
    const nora = page.getByTestId("recipients-table").locator('tr[data-recipient="C-NOMAIL"]');
    await nora.getByText("Resent (before: Email missing)").waitFor();
    expect(await nora.getByTestId("recipient-status").textContent()).toBe("Sent");
    // Both emails are kept: the earlier one shows with the history.
    await page.getByLabel("Show earlier emails (before a resend)").check();
    await page.getByRole("combobox", { name: "Status" }).click();
    await page.getByRole("option", { name: "Email missing", exact: true }).click();
    await nora.getByText("Replaced by a resend").waitFor();
    await notificationsGone(page);
    await expectAccessible(page, "Statistics report, earlier emails");
  });

  it("downloads the recipients as CSV with the session", async () => {
    const { page } = await rig.newPage(DESKTOP);
    await signInToOverview(page, "office@beechwood.test");
    await page.goto(`/announcements/${announcementId}`);
    await page.getByTestId("recipients-table").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`announcement-${announcementId}-recipients.csv`);
    const text = await readFile((await download.path()) ?? "", "utf8");
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^recipient_id,email,contact_external_id,contact_name,subjects,status,/);
    expect(lines).toHaveLength(11);
    for (const status of ["sent", "opened", "spam", "hard_bounce", "rejected", "opted_out", "pending_digest"]) {
      expect(
        lines.some((l) => l.includes(`,${status},`)),
        status,
      ).toBe(true);
    }
  });

  it("resends to all failed recipients at once and says why the suppressed one was not", async () => {
    const { page } = await rig.newPage(DESKTOP);
    await signInToOverview(page, "office@beechwood.test");
    await page.goto(`/announcements/${announcementId}`);
    await countShown(page, "hard_bounce", 1);
    await page.getByRole("button", { name: "Resend to all failed (3)" }).click();
    const dialog = page.getByRole("dialog", { name: "Resend to all failed recipients" });
    await expectAccessible(page, "Resend to all failed");
    await dialog.getByRole("button", { name: "Resend" }).click();
    await page
      .getByText("Resent to 2. 1 not resent: the address is suppressed (an administrator can reset it).")
      .waitFor();
    // The busy mailbox and the refusing server answer the same again: each recipient still counted once.
    await countShown(page, "queued", 1);
    await countShown(page, "soft_bounce", 1);
    await countShown(page, "rejected", 1);
    await page.getByTestId("total").filter({ hasText: "10" }).waitFor();

    // An administrator resets the suppressed address from the same dialog, then resends.
    await page.getByRole("button", { name: "Show the 1 hard bounce recipient(s)" }).click();
    await page.getByRole("button", { name: "Fix and resend to Harriet Gone" }).click();
    const fix = page.getByRole("dialog", { name: /Fix and resend/ });
    await fix.getByText("This address is suppressed").waitFor();
    await fix.getByLabel(`Why may ${address.hard} be mailed again?`).fill("The parent says the mailbox is back.");
    await notificationsGone(page);
    await expectAccessible(page, "Fix and resend, suppressed");
    await fix.getByRole("button", { name: "Reset suppression" }).click();
    await page.getByText(`${address.hard} can be mailed again.`).waitFor();
    await fix.getByRole("button", { name: "Resend" }).click();
    await page.getByText(`Queued again to ${address.hard}.`).waitFor();
  });

  it("works on a phone", async () => {
    const { page } = await rig.newPage(PHONE);
    await signInToOverview(page, "office@beechwood.test");
    await openScreen(page, "Announcements");
    await page.getByRole("link", { name: SUBJECT }).waitFor();
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "Announcements (375 px)");
    await page.getByRole("link", { name: SUBJECT }).click();
    await countShown(page, "spam", 1);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "Statistics report (375 px)");
  });

  it("the Messages log filters by status and category and shows one message's history", async () => {
    const { page } = await rig.newPage(DESKTOP);
    await signInToOverview(page, "office@beechwood.test");
    const sent = await call("POST", "/v1/messages", school.system, {
      to: [address.sent],
      subject: "Your password reset",
      text: "Follow the link.",
      category: "password_reset_parent",
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await openScreen(page, "Messages");
    const table = page.getByTestId("messages-table");
    await table.getByRole("link", { name: "Your password reset" }).waitFor();
    await table.getByRole("link", { name: SUBJECT }).waitFor();
    await expectAccessible(page, "Messages");
    await page.getByRole("combobox", { name: "Category" }).click();
    await page.getByRole("option", { name: "Parent password resets" }).click();
    await table.getByRole("link", { name: SUBJECT }).waitFor({ state: "detached" });
    await page.getByRole("combobox", { name: "Category" }).click();
    await page.getByRole("option", { name: "Announcements" }).click();
    await page.getByRole("combobox", { name: "Status" }).click();
    await page.getByRole("option", { name: "Spam", exact: true }).click();
    await table.getByRole("link", { name: SUBJECT }).click();
    await page.getByRole("heading", { name: SUBJECT, level: 1 }).waitFor();
    const spam = page.getByRole("region", { name: new RegExp(address.spam) });
    await spam.getByText("Spam").first().waitFor();
    await expectAccessible(page, "Message");
    // On a phone, both fit the width.
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "Message (375 px)");
    await page.goBack();
    await table.waitFor();
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "Messages (375 px)");
  });

  it("a school without credit on the hard policy sees its mail held for credit, then cancelled", async () => {
    const other = await newSchool("Hazel Academy");
    const settings = await call("PUT", `/v1/operator/tenants/${other.id}/credit-settings`, operatorKey, {
      monthlyAllowance: 0,
      overLimitPolicy: "hard",
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    await acceptedInvitation(rig.url, other.admin, "office@hazel.test", "administrator", "Ms Office");
    const sync = await call("POST", "/v1/audience/sync", other.system, {
      contacts: [{ externalId: "P1", name: "Paula Poor", email: "paula@example.test" }],
    });
    expect(sync.status).toBe(200);
    const announced = await call<{ id: string; messageId: string }>("POST", "/v1/announcements", other.staff, {
      subject: "Uniform sale",
      text: "Hello",
      audience: { contacts: ["P1"] },
      consolidate: true,
      essential: false,
    });
    expect(announced.status).toBe(202);
    const { page } = await rig.newPage(DESKTOP);
    await signInToOverview(page, "office@hazel.test");
    await page.goto(`/announcements/${announced.body.id}`);
    await countShown(page, "held_no_credit", 1);
    await page.getByTestId("status-table").getByText("no credit left this month").waitFor();
    // The school stops the held mail instead: cancelled.
    const cancelled = await call("POST", `/v1/messages/${announced.body.messageId}/cancel`, other.staff);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await page.reload();
    await countShown(page, "cancelled", 1);
    await countShown(page, "held_no_credit", 0);
    await page.getByTestId("status-table").getByText("Stopped before it was sent.").waitFor();
    // This school cannot open the other school's report.
    await page.goto(`/announcements/${announcementId}`);
    await page.getByRole("alert").filter({ hasText: "no announcement" }).waitFor();
  });
});
