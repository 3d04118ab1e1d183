import { randomBytes } from "node:crypto";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { SecureContext } from "node:tls";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import type { NetworkPolicy } from "../network/network-policy.js";
import type { Clock } from "../time/clock.js";
import { checkWebhookUrl, signingSecretOf } from "./webhook-endpoints.js";
import { signWebhook } from "./webhook-signature.js";

/**
 * Waits after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h; the seventh failure is
 * final (`failed`), about 17.6 hours after the event.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000,
];

export interface WebhookSenderSettings {
  readonly secretKey: string;
  /** Give up on one attempt after this long (config `webhookTimeoutMs`). */
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** Deliveries in flight at once. */
  readonly concurrency: number;
  /** How long a claimed delivery stays this sender's; longer than any attempt. */
  readonly leaseMs: number;
  readonly retryDelaysMs?: readonly number[];
}

export interface WebhookSenderDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly policy: NetworkPolicy;
  readonly settings: WebhookSenderSettings;
  readonly logger: Logger;
  readonly owner?: string;
}

/** The result of one POST: 2xx is delivered; anything else is tried again later. */
export type WebhookAttempt =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status: number | null; readonly error: string };

interface Claimed {
  readonly id: string;
  readonly tenantId: string;
  readonly endpointId: string;
  readonly payload: string;
  readonly attempts: number;
}

const ERROR_MAX = 300;

/**
 * POSTs `body` to `url`, connecting to `address` (already checked by the network policy) rather
 * than resolving the name again, so DNS cannot swap in a private address after the check. TLS
 * is verified against the URL's host name; redirects are not followed (a 3xx is a failure).
 */
export function postWebhook(options: {
  readonly url: URL;
  readonly address: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Trusted CAs when not Node's defaults (the network policy's `secureContext`, built once). */
  readonly secureContext: SecureContext | undefined;
}): Promise<WebhookAttempt> {
  const { url, address, body } = options;
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve) => {
    let settled = false;
    const finish = (attempt: WebhookAttempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const req = httpsRequest({
      host: address,
      port: url.port === "" ? 443 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: "POST",
      // Certificates are checked against `servername` (the URL's name), not the address.
      ...(isIP(hostname) ? {} : { servername: hostname }),
      ...(options.secureContext ? { secureContext: options.secureContext } : {}),
      rejectUnauthorized: true,
      agent: false,
      headers: {
        ...options.headers,
        host: url.host,
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "Postbag-Webhooks/1",
      },
    });
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `no answer within ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      // The answer's body is not wanted; drop it without keeping the connection.
      res.resume();
      res.on("error", () => undefined);
      finish(
        status >= 200 && status < 300
          ? { ok: true, status }
          : {
              ok: false,
              status,
              error: `HTTP ${status}${status >= 300 && status < 400 ? " (redirects are not followed)" : ""}`,
            },
      );
      req.destroy();
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      finish({ ok: false, status: null, error: `${err.code ?? "error"}: ${err.message}`.slice(0, ERROR_MAX) });
    });
    req.end(body);
  });
}

/**
 * Delivers queued webhook events (`webhook_deliveries`, queued by `enqueueStatusEvents`):
 * claims due rows with a lease, signs and POSTs each, and records the answer. A sender that
 * dies lets its leases lapse and the rows fall due again; a receiver may therefore see an event
 * twice, with the same `webhook-id`, as Standard Webhooks allows.
 */
export class WebhookSender {
  readonly owner: string;
  readonly #deps: WebhookSenderDeps;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(deps: WebhookSenderDeps) {
    this.#deps = deps;
    this.owner = deps.owner ?? `h-${randomBytes(6).toString("hex")}`;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops claiming and waits for attempts in flight (each ends within the timeout). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Claims due deliveries once and attempts each; returns how many were claimed. */
  async runOnce(limit = this.#deps.settings.concurrency): Promise<number> {
    const claimed = await this.#claim(limit);
    await Promise.all(claimed.map((d) => this.#deliver(d)));
    return claimed.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
      } catch (err) {
        this.#deps.logger.error({ err }, "webhook delivery round failed");
      }
      if (!this.#running) break;
      if (claimed === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, this.#deps.settings.pollMs);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.#wake = done;
        });
        this.#wake = undefined;
      }
    }
  }

  async #claim(limit: number): Promise<Claimed[]> {
    const { database, clock, settings } = this.#deps;
    const now = clock.now();
    // One statement: on SQLite it runs under the write lock, so two senders never claim the
    // same row; on PostgreSQL, SKIP LOCKED lets senders pass each other's rows.
    const rows = await database.db
      .updateTable("webhook_deliveries")
      .set({ next_attempt_at: now + settings.leaseMs, lease_owner: this.owner })
      .where("id", "in", (eb) => {
        const due = eb
          .selectFrom("webhook_deliveries")
          .select("id")
          .where("state", "=", "pending")
          .where("next_attempt_at", "<=", now)
          .orderBy("next_attempt_at")
          .limit(limit);
        return database.dialect === "postgres" ? due.forUpdate().skipLocked() : due;
      })
      .where("state", "=", "pending")
      .where("next_attempt_at", "<=", now)
      .returning(["id", "tenant_id", "endpoint_id", "payload", "attempts"])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      endpointId: r.endpoint_id,
      payload: r.payload,
      attempts: r.attempts,
    }));
  }

  async #deliver(d: Claimed): Promise<void> {
    const { database, clock, logger } = this.#deps;
    try {
      const endpoint = await database.db
        .selectFrom("webhook_endpoints")
        .select(["id", "url", "secret", "active"])
        .where("tenant_id", "=", d.tenantId)
        .where("id", "=", d.endpointId)
        .executeTakeFirst();
      if (endpoint?.active !== 1) {
        await this.#giveUp(d, endpoint ? "endpoint is disabled" : "endpoint was deleted");
        return;
      }
      const attempt = await this.#attempt(d, endpoint);
      await this.#record(d, attempt, clock.now());
      if (!attempt.ok) logger.info({ delivery: d.id, error: attempt.error }, "webhook attempt failed");
    } catch (err) {
      logger.error({ err, delivery: d.id }, "webhook delivery failed unexpectedly");
      await this.#record(d, { ok: false, status: null, error: "internal error" }, clock.now()).catch(() => undefined);
    }
  }

  async #attempt(d: Claimed, endpoint: { id: string; url: string; secret: string }): Promise<WebhookAttempt> {
    const { clock, policy, settings } = this.#deps;
    // Checked again at every attempt: the name may resolve elsewhere than at creation.
    const check = await checkWebhookUrl(policy, endpoint.url);
    if (!check.ok) return { ok: false, status: null, error: `refused: ${check.reason}`.slice(0, ERROR_MAX) };
    // IPv4 first, as most endpoints listen on it; only addresses the policy just allowed.
    const address = [...check.addresses].sort((a, b) => isIP(a) - isIP(b))[0] as string;
    const timestamp = Math.floor(clock.now() / 1000);
    const secret = signingSecretOf(settings.secretKey, endpoint);
    return postWebhook({
      url: check.url,
      address,
      body: d.payload,
      timeoutMs: settings.timeoutMs,
      secureContext: policy.secureContext,
      headers: {
        "webhook-id": d.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(secret, d.id, timestamp, d.payload),
      },
    });
  }

  async #record(d: Claimed, attempt: WebhookAttempt, now: number): Promise<void> {
    const attempts = d.attempts + 1;
    const delays = this.#deps.settings.retryDelaysMs ?? WEBHOOK_RETRY_DELAYS_MS;
    const delay = delays[attempts - 1];
    const set = attempt.ok
      ? {
          state: "delivered",
          attempts,
          next_attempt_at: null,
          lease_owner: null,
          last_status: attempt.status,
          last_error: null,
          delivered_at: now,
        }
      : {
          state: delay === undefined ? "failed" : "pending",
          attempts,
          next_attempt_at: delay === undefined ? null : now + delay,
          lease_owner: null,
          last_status: attempt.status,
          last_error: attempt.error.slice(0, ERROR_MAX),
        };
    await this.#deps.database.db
      .updateTable("webhook_deliveries")
      .set(set)
      .where("id", "=", d.id)
      .where("tenant_id", "=", d.tenantId)
      // Only while the lease is still this sender's: a sender that stalled past it writes nothing.
      .where("lease_owner", "=", this.owner)
      .execute();
  }

  async #giveUp(d: Claimed, why: string): Promise<void> {
    await this.#deps.database.db
      .updateTable("webhook_deliveries")
      .set({ state: "failed", next_attempt_at: null, lease_owner: null, last_error: why })
      .where("id", "=", d.id)
      .where("tenant_id", "=", d.tenantId)
      .where("lease_owner", "=", this.owner)
      .execute();
  }
}
