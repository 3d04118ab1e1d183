// Queries more than one screen uses, with their keys, so that they share the cache.
import { client, ok } from "./client";

export const overviewQuery = (week: string | undefined) => ({
  queryKey: ["overview", week ?? "current"] as const,
  queryFn: () => ok(client.GET("/v1/reports/overview", { params: { query: week ? { week } : {} } })),
});

export const creditsQuery = {
  queryKey: ["credits"] as const,
  queryFn: () => ok(client.GET("/v1/credits")),
};
