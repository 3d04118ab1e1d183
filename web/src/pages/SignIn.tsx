import { Alert, Anchor, Button, Divider, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import { api, describeError } from "../api/client";
import type { Session } from "../api/types";
import { nextPath, PublicFrame } from "../components/PublicFrame";
import { useAdoptSession, useSessionQuery } from "../session";

export function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const adopt = useAdoptSession();
  const navigate = useNavigate();
  const location = useLocation();
  const current = useSessionQuery();

  const signIn = useMutation({
    mutationFn: () => api<Session>("POST", "/v1/session", { email, password }),
    onSuccess: (session) => {
      adopt(session);
      navigate(nextPath(location.search), { replace: true });
    },
  });
  const link = useMutation({ mutationFn: () => api<void>("POST", "/v1/sign-in-links", { email }) });

  if (current.data) return <Navigate to={nextPath(location.search)} replace />;

  return (
    <PublicFrame title="Sign in" back={false}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          link.reset();
          signIn.mutate();
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
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          {signIn.isError && (
            <Alert color="red" role="alert" title="Not signed in">
              {describeError(signIn.error)}
            </Alert>
          )}
          <Button type="submit" loading={signIn.isPending}>
            Sign in
          </Button>
        </Stack>
      </form>
      <Divider label="or" labelPosition="center" />
      <Stack gap="xs">
        <Button
          variant="light"
          disabled={!email || link.isPending}
          loading={link.isPending}
          onClick={() => {
            signIn.reset();
            link.mutate();
          }}
        >
          Email me a sign-in link
        </Button>
        {link.isSuccess && (
          <Alert color="teal" role="status" title="Check your email">
            If {email} has an account, a sign-in link is on its way. It works once, for 15 minutes.
          </Alert>
        )}
        {link.isError && (
          <Alert color="red" role="alert">
            {describeError(link.error)}
          </Alert>
        )}
        <Text size="sm">
          <Anchor component={Link} to="/forgot-password">
            Forgotten your password?
          </Anchor>
        </Text>
      </Stack>
    </PublicFrame>
  );
}
