import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../support/databases.js";
import { json, openTestApp, storedCounts, type TestApp, validMessage } from "../support/test-app.js";

interface Accepted {
  id: string;
  recipients: { email: string | null; status: string }[];
}

interface Detail {
  id: string;
  category: string;
  from: string;
  subject: string;
  createdAt: string;
  messageId: string;
  recipients: {
    id: string;
    email: string | null;
    name: string | null;
    kind: string;
    status: string;
    attempts: number;
    events: { at: string; status: string; attempt: number; smtpCode: number | null }[];
  }[];
  attachments: { filename: string; contentType: string; size: number }[];
}

describe.each(dialects)("POST /v1/messages, accepted [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function send(auth: { authorization: string }, body: Record<string, unknown>) {
    return t.inject({ method: "POST", url: "/v1/messages", headers: auth, payload: body });
  }

  async function detail(auth: { authorization: string }, id: string): Promise<Detail> {
    const res = await t.inject({ method: "GET", url: `/v1/messages/${id}`, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    return json<Detail>(res);
  }

  it("answers 202 with the id and one queued status per recipient, after the commit", async () => {
    const tenant = await t.newTenant();
    const res = await send(tenant.auth(), validMessage({ to: ["parent@example.com"] }));
    expect(res.statusCode, res.body).toBe(202);
    const body = json<Accepted>(res);
    expect(body.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(body.recipients).toEqual([{ email: "parent@example.com", status: "queued" }]);
    // The 202 comes after the commit: the rows are there without waiting for the writer.
    expect(await storedCounts(t.db, tenant.id)).toEqual({ messages: 1, recipients: 1, events: 1, attachments: 0 });
  });

  it("accepts every tenant role's key", async () => {
    const tenant = await t.newTenant();
    for (const role of ["system", "staff", "administrator"] as const) {
      const res = await send(tenant.auth(role), validMessage());
      expect(res.statusCode, res.body).toBe(202);
    }
    expect((await storedCounts(t.db, tenant.id)).messages).toBe(3);
  });

  it("records an object-form recipient without an address as email_missing, not dropped", async () => {
    const tenant = await t.newTenant();
    const res = await send(
      tenant.auth(),
      validMessage({ to: ["parent@example.com", { name: "No Address" }, { email: null, name: "Null Address" }] }),
    );
    expect(res.statusCode, res.body).toBe(202);
    const body = json<Accepted>(res);
    expect(body.recipients).toEqual([
      { email: "parent@example.com", status: "queued" },
      { email: null, status: "email_missing" },
      { email: null, status: "email_missing" },
    ]);
    const message = await detail(tenant.auth(), body.id);
    const missing = message.recipients.filter((r) => r.status === "email_missing");
    expect(missing.map((r) => r.name).sort()).toEqual(["No Address", "Null Address"]);
    for (const r of missing) {
      expect(r.email).toBeNull();
      expect(r.events.map((e) => e.status)).toEqual(["email_missing"]);
    }
    // Nothing left for the outbox to do for them.
    const due = await t.db
      .selectFrom("recipients")
      .select("id")
      .where("message_id", "=", body.id)
      .where("status", "=", "email_missing")
      .where("next_attempt_at", "is not", null)
      .execute();
    expect(due).toEqual([]);
  });

  it("takes cc and bcc, with names, and keeps their kind", async () => {
    const tenant = await t.newTenant();
    const res = await send(
      tenant.auth(),
      validMessage({
        to: [{ email: "mother@example.com", name: "Mary O'Brien" }],
        cc: ["father@example.com"],
        bcc: [{ email: "office@school.example", name: "Office" }],
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    const message = await detail(tenant.auth(), json<Accepted>(res).id);
    const byEmail = Object.fromEntries(message.recipients.map((r) => [r.email, { kind: r.kind, name: r.name }]));
    expect(byEmail).toEqual({
      "mother@example.com": { kind: "to", name: "Mary O'Brien" },
      "father@example.com": { kind: "cc", name: null },
      "office@school.example": { kind: "bcc", name: "Office" },
    });
    // Bcc never appears in the header recipients that go into the MIME message.
    const row = await t.db
      .selectFrom("messages")
      .select("header_recipients")
      .where("id", "=", message.id)
      .executeTakeFirstOrThrow();
    expect(row.header_recipients).not.toContain("office@school.example");
  });

  it("delivers once per address: duplicates across to, cc and bcc are dropped, first mention wins", async () => {
    const tenant = await t.newTenant();
    const res = await send(
      tenant.auth(),
      validMessage({
        to: ["parent@example.com", "PARENT@EXAMPLE.COM", "other@example.com"],
        cc: ["parent@Example.com", { email: "other@example.com", name: "Again" }],
        bcc: ["parent@example.com"],
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    const body = json<Accepted>(res);
    expect(body.recipients).toEqual([
      { email: "parent@example.com", status: "queued" },
      { email: "other@example.com", status: "queued" },
    ]);
    const message = await detail(tenant.auth(), body.id);
    expect(message.recipients.map((r) => r.kind)).toEqual(["to", "to"]);
    expect(await storedCounts(t.db, tenant.id)).toEqual({ messages: 1, recipients: 2, events: 2, attachments: 0 });
  });

  it("keeps a non-ASCII subject, name and body exactly", async () => {
    const tenant = await t.newTenant();
    const subject = "Grüße aus der Schule — 遠足 🎒 Ζ";
    const res = await send(
      tenant.auth(),
      validMessage({
        subject,
        to: [{ email: "élève@exämple.com", name: "Zoë Łukasiewicz" }],
        text: "Привет",
        html: "<p>héllo</p>",
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    const message = await detail(tenant.auth(), json<Accepted>(res).id);
    expect(message.subject).toBe(subject);
    expect(message.recipients[0]).toMatchObject({ email: "élève@exämple.com", name: "Zoë Łukasiewicz" });
    const row = await t.db
      .selectFrom("messages")
      .select(["subject", "text_body", "html_body"])
      .where("id", "=", message.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ subject, text_body: "Привет", html_body: "<p>héllo</p>" });
  });

  it("stores base64 attachments byte for byte, and GET lists them", async () => {
    const tenant = await t.newTenant();
    const pdf = Buffer.from("%PDF-1.4\n binary \x00\x01\x02\xff end", "latin1");
    const csv = Buffer.from("name,class\nZoë,4B\n", "utf8");
    const res = await send(
      tenant.auth(),
      validMessage({
        attachments: [
          { filename: "trip-letter.pdf", content: pdf.toString("base64"), contentType: "application/pdf" },
          // Line-wrapped base64 (as many MIME libraries write it) is accepted.
          { filename: "Klassenliste ü.csv", content: csv.toString("base64").replace(/(.{8})/g, "$1\r\n") },
        ],
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    const id = json<Accepted>(res).id;
    const message = await detail(tenant.auth(), id);
    expect(message.attachments).toEqual([
      { filename: "trip-letter.pdf", contentType: "application/pdf", size: pdf.length },
      { filename: "Klassenliste ü.csv", contentType: "application/octet-stream", size: csv.length },
    ]);
    const stored = await t.db
      .selectFrom("attachments")
      .select(["content"])
      .where("tenant_id", "=", tenant.id)
      .where("message_id", "=", id)
      .orderBy("position")
      .execute();
    expect(stored.map((a) => Buffer.from(a.content).toString("hex"))).toEqual([
      pdf.toString("hex"),
      csv.toString("hex"),
    ]);
  });

  it("GET /v1/messages/:id shows the message, each recipient's status and its queued event at attempt 0", async () => {
    const tenant = await t.newTenant();
    const res = await send(
      tenant.auth(),
      validMessage({
        from: { email: "noreply@postbag.localhost", name: "School Office" },
        to: ["a@example.com", "b@example.com"],
        category: "invitation",
        headers: { "X-Class": "4B" },
        attachments: [{ filename: "a.txt", content: Buffer.from("hello").toString("base64") }],
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    const id = json<Accepted>(res).id;
    const message = await detail(tenant.auth(), id);
    expect(message).toMatchObject({
      id,
      category: "invitation",
      from: "School Office <noreply@postbag.localhost>",
      subject: "School trip on Friday",
      attachments: [{ filename: "a.txt", contentType: "application/octet-stream", size: 5 }],
    });
    expect(message.messageId).toMatch(new RegExp(`^<${id}@postbag\\.localhost>$`));
    expect(new Date(message.createdAt).getTime()).toBe(t.clock.now());
    expect(message.recipients).toHaveLength(2);
    for (const r of message.recipients) {
      expect(r).toMatchObject({ kind: "to", status: "queued", attempts: 0 });
      expect(r.events).toEqual([
        {
          at: new Date(t.clock.now()).toISOString(),
          status: "queued",
          attempt: 0,
          smtpCode: null,
          enhancedCode: null,
          smtpText: null,
          reason: null,
        },
      ]);
    }
    const headers = await t.db.selectFrom("messages").select("headers").where("id", "=", id).executeTakeFirstOrThrow();
    expect(JSON.parse(headers.headers)).toEqual({ "X-Class": "4B" });
  });

  it("defaults From to noreply@ the sending domain", async () => {
    const tenant = await t.newTenant();
    const res = await send(tenant.auth(), validMessage());
    const message = await detail(tenant.auth(), json<Accepted>(res).id);
    expect(message.from).toBe("noreply@postbag.localhost");
  });
});

describe.each(dialects)("POST /v1/messages with POSTBAG_ALLOW_ADDRESS_LITERALS=true [%s]", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect, { env: { POSTBAG_ALLOW_ADDRESS_LITERALS: "true" } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("accepts a recipient written with an address literal, for an operator who needs them", async () => {
    const tenant = await t.newTenant();
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ to: ["postmaster@[192.0.2.10]"] }),
    });
    expect(res.statusCode, res.body).toBe(202);
  });
});
