import { describe, expect, it } from "vitest";
import { checkAttachment, DANGEROUS_EXTENSIONS } from "./attachment-policy.js";

describe("attachment policy", () => {
  const policy = { maxBytes: 1000, blockedExtensions: ["zip"] };

  it("always refuses dangerous types, whatever the case or trailing dots", () => {
    for (const ext of ["exe", "bat", "cmd", "com", "scr", "js", "vbs", "jar", "msi", "ps1"]) {
      expect(DANGEROUS_EXTENSIONS).toContain(ext);
    }
    for (const name of [
      "setup.exe",
      "SETUP.EXE",
      "run.exe.",
      "run.exe . ",
      "invoice.pdf.js",
      ".bat",
      // NTFS alternate data streams: Windows opens the file before the colon.
      "a.exe::$DATA",
      "a.EXE::$data",
      "a.exe:stream",
      "a.exe:Zone.Identifier:$DATA",
      "a.exe. ::$DATA",
      "a.exe::$DATA. ",
    ]) {
      expect(checkAttachment({ maxBytes: 1000, blockedExtensions: [] }, name, 10).ok, name).toBe(false);
    }
  });

  it("refuses the tenant's blocked types and files over the size limit", () => {
    expect(checkAttachment(policy, "photos.ZIP", 10)).toEqual({
      ok: false,
      reason: ".zip files are blocked by the tenant's attachment settings",
    });
    expect(checkAttachment(policy, "report.pdf", 1001)).toMatchObject({ ok: false, reason: /at most 1000 bytes/ });
  });

  it("lets ordinary files through, judged by their last extension only", () => {
    for (const name of ["report.pdf", "notes from example.com.pdf", "archive.tar.gz", "README", "photo.jpeg"]) {
      expect(checkAttachment(policy, name, 1000), name).toEqual({ ok: true });
    }
  });
});
