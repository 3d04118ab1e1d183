import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import type { ReactNode } from "react";

/** A button that asks first; `children` of the dialog may hold extra choices. */
export function ConfirmButton({
  label,
  ariaLabel,
  title,
  message,
  confirm,
  onConfirm,
  loading,
  color = "red",
  variant = "light",
  children,
}: {
  label: string;
  ariaLabel: string;
  title: string;
  message: string;
  confirm: string;
  onConfirm: () => void;
  loading?: boolean;
  /** The button's colour and variant (default light red). */
  color?: string;
  variant?: "light" | "filled" | "outline";
  children?: ReactNode;
}) {
  const [opened, { open, close }] = useDisclosure();
  return (
    <>
      <Button size="xs" variant={variant} color={color} onClick={open} aria-label={ariaLabel}>
        {label}
      </Button>
      <Modal opened={opened} onClose={close} title={title} closeButtonProps={{ "aria-label": "Close" }}>
        <Stack>
          <Text>{message}</Text>
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={loading ?? false}
              onClick={() => {
                onConfirm();
                close();
              }}
            >
              {confirm}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
