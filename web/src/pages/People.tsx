// People of the school: invite (the invitation URL is shown to copy), change role, remove
// (offering to revoke the API keys they created).
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  CopyButton,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, describeError } from "../api/client";
import type { Person, Role } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { InlineForm, MutationError } from "../components/InlineForm";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDateTime } from "../format";
import { useSignedIn } from "../session";

const roles = [
  { value: "staff", label: "Staff" },
  { value: "administrator", label: "Administrator" },
];

function InviteForm() {
  const queryClient = useQueryClient();
  const { timezone } = useSignedIn();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("staff");
  const invite = useMutation({
    mutationFn: () =>
      api<{ invitationUrl: string; expiresAt: string }>("POST", "/v1/people/invitations", {
        email,
        role,
        ...(name ? { name } : {}),
      }),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ["people"] });
      setEmail("");
      setName("");
    },
  });
  return (
    <SectionCard titleId="invite-title" title="Invite someone">
      <InlineForm onSubmit={() => invite.mutate()} submitLabel="Invite" pending={invite.isPending}>
        <TextInput
          label="Email address"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          w={{ base: "100%", sm: 260 }}
        />
        <TextInput
          label="Name (optional)"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          w={{ base: "100%", sm: 200 }}
        />
        <Select
          label="Role"
          data={roles}
          value={role}
          allowDeselect={false}
          onChange={(v) => v && setRole(v as Role)}
          w={{ base: "100%", sm: 160 }}
        />
      </InlineForm>
      <MutationError error={invite.error} />
      {invite.data && (
        <Alert mt="sm" color="teal" title="Invitation sent" role="status">
          <Text size="sm">
            The invitation was emailed. You can also give this link yourself; it works once, until{" "}
            {formatDateTime(invite.data.expiresAt, timezone)}:
          </Text>
          <Group mt="xs" gap="xs" wrap="nowrap">
            <TextInput
              aria-label="Invitation link"
              readOnly
              value={invite.data.invitationUrl}
              data-testid="invitation-url"
              style={{ flex: 1 }}
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyButton value={invite.data.invitationUrl}>
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

function RemoveButton({ person }: { person: Person }) {
  const queryClient = useQueryClient();
  const [revokeKeys, setRevokeKeys] = useState(true);
  const remove = useMutation({
    mutationFn: () =>
      api<void>("DELETE", `/v1/people/${encodeURIComponent(person.id)}${revokeKeys ? "?revokeKeys=true" : ""}`),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ["people"] });
      queryClient.invalidateQueries({ queryKey: ["keys"] });
      notifications.show({ color: "teal", title: "Removed", message: `${person.name || person.email} was removed.` });
    },
    onError: (err) => notifications.show({ color: "red", title: "Not removed", message: describeError(err) }),
  });
  return (
    <ConfirmButton
      label="Remove"
      ariaLabel={`Remove ${person.name || person.email}`}
      title={`Remove ${person.name || person.email}?`}
      message="They lose access to this school at once and are signed out of it."
      confirm="Remove"
      loading={remove.isPending}
      onConfirm={() => remove.mutate()}
    >
      <Checkbox
        label="Also revoke the API keys they created"
        checked={revokeKeys}
        onChange={(e) => setRevokeKeys(e.currentTarget.checked)}
      />
    </ConfirmButton>
  );
}

function RoleSelect({ person, self }: { person: Person; self: boolean }) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (role: Role) => api<unknown>("PATCH", `/v1/people/${encodeURIComponent(person.id)}`, { role }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["people"] }),
    onError: (err) => notifications.show({ color: "red", title: "Role not changed", message: describeError(err) }),
  });
  return (
    <Select
      aria-label={`Role of ${person.name || person.email}`}
      size="xs"
      w={150}
      data={roles}
      value={person.role}
      allowDeselect={false}
      disabled={self || change.isPending}
      onChange={(v) => v && v !== person.role && change.mutate(v as Role)}
    />
  );
}

export default function People() {
  const { session, timezone } = useSignedIn();
  const people = useQuery({ queryKey: ["people"], queryFn: () => api<{ items: Person[] }>("GET", "/v1/people") });
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        People
      </Title>
      <InviteForm />
      <SectionCard titleId="people-title" title="Members of this school">
        {people.isPending ? (
          <Loading />
        ) : people.isError ? (
          <ErrorState error={people.error} retry={() => people.refetch()} />
        ) : people.data.items.length === 0 ? (
          <Empty>Nobody yet: invite someone above.</Empty>
        ) : (
          <DataTable
            titleId="people-title"
            minWidth={640}
            columns={["Name", "Email", "Role", "Last signed in", { label: "Actions", hidden: true }]}
          >
            {people.data.items.map((p) => {
              const self = p.id === session.person.id;
              return (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    {p.name || "—"} {self && <Badge variant="default">you</Badge>}
                  </Table.Td>
                  <Table.Td>{p.email}</Table.Td>
                  <Table.Td>
                    <RoleSelect person={p} self={self} />
                  </Table.Td>
                  <Table.Td>
                    {p.invitedPending ? (
                      <Badge variant="default">Invited</Badge>
                    ) : (
                      formatDateTime(p.lastSignInAt, timezone)
                    )}
                  </Table.Td>
                  <Table.Td>{!self && <RemoveButton person={p} />}</Table.Td>
                </Table.Tr>
              );
            })}
          </DataTable>
        )}
      </SectionCard>
    </Stack>
  );
}
