import { describe, expect, it } from "vitest";
import { newId } from "../db/ids.js";
import { ApiError } from "../errors/api-error.js";
import { decodeCursor, encodeCursor, nextCursor } from "./cursor.js";

function invalidCursor(cursor: string): ApiError {
  try {
    decodeCursor(cursor);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error(`expected ${JSON.stringify(cursor)} to be refused`);
}

describe("cursor", () => {
  it("round-trips an id through an opaque, URL-safe string", () => {
    const id = newId();
    const cursor = encodeCursor(id);
    expect(cursor).not.toContain(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe(id);
  });

  it("treats an absent or empty cursor as the first page", () => {
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor("")).toBeUndefined();
  });

  it.each([
    ["junk", "not a cursor!"],
    ["base64 of something else", Buffer.from("hello world").toString("base64url")],
    ["a bare id", newId()],
    ["a wrong version", Buffer.from(`v2:${newId()}`).toString("base64url")],
    ["a v1 cursor around a non-id", Buffer.from("v1:' or 1=1 --").toString("base64url")],
    ["a v1 cursor with nothing in it", Buffer.from("v1:").toString("base64url")],
  ])("refuses %s with invalid_cursor (400)", (_why, cursor) => {
    const err = invalidCursor(cursor);
    expect(err.code).toBe("invalid_cursor");
    expect(err.statusCode).toBe(400);
  });

  it("gives a next cursor only for a full page", () => {
    const items = [{ id: newId() }, { id: newId() }];
    expect(decodeCursor(nextCursor(items, 2) ?? undefined)).toBe(items[1]?.id);
    expect(nextCursor(items, 3)).toBeNull();
    expect(nextCursor([], 0)).toBeNull();
  });
});
