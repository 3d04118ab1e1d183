import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../support/postbag-process.js";

const mode = (path: string) => statSync(path).mode & 0o777;

// The SQLite database holds every tenant's mail and contacts; the secret key signs everything.
describe("the data folder and the SQLite files are the owner's only", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("creates the data folder 0700 and the database, its WAL and the secret key 0600", async () => {
    const parent = await mkdtemp(join(tmpdir(), "postbag-modes-"));
    dirs.push(parent);
    const dataDir = join(parent, "data");
    const result = await runCli(["tenant", "create", "--name", "Modes School"], { POSTBAG_DATA_DIR: dataDir }, 60_000);
    expect(result.code, result.stderr).toBe(0);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, "secret.key"))).toBe(0o600);
    expect(mode(join(dataDir, "postbag.db"))).toBe(0o600);
    for (const extra of ["-wal", "-shm"]) {
      const file = join(dataDir, `postbag.db${extra}`);
      if (existsSync(file)) expect(mode(file), extra).toBe(0o600);
    }
  }, 90_000);

  it("tightens a data folder created more openly by an older version", async () => {
    const parent = await mkdtemp(join(tmpdir(), "postbag-modes-"));
    dirs.push(parent);
    const dataDir = join(parent, "data");
    await mkdir(dataDir, { mode: 0o755 });
    const result = await runCli(["tenant", "create", "--name", "Modes School"], { POSTBAG_DATA_DIR: dataDir }, 60_000);
    expect(result.code, result.stderr).toBe(0);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, "postbag.db"))).toBe(0o600);
  }, 90_000);
});
