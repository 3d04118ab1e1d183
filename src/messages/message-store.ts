import type { Database, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { EventRow, MessageRow, NewEvent, NewRecipient, RecipientRow } from "../db/tables.js";
import type { RecipientStatus } from "../email/statuses.js";
import { ApiError } from "../errors/api-error.js";
import type { Clock } from "../time/clock.js";
import { applyHold } from "./hold.js";
import { headerRecipientsColumn, messageHeadersColumn, replyToColumn } from "./message-columns.js";
import type { PreparedMessage } from "./prepare.js";
import { insertRecipients, newRecipient } from "./recipient-state.js";

export interface AcceptedRecipient {
  readonly id: string;
  readonly email: string | null;
  readonly status: RecipientStatus;
}

export interface AcceptedMessage {
  readonly id: string;
  readonly recipients: readonly AcceptedRecipient[];
  /** True when this answers a repeated request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

interface Pending {
  readonly tenantId: string;
  readonly message: PreparedMessage;
  readonly resolve: (value: AcceptedMessage) => void;
  readonly reject: (reason: unknown) => void;
}

// Both dialects cap bound parameters per statement (SQLite 32766, PostgreSQL 65535).
const MAX_PARAMS = 30000;

/** Splits rows into slices small enough for one INSERT on either dialect. */
function* chunks<T extends object>(rows: readonly T[]): Generator<T[]> {
  if (rows.length === 0) return;
  const columns = Math.max(1, Object.keys(rows[0] ?? {}).length);
  const size = Math.max(1, Math.floor(MAX_PARAMS / columns));
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/**
 * Stores accepted messages durably with group commit: requests that arrive while a commit is
 * running wait and are written together in the next transaction (up to `maxBatch`), and each
 * caller's promise resolves only after the transaction holding its message has committed.
 * One fsync then serves many requests, which is what lets SQLite with synchronous=FULL keep up.
 */
export class MessageWriter {
  readonly #database: Database;
  readonly #clock: Clock;
  readonly #maxBatch: number;
  readonly #messageIdDomain: string;
  #queue: Pending[] = [];
  #flushing = false;
  #idle: Array<() => void> = [];

  constructor(options: { database: Database; clock: Clock; messageIdDomain: string; maxBatch?: number }) {
    this.#database = options.database;
    this.#clock = options.clock;
    this.#messageIdDomain = options.messageIdDomain;
    this.#maxBatch = options.maxBatch ?? 100;
  }

  /** Resolves once the message is committed (or, for a replayed Idempotency-Key, found). */
  accept(tenantId: string, message: PreparedMessage): Promise<AcceptedMessage> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ tenantId, message, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // Let requests parsed in the same turn of the event loop join this commit.
        setImmediate(() => void this.#drain());
      }
    });
  }

  /** Resolves when nothing is waiting to be committed. */
  whenIdle(): Promise<void> {
    if (!this.#flushing) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      const results = await this.#commitBatch(batch);
      batch.forEach((p, i) => {
        const r = results[i] ?? new Error("no result for a batched message");
        if (r instanceof Error) p.reject(r);
        else p.resolve(r);
      });
    }
    this.#flushing = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /**
   * Commits a batch; one result per member, in order. A transaction that failed before its
   * COMMIT wrote nothing, so one bad member (a row the database refuses) does not fail the
   * others: the batch is retried member by member, each in a transaction of its own. A failed
   * COMMIT is not retried: it may have been applied, and a retry could store a message twice.
   */
  async #commitBatch(batch: readonly Pending[]): Promise<Array<AcceptedMessage | Error>> {
    try {
      return await this.#commit(batch);
    } catch (err) {
      if (batch.length === 1 || err instanceof CommitOutcomeUnknown) return batch.map(() => failure(err));
    }
    const results: Array<AcceptedMessage | Error> = [];
    for (const p of batch) {
      try {
        results.push(...(await this.#commit([p])));
      } catch (err) {
        results.push(failure(err));
      }
    }
    return results;
  }

  /**
   * Writes a batch in one transaction. Answers for replayed Idempotency-Keys are looked up in
   * the same transaction, so a failed lookup rolls back the batch (and is retried per member)
   * instead of failing requests whose messages were already committed.
   */
  async #commit(batch: readonly Pending[]): Promise<Array<AcceptedMessage | Error>> {
    const now = this.#clock.now();
    const planned = batch.map((p) => planMessage(p.tenantId, p.message, now, this.#messageIdDomain));
    let committing = false;
    try {
      const results = await this.#database.db.transaction().execute(async (tx) => {
        await applyHold(tx, planned, now);
        const messageIds = new Set<string>();
        const withKey = planned.filter((p) => p.message.idempotency_key !== null);
        const withoutKey = planned.filter((p) => p.message.idempotency_key === null);
        // Keyed inserts may conflict with an earlier request (or one in this same batch): the
        // conflicting row is skipped, not an error, and the caller gets the original message.
        for (const p of withKey) {
          const row = await tx
            .insertInto("messages")
            .values(p.message)
            .onConflict((oc) => oc.columns(["tenant_id", "idempotency_key"]).doNothing())
            .returning("id")
            .executeTakeFirst();
          if (row) messageIds.add(row.id);
        }
        for (const p of withoutKey) messageIds.add(p.message.id);
        // Keyed messages are in already; write the rest and every stored message's other rows.
        const stored = planned.filter((p) => messageIds.has(p.message.id));
        for (const rows of chunks(withoutKey.map((p) => p.message)))
          await tx.insertInto("messages").values(rows).execute();
        await insertDependents(tx, stored);

        const answers: Array<AcceptedMessage | Error> = [];
        for (const p of planned) {
          if (messageIds.has(p.message.id)) {
            answers.push({
              id: p.message.id,
              replayed: false,
              recipients: p.recipients.map((r) => ({
                id: r.id,
                email: r.email || null,
                status: r.status as RecipientStatus,
              })),
            });
          } else {
            answers.push(
              await replay(tx, p.message.tenant_id, p.message.idempotency_key ?? "", p.message.request_hash),
            );
          }
        }
        committing = true;
        return answers;
      });
      return results;
    } catch (err) {
      throw committing ? new CommitOutcomeUnknown(err) : err;
    }
  }
}

/** The COMMIT itself failed: the batch may or may not be stored. */
class CommitOutcomeUnknown extends Error {
  constructor(cause: unknown) {
    super("commit failed; the outcome is unknown", { cause });
  }
}

/** What a caller whose message could not be committed is rejected with: the database's error. */
function failure(err: unknown): Error {
  const reason = err instanceof CommitOutcomeUnknown ? err.cause : err;
  return reason instanceof Error ? reason : new Error(String(reason), { cause: reason });
}

/** The answer for a request whose Idempotency-Key is already taken: the original message, or why not. */
async function replay(
  tx: Tx,
  tenantId: string,
  key: string,
  requestHash: string | null,
): Promise<AcceptedMessage | Error> {
  const original = await tx
    .selectFrom("messages")
    .select(["id", "request_hash"])
    .where("tenant_id", "=", tenantId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  if (!original) return new ApiError("conflict", "idempotent request raced with another; retry it");
  if (original.request_hash !== requestHash) {
    return new ApiError("idempotency_conflict", "this Idempotency-Key was already used for a different request");
  }
  const recipients = await tx
    .selectFrom("recipients")
    .select(["id", "email", "status"])
    .where("tenant_id", "=", tenantId)
    .where("message_id", "=", original.id)
    .orderBy("id")
    .execute();
  return {
    id: original.id,
    replayed: true,
    recipients: recipients.map((r) => ({ id: r.id, email: r.email || null, status: r.status as RecipientStatus })),
  };
}

/** The rows one accepted message becomes: message, recipients, their first events, attachments. */
export type PlannedMessage = ReturnType<typeof planMessage>;

/**
 * Turns a prepared message into rows. `source` says who wrote it: `api` (a tenant's software),
 * `notice` (Postbag's own mail, such as credit alerts), `announcement` (the template of an
 * announcement, whose recipients are added by its fan-out) or `test` (an announcement's test
 * copy to its sender, whose content is final: sent as it is).
 */
export function planMessage(
  tenantId: string,
  m: PreparedMessage,
  now: number,
  messageIdDomain: string,
  source: "api" | "notice" | "announcement" | "test" = "api",
) {
  const id = newId(now);
  const headerRecipients = {
    to: m.recipients.filter((r) => r.kind === "to" && r.email),
    cc: m.recipients.filter((r) => r.kind === "cc" && r.email),
  };
  const message = {
    id,
    tenant_id: tenantId,
    category: m.category,
    source: m.submitted ? "smtp" : source,
    from_address: m.from.email,
    from_name: m.from.name,
    reply_to: m.replyTo?.email ? replyToColumn.encode({ email: m.replyTo.email, name: m.replyTo.name }) : null,
    subject: m.subject,
    text_body: m.text,
    html_body: m.html,
    header_recipients: headerRecipientsColumn.encode({
      to: headerRecipients.to.flatMap((r) => (r.email ? [{ email: r.email, name: r.name }] : [])),
      cc: headerRecipients.cc.flatMap((r) => (r.email ? [{ email: r.email, name: r.name }] : [])),
    }),
    headers: messageHeadersColumn.encode({ ...m.headers }),
    message_id_header: m.submitted?.messageId ?? `<${id}@${messageIdDomain}>`,
    idempotency_key: m.idempotencyKey,
    request_hash: m.requestHash,
    size_bytes: m.sizeBytes,
    attachment_count: m.attachments.length,
    created_at: now,
    raw_mime: m.submitted?.raw ?? null,
  };
  const recipients: NewRecipient[] = [];
  const events: NewEvent[] = [];
  for (const r of m.recipients) {
    const planned = newRecipient({
      tenantId,
      messageId: id,
      email: r.email,
      name: r.name,
      kind: r.kind,
      at: now,
      status: r.email === null ? "email_missing" : "queued",
    });
    recipients.push(planned.recipient);
    events.push(planned.event);
  }
  const attachments = m.attachments.map((a, position) => ({
    id: newId(now),
    tenant_id: tenantId,
    message_id: id,
    position,
    filename: a.filename,
    content_type: a.contentType,
    size_bytes: a.content.length,
    content: a.content,
  }));
  return { message, recipients, events, attachments };
}
/** Inserts planned messages (no Idempotency-Key) inside the caller's transaction. */
export async function insertPlanned(tx: Tx, planned: readonly PlannedMessage[]): Promise<void> {
  for (const rows of chunks(planned.map((p) => p.message))) await tx.insertInto("messages").values(rows).execute();
  await insertDependents(tx, planned);
}

/** The rows that hang off messages already inserted: recipients, events, attachments. */
async function insertDependents(tx: Tx, planned: readonly PlannedMessage[]): Promise<void> {
  // One event per recipient, in the same order: each chunk of recipients goes with its events
  // (fewer columns, so they fit the same statement limits).
  const events = planned.flatMap((p) => p.events);
  let done = 0;
  for (const rows of chunks(planned.flatMap((p) => p.recipients))) {
    await insertRecipients(tx, rows, events.slice(done, done + rows.length));
    done += rows.length;
  }
  for (const rows of chunks(events.slice(done))) await tx.insertInto("events").values(rows).execute();
  for (const rows of chunks(planned.flatMap((p) => p.attachments)))
    await tx.insertInto("attachments").values(rows).execute();
}

export interface MessageDetail {
  readonly message: MessageRow;
  readonly recipients: readonly RecipientRow[];
  readonly events: readonly EventRow[];
  readonly attachments: readonly { filename: string; content_type: string; size_bytes: number }[];
}

/** One message of one tenant, with its recipients and their event history. */
export async function getMessage(database: Database, tenantId: string, id: string): Promise<MessageDetail | undefined> {
  const { db } = database;
  const message = await db
    .selectFrom("messages")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!message) return undefined;
  const [recipients, events, attachments] = await Promise.all([
    db
      .selectFrom("recipients")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", id)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("events")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", id)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("attachments")
      .select(["filename", "content_type", "size_bytes"])
      .where("tenant_id", "=", tenantId)
      .where("message_id", "=", id)
      .orderBy("position")
      .execute(),
  ]);
  return { message, recipients, events, attachments };
}

export interface MessageListFilter {
  readonly status?: RecipientStatus | undefined;
  readonly category?: string | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  /** Id of the last message of the previous page. */
  readonly before?: string | undefined;
  readonly limit: number;
}

/** The columns a list shows; bodies (up to the message size limit each) stay in the database. */
const listedColumns = [
  "id",
  "category",
  "from_address",
  "from_name",
  "subject",
  "created_at",
  "message_id_header",
] as const satisfies readonly (keyof MessageRow)[];

/** A message as a list shows it: its recipients counted, not loaded. */
export interface ListedMessage {
  readonly message: Pick<MessageRow, (typeof listedColumns)[number]>;
  readonly recipientCount: number;
  /** Recipients per current status; a status no recipient has is left out. */
  readonly statusCounts: Readonly<Partial<Record<RecipientStatus, number>>>;
}

/**
 * Newest first, by id (ids sort by creation time); a page is `limit` messages. Recipients are
 * counted per status with one GROUP BY over the page: a page of 200 messages of 1000 recipients
 * each is 200 rows plus at most 200 × (number of statuses) counts, not 200,000 recipient rows.
 */
export async function listMessages(
  database: Database,
  tenantId: string,
  filter: MessageListFilter,
): Promise<ListedMessage[]> {
  const { db } = database;
  let q = db.selectFrom("messages").select(listedColumns).where("tenant_id", "=", tenantId);
  if (filter.category) q = q.where("category", "=", filter.category);
  if (filter.since !== undefined) q = q.where("created_at", ">=", filter.since);
  if (filter.until !== undefined) q = q.where("created_at", "<", filter.until);
  if (filter.before) q = q.where("id", "<", filter.before);
  if (filter.status) {
    const status = filter.status;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("recipients")
          .select("recipients.id")
          .whereRef("recipients.message_id", "=", "messages.id")
          .where("recipients.tenant_id", "=", tenantId)
          .where("recipients.status", "=", status),
      ),
    );
  }
  const messages = await q.orderBy("id", "desc").limit(filter.limit).execute();
  if (messages.length === 0) return [];
  const counts = await db
    .selectFrom("recipients")
    .select((eb) => ["message_id", "status", eb.fn.countAll<number | string>().as("n")])
    .where("tenant_id", "=", tenantId)
    .where(
      "message_id",
      "in",
      messages.map((m) => m.id),
    )
    .groupBy(["message_id", "status"])
    .execute();
  const byMessage = new Map<string, Partial<Record<RecipientStatus, number>>>();
  for (const c of counts) {
    const statusCounts = byMessage.get(c.message_id) ?? {};
    statusCounts[c.status as RecipientStatus] = Number(c.n);
    byMessage.set(c.message_id, statusCounts);
  }
  return messages.map((message) => {
    const statusCounts = byMessage.get(message.id) ?? {};
    const recipientCount = Object.values(statusCounts).reduce((sum, n) => sum + n, 0);
    return { message, recipientCount, statusCounts };
  });
}
