import { describe, expect, it } from "vitest";
import { type AddressProblem, checkDisplayName, checkEmail, checkHeaderValue, isValidEmail } from "./address.js";

function problemOf(input: string): AddressProblem | undefined {
  const result = checkEmail(input);
  return result.ok ? undefined : result.problem;
}

describe("checkEmail accepts", () => {
  it.each([
    ["plain", "user@example.com", "user@example.com"],
    ["plus-addressing", "user+tag@example.com", "user+tag@example.com"],
    ["dots in the local part", "first.last@example.com", "first.last@example.com"],
    ["subdomains", "a@mail.eu.example.co.uk", "a@mail.eu.example.co.uk"],
    ["every atext symbol", "!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"],
    ["digits and hyphens in the domain", "a@1-2.example123.com", "a@1-2.example123.com"],
    ["an IDN domain", "user@bücher.de", "user@bücher.de"],
    ["a punycode domain", "user@xn--bcher-kva.de", "user@xn--bcher-kva.de"],
    ["a UTF-8 local part", "josé@example.com", "josé@example.com"],
    ["a non-Latin local part", "用户@例子.广告", "用户@例子.广告"],
    ["an IPv4 literal", "postmaster@[127.0.0.1]", "postmaster@[127.0.0.1]"],
    ["an IPv6 literal", "postmaster@[IPv6:::1]", "postmaster@[IPv6:::1]"],
    ["an IPv6 literal with the tag in another case", "a@[ipv6:2001:DB8::1]", "a@[IPv6:2001:db8::1]"],
    ["a 64-byte local part", `${"a".repeat(64)}@example.com`, `${"a".repeat(64)}@example.com`],
  ])("%s", (_name, input, expected) => {
    expect(checkEmail(input)).toEqual({ ok: true, email: expected });
  });

  it("trims surrounding spaces", () => {
    expect(checkEmail("  user@example.com  ")).toEqual({ ok: true, email: "user@example.com" });
  });

  it("lower-cases the domain but keeps the local part as given", () => {
    expect(checkEmail("John.Doe@Example.COM")).toEqual({ ok: true, email: "John.Doe@example.com" });
    expect(checkEmail("user@BÜCHER.de")).toEqual({ ok: true, email: "user@bücher.de" });
  });

  it("accepts an address of exactly 254 bytes", () => {
    const domain = `${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(57)}.com`;
    const email = `${"a".repeat(64)}@${domain}`;
    expect(email).toHaveLength(254);
    expect(checkEmail(email)).toEqual({ ok: true, email });
  });
});

describe("checkEmail refuses", () => {
  it.each<[string, string, AddressProblem]>([
    ["an empty string", "", "empty"],
    ["only spaces", "   ", "empty"],
    ["a space inside", "john doe@example.com", "invalid_syntax"],
    ["a space in the domain", "a@exa mple.com", "invalid_domain"],
    ["two @", "a@b@example.com", "invalid_syntax"],
    ["no @", "user.example.com", "invalid_syntax"],
    ["nothing before the @", "@example.com", "invalid_syntax"],
    ["nothing after the @", "user@", "invalid_syntax"],
    ["a leading dot", ".user@example.com", "invalid_syntax"],
    ["a trailing dot in the local part", "user.@example.com", "invalid_syntax"],
    ["two dots in a row", "a..b@x.com", "invalid_syntax"],
    ["a domain label with a leading hyphen", "a@-x.com", "invalid_domain"],
    ["a domain label with a trailing hyphen", "a@x-.com", "invalid_domain"],
    ["an IDN label with a leading hyphen", "a@-ü.de", "invalid_domain"],
    ["a single-label domain", "a@x", "invalid_domain"],
    ["a numeric top-level domain", "a@x.123", "invalid_domain"],
    ["a bare IPv4 address as domain", "a@127.0.0.1", "invalid_domain"],
    ["a trailing dot in the domain", "a@example.com.", "invalid_domain"],
    ["two dots in the domain", "a@example..com", "invalid_domain"],
    ["an underscore in the domain", "a@ex_ample.com", "invalid_domain"],
    ["a percent sign in the domain", "a@b%41ü.com", "invalid_domain"],
    ["a domain label longer than 63", `a@${"x".repeat(64)}.com`, "invalid_domain"],
    ["a 65-byte local part", `${"a".repeat(65)}@example.com`, "local_part_too_long"],
    ["a local part over 64 bytes in UTF-8", `${"é".repeat(33)}@example.com`, "local_part_too_long"],
    ["a 255-byte address", `${"a".repeat(64)}@${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(58)}.com`, "too_long"],
    ["a header injection", "a@b.com\r\nBcc: evil@x.com", "control_characters"],
    ["a trailing line break", "a@b.com\n", "control_characters"],
    ["a tab", "a\t@b.com", "control_characters"],
    ["a NUL byte", "a\u0000b@example.com", "control_characters"],
    ["DEL", "a\u007fb@example.com", "control_characters"],
    ["a C1 NEXT LINE", "a\u0085b@example.com", "control_characters"],
    ["a quoted local part", '"quoted"@x.com', "invalid_syntax"],
    ["a quoted local part with spaces", '"john doe"@x.com', "invalid_syntax"],
    ["an invalid IPv4 literal", "a@[999.1.1.1]", "invalid_domain"],
    ["an IPv6 literal without the tag", "a@[::1]", "invalid_domain"],
    ["an IPv6 literal with a zone id", "a@[IPv6:fe80::1%eth0]", "invalid_domain"],
    ["an IPv4 address under the IPv6 tag", "a@[IPv6:127.0.0.1]", "invalid_domain"],
    ["an unclosed literal", "a@[127.0.0.1", "invalid_domain"],
    ["angle brackets", "<a@b.com>", "invalid_syntax"],
    ["a name and address", "Name <a@b.com>", "invalid_syntax"],
    ["a comment", "a(comment)@b.com", "invalid_syntax"],
    ["a comma", "a,b@example.com", "invalid_syntax"],
    ["a semicolon", "a;b@example.com", "invalid_syntax"],
    ["a colon", "a:b@example.com", "invalid_syntax"],
    ["a backslash", "a\\b@example.com", "invalid_syntax"],
    ["square brackets in the local part", "a[b]@example.com", "invalid_syntax"],
    ["a no-break space", "a\u00a0b@example.com", "invalid_syntax"],
    ["a zero-width joiner", "a\u200db@example.com", "invalid_syntax"],
    ["a right-to-left override", "a\u202eb@example.com", "invalid_syntax"],
    ["a full-width dot in the domain", "a@例子。广告", "invalid_domain"],
  ])("%s", (_name, input, problem) => {
    expect(problemOf(input)).toBe(problem);
  });

  // A guard against catastrophic backtracking (which would take seconds or hang), not a speed
  // measurement: the bound is loose enough for a loaded shared machine.
  it("answers a 1 MB string without backtracking", () => {
    const huge = `${"a".repeat(1024 * 1024)}@example.com`;
    const started = performance.now();
    expect(problemOf(huge)).toBe("too_long");
    expect(problemOf(`${"a.".repeat(512 * 1024)}@x.com`)).toBe("too_long");
    expect(problemOf(`${"a".repeat(1024 * 1024)}\n`)).toBe("control_characters");
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("checkEmail messages", () => {
  function messageOf(input: string): string {
    const result = checkEmail(input);
    if (result.ok) {
      throw new Error(`expected ${input} to be refused`);
    }
    return result.message;
  }

  it("quote the value", () => {
    expect(messageOf("a@")).toBe('"a@" has no domain part');
    expect(messageOf("ab")).toBe('"ab" has no @');
    expect(messageOf("a@b@c.com")).toBe('"a@b@c.com" has more than one @');
    expect(messageOf("a b@c.com")).toBe('"a b@c.com" contains " ", which is not allowed before the @');
    expect(messageOf("a@x")).toBe('"a@x" has an invalid domain: it needs at least two labels, as in example.com');
    expect(messageOf("")).toBe("email address is empty");
  });

  it("show control characters escaped", () => {
    expect(messageOf("a@b.com\r\nBcc: evil@x.com")).toBe(
      '"a@b.com\\r\\nBcc: evil@x.com" contains a control character such as a line break',
    );
  });

  it("cut long values to 80 characters", () => {
    const message = messageOf("x".repeat(1000));
    expect(message).toBe(`"${"x".repeat(80)}"… is longer than 254 bytes`);
  });

  it("do not split a surrogate pair when cutting", () => {
    const message = messageOf(`${"x".repeat(79)}😀${"x".repeat(300)}`);
    expect(message.startsWith(`"${"x".repeat(79)}"…`)).toBe(true);
  });

  it("point a user who sent a name to the bare address", () => {
    expect(messageOf("Name <a@b.com>")).toContain("must be a bare address");
  });
});

describe("isValidEmail", () => {
  it("agrees with checkEmail", () => {
    expect(isValidEmail("user@example.com")).toBe(true);
    expect(isValidEmail("user@bücher.de")).toBe(true);
    expect(isValidEmail("user@x")).toBe(false);
    expect(isValidEmail("a@b.com\r\nBcc: evil@x.com")).toBe(false);
  });
});

describe("checkDisplayName", () => {
  it.each([
    ["O'Brien, Mary", "O'Brien, Mary"],
    ['"The Boss" <not an address>', '"The Boss" <not an address>'],
    ["  José Müller  ", "José Müller"],
    ["王小明", "王小明"],
    ["", ""],
  ])("accepts %j", (input, name) => {
    expect(checkDisplayName(input)).toEqual({ ok: true, name });
  });

  it.each(["x\r\nBcc: y", "x\ny", "x\ty", "x\u0000", "\r\n"])("refuses control characters in %j", (input) => {
    expect(checkDisplayName(input)).toMatchObject({ ok: false, problem: "control_characters" });
  });

  it("allows 200 characters, counting an emoji as one", () => {
    expect(checkDisplayName("😀".repeat(200))).toEqual({ ok: true, name: "😀".repeat(200) });
    expect(checkDisplayName("a".repeat(200)).ok).toBe(true);
  });

  it("refuses more than 200 characters", () => {
    expect(checkDisplayName("a".repeat(201))).toMatchObject({ ok: false, problem: "too_long" });
    expect(checkDisplayName("😀".repeat(201))).toMatchObject({ ok: false, problem: "too_long" });
    expect(checkDisplayName("a".repeat(1024 * 1024))).toMatchObject({ ok: false, problem: "too_long" });
  });

  it("names the field in its message", () => {
    const result = checkDisplayName("x\r\nBcc: y");
    expect(result.ok ? "" : result.message).toBe(
      'display name "x\\r\\nBcc: y" contains a control character such as a line break',
    );
  });
});

describe("checkHeaderValue", () => {
  it("accepts text and trims it", () => {
    expect(checkHeaderValue("  Your invoice: €12, due 1 May  ")).toEqual({
      ok: true,
      value: "Your invoice: €12, due 1 May",
    });
  });

  it("refuses every control character, TAB included", () => {
    for (const input of ["a\tb", "a\r\nX-Evil: 1", "a\u0000", "a\u007f", "a\u001b[31m"]) {
      expect(checkHeaderValue(input)).toMatchObject({ ok: false, problem: "control_characters" });
    }
  });

  it("limits the length to 998 by default", () => {
    expect(checkHeaderValue("a".repeat(998)).ok).toBe(true);
    expect(checkHeaderValue("a".repeat(999))).toMatchObject({ ok: false, problem: "too_long" });
  });

  it("takes another limit", () => {
    expect(checkHeaderValue("abcd", 3)).toMatchObject({ ok: false, problem: "too_long" });
    expect(checkHeaderValue("abc", 3)).toEqual({ ok: true, value: "abc" });
  });
});
