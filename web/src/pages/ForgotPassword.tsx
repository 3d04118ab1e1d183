import { Alert, Button, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api, describeError } from "../api/client";
import { PublicFrame } from "../components/PublicFrame";

export default function ForgotPassword() {
  const [email, setEmail] = useState("");
  const send = useMutation({ mutationFn: () => api<void>("POST", "/v1/password-resets", { email }) });
  return (
    <PublicFrame title="Forgotten password">
      <Text size="sm">We will email you a link to choose a new password. It works once, for 15 minutes.</Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send.mutate();
        }}
      >
        <Stack gap="sm">
          <TextInput
            label="Email address"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <Button type="submit" loading={send.isPending}>
            Email me a reset link
          </Button>
        </Stack>
      </form>
      {send.isSuccess && (
        <Alert color="teal" role="status" title="Check your email">
          If {email} has an account, a link to reset the password is on its way.
        </Alert>
      )}
      {send.isError && (
        <Alert color="red" role="alert">
          {describeError(send.error)}
        </Alert>
      )}
    </PublicFrame>
  );
}
