import { spawn } from "node:child_process";
import { appendFile, cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The layer check of `npm test` (scripts/check-layers.mjs + .dependency-cruiser.cjs), run on
// the real tree and on a temporary copy of `src/` with a wrong import planted in it.
const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function checkLayers(root?: string): Promise<{ code: number; output: string }> {
  const args = [join(repo, "scripts", "check-layers.mjs"), ...(root ? ["--root", root] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repo });
    let output = "";
    child.stdout.on("data", (c) => {
      output += c;
    });
    child.stderr.on("data", (c) => {
      output += c;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

async function countSources(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += await countSources(join(dir, e.name));
    else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith(".test.ts")) n++;
  }
  return n;
}

/** A fresh copy of src/ and tsconfig.json, to plant wrong imports in. */
async function copyOfTree(parent: string, name: string): Promise<string> {
  const root = join(parent, name);
  await cp(join(repo, "src"), join(root, "src"), { recursive: true });
  await cp(join(repo, "tsconfig.json"), join(root, "tsconfig.json"));
  return root;
}

describe("the layer check", { timeout: 120_000 }, () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), "postbag-layers-"));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it("passes on the tree as it is, having read every source file", async () => {
    const { code, output } = await checkLayers();
    expect(output).toMatch(/layers: \d+ modules/);
    const modules = Number(/layers: (\d+) modules/.exec(output)?.[1]);
    // A check that reads nothing passes everything: it must have read all of src/.
    expect(modules).toBeGreaterThanOrEqual(await countSources(join(repo, "src")));
    expect(modules).toBeGreaterThan(100);
    expect(output).toContain(", 0 violations");
    expect(code).toBe(0);
  });

  it("fails on an import from a lower layer into a higher one", async () => {
    const root = await copyOfTree(parent, "upward");
    await appendFile(join(root, "src", "email", "html.ts"), '\nexport { claimDue } from "../delivery/outbox.js";\n');
    const { code, output } = await checkLayers(root);
    expect(output).toContain("layer-email: src/email/html.ts -> src/delivery/outbox.ts");
    expect(code).toBe(1);
  });

  it("fails on an import between two folders of the same layer", async () => {
    const root = await copyOfTree(parent, "sibling");
    await appendFile(join(root, "src", "credits", "held.ts"), '\nimport "../tracking/tokens.js";\n');
    const { code, output } = await checkLayers(root);
    expect(output).toContain("layer-credits: src/credits/held.ts -> src/tracking/tokens.ts");
    expect(code).toBe(1);
  });

  it("fails on a cycle inside a folder and on a folder missing from the layer list", async () => {
    const root = await copyOfTree(parent, "cycle");
    await writeFile(
      join(root, "src", "email", "ping.ts"),
      'import { pong } from "./pong.js";\nexport const ping = () => pong;\n',
    );
    await writeFile(
      join(root, "src", "email", "pong.ts"),
      'import { ping } from "./ping.js";\nexport const pong = () => ping;\n',
    );
    await mkdir(join(root, "src", "gadgets"));
    await writeFile(join(root, "src", "gadgets", "gadget.ts"), 'import "../email/address.js";\n');
    const { code, output } = await checkLayers(root);
    expect(output).toContain("no-circular: src/email/ping.ts -> src/email/pong.ts");
    expect(output).toContain("folder-without-layer: src/gadgets/gadget.ts -> src/email/address.ts");
    expect(code).toBe(1);
  });
});
