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

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is checked as the IPv4 address it is. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address;
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
    const a = unmapped(address);
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
