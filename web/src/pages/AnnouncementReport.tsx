// One announcement's statistics report: every status with its count, share and what it means,
// a chart, opens over time, the recipients in each status with the server's reply, CSV, and
// fix-and-resend for what did not arrive.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { Link, useParams } from "react-router";
import { client, describeError, ok } from "../api/client";
import type { Answer } from "../api/types";
import { loadedItems, PagedResults } from "../components/PagedResults";
import { DataTable, ScrollTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { Empty, ErrorState, Loading } from "../components/States";
import { SuppressionResetForm } from "../components/SuppressionResetForm";
import { formatDateTime, formatNumber } from "../format";
import { useSignedIn } from "../session";
import { failedStatuses, reasonLabel, statusColor, statusInfo, statusLabel } from "../statuses";
import { StateBadge } from "./Announcements";

const StatusChart = lazy(() => import("../components/ReportCharts"));
const OpensChart = lazy(() => import("../components/ReportCharts").then((m) => ({ default: m.OpensChart })));

type Stats = Answer<"/v1/announcements/{id}/stats", "get">;
type Recipient = Answer<"/v1/announcements/{id}/recipients", "get">["items"][number];
type Resent = Answer<"/v1/announcements/{id}/resend", "post">;

const percent = (n: number, total: number) => (total === 0 ? "0%" : `${Math.round((n / total) * 1000) / 10}%`);

const skipWords: Record<string, string> = {
  already_sent: "it was already sent",
  waiting: "it has not failed (still waiting)",
  final: "opted out, reported as spam or cancelled",
  replaced: "it was already resent",
  no_address: "the contact still has no usable address",
  suppressed: "the address is suppressed (an administrator can reset it)",
  busy: "Postbag is trying it right now",
};

/** "Resent to 2; 1 not resent: the contact still has no usable address." */
function describeResend(result: Resent): string {
  const parts = [`Resent to ${result.deliveries.length}.`];
  if (result.skipped.length > 0) {
    const why = [...new Set(result.skipped.map((s) => skipWords[s.reason] ?? s.reason))].join("; ");
    parts.push(`${result.skipped.length} not resent: ${why}.`);
  }
  return parts.join(" ");
}

function useInvalidateReport(id: string) {
  const queryClient = useQueryClient();
  return () => {
    queryClient.invalidateQueries({ queryKey: ["announcement-stats", id] });
    queryClient.invalidateQueries({ queryKey: ["announcement-recipients", id] });
  };
}

/** Edit the contact's address, reset a suppression (administrators), resend to this recipient. */
function FixAndResend({
  announcementId,
  recipient,
  onClose,
}: {
  announcementId: string;
  recipient: Recipient;
  onClose: () => void;
}) {
  const { isAdmin } = useSignedIn();
  const invalidate = useInvalidateReport(announcementId);
  const [email, setEmail] = useState(recipient.email);
  const [savedEmail, setSavedEmail] = useState<string | undefined>();
  const [resetDone, setResetDone] = useState(false);
  const [outcome, setOutcome] = useState<string | undefined>();
  const save = useMutation({
    mutationFn: () =>
      ok(
        client.PATCH("/v1/contacts/{externalId}", {
          params: { path: { externalId: recipient.contactExternalId ?? "" } },
          body: { email: email.trim() },
        }),
      ),
    onSuccess: (contact) => {
      setSavedEmail(contact.email ?? email.trim());
      notifications.show({ color: "teal", title: "Address saved", message: `${contact.email} is the address now.` });
    },
  });
  const resend = useMutation({
    mutationFn: () =>
      ok(
        client.POST("/v1/announcements/{id}/resend", {
          params: { path: { id: announcementId } },
          body: { recipientIds: [recipient.recipientId] },
        }),
      ),
    onSuccess: (result) => {
      invalidate();
      if (result.deliveries.length > 0) {
        notifications.show({
          color: "teal",
          title: "Resent",
          message: `Queued again to ${result.deliveries[0]?.email}.`,
        });
        onClose();
      } else setOutcome(describeResend(result));
    },
  });
  const who = recipient.contactName ?? (recipient.email || "this recipient");
  const stillSuppressed =
    recipient.suppressed && !resetDone && (savedEmail === undefined || savedEmail === recipient.email);
  return (
    <Stack gap="sm">
      <Text size="sm">
        <Badge variant="dot" color={statusColor(recipient.status)} mr="xs">
          {statusLabel(recipient.status)}
        </Badge>
        {recipient.subjects.length > 0 && `About ${recipient.subjects.join(", ")}. `}
        {recipient.lastText}
      </Text>
      {recipient.contactExternalId ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <Group align="flex-end" gap="xs">
            <TextInput
              label={`${who}'s email address`}
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              style={{ flexGrow: 1 }}
              maxLength={254}
            />
            <Button type="submit" variant="light" loading={save.isPending} disabled={!email.trim()}>
              Save address
            </Button>
          </Group>
          {save.isError && (
            <Alert color="red" role="alert" mt="xs">
              {describeError(save.error)}
            </Alert>
          )}
        </form>
      ) : (
        <Text size="sm" c="dimmed">
          This email was not sent to a contact of the school's list, so its address cannot be edited here.
        </Text>
      )}
      {stillSuppressed && (
        <Alert color="orange" title="This address is suppressed">
          <Text size="sm">
            Postbag does not mail {recipient.email} after a hard bounce or a spam report.
            {isAdmin ? " If it works again, reset it with a note." : " An administrator can reset it."}
          </Text>
          {isAdmin && <SuppressionResetForm email={recipient.email} onDone={() => setResetDone(true)} />}
        </Alert>
      )}
      {resend.isError && (
        <Alert color="red" role="alert">
          {describeError(resend.error)}
        </Alert>
      )}
      {outcome && (
        <Alert color="orange" role="status">
          {outcome}
        </Alert>
      )}
      <Text size="xs" c="dimmed">
        A resend is a new email to the address as it is now, charged like any email. The report then counts this
        recipient by the new email.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Close
        </Button>
        <Button onClick={() => resend.mutate()} loading={resend.isPending}>
          Resend
        </Button>
      </Group>
    </Stack>
  );
}

function ResendAllFailed({ id, failed }: { id: string; failed: number }) {
  const [opened, setOpened] = useState(false);
  const invalidate = useInvalidateReport(id);
  const resend = useMutation({
    mutationFn: () =>
      ok(client.POST("/v1/announcements/{id}/resend", { params: { path: { id } }, body: { failed: true } })),
    onSuccess: (result) => {
      invalidate();
      setOpened(false);
      notifications.show({ color: "teal", title: "Resend", message: describeResend(result) });
    },
  });
  return (
    <>
      <Button size="sm" variant="light" disabled={failed === 0} onClick={() => setOpened(true)}>
        Resend to all failed ({formatNumber(failed)})
      </Button>
      <Modal
        opened={opened}
        onClose={() => setOpened(false)}
        title="Resend to all failed recipients"
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <Stack>
          <Text size="sm">
            Resend this announcement to the {formatNumber(failed)} recipient(s) whose email bounced, was rejected or had
            no address? Each goes to the contact's address as it is now and is charged like any email. Addresses still
            missing or suppressed are skipped. Nobody who already has it gets it twice.
          </Text>
          {resend.isError && (
            <Alert color="red" role="alert">
              {describeError(resend.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>
              Cancel
            </Button>
            <Button loading={resend.isPending} onClick={() => resend.mutate()}>
              Resend
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function StatusTable({ stats, onShow }: { stats: Stats; onShow: (status: string) => void }) {
  const counts = stats.counts as Record<string, number>;
  return (
    <ScrollTable minWidth={640}>
      <Table aria-labelledby="statuses-title" data-testid="status-table" verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col" ta="right">
              Recipients
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Share
            </Table.Th>
            <Table.Th scope="col">What it means and what to do</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {statusInfo.map((s) => {
            const n = counts[s.key] ?? 0;
            return (
              <Table.Tr key={s.key} data-status={s.key}>
                <Table.Th scope="row" fw={500}>
                  <Badge variant="dot" color={s.color}>
                    {s.label}
                  </Badge>
                </Table.Th>
                <Table.Td ta="right" data-testid={`count-${s.key}`}>
                  {formatNumber(n)}
                </Table.Td>
                <Table.Td ta="right">{percent(n, stats.total)}</Table.Td>
                <Table.Td>
                  <Text size="sm">{s.meaning}</Text>
                  <Text size="sm" c="dimmed">
                    {s.todo}
                  </Text>
                  {s.key === "queued" && stats.delayed > 0 && (
                    <Text size="sm" c="red.8" fw={500}>
                      {formatNumber(stats.delayed)} have not moved for more than 30 minutes.
                    </Text>
                  )}
                  {n > 0 && (
                    <Anchor component="button" type="button" size="sm" onClick={() => onShow(s.key)}>
                      Show the {formatNumber(n)} {s.label.toLowerCase()} recipient(s)
                    </Anchor>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

function OpensSection({ stats }: { stats: Stats }) {
  const { timezone } = useSignedIn();
  const hours = stats.opensByHour;
  const busiest = hours.reduce<(typeof hours)[number] | undefined>(
    (a, b) => (a && a.opens >= b.opens ? a : b),
    undefined,
  );
  return (
    <SectionCard titleId="opens-title" title="Opens over time">
      {hours.length === 0 ? (
        <Empty>No opens recorded yet. Opens are only seen when the reader's mail shows images.</Empty>
      ) : (
        <>
          <Text size="sm" mb="sm">
            {formatNumber(stats.humanOpens)} recipient(s) opened it; the first opens in the hour from{" "}
            {formatDateTime(hours[0]?.hour, timezone)}, the most ({formatNumber(busiest?.opens ?? 0)}) in the hour from{" "}
            {formatDateTime(busiest?.hour, timezone)}.
            {stats.automatedOpens > 0 &&
              ` ${formatNumber(stats.automatedOpens)} automatic open(s) by mail scanners are not counted.`}
          </Text>
          <Suspense fallback={<Skeleton h={220} />}>
            <OpensChart hours={hours} format={(iso) => formatDateTime(iso, timezone)} />
          </Suspense>
        </>
      )}
    </SectionCard>
  );
}

function RecipientsSection({
  id,
  status,
  setStatus,
  polling,
}: {
  id: string;
  status: string | null;
  setStatus: (s: string | null) => void;
  polling: boolean;
}) {
  const { timezone } = useSignedIn();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [history, setHistory] = useState(false);
  const [fixing, setFixing] = useState<Recipient | undefined>();
  const filters = {
    ...(status ? { status: status as Recipient["status"] } : {}),
    ...(debounced ? { search: debounced } : {}),
    ...(history ? { deliveries: "all" as const } : {}),
  };
  const list = useInfiniteQuery({
    queryKey: ["announcement-recipients", id, filters],
    queryFn: ({ pageParam }) =>
      ok(
        client.GET("/v1/announcements/{id}/recipients", {
          params: { path: { id }, query: { limit: 50, ...filters, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: "" as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: polling ? 2_000 : false,
  });
  const items = loadedItems(list);
  const csv = `/v1/announcements/${encodeURIComponent(id)}/recipients.csv?${new URLSearchParams(filters).toString()}`;
  return (
    <Card withBorder component="section" aria-labelledby="recipients-title">
      <Group justify="space-between" mb="sm" gap="xs">
        <Title order={2} size="h4" id="recipients-title">
          Recipients
        </Title>
        <Button component="a" href={csv} download size="xs" variant="default">
          Download CSV
        </Button>
      </Group>
      <Group align="flex-end" gap="sm" mb="sm">
        <Select
          label="Status"
          clearButtonProps={{ "aria-label": "Clear the status filter" }}
          placeholder="All statuses"
          clearable
          value={status}
          onChange={setStatus}
          data={statusInfo.map((s) => ({ value: s.key, label: s.label }))}
          w={200}
        />
        <TextInput
          label="Search"
          placeholder="Name, address or contact id"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          maw={300}
          style={{ flexGrow: 1 }}
        />
        <Checkbox
          label="Show earlier emails (before a resend)"
          checked={history}
          onChange={(e) => setHistory(e.currentTarget.checked)}
          mb={8}
        />
      </Group>
      <PagedResults
        query={list}
        count={items.length}
        empty={status || debounced ? "No recipient matches." : "No recipients yet."}
        moreSize="xs"
      >
        <DataTable
          titleId="recipients-title"
          minWidth={860}
          testId="recipients-table"
          columns={[
            "Contact",
            "Student(s)",
            "Address",
            "Status",
            "Reason and server's reply",
            "Updated",
            { label: "Actions", hidden: true },
          ]}
        >
          {items.map((r) => (
            <Table.Tr key={r.recipientId} data-recipient={r.contactExternalId ?? r.email}>
              <Table.Td>
                {r.contactName ?? "—"}
                {r.contactExternalId && (
                  <Text size="xs" c="dimmed">
                    {r.contactExternalId}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{r.subjects.join(", ") || "—"}</Table.Td>
              <Table.Td>
                {r.email || (
                  <Text span c="dimmed" size="sm">
                    none
                  </Text>
                )}
                {r.suppressed && (
                  <Badge variant="dot" color="orange" ml="xs" size="sm">
                    Suppressed
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Badge variant="dot" color={statusColor(r.status)} data-testid="recipient-status">
                  {statusLabel(r.status)}
                </Badge>
                {r.resendOf && (
                  <Text size="xs" c="dimmed">
                    Resent{r.previousStatus ? ` (before: ${statusLabel(r.previousStatus)})` : ""}
                  </Text>
                )}
                {r.replacedAt && (
                  <Text size="xs" c="dimmed">
                    Replaced by a resend
                  </Text>
                )}
              </Table.Td>
              <Table.Td maw={320}>
                {r.reason && (
                  <Text size="sm" fw={500}>
                    {reasonLabel(r.reason)}
                  </Text>
                )}
                <Text size="xs" c="dimmed" style={{ wordBreak: "break-word" }}>
                  {[r.lastSmtpCode, r.lastText].filter((x) => x !== null && x !== "").join(" ") || "—"}
                </Text>
              </Table.Td>
              <Table.Td>{formatDateTime(r.updatedAt, timezone)}</Table.Td>
              <Table.Td>
                {failedStatuses.includes(r.status) && !r.replacedAt && (
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => setFixing(r)}
                    aria-label={`Fix and resend to ${r.contactName ?? r.email}`}
                  >
                    Fix and resend
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      </PagedResults>
      <Modal
        opened={fixing !== undefined}
        onClose={() => setFixing(undefined)}
        title={`Fix and resend: ${fixing?.contactName ?? fixing?.email ?? ""}`}
        closeButtonProps={{ "aria-label": "Close" }}
        size="lg"
      >
        {fixing && <FixAndResend announcementId={id} recipient={fixing} onClose={() => setFixing(undefined)} />}
      </Modal>
    </Card>
  );
}

export default function AnnouncementReport() {
  const { id = "" } = useParams();
  const { timezone } = useSignedIn();
  const [status, setStatus] = useState<string | null>(null);
  const detail = useQuery({
    queryKey: ["announcement", id],
    queryFn: () => ok(client.GET("/v1/announcements/{id}", { params: { path: { id } } })),
  });
  const stats = useQuery({
    queryKey: ["announcement-stats", id],
    queryFn: () => ok(client.GET("/v1/announcements/{id}/stats", { params: { path: { id } } })),
    // While mail is still on its way, the report follows it.
    refetchInterval: (q) =>
      q.state.data && (q.state.data.counts.queued > 0 || q.state.data.state === "sending") ? 2_000 : false,
  });
  if (detail.isPending) return <Loading label="Opening the announcement" />;
  if (detail.isError) {
    return (
      <Stack>
        <Title order={1} size="h2">
          Announcement
        </Title>
        <ErrorState error={detail.error} retry={() => detail.refetch()} />
        <Anchor component={Link} to="/announcements">
          All announcements
        </Anchor>
      </Stack>
    );
  }
  const a = detail.data;
  const s = stats.data;
  const counts = (s?.counts ?? {}) as Record<string, number>;
  const failed = failedStatuses.reduce((sum, k) => sum + (counts[k] ?? 0), 0);
  const show = (next: string) => {
    setStatus(next);
    document.getElementById("recipients-title")?.scrollIntoView({ behavior: "smooth" });
  };
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/announcements" size="sm">
        ← All announcements
      </Anchor>
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {a.subject}
          </Title>
          <Group gap="xs" mt={4}>
            <StateBadge state={a.state} />
            <Text size="sm" c="dimmed">
              {a.state === "scheduled" ? "Goes" : "Sent"} {formatDateTime(a.sendAt, timezone)}
              {a.essential ? " · Essential" : ""}
              {a.consolidate ? " · One email per family" : ""}
            </Text>
          </Group>
        </div>
        {s && <ResendAllFailed id={id} failed={failed} />}
      </Group>
      {stats.isError ? (
        <ErrorState error={stats.error} retry={() => stats.refetch()} />
      ) : !s ? (
        <Loading label="Counting" />
      ) : (
        <>
          {s.delayed > 0 && (
            <Alert color="red" title="Mail is taking longer than it should" role="alert">
              {formatNumber(s.delayed)} email(s) have been queued for more than 30 minutes without moving. If this does
              not change soon, please raise a ticket with support.
            </Alert>
          )}
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Card withBorder padding="sm">
              <Text size="xs" c="dimmed">
                Recipients
              </Text>
              <Text fw={700} size="xl" data-testid="total">
                {formatNumber(s.total)}
              </Text>
            </Card>
            <Card withBorder padding="sm">
              <Text size="xs" c="dimmed">
                Delivered
              </Text>
              <Text fw={700} size="xl">
                {formatNumber(s.delivered)}{" "}
                <Text span size="sm">
                  ({percent(s.delivered, s.total)})
                </Text>
              </Text>
            </Card>
            <Card withBorder padding="sm">
              <Text size="xs" c="dimmed">
                Opened
              </Text>
              <Text fw={700} size="xl">
                {formatNumber(counts.opened ?? 0)}{" "}
                <Text span size="sm">
                  ({Math.round(s.openRate * 1000) / 10}%)
                </Text>
              </Text>
            </Card>
            <Card withBorder padding="sm">
              <Text size="xs" c="dimmed">
                Failed
              </Text>
              <Text fw={700} size="xl">
                {formatNumber(failed)}
              </Text>
            </Card>
          </SimpleGrid>
          <SectionCard titleId="statuses-title" title="Every recipient by status">
            <Text size="sm" c="dimmed" mb="sm">
              Each recipient is counted once, by their latest email (a resend replaces the one before).
            </Text>
            {s.total > 0 && (
              <Suspense fallback={<Skeleton h={160} />}>
                <StatusChart counts={counts} />
              </Suspense>
            )}
            <StatusTable stats={s} onShow={show} />
          </SectionCard>
          <OpensSection stats={s} />
        </>
      )}
      <RecipientsSection
        id={id}
        status={status}
        setStatus={setStatus}
        polling={(s?.counts.queued ?? 0) > 0 || a.state === "sending"}
      />
    </Stack>
  );
}
