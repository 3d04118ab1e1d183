import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import { BlockList, isIP } from "node:net";
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";
import type { Config } from "../config/config.js";

/**
 * Which hosts tenants may make Postbag connect to (their SMTP/IMAP/POP3 servers, webhook
 * endpoints, OAuth token endpoints). A tenant could otherwise point Postbag at the operator's
 * own network. Host names are resolved first and every address is checked, so a name that
 * resolves to a private address is refused too; callers then connect to the checked address
 * (not the name again), so DNS cannot change its answer in between.
 *
 * Denied by default: loopback, private (RFC 1918, ULA), link-local (incl. cloud metadata
 * 169.254.169.254), carrier-grade NAT, multicast, unspecified and reserved ranges. The operator
 * may let ranges or names through (`POSTBAG_OUTBOUND_ALLOW`, e.g. the test suite's loopback
 * servers) and deny more (`POSTBAG_OUTBOUND_DENY`), which wins over allow.
 */
export interface NetworkPolicy {
  /** Resolves `host` and returns the addresses allowed, or why it is refused. */
  check(host: string): Promise<HostCheck>;
  /** Extra CAs (POSTBAG_EXTRA_CA_FILE) plus Node's roots, for TLS to tenants' servers; undefined: defaults. */
  readonly ca: readonly string[] | undefined;
  /**
   * The same CAs as a TLS context built once, to pass as `secureContext` instead of `ca`:
   * `ca` on each connection makes Node parse the ~150 certificates again every time (about
   * 100 ms of CPU per connection). Undefined when there is no extra CA file (Node's defaults).
   */
  readonly secureContext: SecureContext | undefined;
}

export type HostCheck =
  | { readonly ok: true; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const BUILT_IN_DENY: ReadonlyArray<readonly [string, number, "ipv4" | "ipv6"]> = [
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
  ["64:ff9b::", 96, "ipv6"],
];

interface Rules {
  readonly ranges: BlockList;
  readonly names: ReadonlySet<string>;
}

function rulesOf(entries: readonly string[]): Rules {
  const ranges = new BlockList();
  const names = new Set<string>();
  for (const entry of entries) {
    const [addr, bits] = entry.split("/");
    const family = addr ? isIP(addr) : 0;
    if (family === 0) {
      names.add(entry.toLowerCase().replace(/\.$/, ""));
      continue;
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    ranges.addSubnet(addr as string, prefix, type);
  }
  return { ranges, names };
}

function familyOf(address: string): "ipv4" | "ipv6" {
  return isIP(address) === 4 ? "ipv4" : "ipv6";
}

/** The 16 bytes of an IPv6 address (as `isIP` accepts it), or null. */
function ipv6Bytes(address: string): number[] | null {
  let text = address.toLowerCase();
  const tail: number[] = [];
  // A dotted IPv4 tail (`::ffff:1.2.3.4`) is the last 32 bits.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4.slice(1, 5).map(Number));
    text = `${text.slice(0, v4.index)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string | undefined) => (part ? part.split(":").filter((g) => g !== "") : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const all = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => "0"), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    const n = Number.parseInt(g, 16);
    if (!/^[0-9a-f]{1,4}$/.test(g) || Number.isNaN(n)) return null;
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes.length === 16 ? bytes : null;
}

const zeros = (bytes: readonly number[], from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);

/**
 * The IPv4 address an IPv6 address carries and reaches, checked in its place: IPv4-mapped
 * (`::ffff:a.b.c.d`, also written `::ffff:7f00:1`), IPv4-translated (`::ffff:0:a.b.c.d`),
 * IPv4-compatible (`::a.b.c.d`, deprecated but still routed by some stacks), 6to4
 * (`2002:AABB:CCDD::/48`) and NAT64 (`64:ff9b::/96` well-known, `64:ff9b:1::/48` local-use).
 * Anything else is checked as the IPv6 address it is. Without this, `::127.0.0.1` or
 * `2002:7f00:1::1` would pass a deny list written for IPv4.
 */
export function normalisedAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  const b = ipv6Bytes(address);
  if (!b) return address;
  const v4 = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  if (zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  if (zeros(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(b, 10, 12)) return v4(12);
  // `::` and `::1` are themselves (unspecified, loopback), not IPv4 0.0.0.0 / 0.0.0.1.
  if (zeros(b, 0, 12) && !(zeros(b, 12, 15) && (b[15] ?? 0) <= 1)) return v4(12);
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    if (zeros(b, 4, 12)) return v4(12);
    if (b[4] === 0x00 && b[5] === 0x01) return v4(12);
  }
  return address;
}

export type Resolver = (host: string) => Promise<readonly string[]>;

const systemResolver: Resolver = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

export function createNetworkPolicy(
  config: Pick<Config, "outboundAllow" | "outboundDeny" | "extraCaFile">,
  resolve: Resolver = systemResolver,
): NetworkPolicy {
  const deny = new BlockList();
  for (const [addr, prefix, type] of BUILT_IN_DENY) deny.addSubnet(addr, prefix, type);
  const allow = rulesOf(config.outboundAllow);
  const extraDeny = rulesOf(config.outboundDeny);
  const ca = config.extraCaFile ? [...rootCertificates, readFileSync(config.extraCaFile, "utf8")] : undefined;
  const secureContext = ca ? createSecureContext({ ca }) : undefined;

  function addressAllowed(address: string): boolean {
    const a = normalisedAddress(address);
    const type = familyOf(a);
    if (extraDeny.ranges.check(a, type)) return false;
    if (allow.ranges.check(a, type)) return true;
    return !deny.check(a, type);
  }

  return {
    ca,
    secureContext,
    async check(rawHost: string): Promise<HostCheck> {
      const host = rawHost
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, "")
        .replace(/\.$/, "");
      if (host === "" || host.length > 253 || /[^a-z0-9.:_-]/.test(host)) {
        return { ok: false, reason: `"${rawHost.slice(0, 100)}" is not a host name or address` };
      }
      if (extraDeny.names.has(host)) return { ok: false, reason: `${host} is not allowed by the operator` };
      let addresses: readonly string[];
      if (isIP(host)) addresses = [host];
      else {
        try {
          addresses = await resolve(host);
        } catch (err) {
          return {
            ok: false,
            reason: `${host} could not be resolved (${(err as NodeJS.ErrnoException).code ?? "error"})`,
          };
        }
        if (addresses.length === 0) return { ok: false, reason: `${host} has no address` };
      }
      if (allow.names.has(host)) return { ok: true, addresses };
      const refused = addresses.filter((a) => !addressAllowed(a));
      if (refused.length > 0) {
        return {
          ok: false,
          reason: `${host} resolves to ${refused[0]}, a private, loopback, link-local or reserved address that is not allowed`,
        };
      }
      return { ok: true, addresses };
    },
  };
}
