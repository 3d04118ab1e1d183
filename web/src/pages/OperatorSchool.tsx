// One school as the operator sees it: its name and time zone, suspend and resume, its credit and
// the rules that apply to it (allowance override, over-limit policy), adjustments with a reason,
// its trust, its outbox, its administrators and the notices the operator sent it.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, describeError } from "../api/client";
import type { OperatorGroup, OperatorTenantDetail } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { CreditsInput } from "../components/CreditsInput";
import { InlineForm, MutationError, SavedNote } from "../components/InlineForm";
import { browserZone, ContactDialog, NameInput, policyLabels, TimeZoneSelect } from "../components/OperatorParts";
import { ScrollTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDateTime, formatNumber } from "../format";

type Detail = OperatorTenantDetail;
const detailKey = (id: string) => ["operator", "tenant", id] as const;

function useInvalidate(id: string) {
  const queryClient = useQueryClient();
  return () => {
    queryClient.invalidateQueries({ queryKey: detailKey(id) });
    queryClient.invalidateQueries({ queryKey: ["operator", "tenants"] });
  };
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

function Details({ detail }: { detail: Detail }) {
  const { tenant } = detail;
  const invalidate = useInvalidate(tenant.id);
  const [name, setName] = useState(tenant.name);
  const [zone, setZone] = useState(tenant.pendingTimezone ?? tenant.timezone);
  const save = useMutation({
    mutationFn: () =>
      api("PATCH", `/v1/operator/tenants/${encodeURIComponent(tenant.id)}`, {
        ...(name.trim() !== tenant.name ? { name: name.trim() } : {}),
        ...(zone !== (tenant.pendingTimezone ?? tenant.timezone) ? { timezone: zone } : {}),
      }),
    onSuccess: invalidate,
  });
  return (
    <SectionCard titleId="details-title" title="Name and time zone">
      <InlineForm onSubmit={() => save.mutate()} submitLabel="Save" pending={save.isPending}>
        <NameInput label="School name" value={name} onChange={setName} />
        <TimeZoneSelect value={zone} onChange={setZone} keep={[tenant.timezone, zone]} />
      </InlineForm>
      <Text size="sm" c="dimmed" mt="xs">
        {tenant.pendingTimezone && tenant.timezoneEffectiveFrom
          ? `The school is in ${tenant.timezone} until ${formatDateTime(tenant.timezoneEffectiveFrom, tenant.timezone)}, then ${tenant.pendingTimezone}.`
          : "A new time zone takes effect from the school's next month, so no month is counted twice."}
      </Text>
      <MutationError error={save.error} />
      {save.isSuccess && <SavedNote>Saved.</SavedNote>}
    </SectionCard>
  );
}

function Suspension({ detail }: { detail: Detail }) {
  const { tenant } = detail;
  const invalidate = useInvalidate(tenant.id);
  const [note, setNote] = useState("");
  const suspend = useMutation({
    mutationFn: () =>
      api("POST", `/v1/operator/tenants/${encodeURIComponent(tenant.id)}/suspend`, note.trim() ? { note } : {}),
    onSuccess: () => {
      setNote("");
      invalidate();
    },
  });
  const resume = useMutation({
    mutationFn: () => api("POST", `/v1/operator/tenants/${encodeURIComponent(tenant.id)}/resume`),
    onSuccess: invalidate,
  });
  const error = suspend.error ?? resume.error;
  return (
    <SectionCard titleId="suspension-title" title="Suspension">
      {tenant.suspendedAt ? (
        <Stack gap="sm">
          <Alert color="red" title="Suspended" role="status">
            <Text size="sm">
              Since {formatDateTime(tenant.suspendedAt, browserZone())}
              {tenant.suspendedNote ? `: ${tenant.suspendedNote}` : ""}. Its keys and people are refused and its mail is
              held ({formatNumber(detail.queue.suspended)} emails); nothing is sent and nothing deleted.
            </Text>
          </Alert>
          <Group>
            <Button onClick={() => resume.mutate()} loading={resume.isPending}>
              Resume {tenant.name}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            Suspending refuses the school's API keys, console sign-ins and SMTP logins at once, and holds its waiting
            and scheduled mail until you resume it. Nothing is deleted.
          </Text>
          <Textarea
            label="Why (optional, kept with the suspension)"
            maxLength={500}
            autosize
            minRows={1}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
          />
          <Group>
            <ConfirmButton
              label="Suspend"
              ariaLabel={`Suspend ${tenant.name}`}
              title={`Suspend ${tenant.name}?`}
              message="Its people are signed out of the school's screens and its mail waits until you resume it."
              confirm="Suspend"
              color="red.8"
              variant="filled"
              loading={suspend.isPending}
              onConfirm={() => suspend.mutate()}
            />
          </Group>
        </Stack>
      )}
      {error && (
        <Alert mt="sm" color="red" role="alert">
          {describeError(error)}
        </Alert>
      )}
    </SectionCard>
  );
}

const policyOptions = [
  { value: "", label: "The default for every school" },
  ...Object.entries(policyLabels).map(([value, label]) => ({ value, label })),
];

function CreditRules({ detail }: { detail: Detail }) {
  const { tenant, creditSettings: s } = detail;
  const invalidate = useInvalidate(tenant.id);
  const [allowance, setAllowance] = useState<number | string>(s.monthlyAllowance ?? "");
  const [policy, setPolicy] = useState<string>(s.overLimitPolicy ?? "");
  const [grace, setGrace] = useState<number | string>(s.graceDays ?? "");
  const save = useMutation({
    mutationFn: () =>
      api("PUT", `/v1/operator/tenants/${encodeURIComponent(tenant.id)}/credit-settings`, {
        monthlyAllowance: allowance === "" ? null : Number(allowance),
        overLimitPolicy: policy === "" ? null : policy,
        graceDays: grace === "" ? null : Number(grace),
      }),
    onSuccess: invalidate,
  });
  return (
    <SectionCard titleId="rules-title" title="Allowance and over-limit policy">
      <Text size="sm" c="dimmed" mb="sm">
        Leave a field empty to use the default for every school (Credits screen). Now:{" "}
        {formatNumber(s.effective.monthlyAllowance)} a month, {policyLabels[s.effective.overLimitPolicy]}
        {s.effective.overLimitPolicy === "grace" ? ` (${s.effective.graceDays} days)` : ""}.
      </Text>
      <InlineForm onSubmit={() => save.mutate()} submitLabel="Save rules" pending={save.isPending}>
        <CreditsInput
          label="Monthly allowance"
          placeholder={`Default: ${formatNumber(s.effective.monthlyAllowance)}`}
          min={0}
          value={allowance}
          onChange={setAllowance}
          w={{ base: "100%", sm: 180 }}
        />
        <Select
          label="Over-limit policy"
          data={policyOptions}
          value={policy}
          onChange={(v) => setPolicy(v ?? "")}
          allowDeselect={false}
          w={{ base: "100%", sm: 300 }}
        />
        <NumberInput
          label="Grace days"
          min={0}
          allowDecimal={false}
          allowNegative={false}
          value={grace}
          onChange={setGrace}
          w={{ base: "100%", sm: 120 }}
        />
      </InlineForm>
      <MutationError error={save.error} />
      {save.isSuccess && <SavedNote>The rules were saved; mail held for lack of credit is looked at again.</SavedNote>}
    </SectionCard>
  );
}

function Adjustment({ detail }: { detail: Detail }) {
  const { tenant } = detail;
  const invalidate = useInvalidate(tenant.id);
  const [credits, setCredits] = useState<number | string>("");
  const [note, setNote] = useState("");
  const adjust = useMutation({
    mutationFn: () =>
      api("POST", `/v1/operator/tenants/${encodeURIComponent(tenant.id)}/adjustments`, {
        credits: Number(credits),
        note: note.trim(),
      }),
    onSuccess: () => {
      setCredits("");
      setNote("");
      invalidate();
    },
  });
  return (
    <SectionCard titleId="adjust-title" title="Give or take credit">
      <InlineForm onSubmit={() => adjust.mutate()} submitLabel="Adjust" pending={adjust.isPending}>
        <CreditsInput
          label="Credits (negative to take)"
          required
          negative
          value={credits}
          onChange={setCredits}
          w={{ base: "100%", sm: 200 }}
        />
        <TextInput
          label="Reason"
          description="The school sees it in its credit history"
          required
          maxLength={500}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          w={{ base: "100%", sm: 300 }}
        />
      </InlineForm>
      <MutationError error={adjust.error} />
      {adjust.isSuccess && <SavedNote>The credit was adjusted.</SavedNote>}
    </SectionCard>
  );
}

function Trust({ detail }: { detail: Detail }) {
  const { tenant } = detail;
  const invalidate = useInvalidate(tenant.id);
  const groups = useQuery({
    queryKey: ["operator", "groups", "all"],
    queryFn: () => api<{ items: OperatorGroup[] }>("GET", "/v1/operator/groups?limit=200"),
  });
  const [groupId, setGroupId] = useState<string>(tenant.groupId ?? "");
  const save = useMutation({
    mutationFn: () =>
      api("PUT", `/v1/operator/tenants/${encodeURIComponent(tenant.id)}/group`, {
        groupId: groupId === "" ? null : groupId,
      }),
    onSuccess: invalidate,
  });
  const options = [
    { value: "", label: "No trust" },
    ...(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name })),
  ];
  return (
    <SectionCard titleId="trust-title" title="Trust">
      {groups.isError ? (
        <ErrorState error={groups.error} retry={() => groups.refetch()} />
      ) : (
        <InlineForm
          onSubmit={() => save.mutate()}
          submitLabel="Save trust"
          pending={save.isPending}
          after={
            detail.group && (
              <Anchor component={Link} to={`/operator/trusts/${detail.group.id}`} size="sm">
                Open {detail.group.name}
              </Anchor>
            )
          }
        >
          <Select
            label="The trust it belongs to"
            data={options}
            value={groupId}
            onChange={(v) => setGroupId(v ?? "")}
            allowDeselect={false}
            w={{ base: "100%", sm: 280 }}
          />
        </InlineForm>
      )}
      <MutationError error={save.error} />
    </SectionCard>
  );
}

function Notices({ detail }: { detail: Detail }) {
  const [contacting, setContacting] = useState(false);
  return (
    <Card withBorder component="section" aria-labelledby="notices-title">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4" id="notices-title">
          Notices from you
        </Title>
        <Button size="xs" variant="light" onClick={() => setContacting(true)}>
          Contact
        </Button>
      </Group>
      {detail.notices.length === 0 ? (
        <Empty>You have not contacted this school yet.</Empty>
      ) : (
        <Stack gap="sm" data-testid="notices">
          {detail.notices.map((n) => (
            <div key={n.id}>
              <Text fw={600} size="sm">
                {n.subject}
              </Text>
              <Text size="xs" c="dimmed">
                {formatDateTime(n.at, browserZone())} by {n.sentBy}, to {n.recipients}{" "}
                {n.recipients === 1 ? "administrator" : "administrators"}
              </Text>
            </div>
          ))}
        </Stack>
      )}
      <ContactDialog
        tenant={contacting ? detail.tenant : undefined}
        template="over_limit"
        onClose={() => setContacting(false)}
      />
    </Card>
  );
}

export default function OperatorSchool() {
  const { id = "" } = useParams();
  const detail = useQuery({
    queryKey: detailKey(id),
    queryFn: () => api<Detail>("GET", `/v1/operator/tenants/${encodeURIComponent(id)}`),
  });
  if (detail.isPending) return <Loading label="Loading the school" />;
  if (detail.isError)
    return (
      <Stack>
        <Title order={1} size="h2">
          School
        </Title>
        <ErrorState error={detail.error} retry={() => detail.refetch()} />
        <Anchor component={Link} to="/operator/schools">
          Back to the schools
        </Anchor>
      </Stack>
    );
  const d = detail.data;
  const zone = browserZone();
  return (
    <Stack gap="md" key={`${d.tenant.id}-${d.tenant.name}-${d.tenant.suspendedAt}`}>
      <Anchor component={Link} to="/operator/schools" size="sm">
        All schools
      </Anchor>
      <Group gap="sm" wrap="wrap">
        <Title order={1} size="h2">
          {d.tenant.name}
        </Title>
        {d.tenant.suspendedAt ? <Badge color="red.9">Suspended</Badge> : <Badge color="teal.9">Active</Badge>}
      </Group>
      <SectionCard titleId="glance-title" title="At a glance">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Fact label="Credit available" value={formatNumber(d.credits.available)} testId="school-available" />
          <Fact label={`Used in ${d.credits.period}`} value={formatNumber(d.credits.usedThisPeriod)} />
          <Fact label="Package balance" value={formatNumber(d.credits.packageBalance)} />
          <Fact label="Credit state" value={d.credits.state} />
          <Fact label="Waiting to go" value={formatNumber(d.queue.waiting)} />
          <Fact label="Delayed" value={formatNumber(d.queue.delayed)} />
          <Fact label="Held: no credit" value={formatNumber(d.queue.heldNoCredit)} />
          <Fact label="Held: suspended" value={formatNumber(d.queue.suspended)} />
        </SimpleGrid>
        <Text size="sm" c="dimmed" mt="sm">
          {d.tenant.sendingMode === "own_account"
            ? "Sends through its own mail account"
            : "Sends through Postbag's relay"}
          . Added {formatDateTime(d.tenant.createdAt, zone)}.
        </Text>
      </SectionCard>
      <Suspension detail={d} />
      <Details detail={d} />
      <CreditRules detail={d} />
      <Adjustment detail={d} />
      <Trust detail={d} />
      <SectionCard titleId="admins-title" title="Administrators">
        {d.administrators.length === 0 ? (
          <Empty>No administrator yet: invite one from the Schools screen.</Empty>
        ) : (
          <ScrollTable minWidth={360}>
            <Table aria-labelledby="admins-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Email address</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.administrators.map((a) => (
                  <Table.Tr key={`${a.name}-${a.email}`}>
                    <Table.Td>{a.name}</Table.Td>
                    <Table.Td>{a.email ?? "—"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </SectionCard>
      <Notices detail={d} />
    </Stack>
  );
}
