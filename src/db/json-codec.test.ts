import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { jsonCodec, StoredJsonError, stringList } from "./json-codec.js";

describe("jsonCodec", () => {
  const codec = jsonCodec("t.c", Type.Object({ n: Type.Number(), tags: Type.Array(Type.String()) }));

  it("round-trips a value of the column's shape", () => {
    expect(codec.decode(codec.encode({ n: 1, tags: ["a"] }))).toEqual({ n: 1, tags: ["a"] });
  });

  it("refuses text that is not JSON or not of the shape, naming the column and the place", () => {
    expect(() => codec.decode("{")).toThrow(StoredJsonError);
    expect(() => codec.decode('{"n":"1","tags":[]}')).toThrow("stored JSON in t.c is not valid: /n");
    expect(() => stringList("x.y").decode('["a",2]')).toThrow("stored JSON in x.y is not valid: /1");
    expect(stringList("x.y").decode('["a"]')).toEqual(["a"]);
  });
});
