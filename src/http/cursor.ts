import { isId } from "../db/ids.js";
import { ApiError } from "../errors/api-error.js";

/**
 * Cursors are opaque to clients: the id of the last item of the previous page, encoded.
 * Ids sort by creation time, so a page is "the next `limit` rows after this id": an index seek,
 * never an offset scan.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`v1:${lastId}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const id = text.startsWith("v1:") ? text.slice(3) : "";
  if (!isId(id)) throw new ApiError("invalid_cursor", "cursor is not one this API gave out");
  return id;
}

/** nextCursor for a page fetched with `limit`: null when the page was not full. */
export function nextCursor(items: readonly { id: string }[], limit: number): string | null {
  const last = items[items.length - 1];
  return items.length === limit && last ? encodeCursor(last.id) : null;
}
