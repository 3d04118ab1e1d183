import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveAccount } from "../../src/accounts/account-settings.js";
import { seedAudience, siblings } from "../announcements/audience-fixtures.js";
import { accountSettings } from "../sending/account-servers.js";
import { dialects } from "../support/databases.js";
import {
  type ErrorReply,
  json,
  openTestApp,
  storedCounts,
  type TestApp,
  type TestTenant,
  validMessage,
} from "../support/test-app.js";

/*
 * The attachment policy at acceptance: an own-account tenant's size limit and blocked types,
 * and the built-in dangerous list for every tenant, on POST /v1/messages and announcements.
 */
const file = (filename: string, bytes: number) => ({
  filename,
  content: Buffer.alloc(bytes, 7).toString("base64"),
  contentType: "application/octet-stream",
});

describe.each(dialects)("attachment policy at acceptance [%s]", (dialect) => {
  let t: TestApp;
  let practice: TestTenant;
  let school: TestTenant;

  beforeAll(async () => {
    t = await openTestApp(dialect);
    practice = await t.newTenant("The Practice");
    school = await t.newTenant("Oak Hill School");
    const settings = {
      ...accountSettings({ host: "smtp.practice.example", port: 587, security: "starttls" }),
      attachments: { maxBytes: 1000, blockedExtensions: ["zip", "docm"] },
    };
    await t.db
      .transaction()
      .execute((tx) => saveAccount(tx, t.config.secretKey, practice.id, settings, {}, t.clock.now(), null));
  });
  afterAll(() => t?.close());

  const send = (tenant: TestTenant, attachments: unknown[]) =>
    t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ attachments }),
    });

  it("refuses what breaks an own-account tenant's policy with a 400 naming the file, storing nothing", async () => {
    const before = await storedCounts(t.db, practice.id);
    for (const [attachment, pattern] of [
      [file("photos.ZIP", 10), /"photos\.ZIP" refused: \.zip files are blocked by the tenant's attachment settings/],
      [file("macro.docm ", 10), /"macro\.docm" refused: \.docm files are blocked/],
      [file("scan.pdf", 1001), /"scan\.pdf" refused: .*at most 1000 bytes/],
      [file("setup.exe", 10), /"setup\.exe" refused: \.exe files can run programs/],
    ] as const) {
      const res = await send(practice, [file("fine.pdf", 100), attachment]);
      expect(res.statusCode, res.body).toBe(400);
      const reply = json<ErrorReply>(res);
      expect(reply.error.code).toBe("invalid_attachment");
      expect(reply.error.message).toMatch(pattern);
    }
    expect(await storedCounts(t.db, practice.id)).toEqual(before);
    const ok = await send(practice, [file("scan.pdf", 1000), file("notes.txt", 5)]);
    expect(ok.statusCode, ok.body).toBe(202);
  });

  it("applies only the built-in dangerous list to a relay tenant, and never another tenant's policy", async () => {
    expect((await send(school, [file("photos.zip", 5000)])).statusCode).toBe(202);
    for (const name of ["run.exe", "run.exe.", "RUN.EXE  ", "disk.iso", "script.ps1"]) {
      const res = await send(school, [file(name, 10)]);
      expect(res.statusCode, name).toBe(400);
      expect(json<ErrorReply>(res).error.message).toMatch(/can run programs and are never sent/);
    }
    // A message without attachments needs no policy at all.
    expect((await send(practice, [])).statusCode).toBe(202);
  });

  it("holds announcement attachments to the same rule", async () => {
    await seedAudience(t.db, practice.id, t.clock.now(), siblings);
    const announce = (attachments: unknown[]) =>
      t.inject({
        method: "POST",
        url: "/v1/announcements",
        headers: practice.auth("staff"),
        payload: {
          subject: "Closed on Monday",
          text: "Dear {{contact.name}}",
          audience: { subjects: ["s1"] },
          consolidate: true,
          essential: false,
          attachments,
        },
      });
    const blocked = await announce([file("rota.zip", 10)]);
    expect(blocked.statusCode, blocked.body).toBe(400);
    expect(json<ErrorReply>(blocked).error.message).toMatch(/"rota\.zip" refused: \.zip files are blocked/);
    const large = await announce([file("rota.pdf", 2000)]);
    expect(large.statusCode).toBe(400);
    expect(json<ErrorReply>(large).error.message).toMatch(/"rota\.pdf" refused: .*at most 1000 bytes/);
    expect((await announce([file("rota.pdf", 900)])).statusCode).toBe(202);
  });
});
