import { type RawBuilder, sql } from "kysely";
import type { Dialect } from "./database.js";

/** The SQL type of a column of `rowsTable` (PostgreSQL casts its array to `<type>[]`). */
export type RowsColumnType = "text" | "int" | "bigint";

/**
 * Rows from the program as a table for one statement's FROM clause, aliased `alias`, with one
 * column per key of `columns` (e.g. `update … from ${rowsTable(…)} where r.id = v.id`), so a
 * batch of different values is one statement instead of one per row. PostgreSQL: `unnest` of
 * one typed array parameter per column. SQLite: `json_each` over one JSON parameter (an array
 * of row arrays), which keeps a batch of any size under SQLite's parameter limit.
 */
export function rowsTable(
  dialect: Dialect,
  alias: string,
  columns: Readonly<Record<string, RowsColumnType>>,
  rows: readonly (readonly (string | number | null)[])[],
): RawBuilder<unknown> {
  const names = Object.keys(columns);
  if (dialect === "postgres") {
    const arrays = names.map((name, i) => {
      const values = rows.map((row) => row[i] ?? null);
      return sql`${values}::${sql.raw(columns[name] ?? "text")}[]`;
    });
    return sql`unnest(${sql.join(arrays)}) as ${sql.id(alias)}(${sql.join(names.map((n) => sql.id(n)))})`;
  }
  const picks = names.map((name, i) => sql`value ->> ${sql.lit(i)} as ${sql.id(name)}`);
  return sql`(select ${sql.join(picks)} from json_each(${JSON.stringify(rows)})) as ${sql.id(alias)}`;
}

/**
 * `column` is one of `values`, with the list as one parameter whatever its length (both dialects
 * cap bound parameters per statement). PostgreSQL: `= any(text[])`, whose length the planner
 * sees, so a 100,000-entry list gets a hash join rather than 100,000 index probes (a
 * `jsonb_array_elements_text` subquery is estimated at 100 rows whatever its size). SQLite:
 * `in (json_each)`, which SQLite turns into a lookup table.
 */
export function isAnyOf(dialect: Dialect, column: string, values: readonly string[]): RawBuilder<boolean> {
  return dialect === "postgres"
    ? sql<boolean>`${sql.ref(column)} = any(${values}::text[])`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}

/**
 * The entries of `values` for which `exists` (a correlated subquery over `v`, the entry) finds
 * nothing: one statement for a list of any length.
 */
export function missingFrom(
  dialect: Dialect,
  values: readonly string[],
  exists: (entry: RawBuilder<string>) => RawBuilder<unknown>,
): RawBuilder<{ v: string }> {
  const entry = sql<string>`v`;
  return dialect === "postgres"
    ? sql<{ v: string }>`select v from unnest(${values}::text[]) as v where not exists (${exists(entry)})`
    : sql<{
        v: string;
      }>`select v from (select value as v from json_each(${JSON.stringify(values)})) where not exists (${exists(entry)})`;
}
