// Configure > Email settings: the settings wizard for the school's own mail account (docs/console.md,
// docs/own-account.md). Three windows — Account Details, Scheduled Send and Receive, Attachments and
// Signatures — each saved into the draft with Next; nothing is live until Finish, which saves it
// all at once. Next on Account Details stays disabled until a test of the values on screen passed.
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  PasswordInput,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import StarterKit from "@tiptap/starter-kit";
import { useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { ApiFailure, api, describeError } from "../api/client";
import { ConfirmButton } from "../components/ConfirmButton";
import { RichTextEditor, useRichTextEditor } from "../components/RichTextEditor";
import { ErrorState, Loading } from "../components/States";

/* ---------- the API's shapes (GET /v1/account, /v1/account/draft, /v1/account/providers) ---------- */

type Security = "none" | "starttls" | "tls";
type ProviderId = "microsoft" | "google";
interface Auth {
  method: "password" | "oauth2";
  user: string;
  provider?: ProviderId;
  clientId?: string;
  tokenUrl?: string | null;
  scope?: string | null;
  password?: string | null;
  refreshToken?: string | null;
}
interface Server {
  host: string;
  port: number;
  security: Security;
  auth: Auth;
}
interface ReceiveServer extends Server {
  protocol: "imap" | "pop3";
  mailbox?: string | null;
}
interface AccountStep {
  mode: "builtin" | "own_account";
  fromAddress: string | null;
  fromName: string | null;
  smtp: Server | null;
  receive: ReceiveServer | null;
}
interface SendingStep {
  holdMinutes: number;
  delaySeconds: number | null;
  window: { start: string; end: string } | null;
  dailyLimit: number | null;
}
type Schedule =
  | { mode: "every"; minutes: number; window?: { start: string; end: string } | null }
  | { mode: "times"; times: string[] };
interface AttachmentsStep {
  attachments: { maxBytes: number; blockedExtensions: string[] };
  signature: { enabled: boolean; text: string | null; html: string | null };
  openReceivedAttachments?: boolean;
}
interface Draft {
  version: number | null;
  steps: {
    account: AccountStep | null;
    sending: SendingStep | null;
    receiving: { schedule: Schedule } | null;
    attachments_signature: AttachmentsStep | null;
  };
  accountTested: boolean;
}
interface Live {
  configured: boolean;
  mode: "builtin" | "own_account";
  fromAddress: string | null;
  receive: ReceiveServer | null;
  attachments: { maxBytes: number; blockedExtensions: string[]; alwaysBlocked: string[] };
  openReceivedAttachments: boolean;
  builtinSender: string;
}
interface ProviderInfo {
  id: ProviderId;
  name: string;
  connect: boolean;
  smtp: { host: string; port: number; security: Security };
  imap: { host: string; port: number; security: Security };
  pop3: { host: string; port: number; security: Security };
}
interface StepResult {
  step: string;
  status: "ok" | "failed" | "skipped";
  message: string;
}
interface TestResult {
  ok: boolean;
  smtp: { ok: boolean; host: string; port: number; steps: StepResult[] } | null;
  receive: { ok: boolean; protocol: string; host: string; port: number; steps: StepResult[] } | null;
}

/* ---------- the Account Details form ---------- */

type Choice = ProviderId | "other";
interface ServerForm {
  host: string;
  port: number | string;
  security: Security;
  user: string;
  /** Typed by the administrator; empty keeps the saved one. */
  password: string;
}
interface AccountForm {
  mode: "builtin" | "own_account";
  fromAddress: string;
  fromName: string;
  choice: Choice;
  smtp: ServerForm;
  receiveProtocol: "none" | "imap" | "pop3";
  receive: ServerForm;
  mailbox: string;
  /** The OAuth2 login Connect saved (kept as it is when the form is saved again). */
  oauth: Auth | null;
}

const SECURITY = [
  { value: "starttls", label: "STARTTLS (usually port 587, 143, 110)" },
  { value: "tls", label: "TLS (usually port 465, 993, 995)" },
  { value: "none", label: "None (only a server on this machine)" },
];

const emptyServer = (): ServerForm => ({ host: "", port: "", security: "starttls", user: "", password: "" });

function serverForm(s: Server | null | undefined): ServerForm {
  if (!s) return emptyServer();
  return { host: s.host, port: s.port, security: s.security, user: s.auth.user, password: "" };
}

function formFromDraft(step: AccountStep | null, providers: ProviderInfo[]): AccountForm {
  const smtp = step?.smtp ?? null;
  const oauth = smtp?.auth.method === "oauth2" ? smtp.auth : null;
  const byHost = providers.find((p) => p.smtp.host === smtp?.host)?.id;
  return {
    mode: step?.mode ?? "builtin",
    fromAddress: step?.fromAddress ?? "",
    fromName: step?.fromName ?? "",
    choice: oauth?.provider ?? byHost ?? "other",
    smtp: serverForm(smtp),
    receiveProtocol: step?.receive?.protocol ?? "none",
    receive: serverForm(step?.receive),
    mailbox: step?.receive?.mailbox ?? "INBOX",
    oauth,
  };
}

function authBody(form: AccountForm, server: ServerForm): Record<string, unknown> {
  const user = server.user.trim() || form.fromAddress.trim();
  if (form.oauth && form.choice === form.oauth.provider) {
    // The login Connect saved; its secrets stay on the server (omitted: kept).
    const { provider, clientId, tokenUrl, scope } = form.oauth;
    return { method: "oauth2", provider, user, clientId, tokenUrl: tokenUrl ?? null, scope: scope ?? null };
  }
  return { method: "password", user, ...(server.password ? { password: server.password } : {}) };
}

/** The account step as the API takes it; secrets left empty are omitted (the saved ones are kept). */
function accountBody(form: AccountForm): Record<string, unknown> {
  if (form.mode === "builtin") return { mode: "builtin", fromAddress: null, fromName: form.fromName.trim() || null };
  const server = (s: ServerForm) => ({
    host: s.host.trim(),
    port: Number(s.port) || 0,
    security: s.security,
    auth: authBody(form, s),
  });
  return {
    mode: "own_account",
    fromAddress: form.fromAddress.trim(),
    fromName: form.fromName.trim() || null,
    smtp: server(form.smtp),
    receive:
      form.receiveProtocol === "none"
        ? null
        : {
            protocol: form.receiveProtocol,
            ...server(form.receive),
            ...(form.receiveProtocol === "imap" ? { mailbox: form.mailbox.trim() || "INBOX" } : {}),
          },
  };
}

/* ---------- the daily-limit helper ---------- */

/** The least whole seconds between two emails so that `limit` a day is never exceeded in `hours`. */
export function delayForLimit(limit: number, hours: number): number {
  return Math.ceil((hours * 3600) / limit);
}

function LimitHelper({ onApply }: { onApply: (delaySeconds: number, dailyLimit: number, hours: number) => void }) {
  const [limit, setLimit] = useState<number | string>(500);
  const [hours, setHours] = useState<number | string>(8);
  const l = Number(limit);
  const h = Number(hours);
  const valid = Number.isFinite(l) && l >= 1 && Number.isFinite(h) && h > 0 && h <= 24;
  const perHour = valid ? l / h : 0;
  const perMinute = Math.floor(perHour / 60);
  const delay = valid ? delayForLimit(l, h) : 0;
  return (
    <Card withBorder p="sm" component="section" aria-labelledby="helper-title">
      <Title order={3} size="h5" id="helper-title" mb={4}>
        Work out the delay from your provider's daily limit
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Providers block accounts that send more than their daily limit. Include the email you send from your account
        outside Postbag. Business accounts usually have higher limits.
      </Text>
      <Group align="flex-end" wrap="wrap">
        <NumberInput label="Daily limit (emails)" min={1} max={1_000_000} value={limit} onChange={setLimit} w={170} />
        <NumberInput label="Sending hours a day" min={1} max={24} value={hours} onChange={setHours} w={170} />
      </Group>
      {valid ? (
        <Text size="sm" mt="xs" data-testid="helper-result">
          {l} emails over {h} hours is {Math.round(perHour * 10) / 10} an hour,{" "}
          {perMinute >= 1 ? `about ${perMinute} a minute` : "less than 1 a minute"}: wait at least{" "}
          <strong>{delay} seconds</strong> between emails.
        </Text>
      ) : (
        <Text size="sm" c="red.9" mt="xs">
          Enter a daily limit of at least 1 and between 1 and 24 sending hours.
        </Text>
      )}
      <Button mt="xs" variant="outline" disabled={!valid} onClick={() => onApply(delay, l, h)}>
        Use {valid ? `${delay} seconds` : "this delay"}
      </Button>
    </Card>
  );
}

/* ---------- Test connection's answer ---------- */

/** A switch for "only between these hours" and, when on, the two times of day. */
function HoursWindow(props: {
  label: string;
  on: boolean;
  onToggle: (on: boolean) => void;
  labels: [from: string, until: string];
  start: string;
  end: string;
  onStart: (time: string) => void;
  onEnd: (time: string) => void;
}) {
  return (
    <>
      <Switch label={props.label} checked={props.on} onChange={(e) => props.onToggle(e.currentTarget.checked)} />
      {props.on && (
        <Group>
          <TextInput
            type="time"
            label={props.labels[0]}
            value={props.start}
            onChange={(e) => props.onStart(e.currentTarget.value)}
          />
          <TextInput
            type="time"
            label={props.labels[1]}
            value={props.end}
            onChange={(e) => props.onEnd(e.currentTarget.value)}
          />
        </Group>
      )}
    </>
  );
}

function StepsTable({ title, steps }: { title: string; steps: StepResult[] }) {
  return (
    <Stack gap={4}>
      <Text fw={600} size="sm">
        {title}
      </Text>
      <Table.ScrollContainer minWidth={320}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Step</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th>What the server said</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {steps.map((s) => (
              <Table.Tr key={s.step}>
                <Table.Td>{s.step}</Table.Td>
                <Table.Td>
                  <Badge color={s.status === "ok" ? "teal.9" : s.status === "failed" ? "red.9" : "gray.7"}>
                    {s.status === "ok" ? "passed" : s.status}
                  </Badge>
                </Table.Td>
                <Table.Td style={{ wordBreak: "break-word" }}>{s.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/* ---------- the page ---------- */

const WIZARD_KEYS = { live: ["account"], draft: ["account-draft"], providers: ["account-providers"] };

export default function EmailSettings() {
  const live = useQuery({ queryKey: WIZARD_KEYS.live, queryFn: () => api<Live>("GET", "/v1/account") });
  const draft = useQuery({ queryKey: WIZARD_KEYS.draft, queryFn: () => api<Draft>("GET", "/v1/account/draft") });
  const providers = useQuery({
    queryKey: WIZARD_KEYS.providers,
    queryFn: () => api<{ providers: ProviderInfo[] }>("GET", "/v1/account/providers"),
  });
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Email settings
      </Title>
      {live.isError || draft.isError || providers.isError ? (
        <ErrorState
          error={live.error ?? draft.error ?? providers.error}
          retry={() => {
            live.refetch();
            draft.refetch();
            providers.refetch();
          }}
        />
      ) : live.data && draft.data && providers.data ? (
        <Wizard live={live.data} draft={draft.data} providers={providers.data.providers} />
      ) : (
        <Loading label="Loading the email settings" />
      )}
    </Stack>
  );
}

function Wizard({ live, draft, providers }: { live: Live; draft: Draft; providers: ProviderInfo[] }) {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const narrow = useMediaQuery("(max-width: 48em)");
  const [active, setActive] = useState(0);
  const [form, setForm] = useState<AccountForm>(() => formFromDraft(draft.steps.account, providers));
  const body = useMemo(() => accountBody(form), [form]);
  const bodyKey = JSON.stringify(body);
  const [loadedKey] = useState(bodyKey);
  const [passedKey, setPassedKey] = useState<string | null>(draft.accountTested ? bodyKey : null);
  const [result, setResult] = useState<TestResult | null>(null);
  const testedNow = form.mode === "builtin" || passedKey === bodyKey || (draft.accountTested && bodyKey === loadedKey);

  // Back from the provider: how Connect went (the alert stays until the page is left).
  const connected = params.get("connected");
  const connectError = params.get("connectError");
  const dismissConnect = () => {
    const next = new URLSearchParams(params);
    next.delete("connected");
    next.delete("connectError");
    setParams(next, { replace: true });
  };

  const set = (patch: Partial<AccountForm>) => setForm((f) => ({ ...f, ...patch }));
  const setServer = (which: "smtp" | "receive", patch: Partial<ServerForm>) =>
    setForm((f) => ({ ...f, [which]: { ...f[which], ...patch } }));

  const chooseProvider = (choice: Choice) => {
    const p = providers.find((x) => x.id === choice);
    setForm((f) => {
      if (!p) return { ...f, choice, oauth: null };
      const protocol = f.receiveProtocol === "none" ? "none" : f.receiveProtocol;
      const incoming = protocol === "pop3" ? p.pop3 : p.imap;
      const user = f.fromAddress;
      return {
        ...f,
        choice,
        oauth: f.oauth?.provider === choice ? f.oauth : null,
        smtp: { ...f.smtp, ...p.smtp, user: f.smtp.user || user },
        receive: { ...f.receive, ...incoming, user: f.receive.user || user },
      };
    });
  };

  const saveStep = (payload: Record<string, unknown>) => api<Draft>("PUT", "/v1/account/draft", payload);

  const test = useMutation({
    mutationFn: () => api<TestResult>("POST", "/v1/account/test", { account: body }),
    onSuccess: (r) => {
      setResult(r);
      setPassedKey(r.ok ? bodyKey : null);
    },
    onError: () => setResult(null),
  });

  const connect = useMutation({
    mutationFn: async (provider: ProviderId) => {
      await saveStep({ step: "account", account: body });
      return api<{ authorizeUrl: string }>("POST", "/v1/account/oauth/start", { provider });
    },
    onSuccess: ({ authorizeUrl }) => window.location.assign(authorizeUrl),
  });

  const reset = useMutation({
    mutationFn: () => api<{ generation: number }>("POST", "/v1/account/reset-mailbox-counter", {}),
  });

  const next = useMutation({
    mutationFn: (payload: Record<string, unknown>) => saveStep(payload),
    onSuccess: (d) => {
      queryClient.setQueryData(WIZARD_KEYS.draft, d);
      setActive((a) => a + 1);
    },
  });

  // Scheduled Send and Receive
  const s = draft.steps.sending;
  const [hold, setHold] = useState<"now" | "hold">(s && s.holdMinutes > 0 ? "hold" : "now");
  const [holdMinutes, setHoldMinutes] = useState<number | string>(s?.holdMinutes || 10);
  const [useWindow, setUseWindow] = useState(s?.window != null);
  const [windowStart, setWindowStart] = useState(s?.window?.start ?? "08:00");
  const [windowEnd, setWindowEnd] = useState(s?.window?.end ?? "17:00");
  const [delay, setDelay] = useState<number | string>(s?.delaySeconds ?? 0);
  const [dailyLimit, setDailyLimit] = useState<number | null>(s?.dailyLimit ?? null);
  const r = draft.steps.receiving?.schedule ?? { mode: "every", minutes: 5 };
  const [checkMode, setCheckMode] = useState<"every" | "times">(r.mode);
  const [checkMinutes, setCheckMinutes] = useState<number | string>(r.mode === "every" ? r.minutes : 5);
  const [checkTimes, setCheckTimes] = useState<string[]>(r.mode === "times" ? r.times : ["08:00", "13:00"]);
  const checkWindow = r.mode === "every" ? (r.window ?? null) : null;
  const [useCheckWindow, setUseCheckWindow] = useState(checkWindow !== null);
  const [checkStart, setCheckStart] = useState(checkWindow?.start ?? "08:00");
  const [checkEnd, setCheckEnd] = useState(checkWindow?.end ?? "18:00");

  // Attachments and Signatures
  const a = draft.steps.attachments_signature;
  const [openReceived, setOpenReceived] = useState(a?.openReceivedAttachments ?? live.openReceivedAttachments);
  const [maxMb, setMaxMb] = useState<number | string>(
    Math.round(((a?.attachments.maxBytes ?? live.attachments.maxBytes) / 1_048_576) * 10) / 10,
  );
  const [blocked, setBlocked] = useState<string[]>(
    a?.attachments.blockedExtensions ?? live.attachments.blockedExtensions,
  );
  const [signatureOn, setSignatureOn] = useState(a?.signature.enabled ?? false);
  const editor = useRichTextEditor("Signature text", {
    extensions: [StarterKit.configure({ link: { openOnClick: false } })],
    content: a?.signature.html ?? (a?.signature.text ? `<p>${a.signature.text.replace(/[<>&]/g, "")}</p>` : ""),
    immediatelyRender: true,
  });

  const sendingBody = () => ({
    holdMinutes: hold === "hold" ? Number(holdMinutes) || 0 : 0,
    delaySeconds: Number(delay) || 0,
    window: useWindow ? { start: windowStart, end: windowEnd } : null,
    dailyLimit,
  });
  const receivingBody = () => ({
    schedule:
      checkMode === "every"
        ? {
            mode: "every",
            minutes: Number(checkMinutes) || 5,
            window: useCheckWindow ? { start: checkStart, end: checkEnd } : null,
          }
        : { mode: "times", times: checkTimes.length ? checkTimes : ["08:00"] },
  });
  const attachmentsBody = () => {
    const html = editor?.isEmpty ? null : (editor?.getHTML() ?? null);
    const text = editor?.isEmpty ? null : (editor?.getText({ blockSeparator: "\n" }) ?? null);
    return {
      openReceivedAttachments: openReceived,
      attachments: { maxBytes: Math.max(1, Math.round(Number(maxMb) * 1_048_576)), blockedExtensions: blocked },
      signature: { enabled: signatureOn, html, text },
    };
  };

  const finish = useMutation({
    mutationFn: async () => {
      await saveStep({
        account: body,
        sending: sendingBody(),
        ...(form.mode === "own_account" && form.receiveProtocol !== "none" ? { receiving: receivingBody() } : {}),
        attachments_signature: attachmentsBody(),
      });
      return api<unknown>("POST", "/v1/account/draft/finish");
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: WIZARD_KEYS.live });
      await queryClient.invalidateQueries({ queryKey: WIZARD_KEYS.draft });
      setActive(0);
    },
  });

  const provider = providers.find((p) => p.id === form.choice);
  const own = form.mode === "own_account";
  const receiving = own && form.receiveProtocol !== "none";
  const isConnected = form.oauth !== null && form.oauth.provider === form.choice;

  const serverFields = (which: "smtp" | "receive", label: string) => {
    const v = form[which];
    const saved = which === "smtp" ? draft.steps.account?.smtp : draft.steps.account?.receive;
    const savedPassword = saved?.auth.method === "password" ? saved.auth.password : null;
    return (
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label={`${label} server`}
          placeholder={which === "smtp" ? "smtp.example.com" : "imap.example.com"}
          value={v.host}
          onChange={(e) => setServer(which, { host: e.currentTarget.value })}
        />
        <NumberInput
          label={`${label} port`}
          min={1}
          max={65535}
          value={v.port}
          onChange={(port) => setServer(which, { port })}
        />
        <Select
          label={`${label} security`}
          data={SECURITY}
          value={v.security}
          allowDeselect={false}
          onChange={(security) => security && setServer(which, { security: security as Security })}
        />
        {!isConnected && (
          <>
            <TextInput
              label={`${label} user name`}
              value={v.user}
              onChange={(e) => setServer(which, { user: e.currentTarget.value })}
            />
            <PasswordInput
              label={`${label} password`}
              placeholder={savedPassword ? `Saved (${savedPassword}); leave empty to keep it` : "Password"}
              autoComplete="new-password"
              value={v.password}
              onChange={(e) => setServer(which, { password: e.currentTarget.value })}
            />
          </>
        )}
      </SimpleGrid>
    );
  };

  const failure = (err: unknown) =>
    err ? (
      <Alert color="red" role="alert">
        {describeError(err)}
      </Alert>
    ) : null;

  return (
    <Stack gap="md">
      {connectError && (
        <Alert color="red" role="alert" title="The account was not connected">
          {connectError}
          <Button mt="xs" size="xs" variant="outline" color="red.9" onClick={dismissConnect}>
            Dismiss
          </Button>
        </Alert>
      )}
      {finish.isSuccess && (
        <Alert color="teal" role="status" title="Saved">
          The email settings are saved and in use.
        </Alert>
      )}
      {connected && !connectError && (
        <Alert color="teal" role="status" title="Account connected">
          Signed in at the provider. Test the connection to continue.
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        Your settings are not saved until you click Finish on the last window, whether or not the test was run. Leaving
        this page keeps what you entered as a draft.
      </Text>
      <Stepper
        active={active}
        onStepClick={(step) => step < active && setActive(step)}
        orientation={narrow ? "vertical" : "horizontal"}
        size="sm"
      >
        <Stepper.Step label="Account Details" description="Address, servers, test">
          <Stack gap="md" mt="md">
            <Radio.Group
              label="How the school's email is sent"
              value={form.mode}
              onChange={(mode) => set({ mode: mode as AccountForm["mode"] })}
            >
              <Stack gap={6} mt={6}>
                <Radio value="builtin" label="Postbag's built-in service" />
                <Radio value="own_account" label="The school's own email account" />
              </Stack>
            </Radio.Group>
            {form.mode === "builtin" ? (
              <Alert color="blue" title="Sending through the built-in service">
                <Text size="sm">
                  Your email goes out from <strong data-testid="builtin-sender">{live.builtinSender}</strong>. To send
                  from your own mailbox instead (Microsoft 365, Google or another provider), choose "The school's own
                  email account" above, enter its details and test it; it takes over when you click Finish.
                </Text>
              </Alert>
            ) : (
              <>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <TextInput
                    label="Practice email address"
                    type="email"
                    required
                    value={form.fromAddress}
                    onChange={(e) => set({ fromAddress: e.currentTarget.value })}
                  />
                  <TextInput
                    label="Name shown to recipients"
                    value={form.fromName}
                    onChange={(e) => set({ fromName: e.currentTarget.value })}
                  />
                </SimpleGrid>
                <Select
                  label="Email provider"
                  description="Fills in the servers, ports and security"
                  allowDeselect={false}
                  value={form.choice}
                  data={[...providers.map((p) => ({ value: p.id, label: p.name })), { value: "other", label: "Other" }]}
                  onChange={(v) => v && chooseProvider(v as Choice)}
                />
                {provider &&
                  (provider.connect ? (
                    <Card withBorder p="sm">
                      <Group justify="space-between" wrap="wrap">
                        <Text size="sm">
                          {isConnected ? (
                            <>
                              Connected: Postbag signs in to {provider.name} as{" "}
                              <strong>{form.oauth?.user || form.fromAddress}</strong> (modern authentication).
                            </>
                          ) : (
                            <>Sign in at {provider.name} to let Postbag send and read the school's email.</>
                          )}
                        </Text>
                        <Button
                          variant={isConnected ? "outline" : "filled"}
                          loading={connect.isPending}
                          disabled={!form.fromAddress.trim()}
                          onClick={() => connect.mutate(provider.id)}
                        >
                          {isConnected ? "Connect again" : `Connect to ${provider.name}`}
                        </Button>
                      </Group>
                      {failure(connect.error)}
                    </Card>
                  ) : (
                    <Alert color="yellow" title={`Connect is not set up for ${provider.name}`}>
                      The operator of this Postbag has not registered it with {provider.name}. Enter an app password
                      below, or ask them to set it up.
                    </Alert>
                  ))}
                <Title order={2} size="h5">
                  Outgoing mail (SMTP)
                </Title>
                {serverFields("smtp", "Outgoing")}
                <Radio.Group
                  label="Incoming mail (replies and bounces)"
                  value={form.receiveProtocol}
                  onChange={(v) => {
                    const protocol = v as AccountForm["receiveProtocol"];
                    const preset = provider ? (protocol === "pop3" ? provider.pop3 : provider.imap) : null;
                    setForm((f) => ({
                      ...f,
                      receiveProtocol: protocol,
                      receive: preset ? { ...f.receive, ...preset } : f.receive,
                    }));
                  }}
                >
                  <Group mt={6}>
                    <Radio value="none" label="Do not read the mailbox" />
                    <Radio value="imap" label="IMAP" />
                    <Radio value="pop3" label="POP3" />
                  </Group>
                </Radio.Group>
                {receiving && (
                  <>
                    {serverFields("receive", "Incoming")}
                    {form.receiveProtocol === "imap" && (
                      <TextInput
                        label="Folder"
                        value={form.mailbox}
                        onChange={(e) => set({ mailbox: e.currentTarget.value })}
                        maw={300}
                      />
                    )}
                  </>
                )}
                {live.receive && (
                  <Card withBorder p="sm" component="section" aria-labelledby="reset-title">
                    <Title order={3} size="h5" id="reset-title">
                      Reset Mailbox Counter
                    </Title>
                    <Text size="sm" mb="xs">
                      Postbag remembers how far it has read your mailbox. Resetting makes it read the mailbox again from
                      the first message, so mail it missed (for example after your provider moved the mailbox) is
                      brought in. Messages it already has are not brought in twice, and nothing in your mailbox is
                      changed or deleted.
                    </Text>
                    <ConfirmButton
                      label="Reset Mailbox Counter"
                      ariaLabel="Reset Mailbox Counter"
                      title="Reset the mailbox counter?"
                      message="Postbag will read the mailbox again from its first message, skipping messages it already has."
                      confirm="Reset"
                      variant="outline"
                      color="red.9"
                      loading={reset.isPending}
                      onConfirm={() => reset.mutate()}
                    />
                    {reset.isSuccess && (
                      <Text size="sm" role="status" mt="xs">
                        Mailbox counter reset: within a minute Postbag reads the mailbox from its first message,
                        skipping what it already has.
                      </Text>
                    )}
                    {failure(reset.error)}
                  </Card>
                )}
                <Group>
                  <Button variant="outline" onClick={() => test.mutate()} loading={test.isPending}>
                    Test connection
                  </Button>
                  {testedNow ? (
                    <Badge color="teal.9">Tested: these settings work</Badge>
                  ) : (
                    <Text size="sm" c="dimmed" id="next-help">
                      The account must be connected and tested before you can continue.
                    </Text>
                  )}
                </Group>
                {failure(test.error)}
                {result && (
                  <Stack gap="sm" aria-live="polite" data-testid="test-result">
                    <Alert color={result.ok ? "teal" : "red"} role={result.ok ? "status" : "alert"}>
                      {result.ok
                        ? "The connection works: Postbag logged in and the server accepts your address as the sender."
                        : "The test failed. The step that failed says what the server answered."}
                    </Alert>
                    {result.smtp && (
                      <StepsTable
                        title={`Sending: ${result.smtp.host}:${result.smtp.port}`}
                        steps={result.smtp.steps}
                      />
                    )}
                    {result.receive && (
                      <StepsTable
                        title={`Receiving (${result.receive.protocol.toUpperCase()}): ${result.receive.host}:${result.receive.port}`}
                        steps={result.receive.steps}
                      />
                    )}
                  </Stack>
                )}
              </>
            )}
            {failure(next.error)}
            <Group justify="flex-end">
              <Button
                disabled={!testedNow}
                aria-describedby={testedNow ? undefined : "next-help"}
                loading={next.isPending}
                onClick={() => next.mutate({ step: "account", account: body })}
              >
                Next
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>

        <Stepper.Step label="Scheduled Send and Receive" description="When mail goes and arrives">
          <Stack gap="md" mt="md">
            <Radio.Group label="When each email is sent" value={hold} onChange={(v) => setHold(v as "now" | "hold")}>
              <Stack gap={6} mt={6}>
                <Radio
                  value="now"
                  label="Send all email immediately"
                  description="No delay; this removes the ability to stop an email from sending."
                />
                <Radio
                  value="hold"
                  label="Hold each email for a few minutes"
                  description="Until then it can still be stopped."
                />
              </Stack>
            </Radio.Group>
            {hold === "hold" && (
              <NumberInput
                label="Minutes to hold"
                min={1}
                max={1440}
                value={holdMinutes}
                onChange={setHoldMinutes}
                maw={200}
              />
            )}
            <HoursWindow
              label="Send only between set hours"
              on={useWindow}
              onToggle={setUseWindow}
              labels={["From", "Until"]}
              start={windowStart}
              end={windowEnd}
              onStart={setWindowStart}
              onEnd={setWindowEnd}
            />
            <NumberInput
              label="Delay between sending each email (seconds)"
              description="A frequent but not constant send rate, for a provider with a sending limit. 0: no delay."
              min={0}
              max={86_400}
              value={delay}
              onChange={setDelay}
              maw={360}
            />
            <LimitHelper
              onApply={(seconds, limit, hours) => {
                setDelay(seconds);
                setDailyLimit(limit);
                // 24 sending hours: any time of day, no window.
                if (hours >= 24) setUseWindow(false);
                else if (!useWindow) {
                  setUseWindow(true);
                  const [h, m] = windowStart.split(":").map(Number);
                  const end = Math.min(24 * 60, (h ?? 8) * 60 + (m ?? 0) + hours * 60);
                  setWindowEnd(`${String(Math.floor(end / 60)).padStart(2, "0")}:${String(end % 60).padStart(2, "0")}`);
                }
              }}
            />
            {receiving ? (
              <Stack gap="xs">
                <Radio.Group
                  label="Checking the mailbox for new email"
                  value={checkMode}
                  onChange={(v) => setCheckMode(v as "every" | "times")}
                >
                  <Group mt={6}>
                    <Radio value="every" label="Every few minutes" />
                    <Radio value="times" label="At preset times" />
                  </Group>
                </Radio.Group>
                {checkMode === "every" ? (
                  <>
                    <NumberInput
                      label="Minutes between checks"
                      min={1}
                      max={1440}
                      value={checkMinutes}
                      onChange={setCheckMinutes}
                      maw={200}
                    />
                    <HoursWindow
                      label="Check only within these hours"
                      on={useCheckWindow}
                      onToggle={setUseCheckWindow}
                      labels={["Checking from", "Checking until"]}
                      start={checkStart}
                      end={checkEnd}
                      onStart={setCheckStart}
                      onEnd={setCheckEnd}
                    />
                  </>
                ) : (
                  <TagsInput
                    label="Times of day (HH:MM, school time)"
                    value={checkTimes}
                    onChange={setCheckTimes}
                    maxTags={48}
                  />
                )}
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">
                The mailbox is not read (no incoming server on Account Details).
              </Text>
            )}
            {failure(next.error)}
            <Group justify="space-between">
              <Button variant="default" onClick={() => setActive(0)}>
                Back
              </Button>
              <Button
                loading={next.isPending}
                onClick={() =>
                  next.mutate({ sending: sendingBody(), ...(receiving ? { receiving: receivingBody() } : {}) })
                }
              >
                Next
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>

        <Stepper.Step label="Attachments and Signatures" description="Then Finish">
          <Stack gap="md" mt="md">
            <Switch
              label="People may open attachments of email the school receives"
              checked={openReceived}
              onChange={(e) => setOpenReceived(e.currentTarget.checked)}
            />
            <Title order={2} size="h5">
              Attachments of outgoing email
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NumberInput
                label="Largest attachment (MB)"
                min={0.1}
                decimalScale={1}
                value={maxMb}
                onChange={setMaxMb}
              />
              <TagsInput
                label="Also refuse these file types"
                description="Extensions such as zip"
                value={blocked}
                onChange={setBlocked}
              />
            </SimpleGrid>
            <Text size="xs" c="dimmed">
              Always refused: {live.attachments.alwaysBlocked.slice(0, 12).join(", ")} and other dangerous types.
            </Text>
            <Title order={2} size="h5">
              Signature
            </Title>
            <Text size="sm" c="dimmed">
              There can only be one email signature per school. For email sent from individuals, add their own signature
              by hand.
            </Text>
            <Switch
              label="Add the signature to every email"
              checked={signatureOn}
              onChange={(e) => setSignatureOn(e.currentTarget.checked)}
            />
            <RichTextEditor editor={editor} aria-label="Signature" />
            {finish.isError && (
              <Alert color="red" role="alert" title="Not saved">
                {finish.error instanceof ApiFailure && finish.error.code === "account_not_tested"
                  ? "The account details changed since they were tested. Go back to Account Details and test again."
                  : describeError(finish.error)}
              </Alert>
            )}
            <Group justify="space-between">
              <Button variant="default" onClick={() => setActive(1)}>
                Back
              </Button>
              <Button loading={finish.isPending} onClick={() => finish.mutate()}>
                Finish
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>
      </Stepper>
    </Stack>
  );
}
