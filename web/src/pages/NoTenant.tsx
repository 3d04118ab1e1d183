import { Alert, Title } from "@mantine/core";
import { useSignedIn } from "../session";

/** A person whose schools were all removed has no school screens (an operator starts at Schools). */
export default function NoTenant() {
  const { session } = useSignedIn();
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Welcome, {session.person.name || session.person.email}
      </Title>
      <Alert color="blue" title="No school">
        You are not a member of any school. Ask a school's administrator to invite you.
      </Alert>
    </>
  );
}
