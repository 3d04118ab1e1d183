// Config > Communication > Configurations: who gets the low-credit email, the school's time
// zone (from the next credit period), and the allowance and over-limit policy (read-only).
import { Alert, Button, Card, Group, MultiSelect, Select, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, client, describeError, ok } from "../api/client";
import { creditsQuery } from "../api/queries";
import type { Person, TenantInfo } from "../api/types";
import { ErrorState, Loading } from "../components/States";
import { formatDateTime, formatNumber } from "../format";
import { useSignedIn } from "../session";
import { policyText } from "./Overview";

function RecipientsSection() {
  const queryClient = useQueryClient();
  const recipients = useQuery({
    queryKey: ["low-credit-recipients"],
    queryFn: () => ok(client.GET("/v1/credits/low-credit-recipients")),
  });
  const people = useQuery({ queryKey: ["people"], queryFn: () => api<{ items: Person[] }>("GET", "/v1/people") });
  const [picked, setPicked] = useState<string[] | undefined>();
  useEffect(() => {
    if (recipients.data && picked === undefined) setPicked(recipients.data.recipients);
  }, [recipients.data, picked]);
  const save = useMutation({
    mutationFn: (list: string[]) => ok(client.PUT("/v1/credits/low-credit-recipients", { body: { recipients: list } })),
    onSuccess: (data) => {
      queryClient.setQueryData(["low-credit-recipients"], data);
      setPicked(data.recipients);
      notifications.show({ color: "teal", title: "Saved", message: "The low-credit email recipients are saved." });
    },
  });
  // People are picked by address; entries made through the API (user ids, addresses) stay listed.
  const options = new Map<string, string>();
  for (const p of people.data?.items ?? []) options.set(p.email, p.name ? `${p.name} <${p.email}>` : p.email);
  for (const r of picked ?? []) if (!options.has(r)) options.set(r, r);
  return (
    <Card withBorder component="section" aria-labelledby="recipients-title">
      <Title order={2} size="h4" id="recipients-title" mb="xs">
        Low credit email recipients
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Who is emailed when the school has used 90% of its credit, and reminded while it is over. Administrators are
        emailed too.
      </Text>
      {recipients.isPending || picked === undefined ? (
        recipients.isError ? (
          <ErrorState error={recipients.error} retry={() => recipients.refetch()} />
        ) : (
          <Loading />
        )
      ) : (
        <Stack gap="sm">
          <MultiSelect
            label="Staff members"
            placeholder={people.isPending ? "Loading people…" : "Pick staff members"}
            searchable
            data={[...options].map(([value, label]) => ({ value, label }))}
            value={picked}
            onChange={setPicked}
            nothingFoundMessage="Nobody by that name"
          />
          {people.isError && (
            <Text size="sm" c="red.9">
              {describeError(people.error)}
            </Text>
          )}
          {save.isError && (
            <Alert color="red" role="alert">
              {describeError(save.error)}
            </Alert>
          )}
          <Group>
            <Button onClick={() => save.mutate(picked)} loading={save.isPending}>
              Save recipients
            </Button>
          </Group>
        </Stack>
      )}
    </Card>
  );
}

function TimezoneSection() {
  const queryClient = useQueryClient();
  const { timezone: current } = useSignedIn();
  const tenant = useQuery({ queryKey: ["tenant"], queryFn: () => api<TenantInfo>("GET", "/v1/tenant") });
  const [zone, setZone] = useState<string | null>(null);
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [current];
  const save = useMutation({
    mutationFn: (timezone: string) => api<TenantInfo>("PATCH", "/v1/tenant", { timezone }),
    onSuccess: (data) => {
      queryClient.setQueryData(["tenant"], data);
      notifications.show({
        color: "teal",
        title: "Saved",
        message: "The time zone changes from the next credit period.",
      });
    },
  });
  const data = tenant.data;
  return (
    <Card withBorder component="section" aria-labelledby="timezone-title">
      <Title order={2} size="h4" id="timezone-title" mb="xs">
        Time zone
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Days, weeks and months of reports and credit follow this time zone. A change takes effect from the next credit
        period (the 1st of next month), so this month is counted as it started.
      </Text>
      {tenant.isPending ? (
        <Loading />
      ) : tenant.isError ? (
        <ErrorState error={tenant.error} retry={() => tenant.refetch()} />
      ) : data ? (
        <Stack gap="sm">
          <Text size="sm">
            Now: <strong>{data.timezone}</strong>
            {data.pendingTimezone && (
              <>
                {" "}
                — changing to <strong>{data.pendingTimezone}</strong> from{" "}
                {formatDateTime(data.timezoneEffectiveFrom, data.timezone)}
              </>
            )}
          </Text>
          <Select
            label="New time zone"
            searchable
            data={zones}
            value={zone ?? data.pendingTimezone ?? data.timezone}
            onChange={setZone}
            allowDeselect={false}
            limit={100}
          />
          {save.isError && (
            <Alert color="red" role="alert">
              {describeError(save.error)}
            </Alert>
          )}
          <Group>
            <Button
              disabled={!zone || zone === (data.pendingTimezone ?? data.timezone)}
              loading={save.isPending}
              onClick={() => zone && save.mutate(zone)}
            >
              Change from the next credit period
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Card>
  );
}

function CreditRulesSection() {
  const credits = useQuery(creditsQuery);
  return (
    <Card withBorder component="section" aria-labelledby="rules-title">
      <Title order={2} size="h4" id="rules-title" mb="xs">
        Allowance and over-limit policy
      </Title>
      {credits.isPending ? (
        <Loading />
      ) : credits.isError ? (
        <ErrorState error={credits.error} retry={() => credits.refetch()} />
      ) : (
        <Stack gap={4}>
          <Text size="sm">
            Monthly allowance: <strong>{formatNumber(credits.data.monthlyAllowance)}</strong> emails
          </Text>
          <Text size="sm">
            Over-limit policy: <strong>{credits.data.overLimitPolicy}</strong>. {policyText(credits.data)}
          </Text>
          <Text size="sm" c="dimmed">
            Set by the operator of this Postbag; ask them to change it.
          </Text>
        </Stack>
      )}
    </Card>
  );
}

export default function Configurations() {
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Configurations
      </Title>
      <RecipientsSection />
      <TimezoneSection />
      <CreditRulesSection />
    </Stack>
  );
}
