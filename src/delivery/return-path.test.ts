import { describe, expect, it } from "vitest";
import { newId } from "../db/ids.js";
import { recipientFromReturnPath, returnPathFor } from "./return-path.js";

const SECRET = "return-path-test-secret-0123456789abcdef";

describe("VERP return path", () => {
  const id = newId();
  const address = returnPathFor(SECRET, "bounces.example.org", id);

  it("names the recipient and the bounce domain, and round-trips", () => {
    expect(address).toMatch(/^b\+[0-9a-z]{26}-[0-9a-f]{16}@bounces\.example\.org$/);
    expect(recipientFromReturnPath(SECRET, address)).toBe(id);
  });

  it("accepts the address as a server may hand it back: upper-cased, lower-cased, padded", () => {
    expect(recipientFromReturnPath(SECRET, address.toUpperCase())).toBe(id);
    expect(recipientFromReturnPath(SECRET, address.toLowerCase())).toBe(id);
    expect(recipientFromReturnPath(SECRET, `  ${address}\r\n`)).toBe(id);
  });

  it("does not depend on the domain it comes back on", () => {
    expect(recipientFromReturnPath(SECRET, address.replace("bounces.example.org", "other.example"))).toBe(id);
  });

  it("refuses a tampered signature", () => {
    const sig = address.slice(address.indexOf("-") + 1, address.indexOf("@"));
    const flipped = sig.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    expect(recipientFromReturnPath(SECRET, address.replace(sig, flipped))).toBeNull();
  });

  it("refuses another recipient's id under this recipient's signature", () => {
    const other = newId().toLowerCase();
    const forged = address.replace(/^b\+[0-9a-z]{26}/, `b+${other}`);
    expect(recipientFromReturnPath(SECRET, forged)).toBeNull();
  });

  it("refuses a return path signed with another secret", () => {
    expect(recipientFromReturnPath(`${SECRET}-other`, address)).toBeNull();
  });

  it.each([
    ["an ordinary address", "parent@example.com"],
    ["the null sender", ""],
    ["a plus address that is not ours", "b+newsletter@example.com"],
    ["a short signature", `b+${id.toLowerCase()}-0123@example.org`],
    ["no domain", `b+${id.toLowerCase()}-0123456789abcdef`],
  ])("returns null for %s", (_why, value) => {
    expect(recipientFromReturnPath(SECRET, value)).toBeNull();
  });
});
