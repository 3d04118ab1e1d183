import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import type { Clock } from "../time/clock.js";
import { dkimSignatureFor } from "./dkim-sign.js";
import { type DomainKey, verifiedDomainKeys } from "./domain-store.js";

/** The seam the delivery worker signs through: one rendered message in, the same message signed out. */
export interface MessageSigner {
  /** Never throws: a message that cannot be signed goes out unsigned (and the failure is logged). */
  sign(tenantId: string, fromAddress: string, raw: Buffer): Promise<Buffer>;
}

export interface DkimSignerDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly secretKey: string;
  /** The operator's domain and key: everything that is not From a verified tenant domain. */
  readonly operator: DomainKey;
}

/** How long a tenant's verified domains are trusted before they are read again. */
const DOMAINS_TTL_MS = 60_000;
const DOMAINS_CACHE_MAX = 10_000;

/**
 * DKIM signing (RFC 6376, rsa-sha256, relaxed/relaxed; `dkim-sign.ts`). Mail From a domain the
 * tenant has verified is signed with that domain's key (aligned for DMARC); all other mail with
 * the operator's. The operator's key is read once; a tenant's is opened from its sealed column
 * once a minute at most, never per message.
 */
export class DkimSigner implements MessageSigner {
  readonly #deps: DkimSignerDeps;
  readonly #domains = new Map<string, { readonly until: number; readonly keys: Promise<Map<string, DomainKey>> }>();

  constructor(deps: DkimSignerDeps) {
    this.#deps = deps;
  }

  async sign(tenantId: string, fromAddress: string, raw: Buffer): Promise<Buffer> {
    const domain = fromAddress.slice(fromAddress.lastIndexOf("@") + 1).toLowerCase();
    try {
      // A domain no longer verified (its record removed, or deleted) signs as the operator.
      const key =
        domain === this.#deps.operator.domain
          ? this.#deps.operator
          : ((await this.#keysOf(tenantId)).get(domain) ?? this.#deps.operator);
      const signature = await dkimSignatureFor(raw, key, new Date(this.#deps.clock.now()));
      return Buffer.concat([Buffer.from(signature, "latin1"), raw]);
    } catch (err) {
      this.#deps.logger.error({ err, tenantId }, "DKIM signing failed");
      return raw;
    }
  }

  #keysOf(tenantId: string): Promise<Map<string, DomainKey>> {
    const now = this.#deps.clock.now();
    const cached = this.#domains.get(tenantId);
    if (cached && cached.until > now) return cached.keys;
    if (this.#domains.size >= DOMAINS_CACHE_MAX) this.#domains.clear();
    const keys = verifiedDomainKeys(this.#deps.database.db, this.#deps.secretKey, tenantId);
    // A failed read is not cached: the next message asks again.
    keys.catch(() => this.#domains.delete(tenantId));
    this.#domains.set(tenantId, { until: now + DOMAINS_TTL_MS, keys });
    return keys;
  }
}
