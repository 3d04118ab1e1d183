// The operator's Health screen: the outbox (waiting, in flight, delayed over the threshold,
// held by suspensions) in total and per school, the bounce mailbox's last poll, and the relay's
// recent delivery errors with the servers' words.
import { Alert, Anchor, Badge, Card, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../api/client";
import type { OperatorHealth as Health, OperatorQueue } from "../api/types";
import { browserZone } from "../components/OperatorParts";
import { DataTable, ScrollTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDateTime, formatNumber } from "../format";

function Stat({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Card withBorder>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {formatNumber(value)}
      </Text>
    </Card>
  );
}

function Queue() {
  const queue = useQuery({
    queryKey: ["operator", "queue"],
    queryFn: () => api<OperatorQueue>("GET", "/v1/operator/queue"),
    refetchInterval: 30_000,
  });
  if (queue.isPending) return <Loading label="Loading the queue" />;
  if (queue.isError) return <ErrorState error={queue.error} retry={() => queue.refetch()} />;
  const q = queue.data;
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Stat label="Waiting" value={q.waiting} testId="queue-waiting" />
        <Stat label="In flight" value={q.inFlight} testId="queue-in-flight" />
        <Stat label="Delayed over 30 minutes" value={q.delayed} testId="queue-delayed" />
        <Stat label="Held: school suspended" value={q.suspended} testId="queue-suspended" />
      </SimpleGrid>
      {q.delayed > 0 && (
        <Alert color="red" role="status">
          Some mail has waited longer than it should (oldest since {formatDateTime(q.oldestWaitingSince, browserZone())}
          ): look at the relay errors below and the worker's logs.
        </Alert>
      )}
      {q.tenants.length === 0 ? (
        <Empty>Nothing is waiting.</Empty>
      ) : (
        <ScrollTable minWidth={520}>
          <Table striped aria-label="Waiting mail per school" data-testid="queue-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">School</Table.Th>
                <Table.Th scope="col">Waiting</Table.Th>
                <Table.Th scope="col">In flight</Table.Th>
                <Table.Th scope="col">Delayed</Table.Th>
                <Table.Th scope="col">Suspended</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {q.tenants.map((t) => (
                <Table.Tr key={t.tenantId}>
                  <Table.Td>
                    <Anchor component={Link} to={`/operator/schools/${t.tenantId}`}>
                      {t.tenantName || t.tenantId}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{formatNumber(t.waiting)}</Table.Td>
                  <Table.Td>{formatNumber(t.inFlight)}</Table.Td>
                  <Table.Td>{formatNumber(t.delayed)}</Table.Td>
                  <Table.Td>{formatNumber(t.suspended)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}

const statusLabels: Record<string, string> = {
  soft_bounce: "Soft bounce",
  hard_bounce: "Hard bounce",
  rejected: "Rejected",
};

function MailboxAndErrors() {
  const health = useQuery({
    queryKey: ["operator", "health"],
    queryFn: () => api<Health>("GET", "/v1/operator/health"),
    refetchInterval: 60_000,
  });
  if (health.isPending) return <Loading label="Loading" />;
  if (health.isError) return <ErrorState error={health.error} retry={() => health.refetch()} />;
  const { bounceMailbox: box, relayErrors } = health.data;
  const zone = browserZone();
  return (
    <>
      <SectionCard titleId="mailbox-title" title="Bounce mailbox">
        {!box.configured ? (
          <Text size="sm" data-testid="bounce-mailbox">
            Not set up: bounces that arrive by mail are not read (POSTBAG_BOUNCE_MAILBOX_URL).
          </Text>
        ) : (
          <Stack gap={4} data-testid="bounce-mailbox">
            <Text size="sm">
              Last checked: {box.lastPollAt ? formatDateTime(box.lastPollAt, zone) : "not yet"}{" "}
              {box.lastPollAt &&
                (box.lastError ? <Badge color="red.9">Failed</Badge> : <Badge color="teal.9">OK</Badge>)}
            </Text>
            <Text size="sm">Next check: {formatDateTime(box.nextPollAt, zone)}</Text>
            {box.lastError && (
              <Alert color="red" role="alert">
                {box.lastError}
              </Alert>
            )}
          </Stack>
        )}
      </SectionCard>
      <Card withBorder component="section" aria-labelledby="errors-title">
        <Title order={2} size="h4" id="errors-title">
          Recent delivery errors from the relay
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          The newest 50 of the last 7 days, with what the receiving server said.
        </Text>
        {relayErrors.length === 0 ? (
          <Empty>No delivery errors in the last 7 days.</Empty>
        ) : (
          <DataTable
            titleId="errors-title"
            minWidth={720}
            testId="errors-table"
            columns={["When", "School", "Outcome", "Reply"]}
          >
            {relayErrors.map((e) => (
              <Table.Tr key={`${e.recipientId}-${e.at}`}>
                <Table.Td>{formatDateTime(e.at, zone)}</Table.Td>
                <Table.Td>{e.tenantName}</Table.Td>
                <Table.Td>{statusLabels[e.status] ?? e.status}</Table.Td>
                <Table.Td>
                  {[e.smtpCode, e.enhancedCode].filter(Boolean).join(" ")} {e.text ?? ""}
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </Card>
    </>
  );
}

export default function OperatorHealth() {
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Health
      </Title>
      <SectionCard titleId="queue-title" title="The queue">
        <Queue />
      </SectionCard>
      <MailboxAndErrors />
    </Stack>
  );
}
