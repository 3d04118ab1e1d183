// Generates web/src/api/schema.d.ts (the console's API types) from the OpenAPI document of the
// app itself: the Fastify app is built over an in-memory SQLite database and asked for
// app.swagger(), without listening on any port. `npm run openapi:types` writes the file;
// test/console/openapi-types.test.ts fails when the committed file is stale.
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pino } from "pino";
import { loadConfig } from "../src/config/config.js";
import { createDatabase } from "../src/db/database.js";
import { createApp } from "../src/http/app.js";
import { MessageWriter } from "../src/messages/message-store.js";
import { systemClock } from "../src/time/clock.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const schemaFile = join(root, "web", "src", "api", "schema.d.ts");

/** The OpenAPI document `GET /openapi.json` serves, with a fixed server URL. */
export async function openApiDocument(): Promise<object> {
  const config = loadConfig({ POSTBAG_PUBLIC_URL: "http://localhost:3000" });
  const database = createDatabase("sqlite::memory:");
  const writer = new MessageWriter({ database, clock: systemClock, messageIdDomain: config.senderDomain });
  const app = await createApp({ database, clock: systemClock, config, logger: pino({ level: "silent" }), writer });
  try {
    await app.ready();
    return app.swagger() as object;
  } finally {
    await app.close();
    await database.close();
  }
}

interface OpenApiTs {
  default(schema: object, options?: object): Promise<unknown>;
  astToString(ast: unknown): string;
}

/** The text of web/src/api/schema.d.ts for the current routes. */
export async function schemaTypes(): Promise<string> {
  // openapi-typescript is a dependency of the web workspace (it wants TypeScript 5).
  const require = createRequire(join(root, "web", "package.json"));
  const openapiTs = (await import(pathToFileURL(require.resolve("openapi-typescript")).href)) as OpenApiTs;
  const ast = await openapiTs.default(await openApiDocument(), { alphabetize: true });
  return `// Generated from Postbag's OpenAPI document by scripts/openapi-types.ts: do not edit.\n// Regenerate with \`npm run openapi:types\`.\n\n${openapiTs.astToString(ast)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(schemaFile, await schemaTypes());
  process.stdout.write(`wrote ${schemaFile}\n`);
}
