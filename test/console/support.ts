import type { LightMyRequestResponse } from "fastify";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { POSTBAG_TENANT_ID } from "../../src/tenants/tenants.js";
import { json, type TestApp } from "../support/test-app.js";

/** A strong password for tests (zxcvbn score 4). */
export const GOOD_PASSWORD = "zebra-lantern-quietly-47";

export interface Session {
  person: { id: string; email: string; name: string };
  operator: boolean;
  memberships: { tenantId: string; tenantName: string; role: string; timezone: string }[];
  activeTenantId: string | null;
  csrfToken: string;
  expiresAt: string;
}

/** A signed-in browser: the cookie and the CSRF token. */
export interface Browser {
  readonly cookie: string;
  readonly session: Session;
  /** Headers for a change: the cookie and the CSRF token. */
  readonly change: { cookie: string; "x-csrf-token": string };
  readonly read: { cookie: string };
}

export function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers["set-cookie"];
  const line = (Array.isArray(header) ? header : [header ?? ""]).find((c) => c.startsWith("postbag_session="));
  expect(line, `no session cookie in ${JSON.stringify(header)}`).toBeDefined();
  return (line ?? "").split(";")[0] ?? "";
}

export function browserFrom(res: LightMyRequestResponse): Browser {
  expect(res.statusCode, res.body).toBe(200);
  const cookie = cookieOf(res);
  const session = json<Session>(res);
  return { cookie, session, change: { cookie, "x-csrf-token": session.csrfToken }, read: { cookie } };
}

/** The token of the newest link Postbag mailed to `email` (its own mail, read from the database). */
export async function mailedToken(t: TestApp, email: string, page: string): Promise<string> {
  const rows = await t.db
    .selectFrom("messages")
    .innerJoin("recipients", "recipients.message_id", "messages.id")
    .select(["messages.text_body", "messages.tenant_id"])
    .where("recipients.email", "=", email)
    .where("messages.category", "=", "notice")
    .orderBy("messages.id", "desc")
    .execute();
  const row = rows.find((r) => r.text_body?.includes(`${page}#token=`));
  expect(row, `no mail with ${page} to ${email}`).toBeDefined();
  expect(row?.tenant_id).toBe(POSTBAG_TENANT_ID);
  const match = new RegExp(`${page.replace(/\//g, "\\/")}#token=([A-Za-z0-9_-]+)`).exec(row?.text_body ?? "");
  return match?.[1] ?? "";
}

/** Invites `email` to the tenant with an administrator key and accepts: a signed-in browser. */
export async function inviteAndAccept(
  t: TestApp,
  adminAuth: { authorization: string },
  email: string,
  role: "administrator" | "staff",
  name = "Ms Example",
): Promise<Browser> {
  const invited = await t.inject({
    method: "POST",
    url: "/v1/people/invitations",
    headers: adminAuth,
    payload: { email, name, role },
  });
  expect(invited.statusCode, invited.body).toBe(201);
  const token = /#token=(.+)$/.exec(json<{ invitationUrl: string }>(invited).invitationUrl)?.[1] ?? "";
  const accepted = await t.inject({
    method: "POST",
    url: "/v1/invitations/accept",
    payload: { token, name, password: GOOD_PASSWORD },
  });
  return browserFrom(accepted);
}

/** An answer from Postbag's API over HTTP: the status and the parsed JSON body. */
export interface ApiReply<T> {
  status: number;
  body: T;
}

/** Calls a running Postbag's API over HTTP (a browser test's set-up), `key` as the bearer token. */
export async function callApi<T>(
  baseUrl: string,
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<ApiReply<T>> {
  const res = await fetch(`${baseUrl}${path}`, {
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

/**
 * Invites `email` with the administrator `key` and accepts the invitation, both over HTTP: the
 * person can then sign in with GOOD_PASSWORD.
 */
export async function acceptedInvitation(
  baseUrl: string,
  key: string,
  email: string,
  role: "administrator" | "staff",
  name: string,
): Promise<void> {
  const invited = await callApi<{ invitationUrl: string }>(baseUrl, "POST", "/v1/people/invitations", key, {
    email,
    role,
    name,
  });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  const token = /#token=(.+)$/.exec(invited.body.invitationUrl)?.[1];
  const accepted = await callApi(baseUrl, "POST", "/v1/invitations/accept", undefined, {
    token,
    name,
    password: GOOD_PASSWORD,
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
}

/** Fills in the Sign in screen and submits it (the caller waits for what should follow). */
export async function signIn(page: Page, email: string, password = GOOD_PASSWORD): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("textbox", { name: "Password" }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Signs in and waits for the Overview, where a school's person lands. */
export async function signInToOverview(page: Page, email: string): Promise<void> {
  await signIn(page, email);
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
}

/** Opens a screen from the navigation (through the Menu button on a phone) and waits for its heading. */
export async function openScreen(page: Page, name: string): Promise<void> {
  const burger = page.getByRole("button", { name: "Menu" });
  if (await burger.isVisible()) await burger.click();
  await page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { name, level: 1 }).waitFor();
}

/** The path and fragment of a full URL (an invitation's, say). */
export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.hash}`;
}
