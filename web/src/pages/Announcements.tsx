// The school's announcements, newest first: search by subject, filter by state, open one's
// statistics report.
import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { client, ok } from "../api/client";
import { loadedItems, PagedResults } from "../components/PagedResults";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { formatDateTime, formatNumber } from "../format";
import { useSignedIn } from "../session";

type State = "scheduled" | "sending" | "sent" | "cancelled";

const stateNames: Record<string, { label: string; color: string }> = {
  scheduled: { label: "Scheduled", color: "violet" },
  sending: { label: "Sending", color: "blue" },
  sent: { label: "Sent", color: "teal" },
  cancelled: { label: "Cancelled", color: "gray" },
};

const filters: { value: string; label: string; states: State[] }[] = [
  { value: "all", label: "All", states: ["scheduled", "sending", "sent"] },
  { value: "sent", label: "Sent", states: ["sent", "sending"] },
  { value: "scheduled", label: "Scheduled", states: ["scheduled"] },
];

export function StateBadge({ state }: { state: string }) {
  const info = stateNames[state] ?? { label: state, color: "gray" };
  return (
    <Badge variant="dot" color={info.color}>
      {info.label}
    </Badge>
  );
}

export default function Announcements() {
  const { timezone } = useSignedIn();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [filter, setFilter] = useState("all");
  const states = filters.find((f) => f.value === filter)?.states ?? [];
  const list = useInfiniteQuery({
    queryKey: ["announcements", debounced, filter],
    queryFn: ({ pageParam }) =>
      ok(
        client.GET("/v1/announcements", {
          params: {
            query: {
              limit: 50,
              state: states,
              ...(debounced ? { search: debounced } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: "" as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const items = loadedItems(list);
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={1} size="h2">
          Announcements
        </Title>
        <Button component={Link} to="/announcements/new" size="sm">
          New announcement
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        What the school sent and will send. Open one to see who got it, fix what did not arrive and resend.
      </Text>
      <SectionCard titleId="announcements-title" title="Sent and scheduled">
        <Group align="flex-end" mb="sm" gap="sm">
          <TextInput
            label="Search"
            placeholder="Part of the subject"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            maw={360}
            style={{ flexGrow: 1 }}
          />
          <SegmentedControl
            aria-label="Show"
            value={filter}
            onChange={setFilter}
            data={filters.map((f) => ({ value: f.value, label: f.label }))}
          />
        </Group>
        <PagedResults
          query={list}
          count={items.length}
          empty={debounced ? "No announcement matches." : "No announcement yet."}
          moreSize="xs"
        >
          <DataTable
            titleId="announcements-title"
            minWidth={620}
            testId="announcements-table"
            columns={["Subject", "State", "Send time", { label: "Emails", right: true }]}
          >
            {items.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/announcements/${a.id}`}>
                    {a.subject}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StateBadge state={a.state} />
                </Table.Td>
                <Table.Td>{formatDateTime(a.sendAt, timezone)}</Table.Td>
                <Table.Td ta="right">{formatNumber(a.recipientCount)}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        </PagedResults>
      </SectionCard>
    </Stack>
  );
}
