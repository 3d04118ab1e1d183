import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import { bearer, type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";
import { browserFrom, GOOD_PASSWORD, inviteAndAccept, type Session } from "./support.js";

interface PersonView {
  id: string;
  email: string;
  name: string;
  role: string;
  lastSignInAt: string | null;
  invitedPending: boolean;
}
interface KeyView {
  id: string;
  name: string;
  role: string;
  createdBy: { kind: string; id: string; name: string } | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  key?: string;
}
interface AuditView {
  id: string;
  at: string;
  actor: { kind: string; id: string; name: string };
  action: string;
  target: string | null;
  detail: string | null;
}

describe.each(dialects)("people, keys, audit, tenant and prices [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });
  const code = (res: { body: string }) => json<ErrorReply>(res as never).error.code;

  it("administrators list people, change roles and remove them (sessions end; their keys optionally revoked)", async () => {
    const tenant = await t.newTenant();
    const head = await inviteAndAccept(
      t,
      tenant.auth("administrator"),
      "head@people.example",
      "administrator",
      "Ms Head",
    );
    const staff = await inviteAndAccept(t, tenant.auth("administrator"), "office@people.example", "staff", "Office");
    const pending = await t.inject({
      method: "POST",
      url: "/v1/people/invitations",
      headers: head.change,
      payload: { email: "new@people.example", role: "staff" },
    });
    expect(pending.statusCode, pending.body).toBe(201);

    const list = json<{ items: PersonView[] }>(
      await t.inject({ method: "GET", url: "/v1/people", headers: head.read }),
    ).items;
    expect(list.map((p) => [p.email, p.role, p.invitedPending, p.lastSignInAt !== null])).toEqual([
      ["head@people.example", "administrator", false, true],
      ["new@people.example", "staff", true, false],
      ["office@people.example", "staff", false, true],
    ]);
    // Staff cannot manage people, by session or by key.
    expect((await t.inject({ method: "GET", url: "/v1/people", headers: staff.read })).statusCode).toBe(403);
    expect((await t.inject({ method: "GET", url: "/v1/people", headers: tenant.auth("staff") })).statusCode).toBe(403);

    const officeId = staff.session.person.id;
    const promoted = await t.inject({
      method: "PATCH",
      url: `/v1/people/${officeId}`,
      headers: head.change,
      payload: { role: "administrator" },
    });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(json<PersonView>(promoted).role).toBe("administrator");
    // The office's session now has the administrator's rights.
    const keyByOffice = await t.inject({
      method: "POST",
      url: "/v1/keys",
      headers: staff.change,
      payload: { name: "office script", role: "system" },
    });
    expect(keyByOffice.statusCode, keyByOffice.body).toBe(201);
    const officeKey = json<KeyView>(keyByOffice);
    expect(officeKey.createdBy).toEqual({ kind: "person", id: officeId, name: "Office" });

    const removed = await t.inject({
      method: "DELETE",
      url: `/v1/people/${officeId}?revokeKeys=true`,
      headers: head.change,
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await t.inject({ method: "GET", url: "/v1/session", headers: staff.read })).statusCode).toBe(401);
    expect(
      (await t.inject({ method: "GET", url: "/v1/messages", headers: bearer(officeKey.key ?? "") })).statusCode,
    ).toBe(401);
    const again = await t.inject({ method: "DELETE", url: `/v1/people/${officeId}`, headers: head.change });
    expect(again.statusCode).toBe(404);

    const audit = json<{ items: AuditView[] }>(await t.inject({ method: "GET", url: "/v1/audit", headers: head.read }));
    expect(audit.items.map((a) => [a.action, a.actor.name, a.target])).toEqual([
      ["key.revoked", "Ms Head", officeKey.id],
      ["person.removed", "Ms Head", "office@people.example"],
      ["key.created", "Office", officeKey.id],
      ["person.role_changed", "Ms Head", "office@people.example"],
      ["invitation.created", "Ms Head", "new@people.example"],
      ["invitation.created", "administrator", "office@people.example"],
      ["invitation.created", "administrator", "head@people.example"],
    ]);
    const page = json<{ items: AuditView[]; nextCursor: string | null }>(
      await t.inject({ method: "GET", url: "/v1/audit?limit=2", headers: head.read }),
    );
    expect(page.items).toHaveLength(2);
    const next = json<{ items: AuditView[] }>(
      await t.inject({ method: "GET", url: `/v1/audit?limit=2&cursor=${page.nextCursor}`, headers: head.read }),
    );
    expect(next.items[0]?.action).toBe("key.created");
    expect((await t.inject({ method: "GET", url: "/v1/audit", headers: tenant.auth("staff") })).statusCode).toBe(403);
    expect(code(await t.inject({ method: "GET", url: "/v1/audit?cursor=zzz", headers: head.read }))).toBe(
      "invalid_cursor",
    );
  });

  it("an operator person creates a school and invites its first administrator, with no key", async () => {
    const { invite } = await import("../../src/auth/invitations.js");
    const invited = await invite(t.database, t.config, t.clock.now(), {
      tenantId: null,
      email: "ops@provider.example",
      actor: null,
    });
    const token = invited.invitationUrl.split("#token=")[1] ?? "";
    const peek = json(await t.inject({ method: "GET", url: `/v1/invitations/${token}` }));
    expect(peek).toMatchObject({ operator: true, tenantName: null, role: null });
    const ops = browserFrom(
      await t.inject({
        method: "POST",
        url: "/v1/invitations/accept",
        payload: { token, name: "Ops", password: GOOD_PASSWORD },
      }),
    );
    expect(ops.session).toMatchObject({ operator: true, memberships: [], activeTenantId: null });
    const school = await t.inject({
      method: "POST",
      url: "/v1/operator/tenants",
      headers: ops.change,
      payload: { name: "New School" },
    });
    expect(school.statusCode, school.body).toBe(201);
    const schoolId = json<{ id: string }>(school).id;
    const headInvite = await t.inject({
      method: "POST",
      url: `/v1/operator/tenants/${schoolId}/invitations`,
      headers: ops.change,
      payload: { email: "head@new-school.example", name: "Ms New", role: "administrator" },
    });
    expect(headInvite.statusCode, headInvite.body).toBe(201);
    const headToken = json<{ invitationUrl: string }>(headInvite).invitationUrl.split("#token=")[1] ?? "";
    const head = browserFrom(
      await t.inject({
        method: "POST",
        url: "/v1/invitations/accept",
        payload: { token: headToken, name: "Ms New", password: GOOD_PASSWORD },
      }),
    );
    expect(head.session.activeTenantId).toBe(schoolId);
    expect(head.session.memberships[0]).toMatchObject({ tenantName: "New School", role: "administrator" });
    // The operator's session has no tenant: tenant routes are refused; tenants cannot use operator routes.
    expect((await t.inject({ method: "GET", url: "/v1/people", headers: ops.read })).statusCode).toBe(403);
    expect((await t.inject({ method: "GET", url: "/v1/operator/tenants", headers: head.read })).statusCode).toBe(403);
    const tenant = await t.newTenant();
    expect(
      (
        await t.inject({
          method: "POST",
          url: `/v1/operator/tenants/${tenant.id}/invitations`,
          headers: tenant.auth("administrator"),
          payload: { email: "x@y.example", role: "staff" },
        })
      ).statusCode,
    ).toBe(403);
    const missing = await t.inject({
      method: "POST",
      url: "/v1/operator/tenants/01ARZ3NDEKTSV4RRFFQ69G5FAV/invitations",
      headers: ops.change,
      payload: { email: "x@y.example", role: "staff" },
    });
    expect(code(missing)).toBe("not_found");
    const audit = json<{ items: AuditView[] }>(await t.inject({ method: "GET", url: "/v1/audit", headers: head.read }));
    expect(audit.items.map((a) => [a.action, a.actor.kind, a.actor.name])).toEqual([
      ["invitation.created", "person", "Ops"],
    ]);
  });

  it("another tenant's people and keys are unreachable", async () => {
    const mine = await t.newTenant();
    const theirs = await t.newTenant();
    const them = await inviteAndAccept(t, theirs.auth("administrator"), "them@other.example", "staff");
    const theirKey = json<KeyView>(
      await t.inject({
        method: "POST",
        url: "/v1/keys",
        headers: theirs.auth("administrator"),
        payload: { role: "staff" },
      }),
    );
    const admin = mine.auth("administrator");
    const personId = them.session.person.id;
    for (const res of [
      await t.inject({
        method: "PATCH",
        url: `/v1/people/${personId}`,
        headers: admin,
        payload: { role: "administrator" },
      }),
      await t.inject({ method: "DELETE", url: `/v1/people/${personId}`, headers: admin }),
      await t.inject({ method: "DELETE", url: `/v1/keys/${theirKey.id}`, headers: admin }),
      await t.inject({ method: "DELETE", url: "/v1/keys/not-an-id", headers: admin }),
      await t.inject({ method: "PATCH", url: "/v1/people/not-an-id", headers: admin, payload: { role: "staff" } }),
    ]) {
      expect(res.statusCode, res.body).toBe(404);
      expect(code(res)).toBe("not_found");
    }
    const keys = json<{ items: KeyView[] }>(await t.inject({ method: "GET", url: "/v1/keys", headers: admin })).items;
    expect(keys.map((k) => k.id)).not.toContain(theirKey.id);
    expect(
      json<{ items: PersonView[] }>(await t.inject({ method: "GET", url: "/v1/people", headers: admin })).items,
    ).toEqual([]);
    // Still alive.
    expect((await t.inject({ method: "GET", url: "/v1/session", headers: them.read })).statusCode).toBe(200);
    expect(
      (await t.inject({ method: "GET", url: "/v1/messages", headers: bearer(theirKey.key ?? "") })).statusCode,
    ).toBe(200);
  });

  it("keys: created (shown once), listed with creator and last use, revoked at once; the operator revokes any key", async () => {
    const tenant = await t.newTenant();
    const bad = await t.inject({
      method: "POST",
      url: "/v1/keys",
      headers: tenant.auth("administrator"),
      payload: { role: "operator" },
    });
    expect(bad.statusCode).toBe(400);
    const unnamed = await t.inject({
      method: "POST",
      url: "/v1/keys",
      headers: tenant.auth("administrator"),
      payload: {},
    });
    expect(unnamed.statusCode).toBe(400);
    const created = await t.inject({
      method: "POST",
      url: "/v1/keys",
      headers: tenant.auth("administrator"),
      payload: { name: "SIS sync", role: "system" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const key = json<KeyView>(created);
    expect(key.key).toMatch(/^pb_/);
    expect(key).toMatchObject({ name: "SIS sync", role: "system", lastUsedAt: null, revokedAt: null });
    expect(key.createdBy?.kind).toBe("key");

    expect((await t.inject({ method: "GET", url: "/v1/messages", headers: bearer(key.key ?? "") })).statusCode).toBe(
      200,
    );
    const listed = json<{ items: KeyView[] }>(
      await t.inject({ method: "GET", url: "/v1/keys", headers: tenant.auth("administrator") }),
    ).items.find((k) => k.id === key.id);
    expect(listed?.lastUsedAt).toBe(new Date(t.clock.now()).toISOString());
    expect(listed).not.toHaveProperty("key");
    expect((await t.inject({ method: "GET", url: "/v1/keys", headers: tenant.auth("staff") })).statusCode).toBe(403);

    const other = await t.freshApp();
    const revoked = await t.inject({
      method: "DELETE",
      url: `/v1/keys/${key.id}`,
      headers: tenant.auth("administrator"),
    });
    expect(revoked.statusCode).toBe(204);
    for (const app of [t.app, other]) {
      const res = await app.inject({ method: "GET", url: "/v1/messages", headers: bearer(key.key ?? "") });
      expect(res.statusCode).toBe(401);
    }

    const operator = await t.operatorAuth();
    const staffKey = json<KeyView>(
      await t.inject({
        method: "POST",
        url: "/v1/keys",
        headers: tenant.auth("administrator"),
        payload: { role: "staff" },
      }),
    );
    expect(
      (
        await t.inject({
          method: "DELETE",
          url: `/v1/operator/keys/${staffKey.id}`,
          headers: tenant.auth("administrator"),
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await t.inject({ method: "DELETE", url: `/v1/operator/keys/${staffKey.id}`, headers: operator })).statusCode,
    ).toBe(204);
    expect(
      (await t.inject({ method: "GET", url: "/v1/messages", headers: bearer(staffKey.key ?? "") })).statusCode,
    ).toBe(401);
    expect(
      (await t.inject({ method: "DELETE", url: "/v1/operator/keys/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers: operator }))
        .statusCode,
    ).toBe(404);
  });

  it("the tenant's time zone changes from the next credit period", async () => {
    const tenant = await t.newTenant();
    const view = json(await t.inject({ method: "GET", url: "/v1/tenant", headers: tenant.auth("staff") }));
    expect(view).toEqual({
      id: tenant.id,
      name: "Test school",
      timezone: "Europe/London",
      pendingTimezone: null,
      timezoneEffectiveFrom: null,
    });
    expect(
      (
        await t.inject({
          method: "PATCH",
          url: "/v1/tenant",
          headers: tenant.auth("staff"),
          payload: { timezone: "UTC" },
        })
      ).statusCode,
    ).toBe(403);
    const badZone = await t.inject({
      method: "PATCH",
      url: "/v1/tenant",
      headers: tenant.auth("administrator"),
      payload: { timezone: "Mars/Olympus" },
    });
    expect(code(badZone)).toBe("invalid_request");
    const changed = await t.inject({
      method: "PATCH",
      url: "/v1/tenant",
      headers: tenant.auth("administrator"),
      payload: { timezone: "America/New_York" },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const pending = json<{ timezone: string; pendingTimezone: string; timezoneEffectiveFrom: string }>(changed);
    expect(pending.timezone).toBe("Europe/London");
    expect(pending.pendingTimezone).toBe("America/New_York");
    const from = Date.parse(pending.timezoneEffectiveFrom);
    expect(from).toBeGreaterThan(t.clock.now());
    expect(new Date(from).getUTCDate() === 1 || new Date(from).getUTCDate() >= 28).toBe(true);
    (t.clock as import("../../src/time/clock.js").ManualClock).advance(from - t.clock.now());
    const after = json(await t.inject({ method: "GET", url: "/v1/tenant", headers: tenant.auth("staff") }));
    expect(after).toMatchObject({ timezone: "America/New_York", pendingTimezone: null, timezoneEffectiveFrom: null });
  });

  it("packages carry a price set by the operator", async () => {
    const tenant = await t.newTenant();
    const operator = await t.operatorAuth();
    const created = await t.inject({
      method: "POST",
      url: "/v1/operator/packages",
      headers: operator,
      payload: { name: "1000 emails", credits: 1000, price: { amount: 25.5, currency: "EUR" } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const pkg = json<{ id: string; price: unknown }>(created);
    expect(pkg.price).toEqual({ amount: 25.5, currency: "EUR" });
    for (const price of [
      { amount: 1.234, currency: "EUR" },
      { amount: 5, currency: "eur" },
      { amount: -1, currency: "EUR" },
    ]) {
      const res = await t.inject({
        method: "PATCH",
        url: `/v1/operator/packages/${pkg.id}`,
        headers: operator,
        payload: { price },
      });
      expect(res.statusCode, JSON.stringify(price)).toBe(400);
    }
    const cleared = await t.inject({
      method: "PATCH",
      url: `/v1/operator/packages/${pkg.id}`,
      headers: operator,
      payload: { price: { amount: 30, currency: "GBP" } },
    });
    expect(json<{ price: unknown }>(cleared).price).toEqual({ amount: 30, currency: "GBP" });
    const seen = json<{ items: { id: string; price: unknown }[] }>(
      await t.inject({ method: "GET", url: "/v1/packages", headers: tenant.auth("staff") }),
    ).items.find((p) => p.id === pkg.id);
    expect(seen?.price).toEqual({ amount: 30, currency: "GBP" });
    expect(
      (
        await t.inject({
          method: "PATCH",
          url: `/v1/operator/packages/${pkg.id}`,
          headers: tenant.auth("administrator"),
          payload: { price: null },
        })
      ).statusCode,
    ).toBe(403);

    // A purchase and a settings change by a signed-in administrator are audited with their name.
    const head = await inviteAndAccept(
      t,
      tenant.auth("administrator"),
      "buyer@price.example",
      "administrator",
      "Mr Buyer",
    );
    const bought = await t.inject({ method: "POST", url: `/v1/packages/${pkg.id}/purchase`, headers: head.change });
    expect(bought.statusCode, bought.body).toBe(201);
    const staff = await inviteAndAccept(t, tenant.auth("administrator"), "staff@price.example", "staff");
    expect(
      (await t.inject({ method: "POST", url: `/v1/packages/${pkg.id}/purchase`, headers: staff.change })).statusCode,
    ).toBe(403);
    await t.db
      .insertInto("suppressions")
      .values({
        tenant_id: tenant.id,
        email: "parent@price.example",
        reason: "hard_bounce",
        detail: null,
        recipient_id: null,
        created_at: t.clock.now(),
      })
      .execute();
    const reset = await t.inject({
      method: "DELETE",
      url: "/v1/suppressions/parent@price.example",
      headers: head.change,
      payload: { note: "new mailbox" },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    const audit = json<{ items: AuditView[] }>(await t.inject({ method: "GET", url: "/v1/audit", headers: head.read }));
    expect(audit.items.find((a) => a.action === "package.purchased")?.actor).toEqual({
      kind: "person",
      id: head.session.person.id,
      name: "Mr Buyer",
    });
    expect(audit.items.find((a) => a.action === "suppression.reset")).toMatchObject({
      actor: { kind: "person", name: "Mr Buyer" },
      target: "parent@price.example",
      detail: "new mailbox",
    });
  });

  it("users with an address are people: /v1/users keeps working, and an invited address joins the same person", async () => {
    const tenant = await t.newTenant();
    const user = await t.inject({
      method: "POST",
      url: "/v1/users",
      headers: tenant.auth("administrator"),
      payload: { name: "Bursar", email: "bursar@users.example", role: "administrator" },
    });
    expect(user.statusCode).toBe(201);
    const people = json<{ items: PersonView[] }>(
      await t.inject({ method: "GET", url: "/v1/people", headers: tenant.auth("administrator") }),
    ).items;
    expect(people.map((p) => [p.email, p.role, p.invitedPending])).toEqual([
      ["bursar@users.example", "administrator", false],
    ]);
    // A password reset lets an existing user sign in.
    const reset = await t.inject({
      method: "POST",
      url: "/v1/password-resets",
      payload: { email: "Bursar@users.example" },
    });
    expect(reset.statusCode).toBe(202);
    const { mailedToken } = await import("./support.js");
    const token = await mailedToken(t, "bursar@users.example", "/reset-password");
    const signedIn = browserFrom(
      await t.inject({
        method: "POST",
        url: "/v1/password-resets/redeem",
        payload: { token, password: GOOD_PASSWORD },
      }),
    );
    expect(
      json<Session>(await t.inject({ method: "GET", url: "/v1/session", headers: signedIn.read })).memberships,
    ).toEqual([{ tenantId: tenant.id, tenantName: "Test school", role: "administrator", timezone: "Europe/London" }]);
  });
});
