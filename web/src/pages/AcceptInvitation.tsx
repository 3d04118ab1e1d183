// Opened from an invitation email. Reading the invitation (GET) spends nothing; accepting it
// POSTs the token with the person's name and password.
import { Alert, Button, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api, describeError } from "../api/client";
import type { Invitation, Session } from "../api/types";
import { NewPassword } from "../components/NewPassword";
import { fragmentToken, PublicFrame } from "../components/PublicFrame";
import { Loading } from "../components/States";
import { useAdoptSession } from "../session";

function AcceptForm({ token, invitation }: { token: string; invitation: Invitation }) {
  const [name, setName] = useState(invitation.name);
  const [password, setPassword] = useState("");
  const adopt = useAdoptSession();
  const navigate = useNavigate();
  const accept = useMutation({
    mutationFn: () => api<Session>("POST", "/v1/invitations/accept", { token, name, password }),
    onSuccess: (session) => {
      adopt(session);
      navigate("/", { replace: true });
    },
  });
  const where = invitation.operator
    ? "as an operator of this Postbag"
    : `to ${invitation.tenantName ?? "a school"} as ${invitation.role === "administrator" ? "an administrator" : "staff"}`;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        accept.mutate();
      }}
    >
      <Stack gap="sm">
        <Text>
          {invitation.email} is invited {where}.
        </Text>
        <TextInput
          label="Your name"
          autoComplete="name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <NewPassword value={password} onChange={setPassword} />
        {accept.isError && (
          <Alert color="red" role="alert" title="Not accepted yet">
            {describeError(accept.error)}
          </Alert>
        )}
        <Button type="submit" loading={accept.isPending}>
          Accept and sign in
        </Button>
      </Stack>
    </form>
  );
}

export default function AcceptInvitation() {
  const [token] = useState(fragmentToken);
  const invitation = useQuery({
    queryKey: ["invitation", token],
    queryFn: () => api<Invitation>("GET", `/v1/invitations/${encodeURIComponent(token ?? "")}`),
    enabled: Boolean(token),
    retry: false,
  });
  return (
    <PublicFrame title="Accept your invitation">
      {!token ? (
        <Alert color="red" role="alert" title="This link is incomplete">
          Open the whole link from your invitation email.
        </Alert>
      ) : invitation.isPending ? (
        <Loading label="Reading the invitation" />
      ) : invitation.isError ? (
        <Alert color="red" role="alert" title="This invitation cannot be used">
          {describeError(invitation.error)} Invitations work once, for 7 days: ask whoever invited you for a new one.
        </Alert>
      ) : (
        <AcceptForm token={token} invitation={invitation.data} />
      )}
    </PublicFrame>
  );
}
