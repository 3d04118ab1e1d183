// Modules > Communication > Overview: this week a day at a time by category (chart and table),
// the credit state, packages to buy, and usage by month.
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { client, describeError, ok } from "../api/client";
import { creditsQuery, overviewQuery } from "../api/queries";
import type { Credits, Package } from "../api/types";
import { categoryInfo } from "../categories";
import { ScrollTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDate, formatLocalDate, formatMonth, formatNumber, formatPrice, shiftWeek } from "../format";
import { useSignedIn } from "../session";

const WeekChart = lazy(() => import("../components/WeekChart"));

/** The last millisecond before `iso`: the inclusive end of a period that ends at `iso`. */
const lastMoment = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();

function WeekSection({ week, setWeek }: { week: string | undefined; setWeek: (w: string | undefined) => void }) {
  const overview = useQuery({ ...overviewQuery(week), placeholderData: keepPreviousData });
  const data = overview.data;
  const used = data ? categoryInfo.filter((c) => (data.totals.byCategory[c.key] ?? 0) > 0) : [];
  return (
    <Card withBorder component="section" aria-labelledby="week-title">
      <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
        <Title order={2} size="h4" id="week-title">
          {data ? `Week of ${formatLocalDate(data.weekStart, true)}` : "This week"}
        </Title>
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            disabled={!data}
            onClick={() => data && setWeek(shiftWeek(data.week, -1))}
          >
            Previous week
          </Button>
          <Button size="xs" variant="default" disabled={week === undefined} onClick={() => setWeek(undefined)}>
            This week
          </Button>
          <Button size="xs" variant="default" disabled={!data} onClick={() => data && setWeek(shiftWeek(data.week, 1))}>
            Next week
          </Button>
        </Group>
      </Group>
      {overview.isPending ? (
        <Loading label="Loading the week" />
      ) : overview.isError ? (
        <ErrorState error={overview.error} retry={() => overview.refetch()} />
      ) : data ? (
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            {formatNumber(data.totals.total)} emails sent from {formatLocalDate(data.weekStart)} to{" "}
            {formatLocalDate(data.weekEnd, true)} ({data.timezone}); {formatNumber(data.totals.counted)} counted against
            credit.
          </Text>
          {data.totals.total > 0 && (
            <Suspense fallback={<Skeleton h={260} data-testid="week-chart-loading" />}>
              <WeekChart overview={data} />
            </Suspense>
          )}
          <ScrollTable minWidth={420}>
            <Table striped withTableBorder aria-labelledby="week-title" data-testid="week-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Day</Table.Th>
                  {used.map((c) => (
                    <Table.Th scope="col" key={c.key} ta="right">
                      {c.label}
                    </Table.Th>
                  ))}
                  <Table.Th scope="col" ta="right">
                    Total
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Counted
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.days.map((d) => (
                  <Table.Tr key={d.date}>
                    <Table.Th scope="row" fw={400} style={{ whiteSpace: "nowrap" }}>
                      {formatLocalDate(d.date)}
                    </Table.Th>
                    {used.map((c) => (
                      <Table.Td key={c.key} ta="right">
                        {formatNumber(d.byCategory[c.key] ?? 0)}
                      </Table.Td>
                    ))}
                    <Table.Td ta="right">{formatNumber(d.total)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(d.counted)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
          {data.totals.total === 0 && <Empty>No mail was sent this week.</Empty>}
        </Stack>
      ) : null}
    </Card>
  );
}

const stateText = {
  ok: { color: "teal.9", label: "OK", text: "There is credit left for this month." },
  low: { color: "yellow.4", label: "Low", text: "90% or more of this month's credit is used." },
  over: { color: "red.9", label: "Over", text: "No credit is left this month." },
} as const;

export function policyText(credits: Pick<Credits, "overLimitPolicy" | "graceDays">): string {
  switch (credits.overLimitPolicy) {
    case "hard":
      return "When no credit is left, counted mail is held until credit is bought or the next month starts. Alerts and other critical mail still go.";
    case "grace":
      return `When no credit is left, mail keeps going for ${credits.graceDays} day(s) with reminders; after that counted mail is held until credit is bought or the next month starts.`;
    default:
      return "When no credit is left, mail keeps going and administrators are reminded every 3 days to buy credit.";
  }
}

function CreditSection({ credits }: { credits: Credits | undefined }) {
  const { timezone } = useSignedIn();
  const state = credits ? stateText[credits.state] : undefined;
  return (
    <Card withBorder component="section" aria-labelledby="credit-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="credit-title">
          Credit
        </Title>
        {state && (
          <Badge color={state.color} autoContrast size="lg" data-testid="credit-state">
            {state.label}
          </Badge>
        )}
      </Group>
      {!credits ? (
        <Loading label="Loading the credit" />
      ) : (
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Stat label="Monthly allowance" value={credits.monthlyAllowance} />
            <Stat label="Used this month" value={credits.usedThisPeriod} />
            <Stat label="Purchased balance" value={credits.packageBalance} testId="package-balance" />
            <Stat label="Available now" value={credits.available} testId="available" />
          </SimpleGrid>
          <Text size="sm">
            <strong>{state?.label}:</strong> {state?.text} This credit month runs from{" "}
            {formatDate(credits.periodStart, timezone)} to {formatDate(lastMoment(credits.periodEnd), timezone)}; unused
            allowance does not roll over, and purchased credit is spent first.
          </Text>
          <Text size="sm" c="dimmed">
            {policyText(credits)}
          </Text>
        </Stack>
      )}
    </Card>
  );
}

function Stat({ label, value, testId }: { label: string; value: number; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {formatNumber(value)}
      </Text>
    </div>
  );
}

function PackagesSection() {
  const { isAdmin } = useSignedIn();
  const queryClient = useQueryClient();
  const [buying, setBuying] = useState<Package | undefined>();
  const packages = useQuery({
    queryKey: ["packages"],
    queryFn: () => ok(client.GET("/v1/packages", { params: { query: { limit: 50 } } })),
  });
  const buy = useMutation({
    mutationFn: (pkg: Package) =>
      ok(
        client.POST("/v1/packages/{id}/purchase", {
          params: { path: { id: pkg.id }, header: { "idempotency-key": crypto.randomUUID() } },
        }),
      ),
    onSuccess: (balance, pkg) => {
      setBuying(undefined);
      queryClient.setQueryData(["credits"], balance);
      queryClient.invalidateQueries({ queryKey: ["overview"] });
      queryClient.invalidateQueries({ queryKey: ["credits"] });
      notifications.show({
        color: "teal",
        title: "Bought",
        message: `${pkg.name}: ${formatNumber(pkg.credits)} credits added.`,
      });
    },
  });
  const items = (packages.data?.items ?? []).filter((p) => p.active) as Package[];
  return (
    <SectionCard titleId="packages-title" title="Buy more credit">
      {!isAdmin && (
        <Text size="sm" c="dimmed" mb="sm">
          Only administrators can buy packages.
        </Text>
      )}
      {packages.isPending ? (
        <Loading label="Loading the packages" />
      ) : packages.isError ? (
        <ErrorState error={packages.error} retry={() => packages.refetch()} />
      ) : items.length === 0 ? (
        <Empty>No packages are on offer. Ask the operator of this Postbag.</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {items.map((p) => (
            <Card key={p.id} withBorder padding="sm">
              <Text fw={600}>{p.name}</Text>
              <Text size="sm">{formatNumber(p.credits)} credits</Text>
              <Text size="sm" c="dimmed">
                {p.expiresInDays ? `Expire ${p.expiresInDays} days after purchase` : "Do not expire"}
              </Text>
              <Text fw={700} mt={4}>
                {formatPrice(p.price)}
              </Text>
              {isAdmin && (
                <Button mt="sm" size="xs" onClick={() => setBuying(p)} aria-label={`Buy ${p.name}`}>
                  Buy
                </Button>
              )}
            </Card>
          ))}
        </SimpleGrid>
      )}
      <Modal
        opened={buying !== undefined}
        onClose={() => setBuying(undefined)}
        title="Buy this package?"
        closeButtonProps={{ "aria-label": "Close" }}
      >
        {buying && (
          <Stack>
            <Text>
              {buying.name}: {formatNumber(buying.credits)} credits for {formatPrice(buying.price)}. The credit is added
              now; payment is arranged with the operator.
            </Text>
            {buy.isError && (
              <Alert color="red" role="alert">
                {describeError(buy.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setBuying(undefined)}>
                Cancel
              </Button>
              <Button loading={buy.isPending} onClick={() => buy.mutate(buying)}>
                Buy {buying.name}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </SectionCard>
  );
}

function UsageSection() {
  const [months, setMonths] = useState(6);
  const usage = useQuery({
    queryKey: ["usage", months],
    queryFn: () => ok(client.GET("/v1/reports/usage", { params: { query: { months } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <SectionCard titleId="usage-title" title="Usage by month">
      {usage.isPending ? (
        <Loading label="Loading the usage" />
      ) : usage.isError ? (
        <ErrorState error={usage.error} retry={() => usage.refetch()} />
      ) : (
        <>
          <ScrollTable minWidth={360}>
            <Table striped withTableBorder aria-labelledby="usage-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Month</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Counted
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Free
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Allowance
                  </Table.Th>
                  <Table.Th scope="col">Over the limit</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {usage.data.map((m) => (
                  <Table.Tr key={m.month}>
                    <Table.Th scope="row" fw={400} style={{ whiteSpace: "nowrap" }}>
                      {formatMonth(m.month)}
                    </Table.Th>
                    <Table.Td ta="right">{formatNumber(m.counted)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(m.uncounted)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(m.allowance)}</Table.Td>
                    <Table.Td>{m.overLimit ? "Yes" : "No"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
          {months < 36 && (
            <Button
              display="block"
              mt="sm"
              size="xs"
              variant="default"
              loading={usage.isFetching}
              onClick={() => setMonths(Math.min(36, months + 6))}
            >
              Show earlier months
            </Button>
          )}
        </>
      )}
    </SectionCard>
  );
}

export function Overview() {
  const [week, setWeek] = useState<string | undefined>();
  const credits = useQuery(creditsQuery);
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Overview
      </Title>
      <CreditSection credits={credits.data} />
      {credits.isError && <ErrorState error={credits.error} retry={() => credits.refetch()} />}
      <WeekSection week={week} setWeek={setWeek} />
      <PackagesSection />
      <UsageSection />
    </Stack>
  );
}
