import { checkRecords, type DomainRecord, expectedRecords, type TxtLookup } from "./dns-check.js";

/** The operator's domain and the records it must publish, as `npx postbag domains check --json` prints them. */
export interface OperatorDomainCheck {
  readonly domain: string;
  readonly records: readonly DomainRecord[];
}

export interface OperatorDomainSettings {
  readonly domain: string;
  readonly selector: string;
  /** Base64 SPKI DER of the operator's DKIM key. */
  readonly publicKey: string;
  readonly spfInclude: string | undefined;
}

/** `.localhost` names (RFC 6761) never resolve: there is nothing to look up or publish. */
export function isLocalDomain(domain: string): boolean {
  return domain === "localhost" || domain.endsWith(".localhost");
}

/** Looks the operator domain's records up and judges each (a DNS failure throws). */
export async function checkOperatorDomain(
  lookup: TxtLookup,
  settings: OperatorDomainSettings,
): Promise<OperatorDomainCheck> {
  const records = await checkRecords(lookup, expectedRecords(settings));
  return { domain: settings.domain, records };
}

/** The check as a table a person reads. */
export function formatDomainCheck(check: OperatorDomainCheck): string {
  const lines = [`Sending domain ${check.domain}: publish these DNS records`, ""];
  for (const r of check.records) {
    const need = r.required ? "required" : "advised";
    lines.push(`${r.status.toUpperCase().padEnd(7)} ${r.type} ${r.name}  (${r.purpose}, ${need})`);
    lines.push(`        ${r.value}`);
    for (const f of r.found) lines.push(`        found instead: ${f}`);
  }
  const dkim = check.records.find((r) => r.purpose === "dkim");
  lines.push(
    "",
    dkim?.status === "ok"
      ? "DKIM is published: mail from this domain is signed and verifiable."
      : "DKIM is not published yet: receivers cannot verify the signature until it is.",
  );
  return lines.join("\n");
}
