// Opened from a mailed link. The GET of this page spends nothing (mail scanners open every
// link); the button POSTs the token from the fragment.
import { Alert, Button, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api, describeError } from "../api/client";
import type { Session } from "../api/types";
import { fragmentToken, PublicFrame } from "../components/PublicFrame";
import { useAdoptSession } from "../session";

export default function SignInLink() {
  const [token] = useState(fragmentToken);
  const adopt = useAdoptSession();
  const navigate = useNavigate();
  const redeem = useMutation({
    mutationFn: () => api<Session>("POST", "/v1/sign-in-links/redeem", { token }),
    onSuccess: (session) => {
      adopt(session);
      navigate("/", { replace: true });
    },
  });
  return (
    <PublicFrame title="Sign in with your link">
      {token ? (
        <>
          <Text>Press the button to sign in to Postbag in this browser.</Text>
          {redeem.isError && (
            <Alert color="red" role="alert" title="This link did not work">
              {describeError(redeem.error)} Links work once and for 15 minutes: ask for a new one from the sign-in page.
            </Alert>
          )}
          <Button onClick={() => redeem.mutate()} loading={redeem.isPending}>
            Sign in
          </Button>
        </>
      ) : (
        <Alert color="red" role="alert" title="This link is incomplete">
          Open the whole link from your email, or ask for a new one from the sign-in page.
        </Alert>
      )}
    </PublicFrame>
  );
}
