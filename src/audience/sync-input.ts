import type { AudienceSync } from "./audience-sync.js";
import { type NdjsonLimits, ndjsonLines } from "./ndjson-lines.js";
import { type RowKind, rowKinds } from "./sync-rows.js";

/** The JSON variant, already parsed: contacts and subjects go in before links. */
export interface SyncBody {
  readonly contacts?: readonly unknown[];
  readonly subjects?: readonly unknown[];
  readonly links?: readonly unknown[];
}

export async function syncFromJson(sync: AudienceSync, body: SyncBody): Promise<void> {
  const parts: [RowKind, readonly unknown[] | undefined][] = [
    ["contact", body.contacts],
    ["subject", body.subjects],
    ["link", body.links],
  ];
  for (const [kind, rows] of parts) {
    for (const [index, value] of (rows ?? []).entries()) await sync.add(kind, value, { index });
  }
}

function isKind(value: unknown): value is RowKind {
  return typeof value === "string" && (rowKinds as readonly string[]).includes(value);
}

/**
 * The NDJSON variant: one `{ "type": "contact" | "subject" | "link", ...row }` a line, read as
 * the body streams in. A line that is not JSON, too long, or without a known type is a row
 * error; the lines around it still count. Throws `BodyTooLarge` past `limits.maxBodyBytes`
 * (batches written up to then stay written: every row is an idempotent upsert).
 */
export async function syncFromNdjson(
  sync: AudienceSync,
  body: AsyncIterable<Uint8Array | string>,
  limits: NdjsonLimits,
): Promise<void> {
  for await (const item of ndjsonLines(body, limits)) {
    const place = { line: item.line };
    if ("tooLong" in item) {
      sync.reject(null, place, "line_too_long", `line is ${item.bytes} bytes; at most ${limits.maxLineBytes} are read`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(item.text);
    } catch {
      sync.reject(null, place, "invalid_json", "line is not valid JSON");
      continue;
    }
    const type =
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as { type?: unknown }).type
        : undefined;
    if (!isKind(type)) {
      sync.reject(
        null,
        place,
        "invalid_row",
        `each line must be an object with "type": ${rowKinds.map((k) => `"${k}"`).join(", ")}`,
      );
      continue;
    }
    await sync.add(type, value, place, "type");
  }
}
