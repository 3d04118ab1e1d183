import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { meterBatch } from "../credits/meter.js";
import type { NoticeSender } from "../credits/notices.js";
import { getOperatorCreditSettings, type OperatorCreditSettings, tenantCreditRulesFor } from "../credits/settings.js";
import type { Database, Tx } from "../db/database.js";
import { StoredJsonError } from "../db/json-codec.js";
import type { MessageRow } from "../db/tables.js";
import type { MessageSigner } from "../domains/dkim-signer.js";
import { isValidEmail } from "../email/address.js";
import { SENDER_CAUSED } from "../email/failure-reasons.js";
import type { Clock } from "../time/clock.js";
import {
  FINAL_SOURCES,
  loadMessageContexts,
  loadRecipientData,
  type MessageContext,
  PERSONAL_SOURCES,
  type RecipientData,
} from "./mail-context.js";
import type { AccountTransports, MailTransport } from "./mail-transport.js";
import {
  type ClaimedDelivery,
  claimDue,
  type DeliveryOutcome,
  recordOutcomes,
  releaseClaims,
  renewLeases,
  writeOutcomes,
} from "./outbox.js";
import { personalise } from "./personalise.js";
import { recipientCopy } from "./recipient-copy.js";
import { type RenderAttachment, renderMessage } from "./render.js";
import { nextAttemptAt, type RetrySettings } from "./retry-policy.js";
import { returnPathFor } from "./return-path.js";
import { screenDeliveries } from "./screen.js";
import { gateOwnAccountSends } from "./send-gate.js";
import type { SendResult } from "./send-result.js";
import { holdSuspendedClaims } from "./suspension.js";

export interface WorkerSettings {
  readonly concurrency: number;
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly retry: RetrySettings;
  readonly secretKey: string;
  readonly bounceDomain: string;
  /** Base of the signed links in emails (unsubscribe, open pixel): `POSTBAG_PUBLIC_URL`. */
  readonly publicUrl: string;
  /** For Postbag's own notices (credit alerts) queued while metering. */
  readonly notices: NoticeSender;
}

/** What a worker reports about its sends (metrics); nothing per tenant or address. */
export interface DeliveryObserver {
  /** One SMTP send's latency, from handing the message to the transport to its answer. */
  sendLatency(seconds: number): void;
  /** One delivery's outcome (the status recorded) and the time since its claim. */
  outcome(status: string, claimToOutcomeSeconds: number): void;
}

export interface WorkerDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly transport: MailTransport;
  readonly settings: WorkerSettings;
  readonly logger: Logger;
  /** Identifies this worker's leases; unique per worker. */
  readonly owner?: string;
  /** Tenants' own mail accounts (sending mode `own_account`); without it all mail takes the relay. */
  readonly tenantTransports?: AccountTransports;
  /** DKIM for mail that takes the relay (own accounts keep their provider's signing); without it, unsigned. */
  readonly signer?: MessageSigner;
  readonly observer?: DeliveryObserver;
}

/**
 * A loaded message: rendered once for all its recipients (`fixed`: plain API mail), kept as a
 * template rendered for each recipient (`personal`: announcements, digests, HTML mail with an
 * open pixel), or one that cannot be rendered (it becomes a final rejection).
 */
type RenderedMessage =
  | { readonly kind: "fixed"; readonly message: MessageRow; readonly raw: Buffer }
  | {
      readonly kind: "personal";
      readonly message: MessageRow;
      readonly attachments: readonly RenderAttachment[];
      readonly context: MessageContext;
    }
  | { readonly kind: "broken"; readonly message: MessageRow; readonly error: string };

const MESSAGE_CACHE_SIZE = 2048;
const MESSAGE_CACHE_BYTES = 64 * 1024 * 1024;
/** Messages up to this size are loaded in bulk with their batch; larger ones one at a time. */
const SMALL_MESSAGE_BYTES = 256 * 1024;
/** Large messages loaded and in flight at once, which bounds the worker's memory. */
const LARGE_MESSAGE_SLOTS = 4;
const RECORD_BATCH = 200;
/** Back-off between attempts to record outcomes while the database is away (doubling up to this). */
const RECORD_RETRY_MAX_MS = 2_000;
/** How long stop() keeps trying to record outcomes on top of its grace period. */
const STOP_RECORD_MS = 15_000;
/** How long operator settings read by the claim (critical categories) are reused. */
const SETTINGS_TTL_MS = 10_000;

/**
 * The delivery worker: claims due recipients, screens and meters them in the claim
 * (`checkSuppression -> checkOptOut -> checkDigest -> checkAddress -> reserveCredit`), and for
 * each runs `loadMessage -> render -> send -> decide -> record` (plain messages are rendered to
 * MIME once, when loaded; announcements and digests once per recipient). Outcomes are written
 * by group commit: the first is written after one turn of the event loop (so replies already
 * read by other connections join it), and those that arrive while a commit runs share the next
 * one, so a 250 waits for its durable record no longer than one commit and a turn, and the
 * connection that carried it begins no other transaction until then (`MailTransport.send`'s
 * `recorded`), so a crash repeats only transactions still open at the relay. Rows stay
 * leased to this worker until their outcome is committed, and the lease is renewed while they
 * wait; an outcome the database refuses (it is away) stays pending and is retried for as long
 * as it takes, still leased. So a crash at any point means a retry after the lease, never a
 * loss, and a database outage means no duplicate.
 */
export class DeliveryWorker {
  readonly owner: string;
  readonly #deps: WorkerDeps;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #messages = new Map<string, Promise<RenderedMessage | undefined>>();
  readonly #sizes = new Map<string, number>();
  /** Contact and subjects of claimed rows that have a contact, loaded in bulk per batch. */
  readonly #people = new Map<string, Promise<RecipientData | undefined>>();
  #cachedBytes = 0;
  #largeSlots = LARGE_MESSAGE_SLOTS;
  readonly #largeWaiters: Array<() => void> = [];
  #pending: DeliveryOutcome[] = [];
  #flushing: Promise<void> | undefined;
  /** Database writes of this worker (outcomes, lease renewals) run one after another. */
  #writes: Promise<unknown> = Promise.resolve();
  #running = false;
  /** Rows settled by screening in the claim (never sent), for runOnce's count. */
  #screenedCount = 0;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Set by stop() once it gives up on in-flight sends: their failures are not recorded. */
  #abandoning = false;
  /** Set by stop(): past it, outcomes the database still refuses are given up (and logged). */
  #recordDeadline = Number.POSITIVE_INFINITY;
  readonly #abandoned = new Set<string>();
  /** Outcomes taken from `#pending` by a record write that has not committed yet. */
  #recording = 0;
  /**
   * Per row in flight: settles the `recorded` promise its send handed the transport, whose
   * connection starts nothing else until then (see `MailTransport.send`).
   */
  readonly #recorded = new Map<string, () => void>();
  /** Round-robin position over tenants with due mail, advanced by each claim. */
  #rotation = 0;
  #operator: { at: number; settings: OperatorCreditSettings } | undefined;
  /** Signed copies of rendered messages: a message rendered once for all recipients is signed once. */
  readonly #signed = new WeakMap<Buffer, Promise<Buffer>>();

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
   * Stops claiming and waits up to `graceMs` for in-flight sends. Sends still running then are
   * ended by closing the transport. Every outcome that did arrive is recorded (a `sent` is
   * never thrown away); rows whose send ended without an answer are handed back, due at once,
   * for another worker or the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.#running = false;
    this.#recordDeadline = Date.now() + graceMs + STOP_RECORD_MS;
    this.#wake?.();
    await this.#loop;
    if (!(await this.#settle(graceMs))) {
      this.#abandoning = true;
      await this.#deps.transport.close();
      await this.#settle(5_000);
    }
    await this.#flushAll();
    const handBack = [...this.#abandoned, ...this.#inFlight.keys()];
    await this.#write(() => releaseClaims(this.#deps.database, this.owner, handBack, this.#deps.clock.now()));
    // Outcomes still unrecorded (the database stayed away): their connections may go now.
    this.#settleRecorded([...this.#recorded.keys()]);
    if (handBack.length > 0) this.#deps.logger.warn({ count: handBack.length }, "handed back unfinished deliveries");
  }

  /** True if every in-flight delivery finished within `ms`. */
  async #settle(ms: number): Promise<boolean> {
    if (this.#inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.allSettled([...this.#inFlight.values()]).then(() => true);
    const done = await Promise.race([all, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
    clearTimeout(timer);
    return done && this.#inFlight.size === 0;
  }

  /** One claim and everything it claimed, delivered (or settled by screening) and recorded. For tests. */
  async runOnce(limit = this.#deps.settings.concurrency): Promise<number> {
    const screenedBefore = this.#screenedCount;
    const claimed = await this.#claim(limit);
    await Promise.all(claimed.map((d) => this.#track(d)));
    await this.#flushAll();
    return claimed.length + this.#screenedCount - screenedBefore;
  }

  /** Renews the leases of every row this worker holds, now, as its heartbeat does. For tests. */
  renewLeasesNow(): Promise<void> {
    return this.#renewLeases();
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
      await this.#write(() => renewLeases(database, this.owner, held, clock.now() + settings.leaseMs));
    } catch (err) {
      this.#deps.logger.error({ err }, "renewing leases failed");
    }
  }

  /**
   * Runs this worker's database writes one at a time. A lease renewal and an outcome batch
   * touch the same rows; on PostgreSQL, running them side by side could deadlock.
   */
  #write<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#writes.then(fn, fn);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  /**
   * The operator's credit settings (critical categories are claimed ahead of bulk; metering
   * needs the rest), read at most every `SETTINGS_TTL_MS` rather than in every claim: a change
   * reaches a running worker within that time.
   */
  async #operatorSettings(tx: Tx, now: number): Promise<OperatorCreditSettings> {
    if (!this.#operator || Math.abs(now - this.#operator.at) > SETTINGS_TTL_MS) {
      // In the claim's transaction: on SQLite the transaction holds the one connection.
      this.#operator = { at: now, settings: await getOperatorCreditSettings(tx) };
    }
    return this.#operator.settings;
  }

  /**
   * Claims due rows, screens and meters them in one transaction (one commit, one turn of
   * SQLite's write lock): recipients are screened on every attempt (`screen.ts`; those decided
   * there are recorded at once, and a retry's charge is refunded), then charged (or found
   * uncounted) before anything is sent, and those held for lack of credit leave the batch.
   * Retries keep the charge they already have.
   *
   * Runs as one of this worker's writes, and records the outcomes waiting to be recorded in the
   * same transaction: on SQLite with synchronous=FULL every commit is an fsync that blocks the
   * thread, so a claim that also records saves one. If the claim fails, they wait again.
   */
  #claim(limit: number): Promise<ClaimedDelivery[]> {
    return this.#write(async () => {
      const carried = this.#pending.splice(0, RECORD_BATCH);
      try {
        // Rows whose outcomes wait in a write queued behind this claim are still leased: they
        // count against the limit, so this worker never holds more rows than it may send.
        const claimed = await this.#claimAndRecord(limit - this.#recording, carried);
        this.#settleRecorded(carried.map((o) => o.delivery.id));
        return claimed;
      } catch (err) {
        this.#pending.unshift(...carried);
        if (carried.length > 0 && !this.#flushing) void this.#flush();
        throw err;
      }
    });
  }

  async #claimAndRecord(limit: number, carried: readonly DeliveryOutcome[]): Promise<ClaimedDelivery[]> {
    const { database, clock, settings } = this.#deps;
    const now = clock.now();
    const claimed = await database.db.transaction().execute(async (tx) => {
      await writeOutcomes(tx, database.dialect, this.owner, carried);
      const batch = Math.min(limit, 500);
      const operator = await this.#operatorSettings(tx, now);
      const rows = await claimDue(database, this.owner, now, settings.leaseMs, batch, tx, {
        priorityCategories: operator.criticalCategories,
        rotation: this.#rotation,
      });
      this.#rotation = (this.#rotation + batch) % 1_000_000;
      // A send still waiting in the pool can outlive its lease, and then this worker claims
      // its own row again. Sending it twice would deliver it twice; the claim renewed the lease.
      // A suspended tenant's mail is held before anything else: not screened, metered or sent.
      const mine = await holdSuspendedClaims(
        tx,
        this.owner,
        rows.filter((d) => !this.#inFlight.has(d.id)),
        now,
      );
      if (mine.length === 0) return [];
      // The batch's tenants, once: time zones (digests), sending mode (the gate) and credit rules.
      const rules = await tenantCreditRulesFor(
        tx,
        mine.map((d) => d.tenantId),
        operator,
      );
      // Screening first, so mail that will never be sent takes no paced slot and no credit; on
      // every attempt, so an address suppressed (or a contact opted out) while its mail waited
      // for a retry is not tried again (its credit goes back when the row is recorded).
      const screened = await screenDeliveries(
        tx,
        mine,
        now,
        new Map([...rules.values()].map((r) => [r.tenantId, r.timezone])),
      );
      const decided = new Set<string>();
      await writeOutcomes(tx, database.dialect, this.owner, screened.outcomes);
      for (const o of screened.outcomes) decided.add(o.delivery.id);
      this.#screenedCount += decided.size;
      // Only tenants on their own mail account go unmetered: the gate looks at no other.
      const ownAccount = new Set([...rules.values()].filter((r) => !r.metered).map((r) => r.tenantId));
      const going = await gateOwnAccountSends(
        tx,
        this.owner,
        mine.filter((d) => !decided.has(d.id)),
        now,
        ownAccount,
      );
      const toMeter = going.filter((d) => d.charge === null);
      if (toMeter.length === 0) return going;
      const { charges, held } = await meterBatch(
        database,
        toMeter.map((d) => ({
          recipientId: d.id,
          tenantId: d.tenantId,
          messageId: d.messageId,
          category: screened.messages.get(d.messageId)?.category ?? "",
          status: d.status,
        })),
        now,
        settings.notices,
        tx,
        { operator, rules, claimed: true },
      );
      return going.filter((d) => !held.has(d.id)).map((d) => ({ ...d, charge: charges.get(d.id) ?? d.charge }));
    });
    this.#prefetch(claimed);
    return claimed;
  }

  /**
   * Loads the small messages of a claimed batch that are not cached yet with one query (and
   * their attachments with another), instead of two queries per recipient.
   */
  #prefetch(claimed: readonly ClaimedDelivery[]): void {
    const people = claimed.filter((d) => d.contactId !== null);
    if (people.length > 0) {
      const loaded = loadRecipientData(this.#deps.database.db, people);
      // A failed bulk load is not fatal: the row's own render loads its data again.
      for (const d of people)
        this.#people.set(
          d.id,
          loaded.then((all) => all.get(d.id)).catch(() => undefined),
        );
    }
    const wanted = new Map<string, string>();
    for (const d of claimed) {
      if (!this.#messages.has(d.messageId)) wanted.set(d.messageId, d.tenantId);
    }
    if (wanted.size === 0) return;
    const loaded = this.#loadMessages(wanted, SMALL_MESSAGE_BYTES);
    for (const id of wanted.keys())
      this.#cache(
        id,
        loaded.then((all) => all.get(id)),
      );
  }

  /**
   * Loads and renders messages, given as message id -> tenant id. With `maxBytes`, larger
   * messages are left out (they are loaded alone, under the large-message limit).
   */
  async #loadMessages(wanted: ReadonlyMap<string, string>, maxBytes?: number): Promise<Map<string, RenderedMessage>> {
    const { db } = this.#deps.database;
    const ids = [...wanted.keys()];
    const messages: MessageRow[] = [];
    // One query for the whole batch, whatever its tenants; a row counts only under the tenant it was claimed for.
    for (let i = 0; i < ids.length; i += 500) {
      let q = db
        .selectFrom("messages")
        .selectAll()
        .where("tenant_id", "in", [...new Set(wanted.values())])
        .where("id", "in", ids.slice(i, i + 500));
      if (maxBytes !== undefined) q = q.where("size_bytes", "<=", maxBytes);
      messages.push(...(await q.execute()).filter((m) => wanted.get(m.id) === m.tenant_id));
    }
    const withFiles = messages.filter((m) => m.attachment_count > 0);
    const files =
      withFiles.length === 0
        ? []
        : await db
            .selectFrom("attachments")
            .select(["message_id", "filename", "content_type", "content"])
            .where("tenant_id", "in", [...new Set(withFiles.map((m) => m.tenant_id))])
            .where(
              "message_id",
              "in",
              withFiles.map((m) => m.id),
            )
            .orderBy("message_id")
            .orderBy("position")
            .execute();
    const contexts = await loadMessageContexts(db, messages);
    const out = new Map<string, RenderedMessage>();
    for (const message of messages) {
      const attachments = files.filter((f) => f.message_id === message.id);
      const context = contexts.get(message.id);
      if (context?.broken) {
        this.#deps.logger.error({ messageId: message.id, reason: context.broken }, "message could not be rendered");
        out.set(message.id, { kind: "broken", message, error: context.broken });
        continue;
      }
      if (context && needsPersonalCopies(message, context)) {
        out.set(message.id, { kind: "personal", message, attachments, context });
        continue;
      }
      try {
        out.set(message.id, { kind: "fixed", message, raw: await this.#renderFixed(message, attachments, context) });
      } catch (err) {
        this.#deps.logger.error({ err, messageId: message.id }, "message could not be rendered");
        // A stored column that lost its shape says which; other failures stay generic.
        const error = err instanceof StoredJsonError ? err.message : "message could not be rendered to MIME";
        out.set(message.id, { kind: "broken", message, error });
      }
    }
    return out;
  }

  /** Keeps rendered messages for their other recipients, bounded by count and by bytes. */
  #cache(id: string, value: Promise<RenderedMessage | undefined>): void {
    this.#messages.set(id, value);
    void value.then(
      (m) => {
        if (this.#messages.get(id) !== value) return;
        // Not loaded (too large for the batch, or gone): nothing to keep.
        if (!m) return this.#uncache(id, value);
        const size = m.kind === "fixed" ? m.raw.length : m.kind === "personal" ? m.message.size_bytes : 0;
        this.#cachedBytes += size;
        this.#sizes.set(id, size);
        this.#evict();
      },
      () => this.#uncache(id, value),
    );
    this.#evict();
  }

  #uncache(id: string, value?: Promise<RenderedMessage | undefined>): void {
    if (value !== undefined && this.#messages.get(id) !== value) return;
    this.#messages.delete(id);
    this.#cachedBytes -= this.#sizes.get(id) ?? 0;
    this.#sizes.delete(id);
  }

  #evict(): void {
    while (this.#messages.size > MESSAGE_CACHE_SIZE || this.#cachedBytes > MESSAGE_CACHE_BYTES) {
      const oldest = this.#messages.keys().next().value;
      if (oldest === undefined) break;
      this.#uncache(oldest);
    }
  }

  #track(delivery: ClaimedDelivery): Promise<void> {
    const claimedAt = performance.now();
    const recorded = new Promise<void>((resolve) => this.#recorded.set(delivery.id, resolve));
    const p = this.#deliver(delivery, recorded)
      .then((outcome) => {
        this.#deps.observer?.outcome(outcome.status, (performance.now() - claimedAt) / 1000);
        this.#enqueue(outcome);
      })
      .catch((err: unknown) => {
        // A bug or a database failure, not an SMTP outcome: leave the lease to expire so the
        // row is retried, and say so loudly.
        this.#deps.logger.error({ err, recipientId: delivery.id }, "delivery pipeline failed");
        this.#settleRecorded([delivery.id]);
      })
      .finally(() => {
        this.#inFlight.delete(delivery.id);
        this.#people.delete(delivery.id);
        const wake = this.#wake;
        if (wake && this.#inFlight.size <= this.#deps.settings.concurrency / 2) wake();
      });
    this.#inFlight.set(delivery.id, p);
    return p;
  }

  /** The pipeline for one recipient. Returns the outcome to record. */
  async #deliver(delivery: ClaimedDelivery, recorded: Promise<void>): Promise<DeliveryOutcome> {
    const cached = await this.#messages.get(delivery.messageId);
    if (cached) return this.#sendRendered(delivery, cached, recorded);
    // Not prefetched: a large message. Load it under the large-message limit and keep the slot
    // until its send is over, since the pool holds the rendered bytes until then.
    await this.#acquireLarge();
    try {
      return await this.#sendRendered(delivery, await this.#loadMessage(delivery), recorded);
    } finally {
      this.#releaseLarge();
    }
  }

  #loadMessage(delivery: ClaimedDelivery): Promise<RenderedMessage | undefined> {
    const id = delivery.messageId;
    let cached = this.#messages.get(id);
    if (!cached) {
      cached = this.#loadMessages(new Map([[id, delivery.tenantId]])).then((all) => all.get(id));
      this.#cache(id, cached);
    }
    return cached;
  }

  async #sendRendered(
    delivery: ClaimedDelivery,
    rendered: RenderedMessage | undefined,
    recorded: Promise<void>,
  ): Promise<DeliveryOutcome> {
    if (!rendered) return this.#final(delivery, "rejected", delivery.attempts, null, null, "message no longer exists");
    if (rendered.kind === "broken") {
      return this.#final(delivery, "rejected", delivery.attempts, null, null, rendered.error);
    }
    if (!this.#checkAddress(delivery)) {
      return this.#final(delivery, "email_missing", delivery.attempts, null, null, "no valid email address");
    }
    const raw = rendered.kind === "fixed" ? rendered.raw : await this.#renderFor(delivery, rendered);
    if (raw === null) {
      return this.#final(delivery, "rejected", delivery.attempts, null, null, "message could not be rendered to MIME");
    }
    const sendStarted = performance.now();
    const result = await this.#send(delivery, raw, rendered.message, recorded);
    this.#deps.observer?.sendLatency((performance.now() - sendStarted) / 1000);
    return this.#decide(delivery, result);
  }

  /**
   * Plain mail, once for all its recipients, with the signature when the tenant has one on. No
   * reference header: relay bounces match by the VERP sender alone, and own-account mail gets its
   * per-recipient reference as it is sent (`transports/tenant-transports.ts`).
   */
  #renderFixed(message: MessageRow, attachments: readonly RenderAttachment[], context: MessageContext | undefined) {
    const headers = {};
    // SMTP submission: the client's MIME as stored (its X-Postbag-* headers were removed on accept).
    if (message.raw_mime) return Promise.resolve(message.raw_mime);
    if (!context?.signature) return renderMessage(message, attachments, { headers });
    const content = personalise({
      template: { subject: message.subject, text: message.text_body, html: message.html_body },
      merge: false,
      contact: null,
      subjects: [],
      signature: context.signature,
      unsubscribeUrl: null,
      category: message.category,
      tenantName: context.tenantName,
      pixelUrl: null,
    });
    return renderMessage(message, attachments, { headers, content });
  }

  /**
   * One recipient's copy: merge fields and sections for its contact and subjects (announcements),
   * the signature, the unsubscribe link and `List-Unsubscribe` headers (non-essential
   * announcements and digests) and the open pixel (HTML, when the tenant tracks opens).
   * Null if it cannot be rendered.
   */
  async #renderFor(
    delivery: ClaimedDelivery,
    loaded: Extract<RenderedMessage, { kind: "personal" }>,
  ): Promise<Buffer | null> {
    const { message, context, attachments } = loaded;
    const { settings, clock, database } = this.#deps;
    try {
      let data = await this.#people.get(delivery.id);
      if (!data && delivery.contactId !== null)
        data = (await loadRecipientData(database.db, [delivery])).get(delivery.id);
      const { content, headers, forContact } = recipientCopy({
        message,
        context,
        data,
        links: { publicUrl: settings.publicUrl, secretKey: settings.secretKey },
        tenantId: delivery.tenantId,
        recipientId: delivery.id,
        now: clock.now(),
        pixel: true,
      });
      return await renderMessage(message, attachments, {
        headers,
        content,
        ...(forContact
          ? {
              to: { address: delivery.email, name: data?.contact?.name ?? "" },
              messageId: copyMessageId(message.message_id_header, delivery.id),
            }
          : {}),
      });
    } catch (err) {
      this.#deps.logger.error({ err, recipientId: delivery.id }, "message could not be rendered for its recipient");
      return null;
    }
  }

  async #acquireLarge(): Promise<void> {
    if (this.#largeSlots > 0) {
      this.#largeSlots--;
      return;
    }
    await new Promise<void>((resolve) => this.#largeWaiters.push(resolve));
  }

  #releaseLarge(): void {
    const next = this.#largeWaiters.shift();
    if (next) next();
    else this.#largeSlots++;
  }

  #checkAddress(delivery: ClaimedDelivery): boolean {
    return isValidEmail(delivery.email);
  }

  async #send(
    delivery: ClaimedDelivery,
    raw: Buffer,
    message: MessageRow,
    recorded: Promise<void>,
  ): Promise<SendResult> {
    // The send gate marked it: the tenant's own account (which may hand the row back itself).
    // Unsigned: the account rewrites From, and its provider signs.
    const own = delivery.via ? await this.#deps.tenantTransports?.send(delivery, raw, this.owner, recorded) : null;
    if (own) return own;
    const { secretKey, bounceDomain } = this.#deps.settings;
    const from = returnPathFor(secretKey, bounceDomain, delivery.id);
    return this.#deps.transport.send({ from, to: delivery.email }, await this.#sign(message, raw), recorded);
  }

  /** The sign step: once per rendered message (the same bytes for all its recipients share one signature). */
  #sign(message: MessageRow, raw: Buffer): Promise<Buffer> {
    const signer = this.#deps.signer;
    if (!signer) return Promise.resolve(raw);
    let signed = this.#signed.get(raw);
    if (!signed) {
      signed = signer.sign(message.tenant_id, message.from_address, raw);
      this.#signed.set(raw, signed);
    }
    return signed;
  }

  #decide(delivery: ClaimedDelivery, result: SendResult): DeliveryOutcome {
    const attempts = delivery.attempts + 1;
    switch (result.kind) {
      case "sent":
        return this.#final(delivery, "sent", attempts, result.code, result.enhanced, result.text);
      case "hard":
        return {
          ...this.#final(delivery, result.status, attempts, result.code, result.enhanced, result.text),
          reason: result.reason ?? null,
        };
      case "soft": {
        const now = this.#deps.clock.now();
        const next = nextAttemptAt(
          this.#deps.settings.retry,
          delivery.retryFrom,
          now,
          attempts,
          result.enhanced,
          result.code,
        );
        if (next === null) {
          const hours = Math.round(this.#deps.settings.retry.lifetimeMs / 3_600_000);
          const text = `gave up after ${hours} h: ${result.text}`;
          // A failure on our side (our sender, our IP, authentication) never suppresses the recipient.
          const status = result.reason && SENDER_CAUSED.has(result.reason) ? "rejected" : "hard_bounce";
          return {
            ...this.#final(delivery, status, attempts, result.code, result.enhanced, text),
            reason: result.reason ?? null,
          };
        }
        return {
          delivery,
          status: "soft_bounce",
          attempts,
          nextAttemptAt: next,
          smtpCode: result.code,
          enhancedCode: result.enhanced,
          smtpText: result.text,
          reason: result.reason ?? null,
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
   * Queues an outcome for the next write: after one turn of the event loop when no write is
   * running (a 250 is made durable without a timer), else with the next commit, which takes
   * everything that arrived during this one (group commit).
   */
  #enqueue(outcome: DeliveryOutcome): void {
    // A send that stop() cut short by closing the transport ended without an answer: it is
    // handed back untouched rather than counted as a failed attempt.
    if (this.#abandoning && outcome.status === "soft_bounce" && outcome.smtpCode === null) {
      this.#abandoned.add(outcome.delivery.id);
      this.#settleRecorded([outcome.delivery.id]);
      return;
    }
    this.#pending.push(outcome);
    if (!this.#flushing) void this.#flush();
  }

  /** Starts writing what is pending (if not already writing); resolves when that write ends. */
  #flush(): Promise<void> {
    this.#flushing ??= this.#writeAll()
      .catch((err: unknown) => {
        // Only when stopping with the database still away: those rows stay leased and fall due
        // again after the lease (a duplicate send is possible; a lost status is not).
        this.#deps.logger.error({ err }, "delivery outcomes not recorded; they will be retried after the lease");
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    return this.#flushing;
  }

  /** These rows' outcomes are committed (or will not be): their connections may move on. */
  #settleRecorded(ids: readonly string[]): void {
    for (const id of ids) {
      this.#recorded.get(id)?.();
      this.#recorded.delete(id);
    }
  }

  /** Writes everything pending, including outcomes that arrive while writing. */
  async #flushAll(): Promise<void> {
    while (this.#pending.length > 0 || this.#flushing) await this.#flush();
  }

  /**
   * Writes pending outcomes in batches until none is left. A batch the database refuses stays
   * pending (so the heartbeat keeps renewing its leases) and is tried again, backing off, for as
   * long as it takes: giving it up would let its rows fall due and be sent again. Only stop()
   * sets a deadline.
   */
  async #writeAll(): Promise<void> {
    let failures = 0;
    while (this.#pending.length > 0) {
      // One turn of the event loop first: the replies other connections have already received
      // (read in the same poll phase) join this commit instead of each paying for its own.
      await new Promise((resolve) => setImmediate(resolve));
      // Taken off the queue while it is written, so a claim (which records what is pending in its
      // own transaction) never writes the same outcomes; put back in front if the write fails.
      const batch = this.#pending.splice(0, RECORD_BATCH);
      this.#recording += batch.length;
      try {
        await this.#write(() => recordOutcomes(this.#deps.database, this.owner, batch));
        this.#settleRecorded(batch.map((o) => o.delivery.id));
        if (failures > 0)
          this.#deps.logger.warn({ failures }, "delivery outcomes recorded after the database returned");
        failures = 0;
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 10 === 0)
          this.#deps.logger.error(
            { err, attempt: failures, count: this.#pending.length + batch.length },
            "recording delivery outcomes failed; keeping them and retrying",
          );
        if (Date.now() >= this.#recordDeadline) throw err;
        this.#pending.unshift(...batch);
        await new Promise((r) => setTimeout(r, Math.min(RECORD_RETRY_MAX_MS, 50 * 2 ** Math.min(failures, 6))));
      } finally {
        this.#recording -= batch.length;
      }
    }
  }
}

/**
 * Whether each recipient gets a copy of their own: announcements and digests always; other
 * tenant mail only when it has HTML and the tenant tracks opens, since the open pixel names the
 * recipient. Text-only API mail (and Postbag's notices) keeps the render-once path.
 */
function needsPersonalCopies(message: MessageRow, context: MessageContext): boolean {
  // Submitted MIME is sent as it is: no footer, pixel or merge fields are added to it.
  if (message.raw_mime) return false;
  if (PERSONAL_SOURCES.has(message.source)) return true;
  return !FINAL_SOURCES.has(message.source) && message.html_body !== null && context.trackOpens;
}

/**
 * Each copy of an announcement gets a Message-ID of its own, naming its recipient row: a parent
 * who gets two copies (one per child, not consolidated) would otherwise see only one, as mail
 * services drop a second message with a Message-ID they already hold; and a reply's
 * In-Reply-To then names the recipient it answers.
 */
export function copyMessageId(templateId: string, recipientId: string): string {
  const domain = /@([^>]+)>?$/.exec(templateId)?.[1] ?? "postbag.invalid";
  return `<${recipientId}@${domain}>`;
}
