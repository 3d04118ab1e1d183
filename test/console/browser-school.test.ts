// A school's people in the console, in Debian's Chromium against a real `postbag serve` on
// SQLite in sandbox mode: invitations, both ways of signing in, limits, buying credit, roles,
// switching schools, signing out everywhere, API keys and suppressions. axe-core runs on every
// screen visited. Each test has its own people (and its own client address for the limits).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type ConsoleRig,
  chromiumAvailable,
  DESKTOP,
  expectAccessible,
  PHONE,
  startConsoleRig,
} from "../support/browser.js";
import { callApi, GOOD_PASSWORD, openScreen, pathOf, signIn } from "./support.js";

const ATTEMPTS = 4;

interface School {
  id: string;
  name: string;
  adminKey: string;
}

describe.skipIf(!chromiumAvailable())("the console for a school", () => {
  let rig: ConsoleRig;
  let operatorKey: string;
  let hillside: School;
  let oakwood: School;
  let packageId: string;
  let ip = 10;
  const clientIp = () => `198.51.100.${ip++}`;

  const call = <T>(method: string, path: string, key: string | undefined, body?: unknown) =>
    callApi<T>(rig.url, method, path, key, body);

  async function newSchool(name: string): Promise<School> {
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
    return { id: tenant.body.id, name, adminKey: key.body.key };
  }

  /** Invites by API (as the school's administrator key) and returns the invitation's path. */
  async function invite(school: School, email: string, role: "administrator" | "staff"): Promise<string> {
    const res = await call<{ invitationUrl: string }>("POST", "/v1/people/invitations", school.adminKey, {
      email,
      role,
      name: email.split("@")[0],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return pathOf(res.body.invitationUrl);
  }

  /** A person who accepted an invitation (through the API) and can sign in with GOOD_PASSWORD. */
  async function member(school: School, email: string, role: "administrator" | "staff"): Promise<void> {
    const path = await invite(school, email, role);
    const token = /#token=(.+)$/.exec(path)?.[1];
    const res = await call("POST", "/v1/invitations/accept", undefined, {
      token,
      name: `Ms ${role}`,
      password: GOOD_PASSWORD,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  /** Sends one message as the school's own software and waits until the sandbox has taken it. */
  async function sendOne(school: School): Promise<void> {
    const key = await call<{ key: string }>("POST", `/v1/operator/tenants/${school.id}/keys`, operatorKey, {
      role: "system",
      name: "MIS",
    });
    expect(key.status).toBe(201);
    const sent = await call<{ id: string }>("POST", "/v1/messages", key.body.key, {
      to: ["parent@example.com"],
      subject: "Trip letter",
      text: "Please return the slip.",
      category: "alert",
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const db = new Sqlite(join(rig.dataDir, "postbag.db"), { readonly: true, fileMustExist: true });
    try {
      const done = db.prepare("SELECT count(*) AS n FROM recipients WHERE message_id = ? AND sent_at IS NOT NULL");
      await vi.waitFor(() => expect((done.get(sent.body.id) as { n: number }).n).toBe(1), { timeout: 15_000 });
    } finally {
      db.close();
    }
  }

  /** The token of the newest link Postbag mailed to `email` (its own mail, captured in sandbox mode). */
  function mailedToken(email: string, page: string): string {
    const db = new Sqlite(join(rig.dataDir, "postbag.db"), { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare(
          `SELECT m.text_body AS text FROM messages m JOIN recipients r ON r.message_id = m.id
           WHERE r.email = ? AND m.category = 'notice' ORDER BY m.id DESC`,
        )
        .all(email) as { text: string | null }[];
      const text = rows.map((r) => r.text ?? "").find((t) => t.includes(`${page}#token=`)) ?? "";
      const token = new RegExp(`${page.replace(/\//g, "\\/")}#token=([A-Za-z0-9_-]+)`).exec(text)?.[1];
      expect(token, `no ${page} link mailed to ${email}`).toBeTruthy();
      return token ?? "";
    } finally {
      db.close();
    }
  }

  async function onOverview(page: Page): Promise<void> {
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page.getByTestId("available").waitFor();
    await page.getByTestId("week-table").waitFor();
    // The chart arrives after the numbers; accessibility checks must see it too.
    await page.getByTestId("week-chart-loading").waitFor({ state: "detached" });
  }

  beforeAll(async () => {
    rig = await startConsoleRig({ POSTBAG_SIGN_IN_ATTEMPTS: String(ATTEMPTS) });
    operatorKey = rig.serve.operatorKey ?? "";
    expect(operatorKey).toMatch(/^pb_/);
    hillside = await newSchool("Hillside Primary");
    oakwood = await newSchool("Oakwood Academy");
    const pkg = await call<{ id: string }>("POST", "/v1/operator/packages", operatorKey, {
      name: "10,000 emails",
      credits: 10_000,
      price: { amount: 250, currency: "GBP" },
    });
    expect(pkg.status, JSON.stringify(pkg.body)).toBe(201);
    packageId = pkg.body.id;
  }, 240_000);

  afterAll(async () => {
    await rig?.close();
  });

  it("an invitation leads to the first sign-in, on a phone", async () => {
    const path = await invite(hillside, "head@hillside.test", "administrator");
    const { page } = await rig.newPage(PHONE, clientIp());
    await page.goto(path);
    await page.getByText("head@hillside.test is invited to Hillside Primary as an administrator").waitFor();
    await expectAccessible(page, "Accept invitation");
    await page.getByLabel("Your name").fill("Jo Head");
    await page.getByLabel("New password").fill("short");
    await page.getByRole("button", { name: "Accept and sign in" }).click();
    // The browser refuses a password under 12 characters before asking the API.
    expect(
      await page.getByLabel("New password").evaluate((el) => (el as { validity: { valid: boolean } }).validity.valid),
    ).toBe(false);
    await page.getByLabel("New password").fill(GOOD_PASSWORD);
    await page.getByRole("button", { name: "Accept and sign in" }).click();
    await onOverview(page);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "Overview (375 px)");
    // The invitation was spent.
    await page.goto(path);
    await page.getByText("This invitation cannot be used").waitFor();
  });

  it("signs in with a password, and with a mailed link whose GET alone signs nobody in", async () => {
    await member(hillside, "deputy@hillside.test", "administrator");
    // Mail sent this week, so the Overview draws its chart.
    await sendOne(hillside);
    const { page } = await rig.newPage(DESKTOP, clientIp());
    await signIn(page, "deputy@hillside.test");
    await onOverview(page);
    expect(await page.getByTestId("week-chart").count()).toBe(1);
    await expectAccessible(page, "Overview (desktop), with its chart");

    const other = await rig.newPage(DESKTOP, clientIp());
    await other.page.goto("/sign-in");
    await other.page.getByLabel("Email address").fill("deputy@hillside.test");
    await other.page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await other.page.getByText("Check your email").waitFor();
    const token = mailedToken("deputy@hillside.test", "/sign-in/link");
    await other.page.goto(`/sign-in/link#token=${token}`);
    await other.page.getByRole("button", { name: "Sign in" }).waitFor();
    await expectAccessible(other.page, "Sign-in link");
    expect((await other.page.request.get("/v1/session")).status()).toBe(401);
    await other.page.getByRole("button", { name: "Sign in" }).click();
    await onOverview(other.page);
    expect((await other.page.request.get("/v1/session")).status()).toBe(200);
  });

  it("wrong passwords are limited, while the sign-in link still works", async () => {
    await member(hillside, "bursar@hillside.test", "staff");
    const { page } = await rig.newPage(DESKTOP, clientIp());
    for (let i = 0; i < ATTEMPTS; i++) {
      await signIn(page, "bursar@hillside.test", `wrong-password-${i}-xyz`);
      await page
        .getByRole("alert")
        .filter({ hasText: /not right|invalid|wrong|incorrect/i })
        .waitFor();
    }
    await signIn(page, "bursar@hillside.test");
    await page.getByRole("alert").filter({ hasText: "Too many attempts" }).waitFor();
    await expectAccessible(page, "Sign in, limited");

    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.getByText("Check your email").waitFor();
    await page.goto(`/sign-in/link#token=${mailedToken("bursar@hillside.test", "/sign-in/link")}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await onOverview(page);
  });

  it("staff see the packages and the credit but cannot buy, and see only their screens", async () => {
    await member(hillside, "office@hillside.test", "staff");
    const { page } = await rig.newPage(PHONE, clientIp());
    await signIn(page, "office@hillside.test");
    await onOverview(page);
    await page.getByText("10,000 emails").first().waitFor();
    await page.getByText("Only administrators can buy packages.").waitFor();
    expect(await page.getByRole("button", { name: /^Buy/ }).count()).toBe(0);
    await page.getByRole("button", { name: "Menu" }).click();
    const links = await page.getByRole("navigation").getByRole("link").allTextContents();
    expect(links).toEqual([
      "Overview",
      "Announcements",
      "New announcement",
      "Messages",
      "Inbox",
      "Contacts",
      "Students",
      "Suppressions",
    ]);
    await expectAccessible(page, "Overview, staff, navigation open");
    // The API agrees.
    const bought = await page.request.post(`/v1/packages/${packageId}/purchase`, {
      headers: { "x-csrf-token": await csrfOf(page) },
    });
    expect(bought.status()).toBe(403);
  });

  async function csrfOf(page: Page): Promise<string> {
    return ((await (await page.request.get("/v1/session")).json()) as { csrfToken: string }).csrfToken;
  }

  it("an administrator buys a package and sees the balance change", async () => {
    await member(hillside, "admin2@hillside.test", "administrator");
    const { page } = await rig.newPage(DESKTOP, clientIp());
    await signIn(page, "admin2@hillside.test");
    await onOverview(page);
    const before = Number((await page.getByTestId("package-balance").textContent())?.replace(/\D/g, ""));
    await page.getByText("£250.00").waitFor();
    await page.getByRole("button", { name: "Buy 10,000 emails" }).click();
    await page.getByRole("dialog").waitFor();
    await expectAccessible(page, "Buy dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Buy 10,000 emails" }).click();
    await expect
      .poll(async () => Number((await page.getByTestId("package-balance").textContent())?.replace(/\D/g, "")))
      .toBe(before + 10_000);
  });

  it("refuses a cross-site form post made with the person's cookie", async () => {
    await member(hillside, "victim@hillside.test", "administrator");
    const { page } = await rig.newPage(DESKTOP, clientIp());
    await signIn(page, "victim@hillside.test");
    await onOverview(page);
    const before = await call<{ packageBalance: number }>("GET", "/v1/credits", hillside.adminKey);
    // Another site (a different origin) whose page posts a form to Postbag.
    const evil: Server = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<!doctype html><title>evil</title><form method="post" enctype="text/plain"
        action="${rig.url}/v1/packages/${packageId}/purchase"><input name='{"a":"' value='b"}'></form>
        <script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, "localhost", resolve));
    try {
      const answer = page.waitForResponse((r) => r.url().includes("/purchase"));
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      const res = await answer;
      expect([401, 403, 415]).toContain(res.status());
    } finally {
      evil.close();
    }
    const after = await call<{ packageBalance: number }>("GET", "/v1/credits", hillside.adminKey);
    expect(after.body.packageBalance).toBe(before.body.packageBalance);
    // And a same-origin request without the CSRF token is refused with 403 csrf_failed.
    await page.goto("/");
    const noToken = await page.request.post(`/v1/packages/${packageId}/purchase`);
    expect(noToken.status()).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe("csrf_failed");
  });

  it("a person in two schools switches between them", async () => {
    await member(hillside, "trust@schools.test", "administrator");
    await member(oakwood, "trust@schools.test", "staff");
    const { page } = await rig.newPage(DESKTOP, clientIp());
    await signIn(page, "trust@schools.test");
    await onOverview(page);
    const school = page.getByLabel("School", { exact: true }).first();
    expect(await school.inputValue()).toBe("Hillside Primary");
    expect(await page.getByRole("link", { name: "People" }).count()).toBe(1);
    await school.click();
    await page.getByRole("option", { name: "Oakwood Academy" }).click();
    await expect.poll(() => school.inputValue()).toBe("Oakwood Academy");
    await onOverview(page);
    // Staff at Oakwood: no administrator screens.
    expect(await page.getByRole("link", { name: "People" }).count()).toBe(0);
    await expectAccessible(page, "Overview after switching");
    const session = (await (await page.request.get("/v1/session")).json()) as { activeTenantId: string };
    expect(session.activeTenantId).toBe(oakwood.id);
  });

  it("signs out everywhere", async () => {
    await member(hillside, "twice@hillside.test", "staff");
    const first = await rig.newPage(DESKTOP, clientIp());
    const second = await rig.newPage(PHONE, clientIp());
    await signIn(first.page, "twice@hillside.test");
    await onOverview(first.page);
    await signIn(second.page, "twice@hillside.test");
    await onOverview(second.page);
    await first.page.getByRole("button", { name: /^Account/ }).click();
    await first.page.getByRole("menuitem", { name: "Sign out everywhere" }).click();
    await first.page.waitForURL(/\/sign-in$/);
    await second.page.reload();
    await second.page.waitForURL(/\/sign-in$/);
    expect((await second.page.request.get("/v1/session")).status()).toBe(401);
  });

  it("an API key created in the console works until it is revoked", async () => {
    await member(hillside, "it@hillside.test", "administrator");
    const { page } = await rig.newPage(DESKTOP, clientIp());
    await signIn(page, "it@hillside.test");
    await onOverview(page);
    await openScreen(page, "API keys");
    await expectAccessible(page, "API keys");
    await page.getByLabel("Name").fill("MIS link");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = await page.getByTestId("new-key").inputValue();
    expect(key).toMatch(/^pb_/);
    await expectAccessible(page, "API keys, new key shown");
    expect((await call("GET", "/v1/credits", key)).status).toBe(200);
    await page.getByRole("button", { name: "Revoke MIS link" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
    await page
      .getByRole("row", { name: /MIS link/ })
      .getByText("Revoked")
      .waitFor();
    expect((await call("GET", "/v1/credits", key)).status).toBe(401);
  });

  it("a suppression reset is audited with the person's name", async () => {
    const db = new Sqlite(join(rig.dataDir, "postbag.db"));
    try {
      db.prepare(
        "INSERT INTO suppressions (tenant_id, email, reason, detail, recipient_id, created_at) VALUES (?, ?, ?, ?, NULL, ?)",
      ).run(hillside.id, "parent.bounced@example.test", "hard_bounce", "550 5.1.1 no such user", Date.now());
    } finally {
      db.close();
    }
    await member(hillside, "dsl@hillside.test", "administrator");
    const { page } = await rig.newPage(PHONE, clientIp());
    await signIn(page, "dsl@hillside.test");
    await onOverview(page);
    await openScreen(page, "Suppressions");
    await page.getByLabel("Search").fill("parent.bounced");
    await page.getByRole("button", { name: "Reset parent.bounced@example.test" }).click();
    await expectAccessible(page, "Suppressions, resetting");
    await page.getByLabel(/Why may parent.bounced@example.test be mailed again/).fill("Parent fixed the mailbox");
    await page.getByRole("button", { name: "Reset suppression" }).click();
    await page.getByText("No suppressed address matches.").waitFor();
    await openScreen(page, "Audit");
    const row = page.getByTestId("audit-table").getByRole("row", { name: /parent\.bounced@example\.test/ });
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain("Ms administrator");
    await expectAccessible(page, "Audit");
    for (const screen of ["People", "Configurations"]) {
      await openScreen(page, screen);
      await page
        .getByRole("table")
        .or(page.getByRole("button", { name: "Save recipients" }))
        .first()
        .waitFor();
      await expectAccessible(page, screen);
    }
  });
});
