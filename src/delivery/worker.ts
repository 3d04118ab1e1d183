import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import type { MessageRow } from "../db/tables.js";
import { isValidEmail } from "../messages/address.js";
import type { Clock } from "../time/clock.js";
import type { MailTransport } from "./mail-transport.js";
import {
  type ClaimedDelivery,
  claimDue,
  type DeliveryOutcome,
  recordOutcomes,
  releaseClaims,
  renewLeases,
} from "./outbox.js";
import { renderMessage } from "./render.js";
import { nextAttemptAt, type RetrySettings } from "./retry-policy.js";
import { returnPathFor } from "./return-path.js";
import type { SendResult } from "./send-result.js";

export interface WorkerSettings {
  readonly concurrency: number;
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly retry: RetrySettings;
  readonly secretKey: string;
  readonly bounceDomain: string;
}

export interface WorkerDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly transport: MailTransport;
  readonly settings: WorkerSettings;
  readonly logger: Logger;
  /** Identifies this worker's leases; unique per worker. */
  readonly owner?: string;
}

interface RenderedMessage {
  readonly message: MessageRow;
  readonly raw: Buffer;
}

const MESSAGE_CACHE_SIZE = 2048;
const MESSAGE_CACHE_BYTES = 64 * 1024 * 1024;
const RECORD_BATCH = 200;
const RECORD_WINDOW_MS = 25;

/**
 * The delivery worker: claims due recipients, and for each runs the pipeline
 * `loadMessage -> checkAddress -> render -> send -> decide -> record`. Outcomes are written in
 * batches (one transaction for many results). Rows stay leased to this worker until their
 * outcome is committed, so a crash at any point means a retry after the lease, never a loss.
 */
export class DeliveryWorker {
  readonly owner: string;
  readonly #deps: WorkerDeps;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Rows handed back by stop() while their send was still in flight. */
  readonly #released = new Set<string>();
  readonly #messages = new Map<string, Promise<RenderedMessage | undefined>>();
  readonly #sizes = new Map<string, number>();
  #cachedBytes = 0;
  #pending: DeliveryOutcome[] = [];
  #flushing: Promise<void> | undefined;
  #window: NodeJS.Timeout | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.owner = deps.owner ?? `w-${randomBytes(6).toString("hex")}`;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Asks an idle worker to look for due mail now (e.g. right after a message was accepted). */
  poke(): void {
    this.#wake?.();
  }

  /**
   * Stops claiming, waits up to `graceMs` for in-flight sends, records what finished, and hands
   * the rest back so another worker (or the next start) picks them up at once.
   */
  async stop(graceMs: number): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    let timer: NodeJS.Timeout | undefined;
    const settled = Promise.allSettled([...this.#inFlight.values()]);
    await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    const unfinished = [...this.#inFlight.keys()];
    for (const id of unfinished) this.#released.add(id);
    await this.#flushAll();
    await releaseClaims(this.#deps.database, this.owner, unfinished, this.#deps.clock.now());
    if (unfinished.length > 0) this.#deps.logger.warn({ count: unfinished.length }, "released unfinished deliveries");
  }

  /** One claim and everything it claimed, delivered and recorded. For tests and `drain`. */
  async runOnce(limit = this.#deps.settings.concurrency): Promise<number> {
    const claimed = await this.#claim(limit);
    await Promise.all(claimed.map((d) => this.#track(d)));
    await this.#flushAll();
    return claimed.length;
  }

  /**
   * Renews the lease of every row this worker still holds (sending, or waiting to be recorded)
   * a few times per lease, so a send that waits long in the pool is never claimed by another
   * worker while this one still means to send it.
   */
  async #renewLeases(): Promise<void> {
    const held = [...this.#inFlight.keys(), ...this.#pending.map((o) => o.delivery.id)];
    if (held.length === 0) return;
    const { database, clock, settings } = this.#deps;
    try {
      await renewLeases(database, this.owner, held, clock.now() + settings.leaseMs);
    } catch (err) {
      this.#deps.logger.error({ err }, "renewing leases failed");
    }
  }

  async #run(): Promise<void> {
    const heartbeat = setInterval(() => void this.#renewLeases(), Math.max(100, this.#deps.settings.leaseMs / 3));
    heartbeat.unref();
    try {
      await this.#claimLoop();
    } finally {
      clearInterval(heartbeat);
    }
  }

  async #claimLoop(): Promise<void> {
    const { concurrency, pollMs } = this.#deps.settings;
    // Claim in chunks so a single finished send does not cost a claim query of its own.
    const minClaim = Math.max(1, Math.floor(concurrency / 4));
    while (this.#running) {
      const free = concurrency - this.#inFlight.size;
      let claimed = 0;
      if (free >= minClaim || this.#inFlight.size === 0) {
        try {
          const batch = await this.#claim(free);
          claimed = batch.length;
          for (const d of batch) void this.#track(d);
        } catch (err) {
          this.#deps.logger.error({ err }, "claiming deliveries failed");
        }
      }
      if (!this.#running) break;
      if (claimed === 0 || this.#inFlight.size >= concurrency - minClaim + 1) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, claimed === 0 ? pollMs : 1000);
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

  async #claim(limit: number): Promise<ClaimedDelivery[]> {
    const { database, clock, settings } = this.#deps;
    const rows = await claimDue(database, this.owner, clock.now(), settings.leaseMs, Math.min(limit, 500));
    // A send still waiting in the pool can outlive its lease, and then this worker claims its
    // own row again. Sending it twice would deliver it twice; the claim has renewed the lease.
    const claimed = rows.filter((d) => !this.#inFlight.has(d.id));
    this.#prefetch(claimed);
    return claimed;
  }

  /**
   * Loads the messages of a claimed batch that are not cached yet with one query (and their
   * attachments with another), instead of two queries per recipient.
   */
  #prefetch(claimed: readonly ClaimedDelivery[]): void {
    const wanted = new Map<string, string>();
    for (const d of claimed) {
      if (!this.#messages.has(d.messageId)) wanted.set(d.messageId, d.tenantId);
    }
    if (wanted.size === 0) return;
    const loaded = this.#loadMessages(wanted);
    for (const id of wanted.keys()) {
      const one = loaded.then((all) => all.get(id));
      one.catch(() => this.#messages.delete(id));
      this.#cache(id, one);
    }
  }

  /** Loads and renders messages, given as message id -> tenant id (one query per tenant). */
  async #loadMessages(wanted: ReadonlyMap<string, string>): Promise<Map<string, RenderedMessage>> {
    const { db } = this.#deps.database;
    const byTenant = new Map<string, string[]>();
    for (const [messageId, tenantId] of wanted) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), messageId]);
    const messages = [];
    for (const [tenantId, ids] of byTenant) {
      messages.push(
        ...(await db
          .selectFrom("messages")
          .selectAll()
          .where("tenant_id", "=", tenantId)
          .where("id", "in", ids)
          .execute()),
      );
    }
    const withFiles = messages.filter((m) => m.attachment_count > 0).map((m) => m.id);
    const files =
      withFiles.length === 0
        ? []
        : await db
            .selectFrom("attachments")
            .select(["message_id", "filename", "content_type", "content"])
            .where("message_id", "in", withFiles)
            .where("tenant_id", "in", [...byTenant.keys()])
            .orderBy("message_id")
            .orderBy("position")
            .execute();
    const out = new Map<string, RenderedMessage>();
    for (const message of messages) {
      const attachments = files.filter((f) => f.message_id === message.id);
      out.set(message.id, { message, raw: await renderMessage(message, attachments) });
    }
    return out;
  }

  /** Keeps rendered messages for their other recipients, bounded by count and by bytes. */
  #cache(id: string, value: Promise<RenderedMessage | undefined>): void {
    this.#messages.set(id, value);
    void value.then(
      (m) => {
        if (!m || this.#messages.get(id) !== value) return;
        this.#cachedBytes += m.raw.length;
        this.#sizes.set(id, m.raw.length);
        this.#evict();
      },
      () => {},
    );
    this.#evict();
  }

  #evict(): void {
    while (this.#messages.size > MESSAGE_CACHE_SIZE || this.#cachedBytes > MESSAGE_CACHE_BYTES) {
      const oldest = this.#messages.keys().next().value;
      if (oldest === undefined) break;
      this.#messages.delete(oldest);
      this.#cachedBytes -= this.#sizes.get(oldest) ?? 0;
      this.#sizes.delete(oldest);
    }
  }

  #track(delivery: ClaimedDelivery): Promise<void> {
    const p = this.#deliver(delivery)
      .then((outcome) => this.#enqueue(outcome))
      .catch((err: unknown) => {
        // A bug or a database failure, not an SMTP outcome: leave the lease to expire so the
        // row is retried, and say so loudly.
        this.#deps.logger.error({ err, recipientId: delivery.id }, "delivery pipeline failed");
      })
      .finally(() => {
        this.#inFlight.delete(delivery.id);
        const wake = this.#wake;
        if (wake && this.#inFlight.size <= this.#deps.settings.concurrency / 2) wake();
      });
    this.#inFlight.set(delivery.id, p);
    return p;
  }

  /** The pipeline for one recipient. Returns the outcome to record. */
  async #deliver(delivery: ClaimedDelivery): Promise<DeliveryOutcome> {
    const rendered = await this.#loadMessage(delivery);
    if (!rendered) return this.#final(delivery, "rejected", 0, null, null, "message no longer exists");
    if (!this.#checkAddress(delivery)) {
      return this.#final(delivery, "email_missing", delivery.attempts, null, null, "no valid email address");
    }
    const result = await this.#send(delivery, rendered.raw);
    return this.#decide(delivery, result);
  }

  #loadMessage(delivery: ClaimedDelivery): Promise<RenderedMessage | undefined> {
    let cached = this.#messages.get(delivery.messageId);
    if (!cached) {
      // Normally prefetched with its batch; evicted from the cache since, so load it alone.
      const id = delivery.messageId;
      cached = this.#loadMessages(new Map([[id, delivery.tenantId]])).then((all) => all.get(id));
      cached.catch(() => this.#messages.delete(id));
      this.#cache(id, cached);
    }
    return cached;
  }

  #checkAddress(delivery: ClaimedDelivery): boolean {
    return isValidEmail(delivery.email);
  }

  #send(delivery: ClaimedDelivery, raw: Buffer): Promise<SendResult> {
    const { secretKey, bounceDomain } = this.#deps.settings;
    const from = returnPathFor(secretKey, bounceDomain, delivery.id);
    return this.#deps.transport.send({ from, to: delivery.email }, raw);
  }

  #decide(delivery: ClaimedDelivery, result: SendResult): DeliveryOutcome {
    const attempts = delivery.attempts + 1;
    switch (result.kind) {
      case "sent":
        return this.#final(delivery, "sent", attempts, result.code, result.enhanced, result.text);
      case "hard":
        return this.#final(delivery, result.status, attempts, result.code, result.enhanced, result.text);
      case "soft": {
        const now = this.#deps.clock.now();
        const next = nextAttemptAt(
          this.#deps.settings.retry,
          delivery.createdAt,
          now,
          attempts,
          result.enhanced,
          result.code,
        );
        if (next === null) {
          const hours = Math.round(this.#deps.settings.retry.lifetimeMs / 3_600_000);
          return this.#final(
            delivery,
            "hard_bounce",
            attempts,
            result.code,
            result.enhanced,
            `gave up after ${hours} h: ${result.text}`,
          );
        }
        return {
          delivery,
          status: "soft_bounce",
          attempts,
          nextAttemptAt: next,
          smtpCode: result.code,
          enhancedCode: result.enhanced,
          smtpText: result.text,
          at: now,
        };
      }
    }
  }

  #final(
    delivery: ClaimedDelivery,
    status: DeliveryOutcome["status"],
    attempts: number,
    code: number | null,
    enhanced: string | null,
    text: string | null,
  ): DeliveryOutcome {
    return {
      delivery,
      status,
      attempts,
      nextAttemptAt: null,
      smtpCode: code,
      enhancedCode: enhanced,
      smtpText: text,
      at: this.#deps.clock.now(),
    };
  }

  /**
   * Queues an outcome for the next batched write. Outcomes arrive one SMTP reply at a time; a
   * short window gathers them so that one commit (one fsync) records many.
   */
  #enqueue(outcome: DeliveryOutcome): void {
    // A send that stop() gave up on ends when the transport is closed. Its row was handed back,
    // so there is no lease to record against (and the database may be closed by now).
    if (this.#released.delete(outcome.delivery.id)) return;
    this.#pending.push(outcome);
    if (this.#pending.length >= RECORD_BATCH) void this.#flush();
    else this.#window ??= setTimeout(() => void this.#flush(), RECORD_WINDOW_MS);
  }

  /** Starts writing what is pending (if not already writing); resolves when that write ends. */
  #flush(): Promise<void> {
    clearTimeout(this.#window);
    this.#window = undefined;
    this.#flushing ??= this.#writeAll()
      .catch((err: unknown) => {
        // Given up after retries: those rows stay leased and fall due again after the lease.
        this.#deps.logger.error({ err }, "delivery outcomes not recorded; they will be retried after the lease");
      })
      .finally(() => {
        this.#flushing = undefined;
        if (this.#pending.length > 0) this.#window ??= setTimeout(() => void this.#flush(), RECORD_WINDOW_MS);
      });
    return this.#flushing;
  }

  /** Writes everything pending, including outcomes that arrive while writing. */
  async #flushAll(): Promise<void> {
    while (this.#pending.length > 0 || this.#flushing) await this.#flush();
  }

  async #writeAll(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, RECORD_BATCH);
      for (let attempt = 1; ; attempt++) {
        try {
          await recordOutcomes(this.#deps.database, this.owner, batch);
          break;
        } catch (err) {
          // The rows stay leased to us; if the database stays away they fall due again after
          // the lease and are retried (a duplicate send is possible; a lost status is not).
          this.#deps.logger.error({ err, attempt, count: batch.length }, "recording delivery outcomes failed");
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    }
  }
}
