import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { describe, expect, it } from "vitest";
import { createNetworkPolicy, normalisedAddress, type Resolver } from "./network-policy.js";

const settings = (allow: string[] = [], deny: string[] = []) => ({
  outboundAllow: allow,
  outboundDeny: deny,
  extraCaFile: undefined,
});

/** A resolver answering from a table, standing in for DNS (names are not looked up on the network). */
function table(entries: Record<string, string[]>): Resolver {
  return async (host) => {
    const found = entries[host];
    if (!found) throw Object.assign(new Error(`no such host ${host}`), { code: "ENOTFOUND" });
    return found;
  };
}

describe("network policy", () => {
  const policy = createNetworkPolicy(
    settings(),
    table({
      "mail.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
      "sneaky.example.com": ["93.184.216.34", "10.0.0.5"],
      "metadata.example.com": ["169.254.169.254"],
      "mapped.example.com": ["::ffff:192.168.1.1"],
      "empty.example.com": [],
    }),
  );

  it("allows public IPv4 and IPv6 addresses and names resolving only to them", async () => {
    expect(await policy.check("93.184.216.34")).toEqual({ ok: true, addresses: ["93.184.216.34"] });
    expect(await policy.check("2606:4700::6810:84e5")).toMatchObject({ ok: true });
    expect(await policy.check("[2606:4700::6810:84e5]")).toMatchObject({ ok: true });
    expect(await policy.check("Mail.Example.COM.")).toEqual({
      ok: true,
      addresses: ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    });
  });

  it("refuses loopback, private, link-local, metadata, CGNAT, multicast and reserved addresses", async () => {
    for (const address of [
      "127.0.0.1",
      "127.8.9.10",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "198.18.0.1",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "[::ffff:169.254.169.254]",
      "64:ff9b::a00:1",
    ]) {
      const check = await policy.check(address);
      expect(check.ok, address).toBe(false);
    }
    expect(await policy.check("172.32.0.1")).toMatchObject({ ok: true });
  });

  it.each([
    ["IPv4-mapped, dotted", "::ffff:127.0.0.1", "127.0.0.1"],
    ["IPv4-mapped, hex", "::ffff:7f00:1", "127.0.0.1"],
    ["IPv4-mapped, written out", "0:0:0:0:0:ffff:7f00:0001", "127.0.0.1"],
    ["IPv4-translated", "::ffff:0:7f00:1", "127.0.0.1"],
    ["IPv4-translated, dotted", "::ffff:0:169.254.169.254", "169.254.169.254"],
    ["IPv4-compatible, dotted", "::127.0.0.1", "127.0.0.1"],
    ["IPv4-compatible, hex", "::a00:1", "10.0.0.1"],
    ["6to4", "2002:7f00:1::1", "127.0.0.1"],
    ["6to4, metadata", "2002:a9fe:a9fe::", "169.254.169.254"],
    ["NAT64 well-known prefix", "64:ff9b::7f00:1", "127.0.0.1"],
    ["NAT64 well-known prefix, dotted", "64:ff9b::10.0.0.1", "10.0.0.1"],
    ["NAT64 local-use prefix", "64:ff9b:1::c0a8:1", "192.168.0.1"],
  ])("checks %s (%s) as the IPv4 address it reaches, and refuses it", async (_form, address, v4) => {
    expect(normalisedAddress(address)).toBe(v4);
    expect((await policy.check(address)).ok).toBe(false);
    expect((await policy.check(`[${address}]`)).ok).toBe(false);
  });

  it("keeps ::, ::1 and ordinary IPv6 as they are; public IPv4 behind a translation form is allowed", async () => {
    expect(normalisedAddress("::")).toBe("::");
    expect(normalisedAddress("::1")).toBe("::1");
    expect(normalisedAddress("2606:4700::6810:84e5")).toBe("2606:4700::6810:84e5");
    expect(normalisedAddress("10.0.0.1")).toBe("10.0.0.1");
    expect(await policy.check("2002:5db8:d822::1")).toMatchObject({ ok: true });
    expect(await policy.check("::ffff:93.184.216.34")).toMatchObject({ ok: true });
    // A name resolving to a disguised loopback address is refused like the address itself.
    const named = createNetworkPolicy(settings(), table({ "x.example.com": ["2002:7f00:1::1"] }));
    expect((await named.check("x.example.com")).ok).toBe(false);
  });

  it("refuses a name when any of its addresses is private (DNS rebinding and mixed answers)", async () => {
    const sneaky = await policy.check("sneaky.example.com");
    expect(sneaky).toEqual({
      ok: false,
      reason:
        "sneaky.example.com resolves to 10.0.0.5, a private, loopback, link-local or reserved address that is not allowed",
    });
    expect(await policy.check("metadata.example.com")).toMatchObject({ ok: false, reason: /169\.254\.169\.254/ });
    expect(await policy.check("mapped.example.com")).toMatchObject({ ok: false });
    expect(await policy.check("empty.example.com")).toMatchObject({ ok: false, reason: /has no address/ });
    expect(await policy.check("nowhere.example.com")).toMatchObject({ ok: false, reason: /ENOTFOUND/ });
  });

  it("refuses what is not a host name", async () => {
    for (const host of [
      "",
      " ",
      "smtp://mail.example.com",
      "mail.example.com/path",
      "a b.example",
      "x".repeat(300),
      "mail\r\n.example",
    ]) {
      expect((await policy.check(host)).ok, JSON.stringify(host)).toBe(false);
    }
  });

  it("lets the operator allow ranges and names, and deny more (deny wins)", async () => {
    const custom = createNetworkPolicy(
      settings(
        ["127.0.0.1/32", "::1/128", "10.20.0.0/16", "internal.example.com"],
        ["10.20.30.0/24", "blocked.example.com"],
      ),
      table({
        "internal.example.com": ["10.99.0.1"],
        "blocked.example.com": ["93.184.216.34"],
        "denied-range.example.com": ["93.184.216.34", "10.20.30.40"],
      }),
    );
    expect(await custom.check("127.0.0.1")).toMatchObject({ ok: true });
    expect(await custom.check("::1")).toMatchObject({ ok: true });
    expect(await custom.check("::ffff:127.0.0.1")).toMatchObject({ ok: true });
    expect(await custom.check("127.0.0.2")).toMatchObject({ ok: false });
    expect(await custom.check("10.20.1.1")).toMatchObject({ ok: true });
    expect(await custom.check("10.20.30.1")).toMatchObject({ ok: false });
    expect(await custom.check("internal.example.com")).toMatchObject({ ok: true, addresses: ["10.99.0.1"] });
    expect(await custom.check("blocked.example.com")).toMatchObject({
      ok: false,
      reason: /not allowed by the operator/,
    });
    expect(await custom.check("denied-range.example.com")).toMatchObject({ ok: false });
    expect(await custom.check("169.254.169.254")).toMatchObject({ ok: false });
    expect(custom.ca).toBeUndefined();
    expect(custom.secureContext).toBeUndefined();
  });

  it("builds the extra CAs into one TLS context, once", () => {
    const dir = mkdtempSync(join(tmpdir(), "postbag-ca-"));
    try {
      const file = join(dir, "ca.pem");
      // Any CA certificate will do; Node's first root is one.
      writeFileSync(file, rootCertificates[0] as string);
      const policy = createNetworkPolicy({ outboundAllow: [], outboundDeny: [], extraCaFile: file });
      expect(policy.ca).toHaveLength(rootCertificates.length + 1);
      expect(policy.secureContext).toBeDefined();
      expect(policy.secureContext).toBe(policy.secureContext);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
