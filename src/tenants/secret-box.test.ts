import { describe, expect, it } from "vitest";
import { maskSecret, open, SecretBoxError, seal } from "./secret-box.js";

const KEY = "test-secret-key-0123456789-abcdefghijklm";

describe("secret box", () => {
  it("opens what it sealed, with a fresh IV each time", () => {
    const a = seal(KEY, "account:T1", "pässword 🔑");
    const b = seal(KEY, "account:T1", "pässword 🔑");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain("pässword");
    expect(open(KEY, "account:T1", a)).toBe("pässword 🔑");
    expect(open(KEY, "account:T1", seal(KEY, "account:T1", ""))).toBe("");
  });

  it("refuses a tampered value", () => {
    const sealed = seal(KEY, "account:T1", "secret");
    const [v, iv, body, tag] = sealed.split(".") as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString("base64url");
    };
    for (const forged of [
      [v, flip(iv), body, tag],
      [v, iv, flip(body), tag],
      [v, iv, body, flip(tag)],
      [v, iv, body, ""],
      ["v2", iv, body, tag],
      [v, iv, body],
    ]) {
      expect(() => open(KEY, "account:T1", forged.join("."))).toThrow(SecretBoxError);
    }
    expect(() => open(KEY, "account:T1", "not sealed at all")).toThrow(SecretBoxError);
    expect(() => open(KEY, "account:T1", "")).toThrow(SecretBoxError);
  });

  it("refuses another context (a value copied to another tenant) and another key", () => {
    const sealed = seal(KEY, "account:T1", "secret");
    expect(() => open(KEY, "account:T2", sealed)).toThrow(/does not open/);
    expect(() => open(`${KEY}-rotated`, "account:T1", sealed)).toThrow(SecretBoxError);
  });

  it("masks secrets without showing them", () => {
    expect(maskSecret(undefined)).toBeNull();
    expect(maskSecret("")).toBeNull();
    expect(maskSecret("short")).toBe("••••");
    expect(maskSecret("elevenchars")).toBe("••••");
    expect(maskSecret("a-long-secret-1234")).toBe("••••1234");
  });
});
