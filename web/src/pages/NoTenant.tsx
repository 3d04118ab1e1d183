import { Alert, Title } from "@mantine/core";
import { useSignedIn } from "../session";

/** An operator (or a person whose schools were all removed) has no school screens. */
export default function NoTenant() {
  const { session } = useSignedIn();
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Welcome, {session.person.name || session.person.email}
      </Title>
      <Alert color="blue" title={session.operator ? "Operator" : "No school"}>
        {session.operator
          ? "The operator screens come in a later version of the console. Until then, manage schools with the operator API key (see the API reference at /openapi.json) or `npx postbag`."
          : "You are not a member of any school. Ask a school's administrator to invite you."}
      </Alert>
    </>
  );
}
