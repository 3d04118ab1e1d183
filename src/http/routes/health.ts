import { sql } from "kysely";
import { Type } from "typebox";
import { ApiError } from "../../errors/api-error.js";
import type { App, AppDeps } from "../route-context.js";

export function registerHealthRoutes(app: App, { database }: AppDeps): void {
  const open = { access: { auth: "none" } } as const;
  const Health = Type.Object({ status: Type.String() });
  app.get(
    "/healthz",
    { config: open, schema: { tags: ["health"], security: [], response: { 200: Health } } },
    async () => ({
      status: "ok",
    }),
  );
  app.get(
    "/readyz",
    { config: open, schema: { tags: ["health"], security: [], response: { 200: Health } } },
    async () => {
      try {
        await sql`select 1`.execute(database.db);
      } catch (err) {
        throw new ApiError("unavailable", "database is not reachable", undefined, { cause: err });
      }
      return { status: "ready" };
    },
  );
}
