// One student: their groups, the contacts linked to them, and, for administrators, deleting them.
import { Alert, Anchor, Card, Group, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { client, describeError, ok } from "../api/client";
import { ConfirmButton } from "../components/ConfirmButton";
import { Empty, ErrorState, Loading } from "../components/States";
import { useSignedIn } from "../session";
import { contactPath } from "./Contacts";

export default function Student() {
  const { externalId = "" } = useParams();
  const { isAdmin } = useSignedIn();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const student = useQuery({
    queryKey: ["student", externalId],
    queryFn: () => ok(client.GET("/v1/subjects/{externalId}", { params: { path: { externalId } } })),
  });
  const remove = useMutation({
    mutationFn: () => ok(client.DELETE("/v1/subjects/{externalId}", { params: { path: { externalId } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ["student", externalId] });
      queryClient.invalidateQueries({ queryKey: ["students"] });
      queryClient.invalidateQueries({ queryKey: ["subject-groups"] });
      notifications.show({
        color: "teal",
        title: "Student deleted",
        message: `${student.data?.name ?? externalId} is deleted.`,
      });
      navigate("/students");
    },
  });
  if (student.isPending) return <Loading />;
  if (student.isError) {
    return (
      <Stack>
        <Title order={1} size="h2">
          Student
        </Title>
        <ErrorState error={student.error} retry={() => student.refetch()} />
        <Anchor component={Link} to="/students">
          Back to students
        </Anchor>
      </Stack>
    );
  }
  const s = student.data;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Anchor component={Link} to="/students" size="sm">
            Students
          </Anchor>
          <Title order={1} size="h2">
            {s.name}
          </Title>
          <Text size="sm" c="dimmed">
            {s.externalId} · {s.groups.join(", ") || "in no group"}
          </Text>
        </div>
        {isAdmin && (
          <ConfirmButton
            label="Delete student"
            ariaLabel={`Delete student ${s.name}`}
            title={`Delete ${s.name}?`}
            message={
              "The student, their groups and their links to contacts are deleted (the contacts stay). Mail still " +
              "waiting leaves out the parts about them. A later sync from your system will not bring them back " +
              "unless it asks to restore them. This cannot be undone."
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
      <Card withBorder component="section" aria-labelledby="contacts-title">
        <Title order={2} size="h4" id="contacts-title" mb="xs">
          Contacts
        </Title>
        {s.links.length === 0 ? (
          <Empty>No contact is linked to this student.</Empty>
        ) : (
          <Stack gap={4}>
            {s.links.map((l) => (
              <Text key={l.contactExternalId} size="sm">
                <Anchor component={Link} to={contactPath(l.contactExternalId)}>
                  {l.contactName}
                </Anchor>
                {l.relationship ? ` · ${l.relationship}` : ""}
                {l.receivesMail ? "" : " · gets no mail about this student"}
              </Text>
            ))}
          </Stack>
        )}
      </Card>
    </Stack>
  );
}
