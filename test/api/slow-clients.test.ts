import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestApp, type TestApp, validMessage } from "../support/test-app.js";

/** Resolves with what the server wrote once it closes the connection, and how long that took. */
function closed(socket: Socket): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  let text = "";
  socket.on("data", (c: Buffer) => (text += c.toString("latin1")));
  return new Promise((resolve) => {
    socket.on("close", () => resolve({ text, ms: Date.now() - started }));
    socket.on("error", () => {});
  });
}

// Slow-client attacks hold a connection and a request open for as long as the client likes.
describe("slow clients are cut off", () => {
  let t: TestApp;
  let port: number;
  let key: string;
  beforeAll(async () => {
    t = await openTestApp("sqlite", {
      env: { POSTBAG_HTTP_HEADERS_TIMEOUT_MS: "1000", POSTBAG_BODY_MIN_BYTES_PER_SECOND: "100" },
    });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    port = (t.app.server.address() as { port: number }).port;
    key = (await t.newTenant()).keys.system;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("headers that never finish: 408 and closed after the headers timeout", async () => {
    const socket = connect(port, "127.0.0.1");
    const done = closed(socket);
    socket.write("POST /v1/messages HTTP/1.1\r\nHost: postbag.test\r\nX-Slow: ");
    const timer = setInterval(() => socket.writable && socket.write("a"), 300);
    const { text, ms } = await done;
    clearInterval(timer);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(8_000);
  }, 20_000);

  it("an authenticated body at a byte a second: closed after one rate window, nothing stored", async () => {
    const body = JSON.stringify(validMessage({ to: ["slow@example.com"] }));
    const socket = connect(port, "127.0.0.1");
    const done = closed(socket);
    socket.write(
      `POST /v1/messages HTTP/1.1\r\nHost: postbag.test\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    let i = 0;
    const timer = setInterval(() => socket.writable && socket.write(body[i++] ?? " "), 1_000);
    const { ms } = await done;
    clearInterval(timer);
    expect(ms).toBeLessThan(25_000);
    expect(await t.db.selectFrom("messages").select("id").execute()).toEqual([]);
  }, 40_000);

  it("a body at ordinary speed is untouched", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(validMessage({ to: ["fast@example.com"] })),
    });
    expect(res.status).toBe(202);
  });
});
