// The email settings wizard in Debian's Chromium against a real `postbag serve`: for "Other"
// against a real SMTP server (STARTTLS, password) and Dovecot (IMAP), with Next refused until the
// test passes, the daily-limit helper, and Finish making the account live, after which a message
// is delivered through it; and Connect for Microsoft 365 against a real authorization server
// (oidc-provider on loopback): consent, return, the token stored, XOAUTH2 to the SMTP server.
// axe-core on every window.

import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_ADDRESS, type AccountServer, startAccountServer } from "../sending/account-servers.js";
import {
  type ConsoleRig,
  chromiumAvailable,
  DESKTOP,
  expectAccessible,
  PHONE,
  startConsoleRig,
} from "../support/browser.js";
import { type Dovecot, dovecotMissing, startDovecot } from "../support/dovecot.js";
import { type OidcServer, startOidcProvider } from "../support/oidc-provider.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { makeCert, type TestCert } from "../support/test-cert.js";
import { acceptedInvitation, callApi, signInToOverview } from "./support.js";

const SMTP_PASSWORD = "smtp-Passw0rd-for-the-practice";
const missing = dovecotMissing();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe.skipIf(!chromiumAvailable() || missing !== null)("the email settings wizard", () => {
  let cert: TestCert;
  let rig: ConsoleRig;
  let relay: TestSmtpServer;
  let account: AccountServer;
  let oidc: OidcServer;
  let dovecot: Dovecot;
  let operatorKey: string;
  let ip = 10;

  const call = <T>(method: string, path: string, key: string | undefined, body?: unknown) =>
    callApi<T>(rig.url, method, path, key, body);

  /** A school with an administrator who can sign in; its administrator and system keys. */
  async function newSchool(name: string, email: string) {
    const tenant = await call<{ id: string }>("POST", "/v1/operator/tenants", operatorKey, {
      name,
      timezone: "Europe/London",
    });
    expect(tenant.status).toBe(201);
    const key = async (role: string) =>
      (
        await call<{ key: string }>("POST", `/v1/operator/tenants/${tenant.body.id}/keys`, operatorKey, {
          role,
          name: role,
        })
      ).body.key;
    const adminKey = await key("administrator");
    const systemKey = await key("system");
    await acceptedInvitation(rig.url, adminKey, email, "administrator", "Office Manager");
    return { id: tenant.body.id, adminKey, systemKey };
  }

  /** A browser page; `ignoreHTTPSErrors` for the authorization server's self-signed certificate. */
  async function newPage(viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
    const context = await rig.browser.newContext({
      viewport,
      baseURL: rig.url,
      timezoneId: "Europe/London",
      reducedMotion: "reduce",
      ignoreHTTPSErrors: true,
      extraHTTPHeaders: { "x-forwarded-for": `198.51.100.${ip++}` },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  async function signInAndOpen(page: Page, email: string): Promise<void> {
    await signInToOverview(page, email);
    const burger = page.getByRole("button", { name: "Menu" });
    if (await burger.isVisible()) await burger.click();
    await page.getByRole("link", { name: "Email settings", exact: true }).click();
    await page.getByRole("heading", { name: "Email settings", level: 1 }).waitFor();
  }

  const nextButton = (page: Page) => page.getByRole("button", { name: "Next", exact: true });

  beforeAll(async () => {
    cert = makeCert();
    relay = await startTestSmtpServer();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    oidc = await startOidcProvider(cert, { redirectUris: [`${url}/v1/account/oauth/callback`] });
    account = await startAccountServer(cert, {
      security: "starttls",
      user: ACCOUNT_ADDRESS,
      password: SMTP_PASSWORD,
      checkToken: async (user, token) => (await oidc.accountOf(token)) === user,
    });
    dovecot = await startDovecot({ users: [{ user: "office", pass: "imap-Passw0rd-for-the-practice" }] });
    const caFile = join(cert.certFile, "..", "trusted.pem");
    await writeFile(caFile, cert.cert + dovecot.cert);
    rig = await startConsoleRig({
      POSTBAG_HTTP_PORT: String(port),
      POSTBAG_PUBLIC_URL: url,
      POSTBAG_RELAY_URL: `smtp://${relay.host}:${relay.port}`,
      POSTBAG_OUTBOUND_ALLOW: "127.0.0.1/32,::1/128",
      POSTBAG_EXTRA_CA_FILE: caFile,
      POSTBAG_SMTP_TIMEOUT_MS: "10000",
      POSTBAG_OAUTH_MICROSOFT_CLIENT_ID: oidc.clientId,
      POSTBAG_OAUTH_MICROSOFT_CLIENT_SECRET: oidc.clientSecret,
      POSTBAG_OAUTH_MICROSOFT_AUTHORIZE_URL: oidc.authorizeUrl,
      POSTBAG_OAUTH_MICROSOFT_TOKEN_URL: oidc.tokenUrl,
    });
    operatorKey = rig.serve.operatorKey ?? "";
  }, 240_000);

  afterAll(async () => {
    await rig?.close();
    await Promise.all([account?.close(), oidc?.close(), relay?.close(), dovecot?.stop()]);
    cert?.remove();
  });

  it("Other: Next waits for a passed test, the daily-limit helper sets the delay, Finish makes it live and mail goes through it", async () => {
    const school = await newSchool("Riverside Dental", "office@riverside.test");
    const page = await newPage();
    await signInAndOpen(page, "office@riverside.test");

    // On the built-in service: its sender, and how to switch.
    await page.getByTestId("builtin-sender").waitFor();
    expect(await page.getByTestId("builtin-sender").textContent()).toMatch(/^noreply@/);
    await expectAccessible(page, "Email settings: built-in service");

    await page.getByRole("radio", { name: "The school's own email account" }).check();
    await page.getByLabel("Practice email address").fill(ACCOUNT_ADDRESS);
    await page.getByLabel("Name shown to recipients").fill("Riverside Dental");
    await page.getByLabel("Email provider", { exact: true }).first().click();
    await page.getByRole("option", { name: "Other" }).click();
    await page.getByLabel("Outgoing server").fill("127.0.0.1");
    await page.getByLabel("Outgoing port").fill(String(account.port));
    await page.getByLabel("Outgoing user name").fill(ACCOUNT_ADDRESS);
    await page.getByLabel("Outgoing password").fill("a-wrong-password");
    await page.getByRole("radio", { name: "IMAP" }).check();
    await page.getByLabel("Incoming server").fill("127.0.0.1");
    await page.getByLabel("Incoming port").fill(String(dovecot.imapPort));
    await page.getByLabel("Incoming user name").fill("office");
    await page.getByLabel("Incoming password").fill("imap-Passw0rd-for-the-practice");
    expect(await nextButton(page).isDisabled()).toBe(true);

    // A failing test: the step and the server's own words; Next stays disabled.
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("The test failed.").waitFor();
    await page.getByText(/535.*Authentication credentials invalid/).waitFor();
    expect(await nextButton(page).isDisabled()).toBe(true);
    await expectAccessible(page, "Account Details: failed test");

    await page.getByLabel("Outgoing password").fill(SMTP_PASSWORD);
    expect(await nextButton(page).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("The connection works").waitFor();
    const table = page.getByTestId("test-result");
    for (const step of ["dns", "connect", "tls", "auth", "send", "login", "mailbox"]) {
      await table.getByRole("cell", { name: step, exact: true }).first().waitFor();
    }
    expect(await nextButton(page).isEnabled()).toBe(true);
    await expectAccessible(page, "Account Details: passed test");
    // Changing a tested value disables Next again until it is tested.
    await page.getByLabel("Outgoing port").fill("2");
    expect(await nextButton(page).isDisabled()).toBe(true);
    await page.getByLabel("Outgoing port").fill(String(account.port));
    expect(await nextButton(page).isEnabled()).toBe(true);
    await nextButton(page).click();

    // Scheduled Send and Receive, with the seed's helper: 500 a day over 8 hours -> 1 a minute.
    await page.getByText("Work out the delay from your provider's daily limit").waitFor();
    expect(await page.getByTestId("helper-result").textContent()).toMatch(/about 1 a minute.*58 seconds/);
    await page.getByLabel("Daily limit (emails)").fill("1000");
    expect(await page.getByTestId("helper-result").textContent()).toMatch(/about 2 a minute.*29 seconds/);
    // Sending at any hour (so this test does not depend on the time of day): 24 hours.
    await page.getByLabel("Daily limit (emails)").fill("500");
    await page.getByLabel("Sending hours a day").fill("24");
    expect(await page.getByTestId("helper-result").textContent()).toMatch(/less than 1 a minute.*173 seconds/);
    await page.getByRole("button", { name: "Use 173 seconds" }).click();
    expect(await page.getByLabel("Delay between sending each email (seconds)").inputValue()).toBe("173");
    await expectAccessible(page, "Scheduled Send and Receive");
    // Mailbox checking every 10 minutes, only within checking hours.
    await page.getByLabel("Minutes between checks").fill("10");
    await page.getByRole("switch", { name: "Check only within these hours" }).check();
    await page.getByLabel("Checking from").fill("07:30");
    await page.getByLabel("Checking until").fill("18:00");
    await nextButton(page).click();

    // Attachments and Signatures.
    await page.getByText("There can only be one email signature per school").waitFor();
    await page.getByRole("switch", { name: "People may open attachments of email the school receives" }).uncheck();
    await page.getByRole("switch", { name: "Add the signature to every email" }).check();
    await page.getByRole("textbox", { name: "Signature text" }).fill("Riverside Dental, 1 High Street");
    await expectAccessible(page, "Attachments and Signatures");
    // Nothing is live until Finish.
    const before = await call<{ mode: string }>("GET", "/v1/account", school.adminKey);
    expect(before.body.mode).toBe("builtin");
    await page.getByRole("button", { name: "Finish", exact: true }).click();
    await page.getByText("The email settings are saved and in use.").waitFor();

    const liveNow = await call<{
      mode: string;
      schedule: { delaySeconds: number; dailyLimit: number; window: unknown };
      receive: { protocol: string; schedule: { mode: string; minutes: number; window: unknown } };
      openReceivedAttachments: boolean;
      signature: { enabled: boolean; html: string };
    }>("GET", "/v1/account", school.adminKey);
    expect(liveNow.body).toMatchObject({
      mode: "own_account",
      schedule: { delaySeconds: 173, dailyLimit: 500, window: null },
      receive: { protocol: "imap", schedule: { mode: "every", minutes: 10, window: { start: "07:30", end: "18:00" } } },
      openReceivedAttachments: false,
      signature: { enabled: true },
    });
    expect(liveNow.body.signature.html).toContain("Riverside Dental, 1 High Street");

    // Now the mailbox is read: Reset Mailbox Counter is offered, explained, and asks first.
    await page.getByText("Postbag remembers how far it has read your mailbox.").waitFor();
    await expectAccessible(page, "Account Details: live account with Reset Mailbox Counter");
    await page.getByRole("button", { name: "Reset Mailbox Counter" }).click();
    await page.getByRole("dialog", { name: "Reset the mailbox counter?" }).waitFor();
    await page.getByRole("button", { name: "Reset", exact: true }).click();
    await page.getByText("Mailbox counter reset").waitFor();

    // A message now goes out through the school's own account, not the relay.
    const sent = await call<{ id: string }>("POST", "/v1/messages", school.systemKey, {
      to: ["parent@example.com"],
      subject: "Appointment reminder",
      text: "See you on Monday.",
      category: "alert",
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const [delivered] = await account.waitForMessages(1);
    expect(delivered?.mailFrom).toBe(ACCOUNT_ADDRESS);
    expect(delivered?.rcptTo).toEqual(["parent@example.com"]);
    expect(delivered?.secure).toBe(true);
    expect(delivered?.raw.toString("utf8")).toContain("Riverside Dental, 1 High Street");
  });

  it("Microsoft 365: Connect, consent at the provider, back to the wizard, then XOAUTH2 with the stored token", async () => {
    await newSchool("Hilltop Surgery", "office@hilltop.test");
    const page = await newPage(PHONE);
    await signInAndOpen(page, "office@hilltop.test");
    await page.getByRole("radio", { name: "The school's own email account" }).check();
    await page.getByLabel("Practice email address").fill(ACCOUNT_ADDRESS);
    await page.getByLabel("Email provider", { exact: true }).first().click();
    await page.getByRole("option", { name: "Microsoft 365" }).click();
    expect(await page.getByLabel("Outgoing server").inputValue()).toBe("smtp.office365.com");
    expect(await page.getByLabel("Outgoing port").inputValue()).toBe("587");
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "Account Details: Microsoft 365 (375 px)");
    // The test SMTP server stands in for smtp.office365.com.
    await page.getByLabel("Outgoing server").fill("127.0.0.1");
    await page.getByLabel("Outgoing port").fill(String(account.port));

    await page.getByRole("button", { name: "Connect to Microsoft 365" }).click();
    // The provider's own sign-in and consent pages.
    await page.waitForURL((u) => u.origin === oidc.issuer);
    await page.locator('input[name="login"]').fill(ACCOUNT_ADDRESS);
    await page.locator('input[name="password"]').fill("any");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    // Back in the wizard, connected.
    await page.waitForURL((u) => u.pathname === "/email-settings");
    await page.getByText("Connected: Postbag signs in to Microsoft 365 as").waitFor();
    expect(oidc.tokenRequests.map((r) => r.grantType)).toContain("authorization_code");
    expect(await nextButton(page).isDisabled()).toBe(true);
    await expectAccessible(page, "Account Details: connected (375 px)");

    const logins = account.auths.length;
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("The connection works").waitFor();
    const login = account.auths.slice(logins).find((a) => a.method === "XOAUTH2");
    expect(login).toMatchObject({ user: ACCOUNT_ADDRESS, ok: true, secure: true });
    expect(await oidc.accountOf(login?.token ?? "")).toBe(ACCOUNT_ADDRESS);
    expect(await nextButton(page).isEnabled()).toBe(true);
  });
});
