// The operator's reports: schools over their credit limit this month, and repeat offenders
// (over in consecutive months), each with when they were last contacted and a Contact action
// that sends the school's administrators a templated notice.
import { Anchor, Button, Card, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router";
import type { OverLimitTenant, RepeatOffender } from "../api/types";
import { browserZone, ContactDialog, type NoticeTemplate } from "../components/OperatorParts";
import { loadedItems, ShowMore, useCursorPages } from "../components/PagedResults";
import { DataTable } from "../components/ScrollTable";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDateTime, formatMonth, formatNumber } from "../format";

interface Contacting {
  tenant: { id: string; name: string };
  template: NoticeTemplate;
}

const contacted = (iso: string | null) => (iso ? formatDateTime(iso, browserZone()) : "Never");

export default function OperatorReports() {
  const [contacting, setContacting] = useState<Contacting | undefined>();
  const over = useCursorPages<OverLimitTenant>(
    ["operator", "reports", "over-limit"],
    "/v1/operator/reports/over-limit",
  );
  const repeat = useCursorPages<RepeatOffender>(
    ["operator", "reports", "repeat"],
    "/v1/operator/reports/repeat-offenders",
  );
  const overItems = loadedItems(over);
  const repeatItems = loadedItems(repeat);
  const schoolLink = (id: string, name: string) => (
    <Anchor component={Link} to={`/operator/schools/${id}`}>
      {name}
    </Anchor>
  );
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Reports
      </Title>
      <Card withBorder component="section" aria-labelledby="repeat-title">
        <Title order={2} size="h4" id="repeat-title">
          Repeat offenders
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          Schools over their limit in two or more months running, in the last 12 months.
        </Text>
        {repeat.isPending ? (
          <Loading label="Loading the repeat offenders" />
        ) : repeat.isError ? (
          <ErrorState error={repeat.error} retry={() => repeat.refetch()} />
        ) : repeatItems.length === 0 ? (
          <Empty>No school has gone over its limit two months running.</Empty>
        ) : (
          <DataTable
            titleId="repeat-title"
            minWidth={620}
            testId="repeat-table"
            columns={["School", "Months running", "Months over", "Last contacted", { label: "Actions", hidden: true }]}
          >
            {repeatItems.map((r) => (
              <Table.Tr key={r.tenantId}>
                <Table.Td>{schoolLink(r.tenantId, r.tenantName)}</Table.Td>
                <Table.Td>{r.run}</Table.Td>
                <Table.Td>{r.overMonths.map(formatMonth).join(", ")}</Table.Td>
                <Table.Td>{contacted(r.lastContactedAt)}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    aria-label={`Contact ${r.tenantName}`}
                    onClick={() =>
                      setContacting({
                        tenant: { id: r.tenantId, name: r.tenantName },
                        template: "repeat_offender",
                      })
                    }
                  >
                    Contact
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
        <ShowMore query={repeat} />
      </Card>
      <Card withBorder component="section" aria-labelledby="over-title">
        <Title order={2} size="h4" id="over-title">
          Over the limit this month
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          Each school's current month in its own time zone.
        </Text>
        {over.isPending ? (
          <Loading label="Loading the schools over their limit" />
        ) : over.isError ? (
          <ErrorState error={over.error} retry={() => over.refetch()} />
        ) : overItems.length === 0 ? (
          <Empty>No school is over its limit this month.</Empty>
        ) : (
          <DataTable
            titleId="over-title"
            minWidth={620}
            testId="over-table"
            columns={["School", "Counted", "Allowance", "Last contacted", { label: "Actions", hidden: true }]}
          >
            {overItems.map((o) => (
              <Table.Tr key={o.tenantId}>
                <Table.Td>{schoolLink(o.tenantId, o.tenantName)}</Table.Td>
                <Table.Td>{formatNumber(o.counted)}</Table.Td>
                <Table.Td>{formatNumber(o.allowance)}</Table.Td>
                <Table.Td>{contacted(o.lastContactedAt)}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    aria-label={`Contact ${o.tenantName} about this month`}
                    onClick={() =>
                      setContacting({ tenant: { id: o.tenantId, name: o.tenantName }, template: "over_limit" })
                    }
                  >
                    Contact
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
        <ShowMore query={over} />
      </Card>
      <ContactDialog
        tenant={contacting?.tenant}
        template={contacting?.template ?? "over_limit"}
        onClose={() => setContacting(undefined)}
      />
    </Stack>
  );
}
