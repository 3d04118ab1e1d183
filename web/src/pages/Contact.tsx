// One contact's profile: their address (corrected here when it bounced or is missing), whether
// it is suppressed, their students, their choices (opt-outs, digest), the mail they were sent,
// and, for administrators, deleting them (a leaver, a GDPR request).
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { client, describeError, ok } from "../api/client";
import type { ContactDetail } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { ScrollTable } from "../components/ScrollTable";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDateTime } from "../format";
import { useSignedIn } from "../session";
import { digestLabel, optOutLabels, statusColor, statusLabel } from "../statuses";
import { studentPath } from "./Students";

const sources: Record<string, string> = {
  link: "on their preference page",
  one_click: "from their mail program",
  api: "by the school",
  feedback_report: "through their mailbox provider",
};

function AddressCard({ contact }: { contact: ContactDetail }) {
  const queryClient = useQueryClient();
  const { timezone } = useSignedIn();
  const [email, setEmail] = useState(contact.email ?? contact.emailGiven ?? "");
  const save = useMutation({
    mutationFn: () =>
      ok(
        client.PATCH("/v1/contacts/{externalId}", {
          params: { path: { externalId: contact.externalId } },
          body: { email },
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(["contact", contact.externalId], saved);
      queryClient.invalidateQueries({ queryKey: ["contacts"] });
      notifications.show({ color: "teal", title: "Address saved", message: `${saved.name}: ${saved.email}` });
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="address-title">
      <Title order={2} size="h4" id="address-title" mb="xs">
        Address
      </Title>
      {contact.email ? (
        <Text fw={600}>{contact.email}</Text>
      ) : (
        <Group gap="xs">
          <Badge color="grape" variant="light">
            Email missing
          </Badge>
          {contact.emailGiven && (
            <Text size="sm">
              Your system gave “{contact.emailGiven}”, which is not usable ({contact.emailProblem?.replace(/_/g, " ")}).
            </Text>
          )}
        </Group>
      )}
      {contact.emailFixed && (
        <Text size="sm" c="dimmed" mt={4}>
          Corrected in Postbag. A sync giving the old address keeps this one; a new address from your system replaces
          it.
        </Text>
      )}
      {contact.suppression && (
        <Alert color="red" mt="sm" title="This address is suppressed">
          Postbag sends it nothing since {formatDateTime(contact.suppression.at, timezone)} (
          {contact.suppression.reason === "spam" ? "a spam complaint" : "a hard bounce"}). Correcting the address does
          not change that;{" "}
          <Anchor component={Link} to="/suppressions">
            administrators can reset it on Suppressions
          </Anchor>
          .
        </Alert>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Group gap="sm" align="flex-end" mt="sm">
          <TextInput
            label="Correct the address"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            maw={360}
            style={{ flexGrow: 1 }}
          />
          <Button type="submit" loading={save.isPending} disabled={!email.trim() || email.trim() === contact.email}>
            Save address
          </Button>
        </Group>
        {save.isError && (
          <Text c="red" size="sm" mt={4} role="alert">
            {describeError(save.error)}
          </Text>
        )}
      </form>
    </Card>
  );
}

function ChoicesCard({ contact }: { contact: ContactDetail }) {
  const { timezone } = useSignedIn();
  const optOuts = new Map(contact.preferences.optOuts.map((o) => [o.category, o]));
  return (
    <Card withBorder component="section" aria-labelledby="choices-title">
      <Title order={2} size="h4" id="choices-title" mb="xs">
        Their choices
      </Title>
      <Table aria-labelledby="choices-title">
        <Table.Tbody>
          {Object.entries(optOutLabels).map(([category, label]) => {
            const o = optOuts.get(category);
            return (
              <Table.Tr key={category}>
                <Table.Th scope="row">{label}</Table.Th>
                <Table.Td>
                  {o ? (
                    <Text size="sm">
                      <Badge color="gray" variant="light" mr={6}>
                        Opted out
                      </Badge>
                      {formatDateTime(o.at, timezone)}, {sources[o.source] ?? o.source}
                    </Text>
                  ) : (
                    "Receives"
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
          <Table.Tr>
            <Table.Th scope="row">Digest</Table.Th>
            <Table.Td>{digestLabel(contact.preferences.digest)}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt="xs">
        Essential announcements reach them whatever they chose; a suppressed address gets nothing.
      </Text>
    </Card>
  );
}

export default function Contact() {
  const { externalId = "" } = useParams();
  const { timezone, isAdmin } = useSignedIn();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const contact = useQuery({
    queryKey: ["contact", externalId],
    queryFn: () => ok(client.GET("/v1/contacts/{externalId}", { params: { path: { externalId } } })),
  });
  const remove = useMutation({
    mutationFn: () => ok(client.DELETE("/v1/contacts/{externalId}", { params: { path: { externalId } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ["contact", externalId] });
      queryClient.invalidateQueries({ queryKey: ["contacts"] });
      notifications.show({
        color: "teal",
        title: "Contact deleted",
        message: `${contact.data?.name ?? externalId} is deleted.`,
      });
      navigate("/contacts");
    },
  });
  if (contact.isPending) return <Loading />;
  if (contact.isError) {
    return (
      <Stack>
        <Title order={1} size="h2">
          Contact
        </Title>
        <ErrorState error={contact.error} retry={() => contact.refetch()} />
        <Anchor component={Link} to="/contacts">
          Back to contacts
        </Anchor>
      </Stack>
    );
  }
  const c = contact.data;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Anchor component={Link} to="/contacts" size="sm">
            Contacts
          </Anchor>
          <Title order={1} size="h2">
            {c.name}
          </Title>
          <Text size="sm" c="dimmed">
            {c.externalId} · in Postbag since {formatDateTime(c.createdAt, timezone)}
          </Text>
        </div>
        {isAdmin && (
          <ConfirmButton
            label="Delete contact"
            ariaLabel={`Delete contact ${c.name}`}
            title={`Delete ${c.name}?`}
            message={
              "Their name and address are erased from Postbag, also from every email they were sent (reports keep " +
              "the counts and show “deleted contact”), and mail still waiting for them is cancelled. A later sync " +
              "from your system will not bring them back unless it asks to restore them. A suppressed address stays " +
              "suppressed. This cannot be undone."
            }
            confirm="Delete for good"
            loading={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        )}
      </Group>
      {remove.isError && (
        <Alert color="red" role="alert" title="Not deleted">
          {describeError(remove.error)}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <AddressCard key={c.updatedAt} contact={c} />
        <ChoicesCard contact={c} />
      </SimpleGrid>
      <Card withBorder component="section" aria-labelledby="students-title">
        <Title order={2} size="h4" id="students-title" mb="xs">
          Students
        </Title>
        {c.links.length === 0 ? (
          <Empty>Not linked to any student.</Empty>
        ) : (
          <Stack gap={4}>
            {c.links.map((l) => (
              <Text key={l.subjectExternalId} size="sm">
                <Anchor component={Link} to={studentPath(l.subjectExternalId)}>
                  {l.subjectName}
                </Anchor>
                {l.relationship ? ` · ${l.relationship}` : ""}
                {l.receivesMail ? "" : " · gets no mail about this student"}
              </Text>
            ))}
          </Stack>
        )}
      </Card>
      <Card withBorder component="section" aria-labelledby="mail-title">
        <Title order={2} size="h4" id="mail-title" mb="xs">
          Recent mail
        </Title>
        {c.recentMail.length === 0 ? (
          <Empty>Nothing sent to them yet.</Empty>
        ) : (
          <ScrollTable minWidth={560}>
            <Table striped aria-labelledby="mail-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Subject</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Last change</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {c.recentMail.map((m) => (
                  <Table.Tr key={m.recipientId}>
                    <Table.Td>
                      {m.subject}
                      <Text size="xs" c="dimmed">
                        {optOutLabels[m.category] ?? m.category.replace(/_/g, " ")}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={statusColor(m.status)} variant="dot">
                        {statusLabel(m.status)}
                      </Badge>
                      {m.lastText && (
                        <Text size="xs" c="dimmed" lineClamp={2}>
                          {m.lastText}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{formatDateTime(m.updatedAt, timezone)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Card>
    </Stack>
  );
}
