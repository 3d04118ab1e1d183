import type { DomainRecord } from "./dns-check.js";

/**
 * The codec of `sending_domains.records`: the records as last checked. Anything else in the
 * column (a hand edit, a bug) is refused loudly rather than shown to a tenant as DNS advice.
 */
export function encodeRecords(records: readonly DomainRecord[]): string {
  return JSON.stringify(records);
}

const STATUSES = new Set(["ok", "missing", "wrong"]);
const PURPOSES = new Set(["dkim", "spf", "dmarc"]);

export function decodeRecords(json: string): DomainRecord[] {
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value)) throw new Error("sending_domains.records is not a list");
  return value.map((r: unknown) => {
    const o = r as Record<string, unknown>;
    if (
      o === null ||
      typeof o !== "object" ||
      o.type !== "TXT" ||
      typeof o.name !== "string" ||
      typeof o.value !== "string" ||
      !PURPOSES.has(o.purpose as string) ||
      typeof o.required !== "boolean" ||
      !STATUSES.has(o.status as string) ||
      !Array.isArray(o.found) ||
      !o.found.every((f) => typeof f === "string")
    ) {
      throw new Error("sending_domains.records holds a malformed record");
    }
    return o as unknown as DomainRecord;
  });
}
