import { randomBytes } from "node:crypto";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import { ManualClock } from "../../src/time/clock.js";
import { createSmtpTransport } from "../../src/transports/smtp-transport.js";
import { dialects, openTestDatabase, type TestDatabase } from "../support/databases.js";
import {
  acceptMessages,
  createTestTenant,
  message,
  recipientRows,
  silentLogger,
  workerSettings,
} from "../support/delivery.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";

for (const dialect of dialects) {
  describe(`large messages [${dialect}]`, () => {
    let test: TestDatabase;
    let server: TestSmtpServer;
    beforeAll(async () => {
      test = await openTestDatabase(dialect);
      server = await startTestSmtpServer();
    });
    afterAll(async () => {
      await server?.close();
      await test?.drop();
    });

    it("are loaded outside the batch prefetch and still reach every recipient intact", async () => {
      const clock = new ManualClock();
      const tenantId = await createTestTenant(test.database, clock);
      // Over the bulk-prefetch size: each is loaded alone, under the large-message limit.
      const files = [0, 1, 2, 3, 4, 5].map(() => randomBytes(300 * 1024));
      await acceptMessages(
        test.database,
        clock,
        tenantId,
        files.map((content, i) =>
          message({
            to: [`a${i}@example.test`, `b${i}@example.test`],
            subject: `Report ${i}`,
            attachments: [
              { filename: `report-${i}.pdf`, content: content.toString("base64"), contentType: "application/pdf" },
            ],
          }),
        ),
      );
      // A small one in the same claim goes through the bulk path.
      await acceptMessages(test.database, clock, tenantId, [message({ to: ["small@example.test"] })]);
      const transport = createSmtpTransport({
        host: server.host,
        port: server.port,
        secure: false,
        poolSize: 3,
        timeoutMs: 10_000,
        rejectUnauthorized: true,
      });
      const worker = new DeliveryWorker({
        database: test.database,
        clock,
        transport,
        settings: workerSettings({ concurrency: 50 }),
        logger: silentLogger,
      });
      expect(await worker.runOnce()).toBe(13);
      await transport.close();

      const rows = await recipientRows(test.database, tenantId);
      expect(rows.map((r) => r.status)).toEqual(Array(13).fill("sent"));
      expect(server.messages).toHaveLength(13);
      for (const received of server.messages.filter((m) => !m.rcptTo[0]?.startsWith("small"))) {
        const parsed = await simpleParser(received.raw);
        const i = Number(parsed.subject?.replace("Report ", ""));
        expect(parsed.attachments[0]?.content.equals(files[i] as Buffer)).toBe(true);
      }
    });
  });
}
