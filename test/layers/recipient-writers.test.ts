import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// One writer for a recipient's state: only src/messages/recipient-state.ts inserts `recipients`
// rows or updates/deletes them. The one exception is the outbox's lease (delivery/outbox.ts:
// claim, renew, release), which may set only `next_attempt_at` and `lease_owner`. Migrations
// change the schema and may backfill.
const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const STATE_MACHINE = "src/messages/recipient-state.ts";
const LEASE_COLUMNS = new Set(["next_attempt_at", "lease_owner"]);
const WRITE =
  /(?:updateTable|insertInto|deleteFrom|replaceInto|mergeInto)\(\s*["'`]recipients\b|\b(?:update|insert\s+into|delete\s+from)\s+recipients\b/gi;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(path)));
    else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/** The keys of the object literal given to the `.set(` after `from`. */
function setKeys(text: string, from: number): string[] {
  const start = text.indexOf(".set(", from);
  const open = text.indexOf("{", start);
  let depth = 0;
  let end = open;
  for (; end < text.length; end++) {
    if (text[end] === "{") depth++;
    else if (text[end] === "}" && --depth === 0) break;
  }
  return [...text.slice(open + 1, end).matchAll(/(\w+)\s*:/g)].map((m) => m[1] ?? "");
}

describe("writes to recipients", () => {
  it("happen only in the recipient state machine (and the outbox's lease columns)", async () => {
    const offenders: string[] = [];
    let stateMachineWrites = 0;
    let leaseWrites = 0;
    for (const path of await sources(join(repo, "src"))) {
      const file = relative(repo, path).split("\\").join("/");
      if (file.startsWith("src/db/migrations")) continue;
      const text = await readFile(path, "utf8");
      for (const m of text.matchAll(WRITE)) {
        const line = text.slice(0, m.index).split("\n").length;
        if (file === STATE_MACHINE) stateMachineWrites++;
        else if (file === "src/delivery/outbox.ts" && m[0].startsWith("updateTable")) {
          const keys = setKeys(text, m.index ?? 0);
          if (keys.length > 0 && keys.every((k) => LEASE_COLUMNS.has(k))) leaseWrites++;
          else offenders.push(`${file}:${line} sets ${keys.join(", ")}`);
        } else offenders.push(`${file}:${line} ${m[0]}`);
      }
    }
    expect(offenders).toEqual([]);
    // The check found what it guards (a pattern that matches nothing would pass everything).
    expect(stateMachineWrites).toBeGreaterThanOrEqual(8);
    expect(leaseWrites).toBeGreaterThanOrEqual(1);
  });
});
