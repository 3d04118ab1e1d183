import { Alert, Button, Group, type MantineSpacing, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { describeError } from "../api/client";

/**
 * A form whose fields sit in one wrapping row, ending with its submit button (`after` follows
 * the button, a link say; `disabled` holds the button back until a choice is made). The page's
 * mutation runs on submit.
 */
export function InlineForm({
  onSubmit,
  submitLabel,
  pending,
  children,
  after,
  disabled,
  mt,
}: {
  onSubmit: () => void;
  submitLabel: ReactNode;
  pending: boolean;
  children: ReactNode;
  after?: ReactNode;
  disabled?: boolean;
  mt?: MantineSpacing;
}) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <Group align="flex-end" gap="sm" wrap="wrap" mt={mt}>
        {children}
        <Button type="submit" disabled={disabled} loading={pending}>
          {submitLabel}
        </Button>
        {after}
      </Group>
    </form>
  );
}

/** Why a change was refused (the API's own message), or nothing while there is no error. */
export function MutationError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert mt="sm" color="red" role="alert">
      {describeError(error)}
    </Alert>
  );
}

/** A short confirmation after a change was saved, read out by screen readers. */
export function SavedNote({ children }: { children: ReactNode }) {
  return (
    <Text mt="xs" size="sm" c="teal.9" role="status">
      {children}
    </Text>
  );
}
