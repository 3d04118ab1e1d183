import type { Dialect } from "./database.js";

/** The only column types that differ between the dialects: times and binary content. */
export function columnTypes(dialect: Dialect) {
  return {
    time: dialect === "postgres" ? ("bigint" as const) : ("integer" as const),
    blob: dialect === "postgres" ? ("bytea" as const) : ("blob" as const),
  };
}
