// The log of mail the school's systems sent through the API (password resets, invitations,
// alerts…): filters by recipient status, category and date; one message's recipients and the
// history of each.
import { Anchor, Badge, Group, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { client, ok } from "../api/client";
import { categoryInfo } from "../categories";
import { loadedItems, PagedResults } from "../components/PagedResults";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { formatDateTime, formatNumber } from "../format";
import { useSignedIn } from "../session";
import { statusColor, statusInfo, statusLabel } from "../statuses";

type Status = (typeof statusInfo)[number]["key"];
type Category = (typeof categoryInfo)[number]["key"];

/**
 * The instant a calendar day ("2026-03-23") starts in `timezone`, as ISO: the UTC midnight
 * moved by the zone's offset on that day.
 */
export function dayStart(date: string, timezone: string): string {
  const utc = Date.parse(`${date}T00:00:00Z`);
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(utc));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const shown = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return new Date(utc - (shown - utc)).toISOString();
}

const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export function categoryLabel(category: string): string {
  return categoryInfo.find((c) => c.key === category)?.label ?? category;
}

export default function Messages() {
  const { timezone } = useSignedIn();
  const [status, setStatus] = useState<string | null>(null);
  const [category, setCategory] = useState<string | null>(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const validDate = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);
  const query = {
    ...(status ? { status: status as Status } : {}),
    ...(category ? { category: category as Category } : {}),
    ...(validDate(from) ? { since: dayStart(from, timezone) } : {}),
    ...(validDate(to) ? { until: dayStart(nextDay(to), timezone) } : {}),
  };
  const list = useInfiniteQuery({
    queryKey: ["messages", query],
    queryFn: ({ pageParam }) =>
      ok(
        client.GET("/v1/messages", {
          params: { query: { limit: 50, ...query, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: "" as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const items = loadedItems(list);
  const filtered = Object.keys(query).length > 0;
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Messages
      </Title>
      <Text size="sm" c="dimmed">
        Every email sent for the school, newest first, with what became of each recipient. Open one to see its history.
      </Text>
      <SectionCard titleId="messages-title" title="Message log">
        <Group align="flex-end" gap="sm" mb="sm">
          <Select
            label="Status"
            clearButtonProps={{ "aria-label": "Clear the status filter" }}
            placeholder="Any status"
            clearable
            value={status}
            onChange={setStatus}
            data={statusInfo.map((s) => ({ value: s.key, label: s.label }))}
            w={180}
          />
          <Select
            label="Category"
            clearButtonProps={{ "aria-label": "Clear the category filter" }}
            placeholder="Any category"
            clearable
            value={category}
            onChange={setCategory}
            data={categoryInfo.map((c) => ({ value: c.key, label: c.label }))}
            w={200}
          />
          <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={160} />
          <TextInput label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={160} />
        </Group>
        <PagedResults
          query={list}
          count={items.length}
          empty={filtered ? "No message matches these filters." : "No message yet."}
          moreSize="xs"
        >
          <DataTable
            titleId="messages-title"
            minWidth={720}
            testId="messages-table"
            columns={["Accepted", "Subject", "Category", { label: "Recipients", right: true }, "Statuses"]}
          >
            {items.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{formatDateTime(m.createdAt, timezone)}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/messages/${m.id}`}>
                    {m.subject || "(no subject)"}
                  </Anchor>
                </Table.Td>
                <Table.Td>{categoryLabel(m.category)}</Table.Td>
                <Table.Td ta="right">{formatNumber(m.recipientCount)}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {Object.entries(m.statusCounts).map(([s, n]) => (
                      <Badge key={s} variant="dot" color={statusColor(s)}>
                        {statusLabel(s)}: {formatNumber(n ?? 0)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        </PagedResults>
      </SectionCard>
    </Stack>
  );
}
