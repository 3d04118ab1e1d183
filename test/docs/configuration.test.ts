import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { settingsMarkdown } from "../../src/config/config.js";

/** Table rows as trimmed cells, so column padding (Biome aligns Markdown tables) does not matter. */
function rows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((line) => line.startsWith("| `POSTBAG_"))
    .map((line) => line.split("|").map((cell) => cell.trim()));
}

describe("docs/configuration.md", () => {
  it("lists every setting exactly as the config schema defines it", () => {
    const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    // Regenerate with: npx postbag config
    expect(rows(doc)).toEqual(rows(settingsMarkdown()));
  });
});
