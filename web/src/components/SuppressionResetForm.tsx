// Resetting a suppressed address (administrators): a required note, kept in the audit.
import { Alert, Button, Group, Stack, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { client, describeError, ok } from "../api/client";

export function SuppressionResetForm({
  email,
  onDone,
  onCancel,
}: {
  email: string;
  onDone: () => void;
  onCancel?: () => void;
}) {
  const queryClient = useQueryClient();
  const [note, setNote] = useState("");
  const reset = useMutation({
    mutationFn: () => ok(client.DELETE("/v1/suppressions/{email}", { params: { path: { email } }, body: { note } })),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ["suppressions"] });
      queryClient.invalidateQueries({ queryKey: ["audit"] });
      notifications.show({ color: "teal", title: "Reset", message: `${email} can be mailed again.` });
      onDone();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        reset.mutate();
      }}
    >
      <Stack gap="xs" mt="xs">
        <Textarea
          label={`Why may ${email} be mailed again?`}
          description="Kept in the audit with your name."
          required
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          maxLength={500}
        />
        {reset.isError && (
          <Alert color="red" role="alert">
            {describeError(reset.error)}
          </Alert>
        )}
        <Group gap="xs">
          <Button type="submit" size="xs" color="red" loading={reset.isPending} disabled={!note.trim()}>
            Reset suppression
          </Button>
          {onCancel && (
            <Button size="xs" variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
