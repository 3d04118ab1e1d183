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
