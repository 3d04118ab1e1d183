import { connect, type Socket } from "node:net";
import { sql } from "kysely";
import type { Db } from "../db/database.js";

/**
 * Counters shared by every Postbag process: fixed windows kept in the database (default) or in
 * Redis (`POSTBAG_REDIS_URL`). The store has the shape of `@fastify/rate-limit`'s store
 * (`incr(key, callback, timeWindow, max)`, `read`), plus an amount, so a process can take a
 * share of a budget at once instead of one write per request.
 */
export interface CounterState {
  /** The count in the current window, after this increment. */
  readonly current: number;
  /** Milliseconds until the window ends. */
  readonly ttl: number;
}

export type CounterCallback = (err: Error | null, state: CounterState) => void;

export interface CounterStore {
  incr(key: string, cb: CounterCallback, timeWindow: number, max?: number, amount?: number): void;
  read(key: string, cb: CounterCallback, timeWindow: number): void;
  close?(): Promise<void>;
}

/** Counters in the `rate_limits` table: one upsert per increment, on SQLite and PostgreSQL. */
export class DatabaseCounterStore implements CounterStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  incr(key: string, cb: CounterCallback, timeWindow: number, _max?: number, amount = 1): void {
    const now = this.now();
    const resetAt = now + timeWindow;
    this.db
      .insertInto("rate_limits")
      .values({ key, count: amount, reset_at: resetAt })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          count: sql<number>`case when rate_limits.reset_at <= cast(${now} as bigint) then cast(${amount} as integer) else rate_limits.count + cast(${amount} as integer) end`,
          reset_at: sql<number>`case when rate_limits.reset_at <= cast(${now} as bigint) then cast(${resetAt} as bigint) else rate_limits.reset_at end`,
        }),
      )
      .returning(["count", "reset_at"])
      .executeTakeFirstOrThrow()
      .then(
        (row) => cb(null, { current: Number(row.count), ttl: Math.max(0, Number(row.reset_at) - now) }),
        (err: Error) => cb(err, { current: 0, ttl: 0 }),
      );
  }

  read(key: string, cb: CounterCallback): void {
    const now = this.now();
    this.db
      .selectFrom("rate_limits")
      .select(["count", "reset_at"])
      .where("key", "=", key)
      .executeTakeFirst()
      .then(
        (row) =>
          cb(
            null,
            !row || Number(row.reset_at) <= now
              ? { current: 0, ttl: 0 }
              : { current: Number(row.count), ttl: Number(row.reset_at) - now },
          ),
        (err: Error) => cb(err, { current: 0, ttl: 0 }),
      );
  }
}

// INCRBY, set the expiry when the window starts, answer the count and the time left.
const INCR_SCRIPT =
  "local c = redis.call('INCRBY', KEYS[1], ARGV[1]) " +
  "if c == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end " +
  "local t = redis.call('PTTL', KEYS[1]) " +
  "if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) t = tonumber(ARGV[2]) end " +
  "return {c, t}";
const READ_SCRIPT = "return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1])}";

type Reply = number | string | null | Reply[] | Error;

/** Counters in Redis, spoken to with a small RESP client (one connection, pipelined). */
export class RedisCounterStore implements CounterStore {
  #socket: Socket | undefined;
  #buffer = Buffer.alloc(0);
  readonly #waiting: ((reply: Reply) => void)[] = [];
  readonly #url: URL;

  constructor(url: string) {
    this.#url = new URL(url);
  }

  #connection(): Socket {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = connect({ host: this.#url.hostname.replace(/^\[|\]$/g, ""), port: Number(this.#url.port || 6379) });
    socket.setNoDelay(true);
    this.#buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (;;) {
        const parsed = parseReply(this.#buffer, 0);
        if (!parsed) break;
        this.#buffer = this.#buffer.subarray(parsed.end);
        this.#waiting.shift()?.(parsed.value);
      }
    });
    const failAll = (err: Error) => {
      for (const waiter of this.#waiting.splice(0)) waiter(err);
    };
    socket.on("error", failAll);
    socket.on("close", () => failAll(new Error("redis connection closed")));
    const password = this.#url.password ? decodeURIComponent(this.#url.password) : undefined;
    const user = this.#url.username ? decodeURIComponent(this.#url.username) : undefined;
    this.#socket = socket;
    if (password) this.#send(user ? ["AUTH", user, password] : ["AUTH", password], () => {});
    const db = this.#url.pathname.replace(/^\//, "");
    if (db) this.#send(["SELECT", db], () => {});
    return socket;
  }

  #send(args: readonly string[], done: (reply: Reply) => void): void {
    const socket = this.#connection();
    this.#waiting.push(done);
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
  }

  #eval(script: string, key: string, args: readonly string[], cb: CounterCallback): void {
    this.#send(["EVAL", script, "1", `postbag:rl:${key}`, ...args], (reply) => {
      if (reply instanceof Error) return cb(reply, { current: 0, ttl: 0 });
      const [count, ttl] = Array.isArray(reply) ? reply : [];
      cb(null, { current: Number(count ?? 0), ttl: Math.max(0, Number(ttl ?? 0)) });
    });
  }

  incr(key: string, cb: CounterCallback, timeWindow: number, _max?: number, amount = 1): void {
    this.#eval(INCR_SCRIPT, key, [String(amount), String(timeWindow)], cb);
  }

  read(key: string, cb: CounterCallback): void {
    this.#eval(READ_SCRIPT, key, [], cb);
  }

  async close(): Promise<void> {
    this.#socket?.end();
    this.#socket = undefined;
  }
}

function parseReply(buf: Buffer, start: number): { value: Reply; end: number } | undefined {
  const lineEnd = buf.indexOf("\r\n", start);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[start] ?? 0);
  const line = buf.toString("utf8", start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, end: next };
    case "-":
      return { value: new Error(line), end: next };
    case ":":
      return { value: Number(line), end: next };
    case "$": {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString("utf8", next, next + length), end: next + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (!item) return undefined;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      return { value: new Error(`unexpected redis reply ${JSON.stringify(type)}`), end: next };
  }
}

export interface LimitResult {
  readonly allowed: boolean;
  /** Whole seconds until another try may pass (for Retry-After). */
  readonly retryAfterSeconds: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Promise-shaped rate limits over a shared store. */
export class Limits {
  readonly #budgets = new Map<string, { remaining: number; until: number }>();

  constructor(
    readonly store: CounterStore,
    private readonly now: () => number,
  ) {}

  #incr(key: string, windowMs: number, max: number, amount: number): Promise<CounterState> {
    return new Promise((resolve, reject) =>
      this.store.incr(key, (err, state) => (err ? reject(err) : resolve(state)), windowMs, max, amount),
    );
  }

  /** Whether `key` is at its limit already (counting nothing). */
  async check(key: string, max: number, windowMs: number): Promise<LimitResult> {
    const state = await new Promise<CounterState>((resolve, reject) =>
      this.store.read(key, (err, s) => (err ? reject(err) : resolve(s)), windowMs),
    );
    return state.current >= max
      ? { allowed: false, retryAfterSeconds: seconds(state.ttl) }
      : { allowed: true, retryAfterSeconds: 0 };
  }

  /** Counts one event (a failure, say); `allowed` is false once the count is past `max`. */
  async count(key: string, max: number, windowMs: number): Promise<LimitResult> {
    const state = await this.#incr(key, windowMs, max, 1);
    return { allowed: state.current <= max, retryAfterSeconds: seconds(state.ttl) };
  }

  /**
   * Spends one request from a budget of `max` per window. The process takes up to `share`
   * requests from the shared counter at a time and spends them locally, so the store sees one
   * write per `share` requests (several processes may together pass a few over `max`).
   */
  async spend(key: string, max: number, windowMs: number, share = 10): Promise<LimitResult> {
    const now = this.now();
    const local = this.#budgets.get(key);
    if (local && local.until > now && local.remaining > 0) {
      local.remaining--;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    const take = Math.max(1, Math.min(share, max));
    const state = await this.#incr(key, windowMs, max, take);
    const granted = Math.max(0, Math.min(take, max - (state.current - take)));
    if (this.#budgets.size > 10_000) this.#budgets.clear();
    if (granted === 0) {
      this.#budgets.delete(key);
      return { allowed: false, retryAfterSeconds: seconds(state.ttl) };
    }
    this.#budgets.set(key, { remaining: granted - 1, until: now + state.ttl });
    return { allowed: true, retryAfterSeconds: 0 };
  }
}
