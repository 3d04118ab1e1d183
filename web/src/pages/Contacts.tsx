// The school's contacts (parents and carers, synced from its own system): search by name or
// address, only those without a usable address, and each one's profile. Administrators also set
// what the parents' own preference page offers.
import {
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { client, describeError, ok } from "../api/client";
import type { DigestOffer } from "../api/types";
import { PagedResults } from "../components/PagedResults";
import { ScrollTable } from "../components/ScrollTable";
import { ErrorState, Loading } from "../components/States";
import { formatDateTime } from "../format";
import { useSignedIn } from "../session";
import { WEEKDAYS } from "../statuses";

export const contactPath = (externalId: string) => `/contacts/${encodeURIComponent(externalId)}`;

function PreferencePageSettings() {
  const queryClient = useQueryClient();
  const offer = useQuery({
    queryKey: ["digest-offer"],
    queryFn: () => ok(client.GET("/v1/settings/digest-offer")),
  });
  const [draft, setDraft] = useState<DigestOffer | undefined>();
  useEffect(() => {
    if (offer.data) setDraft(offer.data);
  }, [offer.data]);
  const save = useMutation({
    mutationFn: (body: DigestOffer) => ok(client.PUT("/v1/settings/digest-offer", { body })),
    onSuccess: (saved) => {
      queryClient.setQueryData(["digest-offer"], saved);
      notifications.show({ color: "teal", title: "Saved", message: "The preference page is updated." });
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="offer-title">
      <Title order={2} size="h4" id="offer-title" mb="xs">
        Parents' preference page
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        The unsubscribe link in every email opens a page where a parent can unsubscribe, or choose a digest instead: one
        email a day or a week with everything sent since the last. The time and day below apply to choices made from now
        on; times parents already chose stay as they are.
      </Text>
      {offer.isPending || !draft ? (
        <Loading />
      ) : offer.isError ? (
        <ErrorState error={offer.error} retry={() => offer.refetch()} />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(draft);
          }}
        >
          <Stack gap="sm">
            <Switch
              label="Offer a daily or weekly digest on the page"
              checked={draft.offer}
              onChange={(e) => setDraft({ ...draft, offer: e.currentTarget.checked })}
            />
            <Group gap="sm" align="flex-end">
              <TextInput
                label="Digest time"
                type="time"
                required
                value={draft.defaultTime}
                onChange={(e) => setDraft({ ...draft, defaultTime: e.currentTarget.value })}
                w={140}
              />
              <Select
                label="Weekly digest day"
                allowDeselect={false}
                value={String(draft.defaultWeekday)}
                data={WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d }))}
                onChange={(v) => v && setDraft({ ...draft, defaultWeekday: Number(v) })}
                w={180}
              />
              <Button type="submit" loading={save.isPending}>
                Save
              </Button>
            </Group>
            {save.isError && (
              <Text c="red" size="sm" role="alert">
                {describeError(save.error)}
              </Text>
            )}
          </Stack>
        </form>
      )}
    </Card>
  );
}

export default function Contacts() {
  const { timezone, isAdmin } = useSignedIn();
  const [search, setSearch] = useState("");
  const [missing, setMissing] = useState(false);
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const list = useInfiniteQuery({
    queryKey: ["contacts", debounced, missing],
    queryFn: ({ pageParam }) =>
      ok(
        client.GET("/v1/contacts", {
          params: {
            query: {
              limit: 50,
              ...(debounced ? { search: debounced } : {}),
              ...(missing ? { emailMissing: true } : {}),
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
        Contacts
      </Title>
      <Text size="sm" c="dimmed">
        Parents and carers as your school's system sends them. Open one to see their students, their choices and the
        mail they were sent, to correct an address, or to delete them.
      </Text>
      <Card withBorder component="section" aria-labelledby="contacts-title">
        <Title order={2} size="h4" id="contacts-title" mb="sm">
          All contacts
        </Title>
        <Group gap="md" align="flex-end" mb="sm">
          <TextInput
            label="Search"
            placeholder="Part of a name or address"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            maw={360}
            style={{ flexGrow: 1 }}
          />
          <Checkbox
            label="Only without a usable address"
            checked={missing}
            onChange={(e) => setMissing(e.currentTarget.checked)}
            mb={8}
          />
        </Group>
        <PagedResults
          query={list}
          count={items.length}
          empty={debounced || missing ? "No contact matches." : "No contacts yet: sync them from your system."}
          moreSize="xs"
        >
          <ScrollTable minWidth={560}>
            <Table striped aria-labelledby="contacts-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Address</Table.Th>
                  <Table.Th scope="col">Updated</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((c) => (
                  <Table.Tr key={c.externalId}>
                    <Table.Td>
                      <Anchor component={Link} to={contactPath(c.externalId)}>
                        {c.name}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {c.externalId}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {c.email ?? (
                        <Group gap={6}>
                          <Badge color="grape" variant="light">
                            Email missing
                          </Badge>
                          {c.emailGiven && (
                            <Text size="xs" c="dimmed">
                              given: {c.emailGiven}
                            </Text>
                          )}
                        </Group>
                      )}
                    </Table.Td>
                    <Table.Td>{formatDateTime(c.updatedAt, timezone)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        </PagedResults>
      </Card>
      {isAdmin && <PreferencePageSettings />}
    </Stack>
  );
}
