import { Resolver } from "node:dns/promises";

/** The one DNS question Postbag asks: the TXT records at a name (each record's strings joined). */
export interface TxtLookup {
  /** Resolves to the TXT records at `name`; `[]` when the name or the record type does not exist. */
  txt(name: string): Promise<string[]>;
}

/**
 * Node's resolver, asking `servers` (`host` or `host:port`, as POSTBAG_DNS_SERVERS lists them)
 * or the system's when the list is empty. A name that does not exist is an empty answer; a
 * server that does not answer is an error (the check says so instead of calling records missing).
 */
export function createTxtLookup(servers: readonly string[], timeoutMs = 5000): TxtLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return {
    async txt(name) {
      try {
        const records = await resolver.resolveTxt(name);
        return records.map((chunks) => chunks.join(""));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOTFOUND" || code === "ENODATA") return [];
        throw err;
      }
    },
  };
}

export type RecordStatus = "ok" | "missing" | "wrong";

/** A DNS record a domain should publish, and what the last check found. */
export interface DomainRecord {
  readonly type: "TXT";
  readonly name: string;
  readonly value: string;
  /** `dkim` is required for the domain to be verified; `spf` and `dmarc` are advice. */
  readonly purpose: "dkim" | "spf" | "dmarc";
  readonly required: boolean;
  readonly status: RecordStatus;
  /** What DNS holds instead, when `wrong`. */
  readonly found: string[];
}

export type ExpectedRecord = Omit<DomainRecord, "status" | "found">;

/** The records to publish for `domain`: the DKIM key (required), SPF (when the operator names its mechanism) and DMARC. */
export function expectedRecords(options: {
  readonly domain: string;
  readonly selector: string;
  readonly publicKey: string;
  readonly spfInclude: string | undefined;
}): ExpectedRecord[] {
  const { domain, selector, publicKey, spfInclude } = options;
  const records: ExpectedRecord[] = [
    {
      type: "TXT",
      name: `${selector}._domainkey.${domain}`,
      value: `v=DKIM1; k=rsa; p=${publicKey}`,
      purpose: "dkim",
      required: true,
    },
  ];
  if (spfInclude) {
    records.push({ type: "TXT", name: domain, value: `v=spf1 ${spfInclude} ~all`, purpose: "spf", required: false });
  }
  // A policy to start from: reports only, nothing rejected, until the operator has watched them.
  records.push({ type: "TXT", name: `_dmarc.${domain}`, value: "v=DMARC1; p=none", purpose: "dmarc", required: false });
  return records;
}

function tags(record: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of record.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).replace(/\s+/g, ""));
  }
  return out;
}

/** Compares what DNS holds with one expected record. */
export function judgeRecord(expected: ExpectedRecord, found: readonly string[]): DomainRecord {
  const result = (status: RecordStatus, shown: readonly string[] = []): DomainRecord => ({
    ...expected,
    status,
    found: [...shown],
  });
  switch (expected.purpose) {
    case "dkim": {
      // Other TXT records may share the name; only DKIM ones count (v=DKIM1 is optional).
      const keys = found.filter((r) => tags(r).has("p"));
      if (keys.length === 0) return result(found.length === 0 ? "missing" : "wrong", found);
      const want = tags(expected.value).get("p");
      return keys.some((r) => tags(r).get("p") === want) ? result("ok") : result("wrong", keys);
    }
    case "spf": {
      const spf = found.filter((r) => /^v=spf1(\s|$)/i.test(r.trim()));
      if (spf.length === 0) return result("missing");
      const mechanism = expected.value
        .replace(/^v=spf1\s+/i, "")
        .replace(/\s+~all$/i, "")
        .toLowerCase();
      const words = (r: string) => r.toLowerCase().split(/\s+/);
      const ok = spf.length === 1 && mechanism.split(/\s+/).every((m) => words(spf[0] ?? "").includes(m));
      return ok ? result("ok") : result("wrong", spf);
    }
    case "dmarc": {
      const dmarc = found.filter((r) => /^v=DMARC1\s*(;|$)/i.test(r.trim()));
      if (dmarc.length === 0) return result(found.length === 0 ? "missing" : "wrong", found);
      return dmarc.length === 1 ? result("ok") : result("wrong", dmarc);
    }
  }
}

/** Looks every record up (at once) and judges each. A lookup failure throws: nothing is concluded. */
export async function checkRecords(lookup: TxtLookup, records: readonly ExpectedRecord[]): Promise<DomainRecord[]> {
  return Promise.all(records.map(async (r) => judgeRecord(r, await lookup.txt(r.name))));
}
