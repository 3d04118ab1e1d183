// Pieces the operator's screens share: dates in the browser's zone (the operator belongs to no
// school), the policy names, the list of all schools for pickers, the name and time-zone fields,
// and the Contact dialog.
import { Alert, Button, Group, Modal, Radio, Select, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, describeError } from "../api/client";
import type { OperatorNotice, OperatorTenant } from "../api/types";

/** The operator belongs to no school: their own dates are in the browser's time zone. */
export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export const policyLabels: Record<string, string> = {
  soft: "Soft: keep sending and remind",
  hard: "Hard: hold counted mail at 0 credit",
  grace: "Grace: soft for some days, then hard",
};

/** The name of a school, trust or package (the API takes up to 200 characters). */
export function NameInput({
  label,
  value,
  onChange,
  width = 280,
}: {
  label: string;
  value: string;
  onChange: (name: string) => void;
  width?: number;
}) {
  return (
    <TextInput
      label={label}
      required
      maxLength={200}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      w={{ base: "100%", sm: width }}
    />
  );
}

/** A school's time zone, searchable; `keep` are zones offered even where the browser does not list them. */
export function TimeZoneSelect({
  value,
  onChange,
  keep,
}: {
  value: string;
  onChange: (zone: string) => void;
  keep: string[];
}) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  for (const z of keep) if (!zones.includes(z)) zones.unshift(z);
  return (
    <Select
      label="Time zone"
      searchable
      data={zones}
      value={value}
      onChange={(v) => v && onChange(v)}
      allowDeselect={false}
      limit={100}
      w={{ base: "100%", sm: 240 }}
    />
  );
}

export const TENANTS_KEY = ["operator", "tenants"] as const;

/** Every school (all pages), for pickers and names: an operator runs tens to hundreds, not millions. */
export function useAllTenants() {
  return useQuery({
    queryKey: [...TENANTS_KEY, "all"],
    queryFn: async () => {
      const out: OperatorTenant[] = [];
      let cursor = "";
      for (let page = 0; page < 100; page++) {
        const res = await api<{ items: OperatorTenant[]; nextCursor: string | null }>(
          "GET",
          `/v1/operator/tenants?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
        out.push(...res.items);
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      return out;
    },
  });
}

export type NoticeTemplate = "over_limit" | "repeat_offender";

const templates: { value: NoticeTemplate; label: string; description: string }[] = [
  {
    value: "over_limit",
    label: "Over the limit this month",
    description: "States how many counted emails the school sent this month against its allowance.",
  },
  {
    value: "repeat_offender",
    label: "Over the limit month after month",
    description: "Lists the months the school went over its allowance in the last year.",
  },
];

/**
 * Contact a school: a templated notice to its administrators, with the operator's own words
 * added. `tenant` undefined: closed.
 */
export function ContactDialog({
  tenant,
  template,
  onClose,
}: {
  tenant: { id: string; name: string } | undefined;
  template: NoticeTemplate;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<NoticeTemplate>(template);
  const [message, setMessage] = useState("");
  const [opened, setOpened] = useState<string | undefined>();
  if (tenant && opened !== tenant.id) {
    setOpened(tenant.id);
    setChosen(template);
    setMessage("");
  }
  const send = useMutation({
    mutationFn: (t: { id: string }) =>
      api<OperatorNotice>("POST", `/v1/operator/tenants/${encodeURIComponent(t.id)}/notices`, {
        template: chosen,
        ...(message.trim() ? { message } : {}),
      }),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ["operator"] });
    },
  });
  const close = () => {
    send.reset();
    setOpened(undefined);
    onClose();
  };
  return (
    <Modal
      opened={tenant !== undefined}
      onClose={close}
      title={tenant ? `Contact ${tenant.name}` : ""}
      closeButtonProps={{ "aria-label": "Close" }}
      size="lg"
    >
      {tenant && (
        <Stack>
          <Text size="sm">
            The school's administrators each get an email from Postbag with the facts from the reports, the terms' "we
            may contact you to discuss", and your words below. It is recorded on the school.
          </Text>
          {send.data ? (
            <Alert color="teal" title="Notice sent" role="status">
              <Text size="sm">
                "{send.data.subject}" went to {send.data.recipients}{" "}
                {send.data.recipients === 1 ? "administrator" : "administrators"}.
              </Text>
            </Alert>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                send.mutate(tenant);
              }}
            >
              <Stack gap="sm">
                <Radio.Group label="Notice" value={chosen} onChange={(v) => setChosen(v as NoticeTemplate)} required>
                  <Stack gap="xs" mt="xs">
                    {templates.map((t) => (
                      <Radio key={t.value} value={t.value} label={t.label} description={t.description} />
                    ))}
                  </Stack>
                </Radio.Group>
                <Textarea
                  label="Your message (optional)"
                  description="Added to the notice as you write it, say to suggest a time to talk."
                  autosize
                  minRows={3}
                  maxLength={2000}
                  value={message}
                  onChange={(e) => setMessage(e.currentTarget.value)}
                />
                <Group justify="flex-end">
                  <Button variant="default" onClick={close}>
                    Cancel
                  </Button>
                  <Button type="submit" loading={send.isPending}>
                    Send notice
                  </Button>
                </Group>
              </Stack>
            </form>
          )}
          {send.isError && (
            <Alert color="red" role="alert">
              {describeError(send.error)}
            </Alert>
          )}
          {send.data && (
            <Group justify="flex-end">
              <Button onClick={close}>Done</Button>
            </Group>
          )}
        </Stack>
      )}
    </Modal>
  );
}
