import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";
import { browserFrom, GOOD_PASSWORD, inviteAndAccept, mailedToken, type Session } from "./support.js";

describe.each(dialects)("the session cookie behind https [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect, { env: { POSTBAG_PUBLIC_URL: "https://mail.school.example" } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("is Secure when the public URL is https, and the links point there", async () => {
    const tenant = await t.newTenant();
    const invited = await t.inject({
      method: "POST",
      url: "/v1/people/invitations",
      headers: tenant.auth("administrator"),
      payload: { email: "tls@oak.example", role: "staff" },
    });
    const url = json<{ invitationUrl: string }>(invited).invitationUrl;
    expect(url.startsWith("https://mail.school.example/invitation#token=")).toBe(true);
    const accepted = await t.inject({
      method: "POST",
      url: "/v1/invitations/accept",
      payload: { token: url.split("#token=")[1], name: "Tls", password: GOOD_PASSWORD },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(String(accepted.headers["set-cookie"])).toMatch(/; Secure/);
    expect(String(accepted.headers["set-cookie"])).toMatch(/HttpOnly/);
  });
});

describe.each(dialects)("sign-in and sessions [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect, { env: { POSTBAG_SIGN_IN_ATTEMPTS: "3" } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const code = (res: { body: string }) => json<ErrorReply>(res as never).error.code;

  it("an invitation is read without spending it, accepted once, and signs the person in", async () => {
    const tenant = await t.newTenant("Oak Hill");
    const invited = await t.inject({
      method: "POST",
      url: "/v1/people/invitations",
      headers: tenant.auth("administrator"),
      payload: { email: "Head@Oak.example", name: "Ms Head", role: "administrator" },
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const { invitationUrl } = json<{ invitationUrl: string; expiresAt: string }>(invited);
    expect(invitationUrl).toMatch(/^http:\/\/postbag\.test\/invitation#token=[A-Za-z0-9_-]{43}$/);
    const token = invitationUrl.split("#token=")[1] ?? "";
    expect(await mailedToken(t, "Head@oak.example", "/invitation")).toBe(token);

    for (let i = 0; i < 2; i++) {
      const peek = await t.inject({ method: "GET", url: `/v1/invitations/${token}` });
      expect(peek.statusCode, peek.body).toBe(200);
      expect(json(peek)).toEqual({
        email: "Head@oak.example",
        name: "Ms Head",
        tenantName: "Oak Hill",
        role: "administrator",
        operator: false,
      });
    }
    const weak = await t.inject({
      method: "POST",
      url: "/v1/invitations/accept",
      payload: { token, name: "Ms Head", password: "password1234" },
    });
    expect(weak.statusCode).toBe(400);
    expect(code(weak)).toBe("weak_password");
    expect(json<ErrorReply>(weak).error.message).toMatch(/too easy to guess/);
    const short = await t.inject({
      method: "POST",
      url: "/v1/invitations/accept",
      payload: { token, name: "Ms Head", password: "x7#Qk" },
    });
    expect(json<ErrorReply>(short).error.message).toMatch(/at least 12 characters/);

    const accepted = await t.inject({
      method: "POST",
      url: "/v1/invitations/accept",
      payload: { token, name: "Ms Head", password: GOOD_PASSWORD },
    });
    const browser = browserFrom(accepted);
    const setCookie = String(accepted.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
    expect(browser.session).toMatchObject({
      person: { email: "Head@oak.example", name: "Ms Head" },
      operator: false,
      memberships: [{ tenantId: tenant.id, tenantName: "Oak Hill", role: "administrator", timezone: "Europe/London" }],
      activeTenantId: tenant.id,
    });
    const again = await t.inject({
      method: "POST",
      url: "/v1/invitations/accept",
      payload: { token, name: "Ms Head", password: GOOD_PASSWORD },
    });
    expect(again.statusCode).toBe(400);
    expect(code(again)).toBe("invalid_token");
    expect((await t.inject({ method: "GET", url: `/v1/invitations/${token}` })).statusCode).toBe(400);

    const current = await t.inject({ method: "GET", url: "/v1/session", headers: browser.read });
    expect(json<Session>(current).person.email).toBe("Head@oak.example");
    // The session acts for the school with the person's role.
    const people = await t.inject({ method: "GET", url: "/v1/people", headers: browser.read });
    expect(people.statusCode, people.body).toBe(200);
  });

  it("a cookie-authenticated change without the CSRF token is refused (a cross-site form post)", async () => {
    const tenant = await t.newTenant();
    const browser = await inviteAndAccept(t, tenant.auth("administrator"), "csrf@oak.example", "administrator");
    const form = await t.inject({
      method: "POST",
      url: "/v1/keys",
      headers: {
        cookie: browser.cookie,
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://evil.example",
      },
      payload: "role=administrator",
    });
    expect(form.statusCode).toBe(403);
    expect(code(form)).toBe("csrf_failed");
    const wrong = await t.inject({
      method: "POST",
      url: "/v1/keys",
      headers: { cookie: browser.cookie, "x-csrf-token": "nope" },
      payload: { role: "staff" },
    });
    expect(code(wrong)).toBe("csrf_failed");
    const good = await t.inject({
      method: "POST",
      url: "/v1/keys",
      headers: browser.change,
      payload: { role: "staff" },
    });
    expect(good.statusCode, good.body).toBe(201);
    // Bearer keys need no token.
    const byKey = await t.inject({
      method: "POST",
      url: "/v1/keys",
      headers: tenant.auth("administrator"),
      payload: { role: "staff" },
    });
    expect(byKey.statusCode).toBe(201);
  });

  it("password sign-in: same answer for a wrong password and an unknown address; limited, while the link still works", async () => {
    const tenant = await t.newTenant();
    await inviteAndAccept(t, tenant.auth("administrator"), "limit@oak.example", "staff");
    const ok = await t.inject({
      method: "POST",
      url: "/v1/session",
      payload: { email: "LIMIT@oak.example", password: GOOD_PASSWORD },
      remoteAddress: "10.9.0.1",
    });
    expect(ok.statusCode, ok.body).toBe(200);

    const wrong = await t.inject({
      method: "POST",
      url: "/v1/session",
      payload: { email: "limit@oak.example", password: "wrong password here" },
      remoteAddress: "10.9.0.2",
    });
    const unknown = await t.inject({
      method: "POST",
      url: "/v1/session",
      payload: { email: "nobody@oak.example", password: "wrong password here" },
      remoteAddress: "10.9.0.3",
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(json(wrong)).toEqual(json(unknown));
    expect(code(wrong)).toBe("invalid_credentials");

    // Three wrong tries per address (the test's setting), from different client addresses.
    for (const ip of ["10.9.0.4", "10.9.0.5"]) {
      await t.inject({
        method: "POST",
        url: "/v1/session",
        payload: { email: "limit@oak.example", password: "wrong password here" },
        remoteAddress: ip,
      });
    }
    const limited = await t.inject({
      method: "POST",
      url: "/v1/session",
      payload: { email: "limit@oak.example", password: GOOD_PASSWORD },
      remoteAddress: "10.9.0.6",
    });
    expect(limited.statusCode).toBe(429);
    expect(code(limited)).toBe("rate_limited");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // An unknown address is limited the same way.
    for (let i = 0; i < 3; i++) {
      await t.inject({
        method: "POST",
        url: "/v1/session",
        payload: { email: "ghost@oak.example", password: "wrong password here" },
        remoteAddress: `10.9.1.${i}`,
      });
    }
    const ghost = await t.inject({
      method: "POST",
      url: "/v1/session",
      payload: { email: "ghost@oak.example", password: "wrong password here" },
      remoteAddress: "10.9.1.9",
    });
    expect(ghost.statusCode).toBe(429);

    // The sign-in link still works; its GET (the console page) spends nothing.
    const asked = await t.inject({ method: "POST", url: "/v1/sign-in-links", payload: { email: "limit@oak.example" } });
    expect(asked.statusCode).toBe(202);
    const none = await t.inject({ method: "POST", url: "/v1/sign-in-links", payload: { email: "ghost@oak.example" } });
    expect(none.statusCode).toBe(202);
    const token = await mailedToken(t, "limit@oak.example", "/sign-in/link");
    const redeemed = await t.inject({ method: "POST", url: "/v1/sign-in-links/redeem", payload: { token } });
    expect(browserFrom(redeemed).session.person.email).toBe("limit@oak.example");
    const twice = await t.inject({ method: "POST", url: "/v1/sign-in-links/redeem", payload: { token } });
    expect(code(twice)).toBe("invalid_token");
    const bad = await t.inject({ method: "POST", url: "/v1/sign-in-links/redeem", payload: { token: "x".repeat(43) } });
    expect(code(bad)).toBe("invalid_token");
  });

  it("a sign-in link expires after 15 minutes", async () => {
    const tenant = await t.newTenant();
    await inviteAndAccept(t, tenant.auth("administrator"), "late@oak.example", "staff");
    await t.inject({ method: "POST", url: "/v1/sign-in-links", payload: { email: "late@oak.example" } });
    const token = await mailedToken(t, "late@oak.example", "/sign-in/link");
    (t.clock as import("../../src/time/clock.js").ManualClock).advance(15 * 60_000 + 1);
    const res = await t.inject({ method: "POST", url: "/v1/sign-in-links/redeem", payload: { token } });
    expect(code(res)).toBe("invalid_token");
  });

  it("password reset, change of password, sign out and sign out everywhere", async () => {
    const tenant = await t.newTenant();
    const first = await inviteAndAccept(t, tenant.auth("administrator"), "reset@oak.example", "staff");
    const second = browserFrom(
      await t.inject({
        method: "POST",
        url: "/v1/session",
        payload: { email: "reset@oak.example", password: GOOD_PASSWORD },
      }),
    );
    // A password change ends the person's other sessions at once.
    const weak = await t.inject({
      method: "PUT",
      url: "/v1/me/password",
      headers: first.change,
      payload: { currentPassword: GOOD_PASSWORD, newPassword: "aaaaaaaaaaaaaaaa" },
    });
    expect(code(weak)).toBe("weak_password");
    const wrongCurrent = await t.inject({
      method: "PUT",
      url: "/v1/me/password",
      headers: first.change,
      payload: { currentPassword: "not the password", newPassword: "orchid-tractor-mellow-92" },
    });
    expect(code(wrongCurrent)).toBe("invalid_credentials");
    const changed = await t.inject({
      method: "PUT",
      url: "/v1/me/password",
      headers: first.change,
      payload: { currentPassword: GOOD_PASSWORD, newPassword: "orchid-tractor-mellow-92" },
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await t.inject({ method: "GET", url: "/v1/session", headers: first.read })).statusCode).toBe(200);
    expect((await t.inject({ method: "GET", url: "/v1/session", headers: second.read })).statusCode).toBe(401);

    await t.inject({ method: "POST", url: "/v1/password-resets", payload: { email: "reset@oak.example" } });
    const token = await mailedToken(t, "reset@oak.example", "/reset-password");
    const reset = await t.inject({
      method: "POST",
      url: "/v1/password-resets/redeem",
      payload: { token, password: "copper-giraffe-window-58" },
    });
    const third = browserFrom(reset);
    expect((await t.inject({ method: "GET", url: "/v1/session", headers: first.read })).statusCode).toBe(401);

    const fourth = browserFrom(
      await t.inject({
        method: "POST",
        url: "/v1/session",
        payload: { email: "reset@oak.example", password: "copper-giraffe-window-58" },
      }),
    );
    const out = await t.inject({ method: "DELETE", url: "/v1/session", headers: third.change });
    expect(out.statusCode).toBe(204);
    expect((await t.inject({ method: "GET", url: "/v1/session", headers: third.read })).statusCode).toBe(401);
    expect((await t.inject({ method: "GET", url: "/v1/session", headers: fourth.read })).statusCode).toBe(200);
    const fifth = browserFrom(
      await t.inject({
        method: "POST",
        url: "/v1/session",
        payload: { email: "reset@oak.example", password: "copper-giraffe-window-58" },
      }),
    );
    const everywhere = await t.inject({ method: "DELETE", url: "/v1/sessions", headers: fifth.change });
    expect(everywhere.statusCode).toBe(204);
    for (const b of [fourth, fifth]) {
      expect((await t.inject({ method: "GET", url: "/v1/session", headers: b.read })).statusCode).toBe(401);
    }
  });

  it("sessions end after the idle time and at the absolute expiry", async () => {
    const tenant = await t.newTenant();
    const browser = await inviteAndAccept(t, tenant.auth("administrator"), "idle@oak.example", "staff");
    const clock = t.clock as import("../../src/time/clock.js").ManualClock;
    clock.advance(t.config.sessionIdleMs - 1000);
    expect((await t.inject({ method: "GET", url: "/v1/tenant", headers: browser.read })).statusCode).toBe(200);
    clock.advance(t.config.sessionIdleMs - 1000);
    expect((await t.inject({ method: "GET", url: "/v1/tenant", headers: browser.read })).statusCode).toBe(200);
    clock.advance(t.config.sessionIdleMs + 1);
    const ended = await t.inject({ method: "GET", url: "/v1/tenant", headers: browser.read });
    expect(ended.statusCode).toBe(401);

    // However active, a session ends at its absolute expiry.
    const busy = browserFrom(
      await t.inject({
        method: "POST",
        url: "/v1/session",
        payload: { email: "idle@oak.example", password: GOOD_PASSWORD },
      }),
    );
    const step = t.config.sessionIdleMs / 2;
    let elapsed = 0;
    while (elapsed + step < t.config.sessionMaxMs) {
      clock.advance(step);
      elapsed += step;
      expect((await t.inject({ method: "GET", url: "/v1/session", headers: busy.read })).statusCode).toBe(200);
    }
    clock.advance(t.config.sessionMaxMs - elapsed);
    expect((await t.inject({ method: "GET", url: "/v1/session", headers: busy.read })).statusCode).toBe(401);
  });

  it("a person in two schools switches between them; not into a school they are not in", async () => {
    const oak = await t.newTenant("Oak");
    const elm = await t.newTenant("Elm");
    const other = await t.newTenant("Other");
    const browser = await inviteAndAccept(t, oak.auth("administrator"), "trust@oak.example", "administrator");
    await t.inject({
      method: "POST",
      url: "/v1/people/invitations",
      headers: elm.auth("administrator"),
      payload: { email: "trust@oak.example", role: "staff" },
    });
    const session = json<Session>(await t.inject({ method: "GET", url: "/v1/session", headers: browser.read }));
    expect(session.memberships.map((m) => [m.tenantName, m.role])).toEqual([
      ["Elm", "staff"],
      ["Oak", "administrator"],
    ]);
    const switched = await t.inject({
      method: "PUT",
      url: "/v1/session/tenant",
      headers: browser.change,
      payload: { tenantId: elm.id },
    });
    expect(json<Session>(switched).activeTenantId).toBe(elm.id);
    // Staff at Elm: no people list there.
    expect((await t.inject({ method: "GET", url: "/v1/people", headers: browser.read })).statusCode).toBe(403);
    expect(json<{ id: string }>(await t.inject({ method: "GET", url: "/v1/tenant", headers: browser.read })).id).toBe(
      elm.id,
    );
    const refused = await t.inject({
      method: "PUT",
      url: "/v1/session/tenant",
      headers: browser.change,
      payload: { tenantId: other.id },
    });
    expect(refused.statusCode).toBe(403);
    const junk = await t.inject({
      method: "PUT",
      url: "/v1/session/tenant",
      headers: browser.change,
      payload: { tenantId: "x", extra: 1 },
    });
    expect(junk.statusCode).toBe(400);
  });

  it("bad input: unknown fields, missing fields, not an address", async () => {
    for (const [url, payload] of [
      ["/v1/session", { email: "a@b.example" }],
      ["/v1/session", { email: "a@b.example", password: "x", extra: true }],
      ["/v1/sign-in-links", {}],
      ["/v1/password-resets/redeem", { token: "t" }],
      ["/v1/invitations/accept", { token: "t", password: GOOD_PASSWORD }],
    ] as const) {
      const res = await t.inject({ method: "POST", url, payload });
      expect(res.statusCode, `${url} ${res.body}`).toBe(400);
    }
    expect((await t.inject({ method: "GET", url: "/v1/session" })).statusCode).toBe(401);
    expect((await t.inject({ method: "DELETE", url: "/v1/sessions" })).statusCode).toBe(401);
    const tenant = await t.newTenant();
    const badEmail = await t.inject({
      method: "POST",
      url: "/v1/people/invitations",
      headers: tenant.auth("administrator"),
      payload: { email: "not an address", role: "staff" },
    });
    expect(code(badEmail)).toBe("invalid_address");
    const badRole = await t.inject({
      method: "POST",
      url: "/v1/people/invitations",
      headers: tenant.auth("administrator"),
      payload: { email: "x@oak.example", role: "system" },
    });
    expect(badRole.statusCode).toBe(400);
  });
});
