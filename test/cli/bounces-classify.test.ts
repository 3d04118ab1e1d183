import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/postbag-process.js";

// Each run starts Node and tsx afresh (about a second): one run covers the whole corpus.

const fixtures = join(repoRoot, "test", "fixtures", "bounces");
const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "postbag-bounces-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("postbag bounces classify", () => {
  it("prints one JSON line per file and exits 0, with no config or database", async () => {
    const files = ["postfix-5.1.1.eml", "mailbox-full-delayed-4.2.2.eml", "arf-abuse.eml", "out-of-office.eml"].map(
      (name) => join(fixtures, name),
    );
    // A setting that would stop `loadConfig` shows the command never reads config.
    const result = await runCli(["bounces", "classify", ...files], { POSTBAG_NOT_A_SETTING: "x" });
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout)).toEqual([
      {
        file: files[0],
        kind: "bounce",
        recipients: [
          {
            email: "jane.doe@example.org",
            status: "hard_bounce",
            reason: "user_unknown",
            smtpCode: 550,
            enhancedCode: "5.1.1",
            diagnostic:
              "550 5.1.1 <jane.doe@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
          },
        ],
      },
      {
        file: files[1],
        kind: "delay",
        recipients: [
          {
            email: "full.box@example.net",
            status: "soft_bounce",
            reason: "mailbox_full",
            smtpCode: 452,
            enhancedCode: "4.2.2",
            diagnostic: "452 4.2.2 Mailbox full",
          },
        ],
      },
      { file: files[2], kind: "complaint", recipients: [{ email: "annoyed.parent@hotmail.example", status: "spam" }] },
      { file: files[3], kind: "auto_reply", recipients: [] },
    ]);
  });

  it("says none for a 12 MB file quickly, and prints an error line and exits 1 for a missing file", async () => {
    const huge = join(dir, "huge.eml");
    await writeFile(huge, Buffer.alloc(12 * 1024 * 1024, "a"));
    const missing = join(dir, "does-not-exist.eml");
    const parent = join(fixtures, "parent-reply.eml");
    const started = Date.now();
    const result = await runCli(["bounces", "classify", huge, missing, parent], {});
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.code, result.stderr).toBe(1);
    const [first, second, third] = lines(result.stdout);
    expect(first).toEqual({ file: huge, kind: "none", recipients: [] });
    expect(second?.file).toBe(missing);
    expect(second?.error).toMatch(/ENOENT/);
    // A failed file does not stop the rest.
    expect(third).toEqual({ file: parent, kind: "none", recipients: [] });
  });
});
