// What changed money, mail or access, and who did it (a person or a key).
import { Code, Stack, Table, Text, Title } from "@mantine/core";
import type { AuditEntry } from "../api/types";
import { loadedItems, PagedResults, useCursorPages } from "../components/PagedResults";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { formatDateTime } from "../format";
import { useSignedIn } from "../session";

function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return "";
  if (typeof detail === "string") return detail;
  return Object.entries(detail as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("; ");
}

export default function Audit() {
  const { timezone } = useSignedIn();
  const audit = useCursorPages<AuditEntry>(["audit"], "/v1/audit");
  const items = loadedItems(audit);
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Audit
      </Title>
      <SectionCard titleId="audit-title" title="Recent actions">
        <PagedResults
          query={audit}
          count={items.length}
          empty="Nothing recorded yet."
          more="Show older actions"
          moreSize="xs"
        >
          <DataTable
            titleId="audit-title"
            minWidth={640}
            testId="audit-table"
            columns={["When", "Who", "Action", "On", "Detail"]}
          >
            {items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{formatDateTime(e.at, timezone)}</Table.Td>
                <Table.Td>
                  {e.actor.name ?? e.actor.id}
                  <Text size="xs" c="dimmed">
                    {e.actor.kind === "key" ? "API key" : "Person"}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Code>{e.action}</Code>
                </Table.Td>
                <Table.Td>{e.target ?? "—"}</Table.Td>
                <Table.Td>
                  <Text size="sm">{detailText(e.detail)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        </PagedResults>
      </SectionCard>
    </Stack>
  );
}
