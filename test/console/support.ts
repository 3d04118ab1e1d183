import type { LightMyRequestResponse } from "fastify";
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
