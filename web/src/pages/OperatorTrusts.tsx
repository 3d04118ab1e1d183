// Trust bundles: a trust (a group of schools) buys credit as a whole and spreads it across its
// schools. The list of trusts with a form to add one; a trust's screen with its schools, top-ups
// of its bundle, allocations to its schools and its ledger.
import { Anchor, Button, Card, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api } from "../api/client";
import type { LedgerEntry, OperatorGroup, OperatorGroupDetail } from "../api/types";
import { CreditsInput } from "../components/CreditsInput";
import { InlineForm, MutationError } from "../components/InlineForm";
import { browserZone, NameInput, useAllTenants } from "../components/OperatorParts";
import { loadedItems, PagedResults, useCursorPages } from "../components/PagedResults";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDateTime, formatNumber } from "../format";

const GROUPS_KEY = ["operator", "groups"] as const;
const groupKey = (id: string) => ["operator", "group", id] as const;

function AddTrust() {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const add = useMutation({
    mutationFn: () => api<OperatorGroup>("POST", "/v1/operator/groups", { name: name.trim() }),
    onSuccess: () => {
      setName("");
      queryClient.invalidateQueries({ queryKey: GROUPS_KEY });
    },
  });
  return (
    <SectionCard titleId="add-trust-title" title="Add a trust">
      <InlineForm onSubmit={() => add.mutate()} submitLabel="Add trust" pending={add.isPending}>
        <NameInput label="Trust name" value={name} onChange={setName} />
      </InlineForm>
      <MutationError error={add.error} />
    </SectionCard>
  );
}

export function TrustList() {
  const groups = useCursorPages<OperatorGroup>(GROUPS_KEY, "/v1/operator/groups");
  const items = loadedItems(groups);
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Trusts
      </Title>
      <Text size="sm">
        A trust buys a bundle of credit and spreads it across its schools: top up the bundle, then allocate to each
        school. A school spends what it was given like a package.
      </Text>
      <AddTrust />
      <SectionCard titleId="trusts-title" title="All trusts">
        {groups.isPending ? (
          <Loading label="Loading the trusts" />
        ) : groups.isError ? (
          <ErrorState error={groups.error} retry={() => groups.refetch()} />
        ) : items.length === 0 ? (
          <Empty>No trusts yet: add one above.</Empty>
        ) : (
          <Stack gap="xs" data-testid="trusts">
            {items.map((g) => (
              <Anchor key={g.id} component={Link} to={`/operator/trusts/${g.id}`}>
                {g.name}
              </Anchor>
            ))}
            {groups.hasNextPage && (
              <Button variant="default" loading={groups.isFetchingNextPage} onClick={() => groups.fetchNextPage()}>
                Show more trusts
              </Button>
            )}
          </Stack>
        )}
      </SectionCard>
    </Stack>
  );
}

function Members({ group }: { group: OperatorGroupDetail }) {
  const queryClient = useQueryClient();
  const tenants = useAllTenants();
  const [tenantId, setTenantId] = useState<string | null>(null);
  const put = useMutation({
    mutationFn: ({ id, groupId }: { id: string; groupId: string | null }) =>
      api("PUT", `/v1/operator/tenants/${encodeURIComponent(id)}/group`, { groupId }),
    onSuccess: () => {
      setTenantId(null);
      queryClient.invalidateQueries({ queryKey: ["operator"] });
    },
  });
  const outside = (tenants.data ?? []).filter((t) => t.groupId !== group.id);
  return (
    <SectionCard titleId="members-title" title="Its schools">
      {group.tenants.length === 0 ? (
        <Empty>No schools in this trust yet: add them below.</Empty>
      ) : (
        <DataTable
          titleId="members-title"
          minWidth={420}
          testId="members-table"
          columns={["School", "Allocated so far", { label: "Actions", hidden: true }]}
        >
          {group.tenants.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>
                <Anchor component={Link} to={`/operator/schools/${t.id}`}>
                  {t.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{formatNumber(t.allocated)}</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="subtle"
                  color="red"
                  aria-label={`Take out ${t.name}`}
                  onClick={() => put.mutate({ id: t.id, groupId: null })}
                >
                  Take out
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
      <InlineForm
        onSubmit={() => {
          if (tenantId) put.mutate({ id: tenantId, groupId: group.id });
        }}
        submitLabel="Add to the trust"
        pending={put.isPending}
        disabled={!tenantId}
        mt="sm"
      >
        <Select
          label="Add a school"
          placeholder={tenants.isPending ? "Loading…" : "Choose a school"}
          searchable
          data={outside.map((t) => ({ value: t.id, label: t.name }))}
          value={tenantId}
          onChange={setTenantId}
          allowDeselect={false}
          w={{ base: "100%", sm: 280 }}
        />
      </InlineForm>
      <MutationError error={put.error ?? tenants.error} />
    </SectionCard>
  );
}

function TopUp({ group }: { group: OperatorGroupDetail }) {
  const queryClient = useQueryClient();
  const [credits, setCredits] = useState<number | string>("");
  const [note, setNote] = useState("");
  const topUp = useMutation({
    mutationFn: () =>
      api<OperatorGroupDetail>("POST", `/v1/operator/groups/${encodeURIComponent(group.id)}/top-ups`, {
        credits: Number(credits),
        note: note.trim(),
      }),
    onSuccess: () => {
      setCredits("");
      setNote("");
      queryClient.invalidateQueries({ queryKey: groupKey(group.id) });
    },
  });
  return (
    <SectionCard titleId="topup-title" title="Top up the bundle">
      <InlineForm onSubmit={() => topUp.mutate()} submitLabel="Top up" pending={topUp.isPending}>
        <CreditsInput
          label="Credits to add"
          required
          min={1}
          value={credits}
          onChange={setCredits}
          w={{ base: "100%", sm: 180 }}
        />
        <TextInput
          label="Note (an invoice, say)"
          required
          maxLength={500}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          w={{ base: "100%", sm: 260 }}
        />
      </InlineForm>
      <MutationError error={topUp.error} />
    </SectionCard>
  );
}

function Allocate({ group }: { group: OperatorGroupDetail }) {
  const queryClient = useQueryClient();
  const [tenantId, setTenantId] = useState<string | null>(null);
  const [credits, setCredits] = useState<number | string>("");
  const [note, setNote] = useState("");
  const allocate = useMutation({
    mutationFn: () =>
      api<OperatorGroupDetail>("POST", `/v1/operator/groups/${encodeURIComponent(group.id)}/allocations`, {
        tenantId,
        credits: Number(credits),
        ...(note.trim() ? { note: note.trim() } : {}),
      }),
    onSuccess: () => {
      setCredits("");
      setNote("");
      queryClient.invalidateQueries({ queryKey: ["operator"] });
    },
  });
  return (
    <SectionCard titleId="allocate-title" title="Allocate to a school">
      {group.tenants.length === 0 ? (
        <Empty>Add a school to the trust first.</Empty>
      ) : (
        <InlineForm
          onSubmit={() => allocate.mutate()}
          submitLabel="Allocate"
          pending={allocate.isPending}
          disabled={!tenantId}
        >
          <Select
            label="School"
            data={group.tenants.map((t) => ({ value: t.id, label: t.name }))}
            value={tenantId}
            onChange={setTenantId}
            allowDeselect={false}
            w={{ base: "100%", sm: 240 }}
          />
          <CreditsInput
            label="Credits to allocate"
            required
            min={1}
            value={credits}
            onChange={setCredits}
            w={{ base: "100%", sm: 180 }}
          />
          <TextInput
            label="Note (optional)"
            maxLength={500}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            w={{ base: "100%", sm: 220 }}
          />
        </InlineForm>
      )}
      <MutationError error={allocate.error} />
    </SectionCard>
  );
}

const kindLabels: Record<string, string> = {
  group_bundle: "Top-up",
  group_allocation: "Allocation",
};

function Ledger({ group }: { group: OperatorGroupDetail }) {
  const names = new Map(group.tenants.map((t) => [t.id, t.name]));
  const ledger = useCursorPages<LedgerEntry>(
    [...groupKey(group.id), "ledger"],
    `/v1/operator/groups/${encodeURIComponent(group.id)}/ledger`,
  );
  const items = loadedItems(ledger);
  /** "to tenant <id>: why" with the school's name in place of its id. */
  const describe = (note: string | null) =>
    (note ?? "").replace(/^to tenant (\S+?)(:|$)/, (_, id: string, rest: string) => `to ${names.get(id) ?? id}${rest}`);
  return (
    <SectionCard titleId="ledger-title" title="The trust's ledger">
      <PagedResults
        query={ledger}
        count={items.length}
        loadingLabel="Loading the ledger"
        empty="Nothing yet: top up the bundle to start."
        more="Show older entries"
      >
        <DataTable
          titleId="ledger-title"
          minWidth={520}
          testId="ledger-table"
          columns={["When", "What", "Credits", "Note"]}
        >
          {items.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>{formatDateTime(e.at, browserZone())}</Table.Td>
              <Table.Td>{kindLabels[e.kind] ?? e.kind}</Table.Td>
              <Table.Td>{e.amount > 0 ? `+${formatNumber(e.amount)}` : formatNumber(e.amount)}</Table.Td>
              <Table.Td>{describe(e.note)}</Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      </PagedResults>
    </SectionCard>
  );
}

export function TrustScreen() {
  const { id = "" } = useParams();
  const group = useQuery({
    queryKey: groupKey(id),
    queryFn: () => api<OperatorGroupDetail>("GET", `/v1/operator/groups/${encodeURIComponent(id)}`),
  });
  if (group.isPending) return <Loading label="Loading the trust" />;
  if (group.isError)
    return (
      <Stack>
        <Title order={1} size="h2">
          Trust
        </Title>
        <ErrorState error={group.error} retry={() => group.refetch()} />
        <Anchor component={Link} to="/operator/trusts">
          Back to the trusts
        </Anchor>
      </Stack>
    );
  const g = group.data;
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/operator/trusts" size="sm">
        All trusts
      </Anchor>
      <Title order={1} size="h2">
        {g.name}
      </Title>
      <Card withBorder component="section" aria-labelledby="bundle-title">
        <Title order={2} size="h4" id="bundle-title">
          Bundle balance
        </Title>
        <Text size="xl" fw={700} data-testid="bundle-balance">
          {formatNumber(g.bundleBalance)}
        </Text>
        <Text size="sm" c="dimmed">
          Credit bought for the trust and not yet allocated to a school.
        </Text>
      </Card>
      <Members group={g} />
      <TopUp group={g} />
      <Allocate group={g} />
      <Ledger group={g} />
    </Stack>
  );
}

export default function OperatorTrusts() {
  const { id } = useParams();
  return id ? <TrustScreen /> : <TrustList />;
}
