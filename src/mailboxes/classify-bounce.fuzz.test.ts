import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyInbound, MAX_RECIPIENTS } from "./classify-bounce.js";
import { parseInbound } from "./inbound-parse.js";

/**
 * Mutates every fixture in the corpus the ways broken and hostile mail does (truncated,
 * duplicated, bytes flipped, a huge header, boundaries missing, CRLF mangled, parts nested
 * deep) and checks the classifier always answers, with a known kind, a bounded recipient list,
 * and within a time limit per message. The random source is seeded: a failure reproduces.
 */
const dir = join(import.meta.dirname, "..", "..", "test", "fixtures", "bounces");
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith(".eml"))
  .map((f) => ({ name: f, raw: readFileSync(join(dir, f)) }));

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

type Mutation = (raw: Buffer, random: () => number) => Buffer;

const mutations: Record<string, Mutation> = {
  truncate: (raw, r) => raw.subarray(0, Math.floor(r() * raw.length)),
  duplicate: (raw, r) => Buffer.concat(Array.from({ length: 2 + Math.floor(r() * 20) }, () => raw)),
  flipBytes: (raw, r) => {
    const out = Buffer.from(raw);
    for (let i = 0; i < 1 + Math.floor(r() * 50); i++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
    return out;
  },
  hugeHeader: (raw, r) =>
    Buffer.concat([Buffer.from(`X-Huge: ${"h".repeat(500_000 + Math.floor(r() * 500_000))}\r\n`), raw]),
  foldedHeaderFlood: (raw) => Buffer.concat([Buffer.from(`Subject: x\r\n${" folded\r\n".repeat(100_000)}`), raw]),
  missingBoundaries: (raw) =>
    Buffer.from(
      raw
        .toString("latin1")
        .split(/\r?\n/)
        .filter((line) => !line.startsWith("--"))
        .join("\n"),
      "latin1",
    ),
  boundaryNeverEnds: (raw) => Buffer.from(raw.toString("latin1").replace(/\n--[^\n]*--\s*$/, "\n"), "latin1"),
  bareCarriageReturns: (raw) => Buffer.from(raw.toString("latin1").replace(/\r?\n/g, "\r"), "latin1"),
  nulBytes: (raw, r) => {
    const out = Buffer.from(raw);
    for (let i = 0; i < 200; i++) out[Math.floor(r() * out.length)] = 0;
    return out;
  },
  deepNesting: (raw) => {
    let head = "";
    for (let i = 0; i < 500; i++) head += `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`;
    return Buffer.concat([Buffer.from(head), raw]);
  },
  manyRecipients: (raw) =>
    Buffer.from(
      raw
        .toString("latin1")
        .replace(/(Final-Recipient:[^\n]*\n(?:[^\n]+\n)*)/i, (block: string) => `${block}\n`.repeat(3000)),
      "latin1",
    ),
  endlessLine: (raw) => Buffer.concat([raw, Buffer.from("5.1.1 <a@b> 550 ".repeat(200_000))]),
};

describe("classifyInbound under fuzzed fixtures", () => {
  it("has a corpus to mutate", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, mutate] of Object.entries(mutations)) {
    it(`never throws and stays bounded: ${name}`, async () => {
      const random = seeded(name.length * 7919);
      let slowest = 0;
      for (const { name: file, raw } of corpus) {
        const input = mutate(raw, random);
        const started = performance.now();
        const result = await classifyInbound(input);
        const took = performance.now() - started;
        slowest = Math.max(slowest, took);
        expect(["bounce", "delay", "complaint", "auto_reply", "none"], file).toContain(result.kind);
        expect(result.recipients.length, file).toBeLessThanOrEqual(MAX_RECIPIENTS);
        for (const r of result.recipients) {
          expect(["hard_bounce", "soft_bounce", "rejected", "spam", "opted_out"], file).toContain(r.status);
          expect((r.diagnostic ?? "").length, file).toBeLessThanOrEqual(1000);
        }
      }
      // Per message, on a shared 2-core machine: generous, but a bound.
      expect(slowest).toBeLessThan(3000);
    });
  }

  it("the inbound parser survives the same mutations", async () => {
    const random = seeded(4242);
    const names = Object.keys(mutations);
    for (const { raw } of corpus.slice(0, 12)) {
      const mutationName = names[Math.floor(random() * names.length)] ?? "truncate";
      const mutate = mutations[mutationName] ?? ((b: Buffer) => b);
      const parsed = await parseInbound(mutate(raw, random), { timeoutMs: 5000 });
      expect(parsed.answers.length).toBeLessThanOrEqual(50);
      expect(parsed.attachments.length).toBeLessThanOrEqual(100);
    }
  });
});

describe("classifyInbound on hostile reports with many recipients", () => {
  it("stays bounded with a thousand DSN recipients and a long notice", async () => {
    const notice = Array.from({ length: 400 }, () => `${"x".repeat(3900)} `).join("\n");
    let dsn = "";
    for (let i = 0; i < 1200; i++)
      dsn += `Final-Recipient: rfc822; r${i}@example.org\nAction: failed\nStatus: 5.0.0\n\n`;
    const raw = `From: MAILER-DAEMON@x.example\nSubject: Undelivered\nContent-Type: multipart/report; boundary="b"\n\n--b\nContent-Type: text/plain\n\n${notice}\n--b\nContent-Type: message/delivery-status\n\n${dsn}--b--\n`;
    const started = performance.now();
    const result = await classifyInbound(Buffer.from(raw));
    expect(result.recipients).toHaveLength(MAX_RECIPIENTS);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("stays bounded with hundreds of addresses on long lines", async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `<a${i}@example.org>: ${"y".repeat(3000)}`).join("\n");
    const started = performance.now();
    const result = await classifyInbound(
      Buffer.from(`From: MAILER-DAEMON@x.example\nSubject: failure notice\n\n${lines}\n`),
    );
    expect(result.kind).toBe("bounce");
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
