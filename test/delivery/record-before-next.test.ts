import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import type { Dialect } from "../../src/db/database.js";
import type { MailTransport } from "../../src/delivery/mail-transport.js";
import { ManualClock } from "../../src/time/clock.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import { acceptMessages, createTestTenant, message, newTestWorker, recipientRows } from "../support/delivery.js";

/**
 * A second connection to the test database: it holds a lock that keeps the worker from
 * recording a recipient's outcome, and reads what is committed meanwhile.
 */
interface Probe {
  /** Until `unlock()`, the worker cannot write this recipient's outcome. */
  lock(recipientId: string): Promise<void>;
  unlock(): Promise<void>;
  /** The recipient's status as committed. */
  statusOf(recipientId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

async function openProbe(dialect: Dialect, url: string): Promise<Probe> {
  if (dialect === "postgres") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      async lock(id) {
        await client.query("begin");
        await client.query("select id from recipients where id = $1 for update", [id]);
      },
      async unlock() {
        await client.query("rollback");
      },
      async statusOf(id) {
        const r = await client.query<{ status: string }>("select status from recipients where id = $1", [id]);
        return r.rows[0]?.status;
      },
      close: () => client.end(),
    };
  }
  // SQLite: the write lock of the whole file, taken without blocking this (the worker's) thread.
  const sqlite = new BetterSqlite3(url.replace(/^sqlite:/, ""));
  sqlite.pragma("busy_timeout = 0");
  return {
    async lock() {
      for (;;) {
        try {
          sqlite.exec("begin immediate");
          return;
        } catch (err) {
          if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    },
    async unlock() {
      sqlite.exec("rollback");
    },
    async statusOf(id) {
      const row = sqlite.prepare("select status from recipients where id = ?").get(id) as
        | { status: string }
        | undefined;
      return row?.status;
    },
    async close() {
      sqlite.close();
    },
  };
}

for (const dialect of dialects) {
  describe(`a connection waits for the record of its 250 [${dialect}]`, () => {
    let test: TestDatabase | undefined;
    let probe: Probe | undefined;
    let server: SMTPServer | undefined;
    let transport: MailTransport | undefined;
    afterEach(async () => {
      await transport?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await probe?.close();
      await test?.drop();
    });

    it("begins no next transaction until the previous message's outcome is committed", async () => {
      test = await openTestDatabase(dialect);
      const { database } = test;
      const clock = new ManualClock();
      const tenantId = await createTestTenant(database, clock);
      await acceptMessages(
        database,
        clock,
        tenantId,
        [1, 2, 3].map((i) => message({ to: [`parent${i}@example.test`], subject: `Note ${i}` })),
      );
      const idOf = new Map((await recipientRows(database, tenantId)).map((r) => [r.email, r.id]));
      const activeProbe = await openProbe(dialect, test.url);
      probe = activeProbe;

      // Per SMTP session: the recipient of the message it last carried, and of the one now.
      const previous = new Map<string, string>();
      const current = new Map<string, string>();
      const sessionOf = new Map<string, string>();
      /** Transactions begun while the session's previous message was not yet recorded `sent`. */
      const early: string[] = [];
      let received = 0;
      let locked = false;
      const smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ["AUTH", "STARTTLS"],
        logger: false,
        onMailFrom(_address, session: SMTPServerSession, callback) {
          const before = previous.get(session.id);
          if (!before) return callback();
          // A new transaction ends the previous one for the relay: its outcome must be durable.
          activeProbe.statusOf(idOf.get(before) ?? "").then(
            (status) => {
              if (status !== "sent") early.push(`${before} was ${status} when its connection went on`);
              callback();
            },
            (err: unknown) => callback(err as Error),
          );
        },
        onRcptTo(address, session, callback) {
          current.set(session.id, address.address);
          callback();
        },
        onData(stream, session, callback) {
          stream.resume();
          stream.on("end", () => {
            const rcpt = current.get(session.id) ?? "";
            previous.set(session.id, rcpt);
            sessionOf.set(rcpt, session.id);
            received++;
            // The first message's outcome cannot be committed until a second message arrives.
            const step =
              received === 1
                ? activeProbe.lock(idOf.get(rcpt) ?? "").then(() => {
                    locked = true;
                  })
                : locked
                  ? activeProbe.unlock().then(() => {
                      locked = false;
                    })
                  : Promise.resolve();
            step.then(
              () => callback(null, "2.0.0 Ok"),
              (err: unknown) => callback(err as Error),
            );
          });
        },
      });
      server = smtp;
      smtp.on("error", () => {});
      await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
      const address = smtp.server.address();
      if (address === null || typeof address === "string") throw new Error("no port");

      const made = newTestWorker({ database, clock, server: { host: "127.0.0.1", port: address.port }, poolSize: 1 });
      transport = made.transport;
      expect(await made.worker.runOnce()).toBe(3);

      expect(early).toEqual([]);
      expect(received).toBe(3);
      const rows = await recipientRows(database, tenantId);
      expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "sent"]);
      // The second message could not wait for the first one's record: it took a connection of its own.
      expect(sessionOf.get("parent2@example.test")).not.toBe(sessionOf.get("parent1@example.test"));
    }, 60_000);
  });
}
