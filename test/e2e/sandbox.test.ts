import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { recipientFromReturnPath } from "../../src/delivery/return-path.js";
import { type ServeProcess, startServe } from "../support/postbag-process.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";

// `postbag serve` as a user runs it: a child process, its banner on stdout, the API over HTTP.
// Port 0 works for both the API and the sandbox relay: the banner prints the ports it got.

const SECRET = "e2e-secret-key-0123456789abcdefghijklmnop";

let dataDir: string;
const running: ServeProcess[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "postbag-e2e-"));
});
afterEach(async () => {
  // A failed test must not leave a server behind.
  for (const serve of running.splice(0)) await serve.stop("SIGKILL");
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function serveIn(dir: string, extra: Record<string, string> = {}): Promise<ServeProcess> {
  const serve = await startServe({
    POSTBAG_DATA_DIR: dir,
    POSTBAG_HTTP_PORT: "0",
    POSTBAG_SANDBOX_SMTP_PORT: "0",
    POSTBAG_WORKER_POLL_MS: "50",
    POSTBAG_SHUTDOWN_GRACE_MS: "2000",
    ...extra,
  });
  running.push(serve);
  return serve;
}

/** Stops a server this test started and expects a clean exit soon after SIGTERM. */
async function stopCleanly(serve: ServeProcess): Promise<void> {
  running.splice(running.indexOf(serve), 1);
  const exit = await serve.stop("SIGTERM");
  expect(exit, serve.stderr()).toMatchObject({ code: 0, signal: null });
  expect(exit.ms).toBeLessThan(5_000);
}

async function api<T = Record<string, unknown>>(
  serve: ServeProcess,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${serve.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface Tenant {
  readonly id: string;
  readonly key: string;
}

async function newTenant(serve: ServeProcess, operatorKey: string, name: string): Promise<Tenant> {
  const tenant = await api<{ id: string }>(serve, operatorKey, "POST", "/v1/operator/tenants", { name });
  expect(tenant.status).toBe(201);
  const key = await api<{ key: string }>(serve, operatorKey, "POST", `/v1/operator/tenants/${tenant.body.id}/keys`, {});
  expect(key.status).toBe(201);
  return { id: tenant.body.id, key: key.body.key };
}

interface MessageView {
  id: string;
  messageId: string;
  recipients: { email: string; status: string; events: { status: string; smtpCode: number | null }[] }[];
}

async function sendAndWait(serve: ServeProcess, tenant: Tenant, subject: string, to: string): Promise<MessageView> {
  const accepted = await api<{ id: string; recipients: { email: string; status: string }[] }>(
    serve,
    tenant.key,
    "POST",
    "/v1/messages",
    { to: [to], subject, text: "Hello from the end-to-end test.", category: "announcement" },
  );
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const got = await api<MessageView>(serve, tenant.key, "GET", `/v1/messages/${accepted.body.id}`);
    expect(got.status).toBe(200);
    const status = got.body.recipients[0]?.status;
    if (status === "sent") return got.body;
    if (status !== "queued" && status !== "sending" && status !== "soft_bounce") {
      throw new Error(`recipient ended ${status}: ${JSON.stringify(got.body)}`);
    }
    if (Date.now() > deadline) throw new Error(`not sent within 15 s: ${JSON.stringify(got.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("postbag serve in sandbox mode", { timeout: 240_000 }, () => {
  it("captures mail end to end, keeps the operator key across a restart and stops on SIGTERM", async () => {
    const dir = join(dataDir, "sandbox");
    const first = await serveIn(dir);
    expect(first.stdout()).toMatch(/^SANDBOX MODE: /m);
    expect(first.operatorKey).toMatch(/^pb_[0-9A-Z]{26}_[A-Za-z0-9_-]{32}$/);
    const operatorKey = first.operatorKey ?? "";
    expect(first.stdout()).toContain("First start");
    // And an operator invitation for the console (docs/console.md).
    expect(first.stdout()).toMatch(/^ {2}http:\/\/\S+\/invitation#token=[A-Za-z0-9_-]{43}$/m);

    const oakwood = await newTenant(first, operatorKey, "Oakwood Primary");
    const elm = await newTenant(first, operatorKey, "Elm Street School");
    const sent = await sendAndWait(first, oakwood, "Sports day: bring a hat", "parent@example.com");
    expect(sent.recipients[0]?.events.map((e) => e.status)).toContain("sent");

    const list = await api<{ items: { id: string; subject: string; messageId: string; rcptTo: string[] }[] }>(
      first,
      oakwood.key,
      "GET",
      "/v1/sandbox/messages",
    );
    expect(list.status).toBe(200);
    const captured = list.body.items.find((m) => m.subject === "Sports day: bring a hat");
    expect(captured, JSON.stringify(list.body)).toBeDefined();
    expect(captured?.rcptTo).toEqual(["parent@example.com"]);

    const raw = await fetch(`${first.url}/v1/sandbox/messages/${captured?.id}/raw`, {
      headers: { authorization: `Bearer ${oakwood.key}` },
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get("content-type")).toContain("message/rfc822");
    const mime = await raw.text();
    const bareMessageId = sent.messageId.replace(/^<|>$/g, "");
    expect(mime).toMatch(new RegExp(`^Message-ID: <${bareMessageId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}>`, "im"));
    const parsed = await simpleParser(mime);
    expect(parsed.subject).toBe("Sports day: bring a hat");
    expect(parsed.text?.trim()).toBe("Hello from the end-to-end test.");

    // Another tenant sees none of it; the operator sees all of it.
    const elmList = await api<{ items: unknown[] }>(first, elm.key, "GET", "/v1/sandbox/messages");
    expect(elmList.body.items).toEqual([]);
    const elmRaw = await api(first, elm.key, "GET", `/v1/sandbox/messages/${captured?.id}`);
    expect(elmRaw.status).toBe(404);
    const all = await api<{ items: { id: string }[] }>(first, operatorKey, "GET", "/v1/sandbox/messages");
    expect(all.body.items.map((m) => m.id)).toContain(captured?.id);

    await stopCleanly(first);

    // Second start on the same data folder: not a first start, so no new operator key.
    const second = await serveIn(dir);
    expect(second.operatorKey).toBeUndefined();
    expect(second.stdout()).not.toContain("OPERATOR_KEY=");
    expect(second.stdout()).not.toContain("First start");
    expect(second.stdout()).not.toContain("/invitation#token=");
    expect(second.stdout()).toMatch(/^SANDBOX MODE: /m);
    // The first key and the captured mail are still there.
    const again = await api<{ items: { id: string }[] }>(second, operatorKey, "GET", "/v1/sandbox/messages");
    expect(again.status).toBe(200);
    expect(again.body.items.map((m) => m.id)).toContain(captured?.id);
    await sendAndWait(second, oakwood, "After the restart", "parent@example.com");
    await stopCleanly(second);
  });
});

describe("postbag serve with a relay", { timeout: 240_000 }, () => {
  let relay: TestSmtpServer;
  beforeAll(async () => {
    // Credentials with characters that have to be %-encoded in the URL.
    relay = await startTestSmtpServer({ auth: { user: "postbag@example.org", pass: "p@ss:w/rd%" } });
  });
  afterAll(async () => {
    await relay?.close();
  });

  it("delivers through POSTBAG_RELAY_URL, with a signed return path, and is not in sandbox mode", async () => {
    const user = encodeURIComponent("postbag@example.org");
    const pass = encodeURIComponent("p@ss:w/rd%");
    const serve = await serveIn(join(dataDir, "relay"), {
      POSTBAG_RELAY_URL: `smtp://${user}:${pass}@${relay.host}:${relay.port}`,
      POSTBAG_SECRET_KEY: SECRET,
      POSTBAG_SENDER_DOMAIN: "mail.example.org",
    });
    expect(serve.stdout()).not.toContain("SANDBOX MODE");
    expect(serve.stdout()).not.toContain("/v1/sandbox/messages");
    expect(serve.operatorKey).toBeDefined();

    const tenant = await newTenant(serve, serve.operatorKey ?? "", "Relay School");
    const sent = await sendAndWait(serve, tenant, "Through the relay", "carer@example.net");

    const [message] = await relay.waitForMessages(1);
    expect(message?.rcptTo).toEqual(["carer@example.net"]);
    expect(message?.mailFrom).toMatch(/@mail\.example\.org$/);
    expect(recipientFromReturnPath(SECRET, message?.mailFrom ?? "")).not.toBeNull();
    const parsed = await simpleParser(message?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe("Through the relay");
    expect(parsed.messageId).toBe(sent.messageId.startsWith("<") ? sent.messageId : `<${sent.messageId}>`);

    await stopCleanly(serve);
  });
});
