import { isIP } from "node:net";
import type { Database, Db, Tx } from "../db/database.js";
import { checkDisplayName, checkEmail } from "../email/address.js";
import { sanitizeSignatureHtml } from "../email/html-sanitiser.js";
import { maskSecret } from "../tenants/secret-box.js";
import {
  type AccountAuth,
  type AccountSecrets,
  type AccountSettings,
  type AccountStep,
  type AttachmentsSignatureStep,
  DEFAULT_SCHEDULE,
  type DraftAuth,
  type DraftServer,
  type DraftSettings,
  deleteDraft,
  loadAccount,
  loadDraft,
  loadOpenReceivedAttachments,
  loadSignature,
  NO_SIGNATURE,
  type OAuthProvider,
  type ReceiveSettings,
  type ServerSettings,
  type SignatureSettings,
  type StoredAccount,
  saveAccount,
  saveDraft,
  saveOpenReceivedAttachments,
  saveSignature,
} from "./account-settings.js";
import { accountFingerprint, passedTest } from "./account-tests.js";
import { DANGEROUS_EXTENSIONS } from "./attachment-policy.js";
import { delayForDailyLimit, describePacing, minutesOf, type Pacing } from "./pacing.js";

/**
 * The settings wizard (docs/own-account.md) as data: a draft saved step by step, checked per field, and
 * Finish, which checks the whole draft and saves it as the live settings in one transaction.
 * Until Finish the live settings are untouched; after it the draft is removed, and the next
 * edit starts from a copy of the live settings (secrets included, so an administrator changing
 * the signature does not have to type the password again).
 *
 * A step is saved as given even when a field is wrong (the answer lists the problems), so a
 * console never loses what was typed; Finish refuses while any step has a problem.
 *
 * Security decisions:
 * - `none` (no TLS) is refused with any login: a password or OAuth2 token would cross the
 *   network in clear. There is no switch for it; every provider we target offers TLS.
 * - `starttls` means STARTTLS is required: the connection fails rather than log in without it.
 * - OAuth2 token endpoints must be https (http only to a loopback address, for local tests;
 *   the network policy refuses loopback anyway unless the operator let it through).
 */
export const STEPS = ["account", "sending", "receiving", "attachments_signature"] as const;
export type Step = (typeof STEPS)[number];

export interface WizardLimits {
  /** The service's largest message (config.maxMessageBytes): attachments may not be larger. */
  readonly maxMessageBytes: number;
}

export interface Problem {
  readonly step: Step;
  /** Dotted path inside the step, e.g. `smtp.port`; empty for the step as a whole. */
  readonly field: string;
  readonly message: string;
}

/* ---------- what the API takes: sections with secrets inline ---------- */

/** Secrets: a string sets it, omitted keeps what the draft has, null clears it. */
export type AuthInput =
  | { readonly method: "password"; readonly user: string; readonly password?: string | null }
  | {
      readonly method: "oauth2";
      readonly provider: OAuthProvider;
      readonly user: string;
      readonly clientId: string;
      readonly clientSecret?: string | null;
      readonly refreshToken?: string | null;
      readonly tokenUrl?: string | null;
      readonly scope?: string | null;
    };

export interface ServerInput {
  readonly host: string;
  readonly port: number;
  readonly security: "none" | "starttls" | "tls";
  readonly auth: AuthInput;
}

export interface AccountStepInput {
  readonly mode: "builtin" | "own_account";
  readonly fromAddress?: string | null;
  readonly fromName?: string | null;
  readonly smtp?: ServerInput | null;
  readonly receive?: (ServerInput & { readonly protocol: "imap" | "pop3"; readonly mailbox?: string | null }) | null;
}

export interface SendingStepInput {
  readonly holdMinutes?: number;
  readonly delaySeconds?: number | null;
  readonly window?: { readonly start: string; readonly end: string } | null;
  readonly dailyLimit?: number | null;
}

export interface ReceivingStepInput {
  readonly schedule: ReceiveSettings["schedule"];
}

export interface AttachmentsSignatureStepInput {
  readonly attachments?: { readonly maxBytes?: number; readonly blockedExtensions?: readonly string[] };
  readonly signature?: { readonly enabled: boolean; readonly text?: string | null; readonly html?: string | null };
  /** Whether people may open attachments of received mail (default: as it is now). */
  readonly openReceivedAttachments?: boolean;
}

export interface DraftInput {
  readonly account?: AccountStepInput;
  readonly sending?: SendingStepInput;
  readonly receiving?: ReceivingStepInput;
  readonly attachments_signature?: AttachmentsSignatureStepInput;
}

/* ---------- defaults ---------- */

export const DEFAULT_TOKEN_URLS: Readonly<Record<OAuthProvider, string>> = {
  microsoft: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
  google: "https://oauth2.googleapis.com/token",
};

/** The scope to ask for when the administrator gives none: per provider and what the token is for. */
export function defaultScope(provider: OAuthProvider, purpose: "smtp" | "imap" | "pop3"): string {
  if (provider === "google") return "https://mail.google.com/";
  const resource = { smtp: "SMTP.Send", imap: "IMAP.AccessAsUser.All", pop3: "POP.AccessAsUser.All" }[purpose];
  return `https://outlook.office.com/${resource} offline_access`;
}

export const DEFAULT_RECEIVE_SCHEDULE: ReceiveSettings["schedule"] = { mode: "every", minutes: 5 };

function defaultAttachmentsSignature(limits: WizardLimits): AttachmentsSignatureStep {
  return { attachments: { maxBytes: limits.maxMessageBytes, blockedExtensions: [] }, signature: NO_SIGNATURE };
}

/* ---------- applying a PUT ---------- */

type SecretSlot = "smtp" | "receive";

function secretKeys(slot: SecretSlot) {
  return slot === "smtp"
    ? ({ password: "smtpPassword", clientSecret: "smtpClientSecret", refreshToken: "smtpRefreshToken" } as const)
    : ({
        password: "receivePassword",
        clientSecret: "receiveClientSecret",
        refreshToken: "receiveRefreshToken",
      } as const);
}

type MutableSecrets = { -readonly [K in keyof AccountSecrets]?: string };

function setSecret(secrets: MutableSecrets, key: keyof AccountSecrets, value: string | null | undefined): void {
  if (value === undefined) return;
  if (value === null || value === "") delete secrets[key];
  else secrets[key] = value;
}

/** Takes the server's secrets out of `input` into `secrets`; drops the ones the method no longer uses. */
function applyServer(
  secrets: MutableSecrets,
  slot: SecretSlot,
  input: ServerInput | null | undefined,
): DraftServer | null {
  const keys = secretKeys(slot);
  if (!input) {
    for (const k of Object.values(keys)) delete secrets[k];
    return null;
  }
  const a = input.auth;
  let auth: DraftAuth;
  if (a.method === "password") {
    setSecret(secrets, keys.password, a.password);
    delete secrets[keys.clientSecret];
    delete secrets[keys.refreshToken];
    auth = { method: "password", user: a.user };
  } else {
    setSecret(secrets, keys.clientSecret, a.clientSecret);
    setSecret(secrets, keys.refreshToken, a.refreshToken);
    delete secrets[keys.password];
    auth = {
      method: "oauth2",
      provider: a.provider,
      user: a.user,
      clientId: a.clientId,
      tokenUrl: a.tokenUrl ?? null,
      scope: a.scope ?? null,
    };
  }
  return { host: input.host.trim().toLowerCase(), port: input.port, security: input.security, auth };
}

/** The draft after applying the given sections (each replaces its step whole). Secrets never enter `settings`. */
export async function applyDraftInput(
  current: { readonly settings: DraftSettings; readonly secrets: AccountSecrets },
  input: DraftInput,
  limits: WizardLimits,
): Promise<{ settings: DraftSettings; secrets: AccountSecrets }> {
  const secrets: MutableSecrets = { ...current.secrets };
  const settings: { -readonly [K in keyof DraftSettings]: DraftSettings[K] } = { ...current.settings };
  if (input.account) {
    const a = input.account;
    const receive = applyServer(secrets, "receive", a.receive);
    settings.account = {
      mode: a.mode,
      fromAddress: a.fromAddress ?? null,
      fromName: a.fromName ?? null,
      smtp: applyServer(secrets, "smtp", a.smtp),
      receive:
        receive && a.receive ? { ...receive, protocol: a.receive.protocol, mailbox: a.receive.mailbox ?? null } : null,
    };
  }
  if (input.sending) {
    const s = input.sending;
    settings.sending = {
      holdMinutes: s.holdMinutes ?? 0,
      delaySeconds: s.delaySeconds ?? null,
      window: s.window ?? null,
      dailyLimit: s.dailyLimit ?? null,
    };
  }
  if (input.receiving) settings.receiving = { schedule: input.receiving.schedule };
  if (input.attachments_signature) {
    const x = input.attachments_signature;
    const defaults = defaultAttachmentsSignature(limits);
    const html = x.signature?.html?.trim() ? sanitizeSignatureHtml(x.signature.html) : null;
    settings.attachments_signature = {
      attachments: {
        maxBytes: x.attachments?.maxBytes ?? defaults.attachments.maxBytes,
        blockedExtensions: [
          ...new Set((x.attachments?.blockedExtensions ?? []).map((e) => e.trim().toLowerCase().replace(/^\./, ""))),
        ],
      },
      signature: {
        enabled: x.signature?.enabled ?? false,
        text: x.signature?.text?.trim() ? x.signature.text : null,
        html: html?.trim() ? html : null,
      },
      ...(x.openReceivedAttachments !== undefined
        ? { openReceivedAttachments: x.openReceivedAttachments }
        : current.settings.attachments_signature?.openReceivedAttachments !== undefined
          ? { openReceivedAttachments: current.settings.attachments_signature.openReceivedAttachments }
          : {}),
    };
  }
  return { settings, secrets };
}

/* ---------- validation ---------- */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A problem with a host name, or null. Names are letters, digits, hyphens and dots; IP literals are allowed. */
export function hostProblem(host: string): string | null {
  if (host.trim() === "") return "host is empty";
  if (host.length > 253) return "host is longer than 253 characters";
  if (/\s/.test(host)) return "host must not contain spaces";
  if (host.includes("://")) return "host must be a name such as smtp.example.com, without a scheme such as smtps://";
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (isIP(bare)) return null;
  if (/[/:@?#]/.test(host)) return "host must be a name such as smtp.example.com, without port, path or user";
  const labels = host.replace(/\.$/, "").split(".");
  if (!labels.every((l) => LABEL.test(l))) {
    return "host must be a name such as smtp.example.com (letters, digits, hyphens and dots)";
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? "")) return "host looks like a malformed IP address";
  return null;
}

/** Control characters (C0, DEL, C1); with `allowLineBreaks`, CR, LF and TAB are fine (signature text). */
function hasControl(text: string, allowLineBreaks = false): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (allowLineBreaks && (c === 9 || c === 10 || c === 13)) continue;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function tokenUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "tokenUrl is not a URL";
  }
  if (parsed.username || parsed.password) return "tokenUrl must not contain a user name or password";
  if (parsed.protocol === "https:") return null;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (parsed.protocol === "http:" && (host === "localhost" || host === "::1" || host.startsWith("127."))) return null;
  return "tokenUrl must be an https:// URL";
}

const FOLDER_MAX = 200;
const SIGNATURE_TEXT_MAX = 10_000;
const SIGNATURE_HTML_MAX = 100_000;
export const MAX_DAILY_LIMIT = 1_000_000;
export const MAX_BLOCKED_EXTENSIONS = 100;

function checkServer(
  server: DraftServer,
  secrets: AccountSecrets,
  slot: SecretSlot,
  purpose: "smtp" | "imap" | "pop3",
  report: (field: string, message: string) => void,
): ServerSettings | null {
  let found = 0;
  const add = (field: string, message: string) => {
    found++;
    report(field, message);
  };
  const p = slot;
  const host = hostProblem(server.host);
  if (host) add(`${p}.host`, host);
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) {
    add(`${p}.port`, "port must be a whole number from 1 to 65535");
  }
  const keys = secretKeys(slot);
  const a = server.auth;
  if (server.security === "none") {
    add(
      `${p}.security`,
      "security none would send the password or token in clear; choose starttls (STARTTLS required) or tls",
    );
  }
  if (a.user.trim() === "" || a.user.length > 254 || hasControl(a.user)) {
    add(`${p}.auth.user`, "user must be 1-254 characters without control characters");
  }
  let auth: AccountAuth;
  if (a.method === "password") {
    const password = secrets[keys.password];
    if (!password) add(`${p}.auth.password`, "password is missing");
    else if (hasControl(password))
      add(`${p}.auth.password`, "password must not contain control characters or line breaks");
    auth = { method: "password", user: a.user };
  } else {
    if (a.clientId.trim() === "" || hasControl(a.clientId)) add(`${p}.auth.clientId`, "clientId is missing");
    if (!secrets[keys.clientSecret]) add(`${p}.auth.clientSecret`, "clientSecret is missing");
    if (!secrets[keys.refreshToken]) add(`${p}.auth.refreshToken`, "refreshToken is missing");
    const tokenUrl = a.tokenUrl ?? DEFAULT_TOKEN_URLS[a.provider];
    const urlProblem = tokenUrlProblem(tokenUrl);
    if (urlProblem) add(`${p}.auth.tokenUrl`, urlProblem);
    if (a.scope !== null && (a.scope.trim() === "" || hasControl(a.scope))) {
      add(`${p}.auth.scope`, "scope must be space-separated scope names");
    }
    auth = {
      method: "oauth2",
      provider: a.provider,
      user: a.user,
      clientId: a.clientId.trim(),
      tokenUrl,
      scope: a.scope ?? defaultScope(a.provider, purpose),
    };
  }
  if (found > 0) return null;
  return { host: server.host.replace(/\.$/, ""), port: server.port, security: server.security, auth };
}

function timeProblem(time: string): boolean {
  const m = minutesOf(time);
  return m === null || m >= 24 * 60;
}

export interface AccountCheck {
  readonly problems: readonly Problem[];
  /** The servers as delivery and polling would use them; null when absent or with a problem. */
  readonly smtp: ServerSettings | null;
  readonly receive: (ServerSettings & { readonly protocol: "imap" | "pop3"; readonly mailbox: string }) | null;
}

/** Checks the account step alone (what test connection needs). */
export function checkAccountStep(account: AccountStep, secrets: AccountSecrets): AccountCheck {
  const problems: Problem[] = [];
  const addA = (field: string, message: string) => {
    problems.push({ step: "account", field, message });
  };
  let smtp: ServerSettings | null = null;
  let receive: AccountCheck["receive"] = null;
  if (account.fromAddress !== null) {
    const email = checkEmail(account.fromAddress);
    if (!email.ok) addA("fromAddress", email.message);
  } else if (account.mode === "own_account")
    addA("fromAddress", "fromAddress is required to send from your own account");
  if (account.fromName !== null) {
    const name = checkDisplayName(account.fromName);
    if (!name.ok) addA("fromName", name.message);
  }
  if (account.smtp) smtp = checkServer(account.smtp, secrets, "smtp", "smtp", addA);
  else if (account.mode === "own_account")
    addA("smtp", "the sending server (SMTP) is required to send from your own account");
  if (account.receive) {
    const r = account.receive;
    const server = checkServer(r, secrets, "receive", r.protocol, addA);
    const mailbox = r.protocol === "imap" ? (r.mailbox ?? "INBOX") : "INBOX";
    if (mailbox.trim() === "" || mailbox.length > FOLDER_MAX || hasControl(mailbox)) {
      addA("receive.mailbox", `mailbox must be a folder name of 1-${FOLDER_MAX} characters`);
    } else if (server) receive = { ...server, protocol: r.protocol, mailbox };
  }
  return { problems, smtp, receive };
}

export type DraftCheck =
  | {
      readonly ok: true;
      readonly settings: AccountSettings;
      readonly signature: SignatureSettings;
      /** undefined: leave the tenant's setting as it is. */
      readonly openReceivedAttachments: boolean | undefined;
      readonly problems: readonly [];
    }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Checks every step of the draft; the live settings it would become when there is no problem. */
export function validateDraft(
  draft: { readonly settings: DraftSettings; readonly secrets: AccountSecrets },
  limits: WizardLimits,
): DraftCheck {
  const problems: Problem[] = [];
  const adder = (step: Step) => (field: string, message: string) => {
    problems.push({ step, field, message });
  };
  const { settings: d, secrets } = draft;

  // account
  const account = d.account;
  const accountCheck = account ? checkAccountStep(account, secrets) : null;
  if (!accountCheck) problems.push({ step: "account", field: "", message: "the account step has not been saved yet" });
  else problems.push(...accountCheck.problems);
  const smtp = accountCheck?.smtp ?? null;
  const receiveServer = accountCheck?.receive ?? null;

  // sending
  const sending = d.sending;
  const addS = adder("sending");
  let schedule = DEFAULT_SCHEDULE;
  if (sending) {
    const before = problems.length;
    if (!Number.isInteger(sending.holdMinutes) || sending.holdMinutes < 0 || sending.holdMinutes > 1440) {
      addS("holdMinutes", "holdMinutes must be a whole number from 0 (send immediately) to 1440");
    }
    if (
      sending.delaySeconds !== null &&
      (!Number.isInteger(sending.delaySeconds) || sending.delaySeconds < 0 || sending.delaySeconds > 86_400)
    ) {
      addS("delaySeconds", "delaySeconds must be a whole number from 0 to 86400");
    }
    let windowOk = true;
    if (sending.window) {
      const { start, end } = sending.window;
      if (timeProblem(start)) addS("window.start", "window.start must be a time HH:MM such as 08:00");
      const endMinutes = minutesOf(end);
      if (endMinutes === null) addS("window.end", "window.end must be a time HH:MM such as 17:00 (24:00 for midnight)");
      else if (!timeProblem(start) && endMinutes <= (minutesOf(start) ?? 0)) {
        addS("window.end", `window.end ${end} must be after window.start ${start}`);
      }
      windowOk = problems.length === before;
    }
    if (sending.dailyLimit !== null) {
      if (!Number.isInteger(sending.dailyLimit) || sending.dailyLimit < 1 || sending.dailyLimit > MAX_DAILY_LIMIT) {
        addS("dailyLimit", `dailyLimit must be a whole number from 1 to ${MAX_DAILY_LIMIT}`);
      } else if (windowOk) {
        const least = delayForDailyLimit(sending.dailyLimit, sending.window);
        if (sending.delaySeconds !== null && sending.delaySeconds < least) {
          addS(
            "delaySeconds",
            `a delay of ${sending.delaySeconds} s would exceed the daily limit of ${sending.dailyLimit}; use at least ${least} s`,
          );
        }
      }
    }
    if (problems.length === before) {
      const derived = sending.dailyLimit !== null ? delayForDailyLimit(sending.dailyLimit, sending.window) : 0;
      schedule = {
        holdMinutes: sending.holdMinutes,
        delaySeconds: sending.delaySeconds ?? derived,
        window: sending.window,
        dailyLimit: sending.dailyLimit,
      };
    }
  }

  // receiving
  const addR = adder("receiving");
  const receiveSchedule = d.receiving?.schedule ?? DEFAULT_RECEIVE_SCHEDULE;
  if (receiveSchedule.mode === "every") {
    if (!Number.isInteger(receiveSchedule.minutes) || receiveSchedule.minutes < 1 || receiveSchedule.minutes > 1440) {
      addR("schedule.minutes", "schedule.minutes must be a whole number from 1 to 1440");
    }
    const w = receiveSchedule.window;
    if (w) {
      if (timeProblem(w.start))
        addR("schedule.window.start", "schedule.window.start must be a time HH:MM such as 08:00");
      const endMinutes = minutesOf(w.end);
      if (endMinutes === null) addR("schedule.window.end", "schedule.window.end must be a time HH:MM such as 17:00");
      else if (!timeProblem(w.start) && endMinutes <= (minutesOf(w.start) ?? 0)) {
        addR("schedule.window.end", `schedule.window.end ${w.end} must be after schedule.window.start ${w.start}`);
      }
    }
  } else {
    if (receiveSchedule.times.length === 0 || receiveSchedule.times.length > 48) {
      addR("schedule.times", "schedule.times must list 1 to 48 times of day");
    }
    receiveSchedule.times.forEach((t, i) => {
      if (timeProblem(t)) addR(`schedule.times.${i}`, `${JSON.stringify(t.slice(0, 20))} is not a time HH:MM`);
    });
  }

  // attachments and signature
  const addX = adder("attachments_signature");
  const x = d.attachments_signature ?? defaultAttachmentsSignature(limits);
  const { maxBytes, blockedExtensions } = x.attachments;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > limits.maxMessageBytes) {
    addX(
      "attachments.maxBytes",
      `attachments.maxBytes must be from 1 to ${limits.maxMessageBytes} (the service's largest message)`,
    );
  }
  if (blockedExtensions.length > MAX_BLOCKED_EXTENSIONS) {
    addX("attachments.blockedExtensions", `at most ${MAX_BLOCKED_EXTENSIONS} blocked extensions`);
  }
  blockedExtensions.forEach((e, i) => {
    if (!/^[a-z0-9]{1,16}$/.test(e)) {
      addX(
        `attachments.blockedExtensions.${i}`,
        `${JSON.stringify(e.slice(0, 20))} is not a file extension such as zip`,
      );
    }
  });
  const sig = x.signature;
  if (sig.text !== null && (sig.text.length > SIGNATURE_TEXT_MAX || hasControl(sig.text, true))) {
    addX(
      "signature.text",
      `signature.text must be at most ${SIGNATURE_TEXT_MAX} characters without control characters`,
    );
  }
  if (sig.html !== null && sig.html.length > SIGNATURE_HTML_MAX) {
    addX("signature.html", `signature.html must be at most ${SIGNATURE_HTML_MAX} characters`);
  }
  if (sig.enabled && !sig.text && !sig.html) addX("signature", "an enabled signature needs text or html");

  if (problems.length > 0 || !account) return { ok: false, problems };
  const fromName = account.fromName === null ? null : checkDisplayName(account.fromName);
  const fromAddress = account.fromAddress === null ? null : checkEmail(account.fromAddress);
  return {
    ok: true,
    problems: [],
    settings: {
      mode: account.mode,
      fromAddress: fromAddress?.ok ? fromAddress.email : null,
      fromName: fromName?.ok ? fromName.name || null : null,
      smtp,
      receive: receiveServer ? { ...receiveServer, schedule: receiveSchedule } : null,
      schedule,
      attachments: { maxBytes, blockedExtensions: blockedExtensions.filter((e) => !DANGEROUS_EXTENSIONS.includes(e)) },
    },
    signature: sig,
    openReceivedAttachments: x.openReceivedAttachments,
  };
}

/** Readable one-line summary of problems: `account: smtp.port port must be ...; sending: ...`. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems
    .slice(0, 5)
    .map((p) => `step ${p.step}${p.field ? `, field ${p.field}` : ""}: ${p.message}`)
    .join("; ");
}

/* ---------- views (secrets masked) ---------- */

function maskedAuth(auth: DraftAuth | AccountAuth, secrets: AccountSecrets, slot: SecretSlot) {
  const keys = secretKeys(slot);
  return auth.method === "password"
    ? { ...auth, password: maskSecret(secrets[keys.password]) }
    : {
        ...auth,
        clientSecret: maskSecret(secrets[keys.clientSecret]),
        refreshToken: maskSecret(secrets[keys.refreshToken]),
      };
}

function maskedServer<S extends DraftServer | ServerSettings>(
  server: S | null,
  secrets: AccountSecrets,
  slot: SecretSlot,
) {
  return server ? { ...server, auth: maskedAuth(server.auth, secrets, slot) } : null;
}

/** The draft as the API shows it: each saved step, secrets masked, and the problems Finish would report. */
export function draftView(
  draft: { settings: DraftSettings; secrets: AccountSecrets; version: number | null; updatedAt: number | null },
  limits: WizardLimits,
) {
  const { settings: d, secrets } = draft;
  const check = validateDraft(draft, limits);
  const sending = d.sending;
  let pacing: Pacing | null = null;
  if (check.ok) pacing = describePacing(check.settings.schedule.delaySeconds, check.settings.schedule.window);
  return {
    version: draft.version,
    updatedAt: draft.updatedAt === null ? null : new Date(draft.updatedAt).toISOString(),
    steps: {
      account: d.account
        ? {
            ...d.account,
            smtp: maskedServer(d.account.smtp, secrets, "smtp"),
            receive: maskedServer(d.account.receive, secrets, "receive"),
          }
        : null,
      sending: sending ?? null,
      receiving: d.receiving ?? null,
      attachments_signature: d.attachments_signature ?? null,
    },
    saved: Object.fromEntries(STEPS.map((s) => [s, d[s] !== undefined])) as Record<Step, boolean>,
    problems: check.problems,
    readyToFinish: check.ok,
    pacing: pacing ? pacingView(pacing) : null,
  };
}

export function pacingView(p: Pacing) {
  return {
    delaySeconds: p.delaySeconds,
    perDay: Number.isFinite(p.perDay) ? p.perDay : null,
    perMinute: Number.isFinite(p.perMinute) ? p.perMinute : null,
    description: p.description,
  };
}

/** The live settings as the API shows them: secrets masked, the pace they allow. */
export function accountView(
  stored: StoredAccount | null,
  signature: SignatureSettings,
  limits: WizardLimits,
  openReceivedAttachments = true,
) {
  const settings: AccountSettings = stored?.settings ?? {
    mode: "builtin",
    fromAddress: null,
    fromName: null,
    smtp: null,
    receive: null,
    schedule: DEFAULT_SCHEDULE,
    attachments: defaultAttachmentsSignature(limits).attachments,
  };
  const secrets = stored?.secrets ?? {};
  return {
    configured: stored !== null,
    version: stored?.version ?? null,
    updatedAt: stored ? new Date(stored.updatedAt).toISOString() : null,
    ...settings,
    smtp: maskedServer(settings.smtp, secrets, "smtp"),
    receive: maskedServer(settings.receive, secrets, "receive"),
    attachments: { ...settings.attachments, alwaysBlocked: DANGEROUS_EXTENSIONS },
    signature,
    openReceivedAttachments,
    pacing: pacingView(describePacing(settings.schedule.delaySeconds, settings.schedule.window)),
  };
}

/* ---------- the draft in the database ---------- */

/** The live settings as a draft (the starting point when no draft exists). */
export function draftFromAccount(
  stored: StoredAccount,
  signature: SignatureSettings,
  openReceivedAttachments: boolean,
): DraftSettings {
  const s = stored.settings;
  const server = (x: ServerSettings): DraftServer => ({ ...x, auth: x.auth });
  return {
    account: {
      mode: s.mode,
      fromAddress: s.fromAddress,
      fromName: s.fromName,
      smtp: s.smtp ? server(s.smtp) : null,
      receive: s.receive
        ? {
            host: s.receive.host,
            port: s.receive.port,
            security: s.receive.security,
            auth: s.receive.auth,
            protocol: s.receive.protocol,
            mailbox: s.receive.mailbox,
          }
        : null,
    },
    sending: { ...s.schedule },
    receiving: { schedule: s.receive?.schedule ?? DEFAULT_RECEIVE_SCHEDULE },
    attachments_signature: { attachments: s.attachments, signature, openReceivedAttachments },
  };
}

export interface CurrentDraft {
  readonly settings: DraftSettings;
  readonly secrets: AccountSecrets;
  /** null while no draft row exists (a copy of the live settings, or empty). */
  readonly version: number | null;
  readonly updatedAt: number | null;
}

/** The tenant's draft; without one, a copy of the live settings (or nothing saved yet). */
export async function currentDraft(db: Db | Tx, secretKey: string, tenantId: string): Promise<CurrentDraft> {
  const draft = await loadDraft(db, secretKey, tenantId);
  if (draft) return draft;
  const live = await loadAccount(db, secretKey, tenantId);
  if (!live) return { settings: {}, secrets: {}, version: null, updatedAt: null };
  return {
    settings: draftFromAccount(
      live,
      await loadSignature(db, tenantId),
      await loadOpenReceivedAttachments(db, tenantId),
    ),
    secrets: live.secrets,
    version: null,
    updatedAt: null,
  };
}

/**
 * Two administrators saving different steps at once must not lose one of them (each save
 * rewrites the whole draft): saves and Finish of one tenant take turns. SQLite transactions
 * already do (`begin immediate`); on PostgreSQL the tenant's row is locked.
 */
async function lockTenant(database: Database, tx: Tx, tenantId: string): Promise<void> {
  if (database.dialect !== "postgres") return;
  await tx.selectFrom("tenants").select("id").where("id", "=", tenantId).forUpdate().execute();
}

/** Saves the given steps into the tenant's draft (in one transaction). */
export async function updateDraft(
  database: Database,
  secretKey: string,
  tenantId: string,
  input: DraftInput,
  limits: WizardLimits,
  at: number,
  by: string | null,
): Promise<CurrentDraft> {
  return database.db.transaction().execute(async (tx) => {
    await lockTenant(database, tx, tenantId);
    const current = await currentDraft(tx, secretKey, tenantId);
    const next = await applyDraftInput(current, input, limits);
    const version = await saveDraft(tx, secretKey, tenantId, next.settings, next.secrets, at, by);
    return { ...next, version, updatedAt: at };
  });
}

export type FinishResult =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly reason: "no_draft" }
  /** An own-account draft whose account step, as it is now, never passed Test connection. */
  | { readonly ok: false; readonly reason: "untested" }
  | { readonly ok: false; readonly reason: "invalid"; readonly problems: readonly Problem[] };

/**
 * Finish: checks the whole draft and, when every step is valid (and, for an own account, its
 * account step as it is now passed Test connection: `account-tests.ts`), saves the live settings, the
 * signature and the sending mode and removes the draft, all in one transaction. Mail held
 * because the old sign-in was revoked is made due at once, to go with the new settings:
 * `releaseHeld` does that in the same transaction (the caller passes `releaseHeldMail` of
 * `delivery/`, a layer above this one).
 */
export async function finishDraft(
  database: Database,
  secretKey: string,
  tenantId: string,
  limits: WizardLimits,
  at: number,
  by: string | null,
  releaseHeld: (tx: Tx, tenantId: string, at: number) => Promise<unknown>,
): Promise<FinishResult> {
  return database.db.transaction().execute(async (tx): Promise<FinishResult> => {
    await lockTenant(database, tx, tenantId);
    const draft = await loadDraft(tx, secretKey, tenantId);
    if (!draft) return { ok: false, reason: "no_draft" };
    const check = validateDraft(draft, limits);
    if (!check.ok) return { ok: false, reason: "invalid", problems: check.problems };
    const account = draft.settings.account;
    if (check.settings.mode === "own_account" && account) {
      const fingerprint = accountFingerprint(secretKey, tenantId, account, draft.secrets);
      if (!(await passedTest(tx, tenantId, fingerprint))) return { ok: false, reason: "untested" };
    }
    const secrets = usedSecrets(check.settings, draft.secrets);
    const version = await saveAccount(tx, secretKey, tenantId, check.settings, secrets, at, by);
    await saveSignature(tx, tenantId, check.signature, at);
    if (check.openReceivedAttachments !== undefined) {
      await saveOpenReceivedAttachments(tx, tenantId, check.openReceivedAttachments);
    }
    await releaseHeld(tx, tenantId, at);
    await deleteDraft(tx, tenantId);
    return { ok: true, version };
  });
}

/** Only the secrets the saved settings use (a password left over from a removed server is dropped). */
function usedSecrets(settings: AccountSettings, secrets: AccountSecrets): AccountSecrets {
  const out: MutableSecrets = {};
  for (const [slot, server] of [
    ["smtp", settings.smtp],
    ["receive", settings.receive],
  ] as const) {
    if (!server) continue;
    const keys = secretKeys(slot);
    if (server.auth.method === "password") setSecret(out, keys.password, secrets[keys.password]);
    else {
      setSecret(out, keys.clientSecret, secrets[keys.clientSecret]);
      setSecret(out, keys.refreshToken, secrets[keys.refreshToken]);
    }
  }
  return out;
}
