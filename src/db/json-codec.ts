import { type Static, type TSchema, Type } from "typebox";
import { Compile } from "typebox/compile";

/*
 * Stored JSON is read through one codec per column, checked against its schema on the way in:
 * a row written by an older version or edited by hand fails loudly, naming the column, instead
 * of travelling on as a value of the wrong shape (no `JSON.parse(x) as T`).
 */

/** A stored JSON value that does not have its column's shape: a broken invariant, not bad input. */
export class StoredJsonError extends Error {
  constructor(
    readonly column: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`stored JSON in ${column} is not valid: ${detail}`, options);
    this.name = "StoredJsonError";
  }
}

export interface JsonCodec<T> {
  readonly column: string;
  encode(value: T): string;
  /** Parses and checks; throws `StoredJsonError` if the text is not JSON of the column's shape. */
  decode(text: string): T;
}

/** The codec of one JSON column (`table.column`), from its TypeBox schema. */
export function jsonCodec<S extends TSchema>(column: string, schema: S): JsonCodec<Static<S>> {
  const validator = Compile(schema);
  return {
    column,
    encode: (value) => JSON.stringify(value),
    decode(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new StoredJsonError(column, "not JSON", { cause: err });
      }
      if (!validator.Check(value)) {
        const first = [...validator.Errors(value)][0];
        throw new StoredJsonError(column, first ? `${first.instancePath || "/"} ${first.message}` : "wrong shape");
      }
      return value as Static<S>;
    },
  };
}

/** Columns that hold a JSON array of strings. */
export const stringList = (column: string): JsonCodec<string[]> => jsonCodec(column, Type.Array(Type.String()));
