// Replies and other mail read from the school's own mailbox: newest first, searchable; out-of-
// office answers and delivery reports are left out unless asked for.
import { Anchor, Badge, Card, Group, SegmentedControl, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { client, ok } from "../api/client";
import { PagedResults } from "../components/PagedResults";
import { ScrollTable } from "../components/ScrollTable";
import { formatDateTime } from "../format";
import { useSignedIn } from "../session";

export const kindInfo: Record<string, { label: string; color: string }> = {
  reply: { label: "Reply", color: "blue" },
  other: { label: "Other", color: "gray" },
  auto_reply: { label: "Auto-reply", color: "yellow" },
  bounce: { label: "Bounce", color: "red" },
  delay: { label: "Delay", color: "orange" },
  complaint: { label: "Complaint", color: "red" },
};

type Show = "people" | "automatic" | "all";

export default function Inbox() {
  const { timezone } = useSignedIn();
  const [search, setSearch] = useState("");
  const [show, setShow] = useState<Show>("people");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const list = useInfiniteQuery({
    queryKey: ["inbox", debounced, show],
    queryFn: ({ pageParam }) =>
      ok(
        client.GET("/v1/inbox", {
          params: {
            query: {
              limit: 50,
              ...(debounced ? { search: debounced } : {}),
              ...(show === "all" ? {} : { automatic: show === "automatic" }),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: "" as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Inbox
      </Title>
      <Text size="sm" c="dimmed">
        Mail that arrived in your school's mailbox: replies to your messages and anything else. Postbag reads the
        mailbox on the schedule set in the email settings.
      </Text>
      <Card withBorder component="section" aria-labelledby="inbox-title">
        <Title order={2} size="h4" id="inbox-title" mb="sm">
          Received mail
        </Title>
        <Group gap="md" align="flex-end" mb="sm">
          <TextInput
            label="Search"
            placeholder="Sender, subject or text"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            maw={360}
            style={{ flexGrow: 1 }}
          />
          <SegmentedControl
            aria-label="Show"
            value={show}
            onChange={(v) => setShow(v as Show)}
            data={[
              { value: "people", label: "Replies and other mail" },
              { value: "automatic", label: "Auto-replies and reports" },
              { value: "all", label: "Everything" },
            ]}
          />
        </Group>
        <PagedResults
          query={list}
          count={items.length}
          empty={debounced ? "No mail matches." : "Nothing here yet."}
          moreSize="xs"
        >
          <ScrollTable minWidth={600}>
            <Table striped aria-labelledby="inbox-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">From</Table.Th>
                  <Table.Th scope="col">Subject</Table.Th>
                  <Table.Th scope="col">Received</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((m) => (
                  <Table.Tr key={m.id}>
                    <Table.Td>
                      {m.fromName ?? m.fromAddress ?? "(unknown sender)"}
                      {m.fromName && m.fromAddress && (
                        <Text size="xs" c="dimmed">
                          {m.fromAddress}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/inbox/${m.id}`}>
                        {m.subject || "(no subject)"}
                      </Anchor>
                      <Group gap={4} mt={2}>
                        <Badge size="sm" variant="light" color={kindInfo[m.kind]?.color ?? "gray"}>
                          {kindInfo[m.kind]?.label ?? m.kind}
                        </Badge>
                        {m.attachmentCount > 0 && (
                          <Badge size="sm" variant="outline" color="gray">
                            {m.attachmentCount} attachment{m.attachmentCount === 1 ? "" : "s"}
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>{formatDateTime(m.receivedAt, timezone)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        </PagedResults>
      </Card>
    </Stack>
  );
}
