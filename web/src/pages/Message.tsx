// One message of the log: who it went to, and each recipient's history, event by event.
import { Anchor, Badge, Card, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { client, ok } from "../api/client";
import { ScrollTable } from "../components/ScrollTable";
import { ErrorState, Loading } from "../components/States";
import { formatDateTime } from "../format";
import { useSignedIn } from "../session";
import { reasonLabel, statusColor, statusLabel } from "../statuses";
import { categoryLabel } from "./Messages";

export default function Message() {
  const { id = "" } = useParams();
  const { timezone } = useSignedIn();
  const message = useQuery({
    queryKey: ["message", id],
    queryFn: () => ok(client.GET("/v1/messages/{id}", { params: { path: { id } } })),
  });
  if (message.isPending) return <Loading label="Opening the message" />;
  if (message.isError) {
    return (
      <Stack>
        <Title order={1} size="h2">
          Message
        </Title>
        <ErrorState error={message.error} retry={() => message.refetch()} />
        <Anchor component={Link} to="/messages">
          All messages
        </Anchor>
      </Stack>
    );
  }
  const m = message.data;
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/messages" size="sm">
        ← All messages
      </Anchor>
      <div style={{ overflowWrap: "anywhere" }}>
        <Title order={1} size="h2">
          {m.subject || "(no subject)"}
        </Title>
        <Text size="sm" c="dimmed">
          {categoryLabel(m.category)} · from {m.from} · accepted {formatDateTime(m.createdAt, timezone)}
          {m.attachments.length > 0 && ` · ${m.attachments.length} attachment(s)`}
        </Text>
      </div>
      {m.recipients.map((r) => (
        <Card withBorder component="section" key={r.id} aria-labelledby={`r-${r.id}`}>
          <Group justify="space-between" mb="xs" gap="xs" wrap="nowrap" align="flex-start">
            <Title order={2} size="h5" id={`r-${r.id}`} miw={0} style={{ overflowWrap: "anywhere" }}>
              {r.name ? `${r.name} <${r.email ?? ""}>` : (r.email ?? "(no address)")}
              {r.kind !== "to" && ` (${r.kind})`}
            </Title>
            <Badge variant="dot" color={statusColor(r.status)}>
              {statusLabel(r.status)}
            </Badge>
          </Group>
          {r.nextAttemptAt && (
            <Text size="sm" mb="xs">
              Next attempt {formatDateTime(r.nextAttemptAt, timezone)}.
            </Text>
          )}
          <ScrollTable minWidth={560}>
            <Table aria-labelledby={`r-${r.id}`} data-testid="events-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Attempt</Table.Th>
                  <Table.Th scope="col">Server's reply</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.events.map((e) => (
                  <Table.Tr key={`${e.at} ${e.status} ${e.attempt} ${e.smtpText ?? ""}`}>
                    <Table.Td>{formatDateTime(e.at, timezone)}</Table.Td>
                    <Table.Td>{statusLabel(e.status)}</Table.Td>
                    <Table.Td>{e.attempt}</Table.Td>
                    <Table.Td style={{ wordBreak: "break-word" }}>
                      {e.reason && (
                        <Text size="sm" fw={500}>
                          {reasonLabel(e.reason)}
                        </Text>
                      )}
                      <Text size="xs" c="dimmed">
                        {[e.smtpCode, e.smtpText].filter((x) => x !== null && x !== "").join(" ") || "—"}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        </Card>
      ))}
    </Stack>
  );
}
