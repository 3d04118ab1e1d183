import { describe, expect, it } from "vitest";
import { applyDraftInput, defaultScope, hostProblem, validateDraft } from "./wizard.js";

const limits = { maxMessageBytes: 10_000_000 };

describe("wizard checks", () => {
  it("accepts host names and IP literals, refuses schemes, spaces, ports and junk", () => {
    for (const ok of [
      "smtp.office365.com",
      "smtp.gmail.com",
      "mail-1.example.co.uk",
      "127.0.0.1",
      "::1",
      "[2001:db8::1]",
      "localhost",
    ]) {
      expect(hostProblem(ok), ok).toBeNull();
    }
    expect(hostProblem("smtps://smtp.example.com")).toMatch(/without a scheme/);
    expect(hostProblem("smtp example.com")).toMatch(/spaces/);
    expect(hostProblem("smtp.example.com:587")).toMatch(/without port/);
    expect(hostProblem("user@smtp.example.com")).toMatch(/without port, path or user/);
    expect(hostProblem("-bad-.example.com")).toMatch(/letters, digits/);
    expect(hostProblem("999.1.1.1")).toMatch(/malformed IP/);
    expect(hostProblem("")).toMatch(/empty/);
    expect(hostProblem(`${"a".repeat(64)}.example.com`)).toMatch(/letters, digits/);
  });

  it("derives the delay from the daily limit when none is given", async () => {
    const draft = await applyDraftInput(
      { settings: {}, secrets: {} },
      {
        account: { mode: "builtin" },
        sending: { holdMinutes: 0, dailyLimit: 1000, window: { start: "09:00", end: "17:00" } },
      },
      limits,
    );
    const check = validateDraft(draft, limits);
    expect(check.ok && check.settings.schedule).toEqual({
      holdMinutes: 0,
      delaySeconds: 29,
      window: { start: "09:00", end: "17:00" },
      dailyLimit: 1000,
    });
  });

  it("fills OAuth2 defaults per provider and purpose", async () => {
    expect(defaultScope("google", "pop3")).toBe("https://mail.google.com/");
    expect(defaultScope("microsoft", "imap")).toBe("https://outlook.office.com/IMAP.AccessAsUser.All offline_access");
    const draft = await applyDraftInput(
      { settings: {}, secrets: {} },
      {
        account: {
          mode: "own_account",
          fromAddress: "office@school.example",
          smtp: {
            host: "smtp.gmail.com",
            port: 465,
            security: "tls",
            auth: {
              method: "oauth2",
              provider: "google",
              user: "office@school.example",
              clientId: "id",
              clientSecret: "s",
              refreshToken: "r",
            },
          },
        },
      },
      limits,
    );
    expect(draft.secrets).toEqual({ smtpClientSecret: "s", smtpRefreshToken: "r" });
    const check = validateDraft(draft, limits);
    expect(check.ok && check.settings.smtp?.auth).toEqual({
      method: "oauth2",
      provider: "google",
      user: "office@school.example",
      clientId: "id",
      tokenUrl: "https://oauth2.googleapis.com/token",
      scope: "https://mail.google.com/",
    });
  });

  it("refuses token endpoints that are not https (except loopback for local tests)", async () => {
    const withUrl = async (tokenUrl: string) =>
      validateDraft(
        await applyDraftInput(
          { settings: {}, secrets: {} },
          {
            account: {
              mode: "own_account",
              fromAddress: "a@b.example",
              smtp: {
                host: "smtp.b.example",
                port: 587,
                security: "starttls",
                auth: {
                  method: "oauth2",
                  provider: "microsoft",
                  user: "a",
                  clientId: "c",
                  clientSecret: "s",
                  refreshToken: "r",
                  tokenUrl,
                },
              },
            },
          },
          limits,
        ),
        limits,
      );
    expect((await withUrl("https://login.example.com/token")).ok).toBe(true);
    expect((await withUrl("http://127.0.0.1:8080/token")).ok).toBe(true);
    for (const bad of [
      "http://login.example.com/token",
      "ftp://x/y",
      "not a url",
      "https://user:pw@login.example.com/",
    ]) {
      const check = await withUrl(bad);
      expect(check.ok, bad).toBe(false);
      expect(check.problems[0]?.field).toBe("smtp.auth.tokenUrl");
    }
  });
});
