import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { settingsMarkdown } from "../../src/config/config.js";

describe("docs/configuration.md", () => {
  it("lists every setting exactly as the config schema defines it", () => {
    const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    // Regenerate with: npx postbag config
    expect(doc).toContain(settingsMarkdown());
  });
});
