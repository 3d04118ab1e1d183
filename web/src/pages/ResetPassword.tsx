import { Alert, Button, Stack } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api, describeError } from "../api/client";
import type { Session } from "../api/types";
import { NewPassword } from "../components/NewPassword";
import { fragmentToken, PublicFrame } from "../components/PublicFrame";
import { useAdoptSession } from "../session";

export default function ResetPassword() {
  const [token] = useState(fragmentToken);
  const [password, setPassword] = useState("");
  const adopt = useAdoptSession();
  const navigate = useNavigate();
  const reset = useMutation({
    mutationFn: () => api<Session>("POST", "/v1/password-resets/redeem", { token, password }),
    onSuccess: (session) => {
      adopt(session);
      navigate("/", { replace: true });
    },
  });
  if (!token) {
    return (
      <PublicFrame title="Choose a new password">
        <Alert color="red" role="alert" title="This link is incomplete">
          Open the whole link from your email, or ask for a new one.
        </Alert>
      </PublicFrame>
    );
  }
  return (
    <PublicFrame title="Choose a new password">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          reset.mutate();
        }}
      >
        <Stack gap="sm">
          <NewPassword value={password} onChange={setPassword} />
          {reset.isError && (
            <Alert color="red" role="alert" title="Password not changed">
              {describeError(reset.error)}
            </Alert>
          )}
          <Button type="submit" loading={reset.isPending}>
            Save the password and sign in
          </Button>
        </Stack>
      </form>
    </PublicFrame>
  );
}
