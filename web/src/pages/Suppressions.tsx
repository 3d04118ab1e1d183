// Addresses Postbag no longer mails (hard bounces, spam complaints): list and search for
// everyone, reset with a note for administrators (audited).
import { Button, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { client, ok } from "../api/client";
import { loadedItems, PagedResults } from "../components/PagedResults";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { SuppressionResetForm } from "../components/SuppressionResetForm";
import { formatDateTime } from "../format";
import { useSignedIn } from "../session";

const reasons: Record<string, string> = { hard_bounce: "Hard bounce", spam: "Spam complaint" };

export default function Suppressions() {
  const { isAdmin, timezone } = useSignedIn();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [resetting, setResetting] = useState<string | undefined>();
  const list = useInfiniteQuery({
    queryKey: ["suppressions", debounced],
    queryFn: ({ pageParam }) =>
      ok(
        client.GET("/v1/suppressions", {
          params: {
            query: {
              limit: 50,
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
      <Title order={1} size="h2">
        Suppressions
      </Title>
      <Text size="sm" c="dimmed">
        Postbag does not mail these addresses: they bounced for good or their owner reported mail as spam.
        {isAdmin ? " Reset one when the address works again." : " Administrators can reset them."}
      </Text>
      <SectionCard titleId="suppressions-title" title="Suppressed addresses">
        <TextInput
          label="Search"
          placeholder="Part of an address"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          mb="sm"
          maw={360}
        />
        <PagedResults
          query={list}
          count={items.length}
          empty={debounced ? "No suppressed address matches." : "No address is suppressed."}
          moreSize="xs"
        >
          <DataTable
            titleId="suppressions-title"
            minWidth={560}
            columns={["Address", "Reason", "Since", ...(isAdmin ? [{ label: "Actions", hidden: true }] : [])]}
          >
            {items.map((s) => (
              <Table.Tr key={s.email}>
                <Table.Td>
                  {s.email}
                  {s.detail && (
                    <Text size="xs" c="dimmed">
                      {s.detail}
                    </Text>
                  )}
                  {resetting === s.email && (
                    <SuppressionResetForm
                      email={s.email}
                      onDone={() => setResetting(undefined)}
                      onCancel={() => setResetting(undefined)}
                    />
                  )}
                </Table.Td>
                <Table.Td>{reasons[s.reason] ?? s.reason}</Table.Td>
                <Table.Td>{formatDateTime(s.createdAt, timezone)}</Table.Td>
                {isAdmin && (
                  <Table.Td>
                    {resetting !== s.email && (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => setResetting(s.email)}
                        aria-label={`Reset ${s.email}`}
                      >
                        Reset
                      </Button>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </DataTable>
        </PagedResults>
      </SectionCard>
    </Stack>
  );
}
