// The operator's schools (tenants): add one (name and time zone), open one (its own screen:
// rename, suspend, credit rules, notices), and invite a school's people (its first
// administrator, say): the invitation is mailed and its URL shown to copy.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  CopyButton,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, describeError } from "../api/client";
import type { InvitationSent, OperatorTenant, Role } from "../api/types";
import { InlineForm, MutationError } from "../components/InlineForm";
import { browserZone, NameInput, TENANTS_KEY, TimeZoneSelect } from "../components/OperatorParts";
import { loadedItems, PagedResults, useCursorPages } from "../components/PagedResults";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { formatDate, formatDateTime } from "../format";

const DEFAULT_ZONE = "Europe/London";

const roles = [
  { value: "administrator", label: "Administrator" },
  { value: "staff", label: "Staff" },
];

function AddSchool({ onAdded }: { onAdded: (tenant: OperatorTenant) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [zone, setZone] = useState<string>(DEFAULT_ZONE);
  const add = useMutation({
    mutationFn: () => api<OperatorTenant>("POST", "/v1/operator/tenants", { name: name.trim(), timezone: zone }),
    onSuccess: (tenant) => {
      queryClient.invalidateQueries({ queryKey: TENANTS_KEY });
      setName("");
      onAdded(tenant);
    },
  });
  return (
    <SectionCard titleId="add-school-title" title="Add a school">
      <InlineForm onSubmit={() => add.mutate()} submitLabel="Add school" pending={add.isPending}>
        <NameInput label="School name" value={name} onChange={setName} />
        <TimeZoneSelect value={zone} onChange={setZone} keep={[DEFAULT_ZONE]} />
      </InlineForm>
      <Text size="sm" c="dimmed" mt="xs">
        Days, weeks and months of the school's reports and credit follow its time zone.
      </Text>
      <MutationError error={add.error} />
    </SectionCard>
  );
}

function InviteDialog({ tenant, onClose }: { tenant: OperatorTenant | undefined; onClose: () => void }) {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("administrator");
  const invite = useMutation({
    mutationFn: (t: OperatorTenant) =>
      api<InvitationSent>("POST", `/v1/operator/tenants/${encodeURIComponent(t.id)}/invitations`, {
        email: email.trim(),
        role,
        ...(name.trim() ? { name: name.trim() } : {}),
      }),
    onSuccess: () => {
      setEmail("");
      setName("");
    },
  });
  const close = () => {
    invite.reset();
    setEmail("");
    setName("");
    setRole("administrator");
    onClose();
  };
  return (
    <Modal
      opened={tenant !== undefined}
      onClose={close}
      title={tenant ? `Invite someone to ${tenant.name}` : ""}
      closeButtonProps={{ "aria-label": "Close" }}
      size="lg"
    >
      {tenant && (
        <Stack>
          <Text size="sm">
            The person gets an email with a link to choose a password; a school's first person is usually its
            administrator, who then invites the others.
          </Text>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              invite.mutate(tenant);
            }}
          >
            <Stack gap="sm">
              <TextInput
                label="Email address"
                type="email"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                data-autofocus
              />
              <TextInput label="Name (optional)" value={name} onChange={(e) => setName(e.currentTarget.value)} />
              <Select
                label="Role"
                data={roles}
                value={role}
                allowDeselect={false}
                onChange={(v) => v && setRole(v as Role)}
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={close}>
                  Close
                </Button>
                <Button type="submit" loading={invite.isPending}>
                  Invite
                </Button>
              </Group>
            </Stack>
          </form>
          {invite.isError && (
            <Alert color="red" role="alert">
              {describeError(invite.error)}
            </Alert>
          )}
          {invite.data && (
            <Alert color="teal" title="Invitation sent" role="status">
              <Text size="sm">
                The invitation was emailed. You can also give this link yourself; it works once, until{" "}
                {formatDateTime(invite.data.expiresAt, browserZone())}:
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
        </Stack>
      )}
    </Modal>
  );
}

export default function Schools() {
  const [inviting, setInviting] = useState<OperatorTenant | undefined>();
  const [added, setAdded] = useState<OperatorTenant | undefined>();
  const tenants = useCursorPages<OperatorTenant>(TENANTS_KEY, "/v1/operator/tenants");
  const items = loadedItems(tenants);
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Schools
      </Title>
      <AddSchool onAdded={setAdded} />
      {added && (
        <Alert
          color="teal"
          title={`${added.name} was added`}
          role="status"
          withCloseButton
          onClose={() => setAdded(undefined)}
          closeButtonLabel="Dismiss"
        >
          <Text size="sm">Next, invite its administrator: they sign in, buy credit and invite the others.</Text>
          <Button mt="sm" size="xs" onClick={() => setInviting(added)}>
            Invite its administrator
          </Button>
        </Alert>
      )}
      <SectionCard titleId="schools-title" title="All schools">
        <PagedResults
          query={tenants}
          count={items.length}
          loadingLabel="Loading the schools"
          empty="No schools yet: add the first one above."
          more="Show more schools"
        >
          <DataTable
            titleId="schools-title"
            minWidth={640}
            testId="schools-table"
            columns={["Name", "Status", "Time zone", "Added", { label: "Actions", hidden: true }]}
          >
            {items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/operator/schools/${t.id}`}>
                    {t.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {t.suspendedAt ? <Badge color="red.9">Suspended</Badge> : <Badge color="teal.9">Active</Badge>}
                </Table.Td>
                <Table.Td>{t.pendingTimezone ? `${t.timezone} (then ${t.pendingTimezone})` : t.timezone}</Table.Td>
                <Table.Td>{formatDate(t.createdAt, browserZone())}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => setInviting(t)}
                    aria-label={`Invite someone to ${t.name}`}
                  >
                    Invite
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        </PagedResults>
      </SectionCard>
      <InviteDialog tenant={inviting} onClose={() => setInviting(undefined)} />
    </Stack>
  );
}
