import type { Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { SendingDomainRow } from "../db/tables.js";
import { isValidEmail } from "../email/address.js";
import { ApiError } from "../errors/api-error.js";
import { open, seal } from "../tenants/secret-box.js";
import { generateDkimKey } from "./dkim-key.js";
import { checkRecords, type DomainRecord, expectedRecords, type TxtLookup } from "./dns-check.js";
import { decodeRecords, encodeRecords } from "./domain-records.js";

export type DomainStatus = "pending" | "verified" | "failed";

/** A sending domain as the API shows it (never its private key). */
export interface DomainView {
  readonly id: string;
  readonly domain: string;
  readonly selector: string;
  readonly status: DomainStatus;
  readonly records: DomainRecord[];
  readonly verifiedAt: string | null;
  readonly checkedAt: string | null;
  readonly createdAt: string;
}

const DOMAIN =
  /^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function view(row: SendingDomainRow): DomainView {
  return {
    id: row.id,
    domain: row.domain,
    selector: row.selector,
    status: row.status as DomainStatus,
    records: decodeRecords(row.records),
    verifiedAt: iso(row.verified_at),
    checkedAt: iso(row.checked_at),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const keyContext = (tenantId: string, id: string) => `dkim:${tenantId}:${id}`;

/** A domain name as stored: lower case, no trailing dot; null when it is not a domain name. */
export function normaliseDomain(input: string): string | null {
  const d = input.trim().toLowerCase().replace(/\.$/, "");
  return DOMAIN.test(d) ? d : null;
}

export interface DomainSettings {
  readonly secretKey: string;
  /** The operator's domain: no tenant may add it or a name under it. */
  readonly operatorDomain: string;
  readonly spfInclude: string | undefined;
}

/** Adds a domain with a fresh RSA 2048 key; its records start `missing` until verified. */
export async function addDomain(
  db: Db,
  settings: DomainSettings,
  tenantId: string,
  input: string,
  now: number,
): Promise<DomainView> {
  const domain = normaliseDomain(input);
  if (!domain) throw new ApiError("invalid_request", `${JSON.stringify(input.slice(0, 100))} is not a domain name`);
  const op = settings.operatorDomain;
  if (domain === op || domain.endsWith(`.${op}`)) {
    throw new ApiError("from_not_allowed", `${domain} is the operator's sending domain; add a domain of your own`);
  }
  const id = newId(now);
  // Named after the key, so a later key for the same domain gets a record of its own.
  const selector = `pb${id.slice(-10).toLowerCase()}`;
  const key = generateDkimKey();
  const records = expectedRecords({ domain, selector, publicKey: key.publicKey, spfInclude: settings.spfInclude });
  const row: SendingDomainRow = {
    id,
    tenant_id: tenantId,
    domain,
    selector,
    private_key: seal(settings.secretKey, keyContext(tenantId, id), key.privateKeyPem),
    public_key: key.publicKey,
    status: "pending",
    records: encodeRecords(records.map((r) => ({ ...r, status: "missing", found: [] }))),
    verified_at: null,
    checked_at: null,
    created_at: now,
  };
  try {
    await db.insertInto("sending_domains").values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError("conflict", `${domain} is already one of your domains`);
    throw err;
  }
  return view(row);
}

export async function listDomains(db: Db, tenantId: string): Promise<DomainView[]> {
  const rows = await db
    .selectFrom("sending_domains")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .orderBy("domain")
    .execute();
  return rows.map(view);
}

async function findRow(db: Db | Tx, tenantId: string, id: string): Promise<SendingDomainRow> {
  const row = await db
    .selectFrom("sending_domains")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw new ApiError("not_found", "no such domain");
  return row;
}

export async function getDomain(db: Db, tenantId: string, id: string): Promise<DomainView> {
  return view(await findRow(db, tenantId, id));
}

/** Removes the domain and its key; mail From it afterwards falls back to the operator's domain. */
export async function deleteDomain(db: Db, tenantId: string, id: string): Promise<void> {
  const result = await db
    .deleteFrom("sending_domains")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new ApiError("not_found", "no such domain");
}

function recordsFor(row: SendingDomainRow, spfInclude: string | undefined) {
  return expectedRecords({ domain: row.domain, selector: row.selector, publicKey: row.public_key, spfInclude });
}

/**
 * Checks the domain's records in DNS now and saves the result: `verified` when the DKIM record
 * is `ok`, else `failed`. 409 `domain_taken` when another tenant has the domain verified; 503
 * when DNS does not answer (nothing is concluded from silence).
 */
export async function verifyDomain(
  db: Db,
  lookup: TxtLookup,
  settings: DomainSettings,
  tenantId: string,
  id: string,
  now: number,
): Promise<DomainView> {
  const row = await findRow(db, tenantId, id);
  let records: DomainRecord[];
  try {
    records = await checkRecords(lookup, recordsFor(row, settings.spfInclude));
  } catch (err) {
    throw new ApiError("unavailable", `DNS did not answer for ${row.domain}; try again later`, undefined, {
      cause: err,
    });
  }
  const dkimOk = records.some((r) => r.purpose === "dkim" && r.status === "ok");
  if (dkimOk) {
    const taken = await db
      .selectFrom("sending_domains")
      .select("id")
      .where("domain", "=", row.domain)
      .where("status", "=", "verified")
      .where("tenant_id", "!=", tenantId)
      .executeTakeFirst();
    if (taken) throw new ApiError("domain_taken", `${row.domain} is verified by another tenant`);
  }
  const status: DomainStatus = dkimOk ? "verified" : "failed";
  try {
    await db
      .updateTable("sending_domains")
      .set({
        status,
        records: encodeRecords(records),
        checked_at: now,
        verified_at: dkimOk ? (row.status === "verified" ? row.verified_at : now) : row.verified_at,
      })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .execute();
  } catch (err) {
    // Another tenant verified it between the look-up above and this write.
    if (isUniqueViolation(err)) throw new ApiError("domain_taken", `${row.domain} is verified by another tenant`);
    throw err;
  }
  return getDomain(db, tenantId, id);
}

/** What a daily re-check did to one domain. */
export interface RecheckResult {
  readonly tenantId: string;
  readonly domain: string;
  readonly before: DomainStatus;
  readonly after: DomainStatus | "unchecked";
}

/** Tells a tenant's administrators that a domain stopped being used. */
export type DomainLostNotice = (
  tx: Tx,
  tenantId: string,
  domain: string,
  records: readonly DomainRecord[],
) => Promise<void>;

/**
 * The daily re-check: every verified domain (and every other one, which may have been published
 * since). A verified domain whose DKIM record is no longer `ok` becomes `failed` — its mail goes
 * From the operator's domain again — and its administrators are told, in the same transaction.
 * A domain whose look-up fails is left as it is.
 */
export async function recheckDomains(
  db: Db,
  lookup: TxtLookup,
  settings: DomainSettings,
  now: number,
  lost: DomainLostNotice,
): Promise<RecheckResult[]> {
  const rows = await db.selectFrom("sending_domains").selectAll().orderBy("id").execute();
  const results: RecheckResult[] = [];
  for (const row of rows) {
    const before = row.status as DomainStatus;
    let records: DomainRecord[];
    try {
      records = await checkRecords(lookup, recordsFor(row, settings.spfInclude));
    } catch {
      results.push({ tenantId: row.tenant_id, domain: row.domain, before, after: "unchecked" });
      continue;
    }
    const dkimOk = records.some((r) => r.purpose === "dkim" && r.status === "ok");
    let after: DomainStatus = dkimOk ? "verified" : before === "pending" ? "pending" : "failed";
    await db.transaction().execute(async (tx) => {
      if (after === "verified" && before !== "verified") {
        const taken = await tx
          .selectFrom("sending_domains")
          .select("id")
          .where("domain", "=", row.domain)
          .where("status", "=", "verified")
          .executeTakeFirst();
        if (taken) after = before;
      }
      const changed = await tx
        .updateTable("sending_domains")
        .set({
          status: after,
          records: encodeRecords(records),
          checked_at: now,
          verified_at: after === "verified" && before !== "verified" ? now : row.verified_at,
        })
        .where("id", "=", row.id)
        .where("status", "=", before)
        .executeTakeFirst();
      if (changed.numUpdatedRows > 0n && before === "verified" && after === "failed") {
        await lost(tx, row.tenant_id, row.domain, records);
      }
    });
    results.push({ tenantId: row.tenant_id, domain: row.domain, before, after });
  }
  return results;
}

/** A verified domain's signing key, opened. */
export interface DomainKey {
  readonly domain: string;
  readonly selector: string;
  readonly privateKeyPem: string;
}

/** The tenant's verified domains with their keys, by domain. */
export async function verifiedDomainKeys(db: Db, secretKey: string, tenantId: string): Promise<Map<string, DomainKey>> {
  const rows = await db
    .selectFrom("sending_domains")
    .select(["id", "domain", "selector", "private_key"])
    .where("tenant_id", "=", tenantId)
    .where("status", "=", "verified")
    .execute();
  return new Map(
    rows.map((r) => [
      r.domain,
      {
        domain: r.domain,
        selector: r.selector,
        privateKeyPem: open(secretKey, keyContext(tenantId, r.id), r.private_key),
      },
    ]),
  );
}

/** The tenant's verified domain names. */
export async function verifiedDomains(db: Db | Tx, tenantId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("sending_domains")
    .select("domain")
    .where("tenant_id", "=", tenantId)
    .where("status", "=", "verified")
    .execute();
  return new Set(rows.map((r) => r.domain));
}

/** The tenant's administrators with an address: who hears that a domain stopped being used. */
export async function administratorAddresses(tx: Tx, tenantId: string): Promise<string[]> {
  const admins = await tx
    .selectFrom("users")
    .select("email")
    .where("tenant_id", "=", tenantId)
    .where("role", "=", "administrator")
    .execute();
  return [...new Set(admins.map((a) => a.email).filter((e): e is string => !!e && isValidEmail(e)))];
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
