// New announcement: audience with a live count from the server's estimate, subject and rich-text
// body (the server sanitises it; a plain-text part is made from it), merge fields, attachments, category, Consolidate and Essential,
// send now or at a time in the school's zone, a preview rendered by the server, a test to oneself.
import {
  Alert,
  Anchor,
  Button,
  Card,
  Checkbox,
  FileInput,
  Group,
  List,
  Menu,
  MultiSelect,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { Link } from "@mantine/tiptap";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import StarterKit from "@tiptap/starter-kit";
import { useMemo, useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";
import { ApiFailure, client, describeError, ok } from "../api/client";
import type { paths } from "../api/schema";
import { RichTextEditor, useRichTextEditor } from "../components/RichTextEditor";
import { Loading } from "../components/States";
import { formatDateTime, formatNumber, todayIn, zonedToIso } from "../format";
import { plainText } from "../plain-text";
import { useSignedIn } from "../session";

type ComposeBody = paths["/v1/announcements"]["post"]["requestBody"]["content"]["application/json"];
type Estimate = paths["/v1/announcements/estimate"]["post"]["responses"][200]["content"]["application/json"];
type Preview = paths["/v1/announcements/preview"]["post"]["responses"][200]["content"]["application/json"];
type Composed = paths["/v1/announcements"]["post"]["responses"][202]["content"]["application/json"];
type Attachment = NonNullable<ComposeBody["attachments"]>[number];

/** The merge fields the server fills in (the rest come from per-student merge data, through the API). */
const MERGE_FIELDS = [
  { field: "{{contact.name}}", label: "Parent's or contact's name" },
  { field: "{{subject.name}}", label: "Student's name (all of them, in a consolidated email)" },
];

const CATEGORIES = [
  { value: "announcement", label: "Announcement" },
  { value: "scheduled", label: "Scheduled message" },
  { value: "invitation", label: "Invitation" },
  { value: "alert", label: "Alert" },
];

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** A searchable picker of external ids whose options come from the server as the person types. */
function useOptions(kind: "subjects" | "contacts", search: string) {
  const [debounced] = useDebouncedValue(search.trim(), 250);
  return useQuery({
    queryKey: ["compose", kind, debounced],
    placeholderData: keepPreviousData,
    queryFn: async () => {
      if (kind === "subjects") {
        const page = await ok(
          client.GET("/v1/subjects", { params: { query: { limit: 30, ...(debounced ? { search: debounced } : {}) } } }),
        );
        return page.items.map((s) => ({
          value: s.externalId,
          label: s.groups.length ? `${s.name} (${s.groups.join(", ")})` : s.name,
        }));
      }
      const page = await ok(
        client.GET("/v1/contacts", { params: { query: { limit: 30, ...(debounced ? { search: debounced } : {}) } } }),
      );
      return page.items.map((c) => ({
        value: c.externalId,
        label: c.email ? `${c.name} <${c.email}>` : `${c.name} (no address)`,
      }));
    },
  });
}

function Picker({
  kind,
  label,
  description,
  value,
  onChange,
}: {
  kind: "subjects" | "contacts";
  label: string;
  description: string;
  value: string[];
  onChange: (v: string[]) => void;
}) {
  const [search, setSearch] = useState("");
  // Labels of chosen entries stay known when the search moves on.
  const [known, setKnown] = useState<Map<string, string>>(new Map());
  const options = useOptions(kind, search);
  const data = useMemo(() => {
    const all = new Map(known);
    for (const o of options.data ?? []) all.set(o.value, o.label);
    return [...all].map(([v, l]) => ({ value: v, label: l }));
  }, [known, options.data]);
  return (
    <MultiSelect
      label={label}
      description={description}
      placeholder={value.length ? undefined : "Type to search"}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      data={data}
      value={value}
      nothingFoundMessage={options.isFetching ? "Searching…" : "Nothing found"}
      error={options.isError ? describeError(options.error) : undefined}
      onChange={(next) => {
        setKnown((m) => {
          const copy = new Map(m);
          for (const v of next) {
            const found = data.find((d) => d.value === v);
            if (found) copy.set(v, found.label);
          }
          return copy;
        });
        onChange(next);
      }}
    />
  );
}

function Counts({ estimate, consolidate }: { estimate: Estimate; consolidate: boolean }) {
  const s = estimate.statuses;
  const c = estimate.credits;
  const lines: [string, number, string][] = [
    ["Will be sent", s.queued, "queued for sending now or at the chosen time"],
    ["No email address", s.email_missing, "email_missing: fix the address in the school's records"],
    ["Opted out of this category", s.opted_out, "opted_out: not sent unless Essential"],
    ["Suppressed address", s.rejected, "hard bounce or spam complaint: never sent, even if Essential"],
    ["Waiting for their digest", s.pending_digest, "pending_digest: goes in the parent's daily or weekly digest"],
  ];
  const unresolved = [
    ...estimate.unresolved.subjectGroups,
    ...estimate.unresolved.subjects,
    ...estimate.unresolved.contacts,
  ];
  return (
    <Stack gap="xs" aria-live="polite" data-testid="estimate">
      <Text fw={600}>
        {formatNumber(estimate.recipients)} recipients, {formatNumber(estimate.emails.consolidated)} emails with
        consolidation ({formatNumber(estimate.emails.separate)} without)
      </Text>
      <Text size="sm" c="dimmed">
        {consolidate
          ? "Consolidate is on: one email per contact, with a part for each of their students."
          : "Consolidate is off: one email per contact and student."}
      </Text>
      <List size="sm" spacing={2}>
        {lines.map(([label, n, help]) => (
          <List.Item key={label}>
            <Text span size="sm" fw={500}>
              {label}: {formatNumber(n)}
            </Text>{" "}
            <Text span size="sm" c="dimmed">
              ({help})
            </Text>
          </List.Item>
        ))}
      </List>
      {c === null || !c.charged ? (
        <Text size="sm">Credits: this mail is not charged.</Text>
      ) : (
        <Text size="sm">
          Credits: uses {formatNumber(c.needed)} of {formatNumber(c.available)} available.
        </Text>
      )}
      {c && !c.fits && (
        <Alert color="yellow" title="Not enough credit" role="status">
          {c.overLimitAction === "held"
            ? `${formatNumber(c.overLimit)} emails will be held (held_no_credit) until credit is added; the rest go now.`
            : `${formatNumber(c.overLimit)} emails go over the limit and are charged (policy: ${c.policy}).`}
        </Alert>
      )}
      {unresolved.length > 0 && (
        <Alert color="yellow" title="Not found" role="status">
          Not in the school's records (left out): {unresolved.slice(0, 10).join(", ")}
          {unresolved.length > 10 ? ` and ${unresolved.length - 10} more` : ""}
        </Alert>
      )}
    </Stack>
  );
}

/** Another contact of the audience to preview the email of (the server says if they are not in it). */
function PreviewAs({ onChoose }: { onChoose: (contact: string) => void }) {
  const [search, setSearch] = useState("");
  const options = useOptions("contacts", search);
  return (
    <Select
      label="Preview as"
      description="Another contact this announcement reaches"
      placeholder="Type to search"
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      data={options.data ?? []}
      value={null}
      nothingFoundMessage={options.isFetching ? "Searching…" : "Nothing found"}
      onChange={(v) => v && onChoose(v)}
      maw={420}
    />
  );
}

/** The server's rendering in a sandboxed frame: no scripts, no same-origin access. */
function PreviewFrame({ preview, onChoose }: { preview: Preview; onChoose: (contact: string) => void }) {
  const to = preview.recipient.contact;
  return (
    <Card withBorder>
      <Stack gap={4}>
        <Title order={2} size="h4">
          Preview
        </Title>
        <PreviewAs onChoose={onChoose} />
        <Text size="sm">
          <b>To:</b> {to.name} {to.email ? `<${to.email}>` : "(no address: this one will be email_missing)"}
          {preview.recipient.subjects.length > 0 &&
            ` — about ${preview.recipient.subjects.map((s) => s.name).join(", ")}`}
        </Text>
        <Text size="sm">
          <b>From:</b> {preview.from.name ? `${preview.from.name} <${preview.from.email}>` : preview.from.email}
        </Text>
        <Text size="sm" data-testid="preview-subject">
          <b>Subject:</b> {preview.subject}
        </Text>
        {preview.recipient.emails > 1 && (
          <Text size="sm" c="dimmed">
            This contact gets {preview.recipient.emails} emails (one per student); this is the first.
          </Text>
        )}
        <iframe
          title={`Preview of the email to ${to.name}`}
          sandbox=""
          srcDoc={preview.html ?? `<pre style="white-space:pre-wrap">${escapeHtml(preview.text ?? "")}</pre>`}
          style={{ width: "100%", minHeight: 420, border: "1px solid var(--mantine-color-gray-4)", borderRadius: 4 }}
        />
      </Stack>
    </Card>
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function Scheduled({ composed, onCancelled }: { composed: Composed; onCancelled: () => void }) {
  const { timezone } = useSignedIn();
  const cancel = useMutation({
    mutationFn: () => ok(client.POST("/v1/announcements/{id}/cancel", { params: { path: { id: composed.id } } })),
    onSuccess: () => {
      notifications.show({ color: "teal", title: "Cancelled", message: "The announcement will not be sent." });
      onCancelled();
    },
  });
  return (
    <Alert color="teal" title="Scheduled" role="status">
      <Stack gap="xs">
        <Text size="sm">
          “{composed.subject}” will be sent {formatDateTime(composed.sendAt, timezone)} ({timezone}).
        </Text>
        {cancel.isError && (
          <Text size="sm" c="red.9" role="alert">
            {describeError(cancel.error)}
          </Text>
        )}
        <Group gap="xs">
          <Button size="xs" color="red" variant="light" loading={cancel.isPending} onClick={() => cancel.mutate()}>
            Cancel this announcement
          </Button>
          <Anchor component={RouterLink} to={`/announcements/${composed.id}`} size="sm">
            Open its report
          </Anchor>
        </Group>
      </Stack>
    </Alert>
  );
}

export default function Compose() {
  const { timezone } = useSignedIn();
  const navigate = useNavigate();
  const groups = useQuery({
    queryKey: ["compose", "groups"],
    queryFn: () => ok(client.GET("/v1/subject-groups", { params: { query: { limit: 200 } } })),
  });
  const [subjectGroups, setSubjectGroups] = useState<string[]>([]);
  const [subjects, setSubjects] = useState<string[]>([]);
  const [contacts, setContacts] = useState<string[]>([]);
  const [subject, setSubject] = useState("");
  const [html, setHtml] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [fileError, setFileError] = useState<string | undefined>();
  const [category, setCategory] = useState("announcement");
  const [consolidate, setConsolidate] = useState(true);
  const [essential, setEssential] = useState(false);
  const [useSignature, setUseSignature] = useState(true);
  const [when, setWhen] = useState<"now" | "later">("now");
  const [date, setDate] = useState("");
  const [time, setTime] = useState("09:00");
  const [scheduled, setScheduled] = useState<Composed | undefined>();

  const editor = useRichTextEditor("Message", {
    extensions: [StarterKit.configure({ link: false }), Link],
    content: "",
    onUpdate: ({ editor: e }) => setHtml(e.isEmpty ? "" : e.getHTML()),
  });

  const sendAt = when === "later" ? zonedToIso(date, time, timezone) : undefined;
  const audience = {
    ...(subjectGroups.length ? { subjectGroups } : {}),
    ...(subjects.length ? { subjects } : {}),
    ...(contacts.length ? { contacts } : {}),
  };
  const hasAudience = subjectGroups.length + subjects.length + contacts.length > 0;
  const text = html ? plainText(html) : "";
  const body: ComposeBody = {
    subject,
    html,
    ...(text ? { text } : {}),
    audience,
    consolidate,
    essential,
    category,
    useSignature,
    ...(attachments.length ? { attachments } : {}),
    ...(sendAt ? { sendAt } : {}),
  };

  // The estimate counts only need a well-formed body: stand-ins for what is not written yet.
  const estimateBody: ComposeBody = {
    ...body,
    subject: subject.trim() || "(no subject yet)",
    html: html || "<p></p>",
  };
  // Keyed by the body with each attachment as its name and size (not megabytes of base64); asked
  // half a second after the last change, with the body of that moment.
  const estimateKey = JSON.stringify({
    ...estimateBody,
    attachments: attachments.map((a) => [a.filename, a.content.length]),
  });
  const [debouncedKey] = useDebouncedValue(estimateKey, 500);
  const estimate = useQuery({
    queryKey: ["compose", "estimate", debouncedKey],
    enabled: hasAudience,
    placeholderData: keepPreviousData,
    queryFn: () => ok(client.POST("/v1/announcements/estimate", { body: estimateBody })),
  });

  // The last preview stays on screen while another is asked for (or refused).
  const [shown, setShown] = useState<Preview | undefined>();
  const preview = useMutation({
    onSuccess: setShown,
    mutationFn: (contact: string | undefined) =>
      ok(
        client.POST("/v1/announcements/preview", { body: { ...body, ...(contact ? { recipient: { contact } } : {}) } }),
      ),
  });
  const test = useMutation({
    mutationFn: () => ok(client.POST("/v1/announcements/test", { body })),
    onSuccess: (sent) =>
      notifications.show({
        color: "teal",
        title: "Test sent",
        message: `A test copy is on its way to ${sent.messages.map((m) => m.to).join(", ")}.`,
      }),
  });
  const send = useMutation({
    mutationFn: () => ok(client.POST("/v1/announcements", { body })),
    onSuccess: (composed) => {
      if (sendAt) {
        setScheduled(composed);
        return;
      }
      notifications.show({ color: "teal", title: "Sending", message: `“${composed.subject}” is on its way.` });
      navigate(`/announcements/${composed.id}`);
    },
  });

  async function chooseFiles(chosen: File[]) {
    setFiles(chosen);
    setFileError(undefined);
    try {
      setAttachments(
        await Promise.all(
          chosen.map(async (f) => ({
            filename: f.name,
            content: await readBase64(f),
            ...(f.type ? { contentType: f.type } : {}),
          })),
        ),
      );
    } catch {
      setFileError("A file could not be read. Choose it again.");
      setAttachments([]);
    }
  }

  const problem = [estimate, preview, test, send].find((m) => m.isError)?.error;
  const attachmentProblem =
    problem instanceof ApiFailure && (problem.code === "invalid_attachment" || problem.code === "payload_too_large")
      ? describeError(problem)
      : undefined;
  const ready = hasAudience && subject.trim() !== "" && html !== "" && (when === "now" || sendAt !== undefined);
  const insertField = (field: string) => editor?.chain().focus().insertContent(field).run();

  if (scheduled) {
    return (
      <Stack maw={900}>
        <Title order={1} size="h2">
          New announcement
        </Title>
        <Scheduled composed={scheduled} onCancelled={() => setScheduled(undefined)} />
      </Stack>
    );
  }

  return (
    <Stack maw={900} component="form" onSubmit={(e) => e.preventDefault()}>
      <Title order={1} size="h2">
        New announcement
      </Title>

      <Card withBorder component="section" aria-labelledby="audience-title">
        <Stack>
          <Title order={2} size="h4" id="audience-title">
            Audience
          </Title>
          {groups.isPending ? (
            <Loading label="Loading groups" />
          ) : (
            <MultiSelect
              label="Year groups and groups"
              description="Every student in the group; their contacts who receive mail get it."
              searchable
              clearable
              data={(groups.data?.items ?? []).map((g) => ({
                value: g.name,
                label: `${g.name} (${g.subjectCount} students)`,
              }))}
              value={subjectGroups}
              onChange={setSubjectGroups}
              nothingFoundMessage="No such group"
              error={groups.isError ? describeError(groups.error) : undefined}
            />
          )}
          <Picker
            kind="subjects"
            label="Students"
            description="Search by name; each student's contacts who receive mail get it."
            value={subjects}
            onChange={setSubjects}
          />
          <Picker
            kind="contacts"
            label="Individual contacts"
            description="Search by name or address."
            value={contacts}
            onChange={setContacts}
          />
          {!hasAudience ? (
            <Text size="sm" c="dimmed">
              Choose who gets it to see how many recipients and emails it makes.
            </Text>
          ) : estimate.data ? (
            <Counts estimate={estimate.data} consolidate={consolidate} />
          ) : estimate.isPending ? (
            <Loading label="Counting" />
          ) : null}
          {hasAudience && estimate.isError && !attachmentProblem && (
            <Alert color="red" title="This cannot be sent as it is" role="alert">
              {describeError(estimate.error)}
            </Alert>
          )}
        </Stack>
      </Card>

      <Card withBorder component="section" aria-labelledby="message-title">
        <Stack>
          <Title order={2} size="h4" id="message-title">
            Message
          </Title>
          <TextInput
            label="Subject"
            required
            maxLength={900}
            value={subject}
            onChange={(e) => setSubject(e.currentTarget.value)}
            description="Merge fields work here too, e.g. News for {{subject.name}}"
          />
          <Stack gap={4}>
            <Group justify="space-between" align="end">
              <Text size="sm" fw={500} id="body-label">
                Message
              </Text>
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button size="xs" variant="light">
                    Insert merge field
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {MERGE_FIELDS.map((m) => (
                    <Menu.Item key={m.field} onClick={() => insertField(m.field)}>
                      {m.field} — {m.label}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
            </Group>
            <RichTextEditor editor={editor} blocks minHeight={180} />
            <Text size="xs" c="dimmed">
              Scripts, event handlers and javascript: links are removed by Postbag before sending.
            </Text>
          </Stack>
          <FileInput
            label="Attachments"
            description="The same limits as any email: total size and blocked file types."
            multiple
            clearable
            clearButtonProps={{ "aria-label": "Remove the attachments" }}
            value={files}
            onChange={(chosen) => void chooseFiles(chosen)}
            error={fileError ?? attachmentProblem}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label="Category"
              description="Parents can opt out of announcements and scheduled messages."
              data={CATEGORIES}
              value={category}
              allowDeselect={false}
              onChange={(v) => v && setCategory(v)}
            />
            <Stack gap="xs" pt={4}>
              <Checkbox
                label="Consolidate"
                description="One email per contact covering all their students (siblings), instead of one per student."
                checked={consolidate}
                onChange={(e) => setConsolidate(e.currentTarget.checked)}
              />
              <Checkbox
                label="Essential"
                description="Reaches contacts who opted out of this category (and skips their digest). It never reaches a suppressed address: hard bounces and spam complaints stay blocked."
                checked={essential}
                onChange={(e) => setEssential(e.currentTarget.checked)}
              />
              <Checkbox
                label="Add the school's signature"
                checked={useSignature}
                onChange={(e) => setUseSignature(e.currentTarget.checked)}
              />
            </Stack>
          </SimpleGrid>
        </Stack>
      </Card>

      <Card withBorder component="section" aria-labelledby="when-title">
        <Stack>
          <Title order={2} size="h4" id="when-title">
            When
          </Title>
          <Radio.Group value={when} onChange={(v) => setWhen(v as "now" | "later")} label="Send" required>
            <Group mt={4}>
              <Radio value="now" label="Now" />
              <Radio value="later" label="At a time" />
            </Group>
          </Radio.Group>
          {when === "later" && (
            <Group align="start">
              <TextInput
                type="date"
                label="Date"
                required
                min={todayIn(timezone)}
                value={date}
                onChange={(e) => setDate(e.currentTarget.value)}
              />
              <TextInput
                type="time"
                label="Time"
                required
                value={time}
                onChange={(e) => setTime(e.currentTarget.value)}
                description={`In the school's time zone, ${timezone}`}
              />
            </Group>
          )}
        </Stack>
      </Card>

      {problem && !estimate.isError && !attachmentProblem && (
        <Alert color="red" title="That did not work" role="alert">
          {describeError(problem)}
        </Alert>
      )}
      <Group>
        <Button
          variant="default"
          disabled={!ready}
          loading={preview.isPending}
          onClick={() => preview.mutate(undefined)}
        >
          Preview
        </Button>
        <Button variant="default" disabled={!ready} loading={test.isPending} onClick={() => test.mutate()}>
          Send a test to me
        </Button>
        <Button type="submit" disabled={!ready} loading={send.isPending} onClick={() => send.mutate()}>
          {when === "later" ? "Schedule" : "Send now"}
        </Button>
      </Group>
      {shown && <PreviewFrame preview={shown} onChoose={(contact) => preview.mutate(contact)} />}
    </Stack>
  );
}
