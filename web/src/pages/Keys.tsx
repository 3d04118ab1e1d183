// API keys of the school: list (who created each, when last used), create (shown once), revoke.
import { Alert, Badge, Button, CopyButton, Group, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, describeError } from "../api/client";
import type { ApiKey } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { InlineForm, MutationError } from "../components/InlineForm";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDateTime } from "../format";
import { useSignedIn } from "../session";

const keyRoles = [
  { value: "system", label: "System (sends mail from the school's software)" },
  { value: "staff", label: "Staff" },
  { value: "administrator", label: "Administrator" },
];

function creator(key: ApiKey): string {
  if (!key.createdBy) return "—";
  return typeof key.createdBy === "string" ? key.createdBy : key.createdBy.name || key.createdBy.id;
}

function CreateKey() {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [role, setRole] = useState("system");
  const create = useMutation({
    mutationFn: () => api<ApiKey & { key: string }>("POST", "/v1/keys", { role, ...(name ? { name } : {}) }),
    onSuccess: () => {
      setName("");
      queryClient.invalidateQueries({ queryKey: ["keys"] });
    },
  });
  return (
    <SectionCard titleId="new-key-title" title="Create a key">
      <InlineForm onSubmit={() => create.mutate()} submitLabel="Create key" pending={create.isPending}>
        <TextInput
          label="Name"
          placeholder="e.g. MIS integration"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          w={{ base: "100%", sm: 240 }}
        />
        <Select
          label="Role"
          data={keyRoles}
          value={role}
          allowDeselect={false}
          onChange={(v) => v && setRole(v)}
          w={{ base: "100%", sm: 320 }}
        />
      </InlineForm>
      <MutationError error={create.error} />
      {create.data && (
        <Alert mt="sm" color="yellow" title="Copy the key now: it is shown only once" role="status">
          <Group gap="xs" wrap="nowrap">
            <TextInput
              aria-label="New API key"
              readOnly
              value={create.data.key}
              data-testid="new-key"
              style={{ flex: 1 }}
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyButton value={create.data.key}>
              {({ copied, copy }) => (
                <Button size="sm" variant="light" onClick={copy}>
                  {copied ? "Copied" : "Copy"}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}
    </SectionCard>
  );
}

function RevokeButton({ apiKey }: { apiKey: ApiKey }) {
  const queryClient = useQueryClient();
  const label = apiKey.name || apiKey.id;
  const revoke = useMutation({
    mutationFn: () => api<void>("DELETE", `/v1/keys/${encodeURIComponent(apiKey.id)}`),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ["keys"] });
      notifications.show({ color: "teal", title: "Revoked", message: `${label} no longer works.` });
    },
    onError: (err) => notifications.show({ color: "red", title: "Not revoked", message: describeError(err) }),
  });
  return (
    <ConfirmButton
      label="Revoke"
      ariaLabel={`Revoke ${label}`}
      title={`Revoke ${label}?`}
      message="Anything using this key is refused from now on. This cannot be undone."
      confirm="Revoke"
      loading={revoke.isPending}
      onConfirm={() => revoke.mutate()}
    />
  );
}

export default function Keys() {
  const { timezone } = useSignedIn();
  const keys = useQuery({ queryKey: ["keys"], queryFn: () => api<{ items: ApiKey[] }>("GET", "/v1/keys") });
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        API keys
      </Title>
      <CreateKey />
      <SectionCard titleId="keys-title" title="Keys of this school">
        {keys.isPending ? (
          <Loading />
        ) : keys.isError ? (
          <ErrorState error={keys.error} retry={() => keys.refetch()} />
        ) : keys.data.items.length === 0 ? (
          <Empty>No keys yet.</Empty>
        ) : (
          <DataTable
            titleId="keys-title"
            minWidth={720}
            columns={["Name", "Role", "Created by", "Created", "Last used", { label: "Actions", hidden: true }]}
          >
            {keys.data.items.map((k) => (
              <Table.Tr key={k.id}>
                <Table.Td>{k.name || <Text c="dimmed">{k.id}</Text>}</Table.Td>
                <Table.Td>{k.role}</Table.Td>
                <Table.Td>{creator(k)}</Table.Td>
                <Table.Td>{formatDateTime(k.createdAt, timezone)}</Table.Td>
                <Table.Td>{formatDateTime(k.lastUsedAt, timezone)}</Table.Td>
                <Table.Td>
                  {k.revokedAt ? <Badge variant="default">Revoked</Badge> : <RevokeButton apiKey={k} />}
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </SectionCard>
    </Stack>
  );
}
