/**
 * Scores the bounce classifier against a labelled folder of raw messages: every `*.eml` in the
 * folder, and a `labels.json` beside them (`{ "files": { "NAME.eml": Label } }`, described in
 * `bench/README.md`). Used by `npm run bench:bounces -- DIR` and by the corpus test.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Classification, classifyInbound } from "../src/mailboxes/classify-bounce.js";

export interface LabelRecipient {
  email: string;
  /** Other addresses that name the same recipient (Original-Recipient vs Final-Recipient). */
  alternates?: string[];
  /** null: not scored for status (the expected status is doubtful). */
  status: string | null;
  /** Why the label has this status; shown next to a mismatch. */
  statusRule?: string;
}

export interface Label {
  kind: string;
  checkRecipient: boolean;
  expectNoRecipientStatus: boolean;
  recipients: LabelRecipient[];
}

export interface Mismatch {
  file: string;
  what: "kind" | "recipient" | "status" | "crash";
  /** A short grouping key, e.g. "kind bounce -> none" or "status hard_bounce -> rejected". */
  key: string;
  detail: string;
}

export interface Score {
  files: number;
  kind: { right: number; of: number };
  recipient: { right: number; of: number };
  status: { right: number; of: number };
  crashed: number;
  mismatches: Mismatch[];
}

export const TARGETS = { kind: 97, recipient: 98, status: 95, crashed: 0 } as const;

export function percent(part: { right: number; of: number }): number {
  return part.of === 0 ? 100 : (100 * part.right) / part.of;
}

export function meetsTargets(score: Score): boolean {
  return (
    percent(score.kind) >= TARGETS.kind &&
    percent(score.recipient) >= TARGETS.recipient &&
    percent(score.status) >= TARGETS.status &&
    score.crashed <= TARGETS.crashed
  );
}

export async function scoreFolder(dir: string): Promise<Score> {
  const labels = JSON.parse(await readFile(join(dir, "labels.json"), "utf8")) as { files: Record<string, Label> };
  const names = (await readdir(dir)).filter((n) => n.endsWith(".eml") && labels.files[n]).sort();
  const score: Score = {
    files: names.length,
    kind: { right: 0, of: 0 },
    recipient: { right: 0, of: 0 },
    status: { right: 0, of: 0 },
    crashed: 0,
    mismatches: [],
  };
  for (const name of names) {
    const label = labels.files[name] as Label;
    let result: Classification | undefined;
    try {
      result = await classifyInbound(await readFile(join(dir, name)));
    } catch (e) {
      result = undefined;
      score.mismatches.push({ file: name, what: "crash", key: "crash", detail: String(e) });
    }
    scoreOne(score, name, label, result);
  }
  return score;
}

function scoreOne(score: Score, file: string, label: Label, result: Classification | undefined): void {
  const scoredStatus = label.expectNoRecipientStatus || label.recipients.some((r) => r.status !== null);
  score.kind.of++;
  if (label.checkRecipient) score.recipient.of++;
  if (scoredStatus) score.status.of++;
  if (!result) {
    score.crashed++;
    return;
  }
  if (result.kind === label.kind) score.kind.right++;
  else score.mismatches.push({ file, what: "kind", key: `kind ${label.kind} -> ${result.kind}`, detail: "" });

  const returned = new Map(result.recipients.map((r) => [r.email.toLowerCase(), r]));
  const find = (r: LabelRecipient) =>
    [r.email, ...(r.alternates ?? [])].map((e) => returned.get(e.toLowerCase())).find((x) => x !== undefined);

  if (label.checkRecipient) {
    const missing = label.recipients.filter((r) => !find(r));
    if (missing.length === 0) score.recipient.right++;
    else {
      score.mismatches.push({
        file,
        what: "recipient",
        key: `recipient missing (${result.kind})`,
        detail: `expected ${missing.map((r) => r.email).join(", ")}; got ${[...returned.keys()].join(", ") || "none"}`,
      });
    }
  }
  if (!scoredStatus) return;
  if (label.expectNoRecipientStatus) {
    if (result.recipients.length === 0) score.status.right++;
    else {
      score.mismatches.push({
        file,
        what: "status",
        key: `status none -> ${result.recipients[0]?.status}`,
        detail: "",
      });
    }
    return;
  }
  const wrong = label.recipients.filter((r) => r.status !== null && find(r)?.status !== r.status);
  if (wrong.length === 0) score.status.right++;
  else {
    const first = wrong[0] as LabelRecipient;
    const got = find(first);
    score.mismatches.push({
      file,
      what: "status",
      key: `status ${first.status} -> ${got?.status ?? "missing"}`,
      detail: `${first.statusRule ?? ""}; reason ${got?.reason ?? "-"}; ${got?.diagnostic?.slice(0, 160) ?? ""}`,
    });
  }
}

/** The figures and the commonest mismatch kinds, as printed by the bench and the test. */
export function formatScore(score: Score, examples = 3): string {
  const fig = (name: string, part: { right: number; of: number }, target: number) =>
    `${name.padEnd(10)} ${percent(part).toFixed(1).padStart(5)}%  (${part.right}/${part.of}, target >= ${target}%)`;
  const lines = [
    `files      ${score.files}`,
    fig("kind", score.kind, TARGETS.kind),
    fig("recipient", score.recipient, TARGETS.recipient),
    fig("status", score.status, TARGETS.status),
    `crashed    ${score.crashed}  (target ${TARGETS.crashed})`,
  ];
  const groups = new Map<string, Mismatch[]>();
  for (const m of score.mismatches) groups.set(m.key, [...(groups.get(m.key) ?? []), m]);
  const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
  if (sorted.length > 0) lines.push("", "commonest mismatches:");
  for (const [key, list] of sorted) {
    lines.push(`  ${String(list.length).padStart(3)}  ${key}`);
    for (const m of list.slice(0, examples)) lines.push(`         ${m.file} ${m.detail}`.trimEnd());
  }
  return lines.join("\n");
}
