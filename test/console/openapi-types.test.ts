import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { schemaFile, schemaTypes } from "../../scripts/openapi-types.js";

describe("the console's API types (web/src/api/schema.d.ts)", () => {
  it("match the routes: regenerate with `npm run openapi:types` when this fails", async () => {
    const committed = await readFile(schemaFile, "utf8");
    // Compared whole, so the diff vitest prints names the route that changed.
    expect(committed).toBe(await schemaTypes());
  });
});
