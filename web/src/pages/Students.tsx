// The school's students (synced from its own system): search by name or id, filter by group
// (year, class), and each one's page with the contacts who get mail about them.
import { Anchor, Card, Group, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { client, ok } from "../api/client";
import { PagedResults } from "../components/PagedResults";
import { ScrollTable } from "../components/ScrollTable";

export const studentPath = (externalId: string) => `/students/${encodeURIComponent(externalId)}`;

export default function Students() {
  const [search, setSearch] = useState("");
  const [group, setGroup] = useState<string | null>(null);
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const groups = useQuery({
    queryKey: ["subject-groups"],
    queryFn: () => ok(client.GET("/v1/subject-groups", { params: { query: { limit: 200 } } })),
  });
  const list = useInfiniteQuery({
    queryKey: ["students", debounced, group],
    queryFn: ({ pageParam }) =>
      ok(
        client.GET("/v1/subjects", {
          params: {
            query: {
              limit: 50,
              ...(debounced ? { search: debounced } : {}),
              ...(group ? { group } : {}),
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
        Students
      </Title>
      <Text size="sm" c="dimmed">
        Students as your school's system sends them, with their groups. Open one to see who gets mail about them, or to
        delete them.
      </Text>
      <Card withBorder component="section" aria-labelledby="students-title">
        <Title order={2} size="h4" id="students-title" mb="sm">
          All students
        </Title>
        <Group gap="md" align="flex-end" mb="sm">
          <TextInput
            label="Search"
            placeholder="Part of a name or id"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            maw={360}
            style={{ flexGrow: 1 }}
          />
          <Select
            label="Group"
            placeholder="All groups"
            clearable
            searchable
            value={group}
            onChange={setGroup}
            data={(groups.data?.items ?? []).map((g) => ({ value: g.name, label: `${g.name} (${g.subjectCount})` }))}
            maw={240}
          />
        </Group>
        <PagedResults
          query={list}
          count={items.length}
          empty={debounced || group ? "No student matches." : "No students yet: sync them from your system."}
          moreSize="xs"
        >
          <ScrollTable minWidth={480}>
            <Table striped aria-labelledby="students-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Groups</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((s) => (
                  <Table.Tr key={s.externalId}>
                    <Table.Td>
                      <Anchor component={Link} to={studentPath(s.externalId)}>
                        {s.name}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {s.externalId}
                      </Text>
                    </Table.Td>
                    <Table.Td>{s.groups.join(", ") || "—"}</Table.Td>
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
