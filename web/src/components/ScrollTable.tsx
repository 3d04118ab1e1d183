import { Box, Table, VisuallyHidden } from "@mantine/core";
import type { ReactNode } from "react";

/**
 * A table that scrolls sideways on a narrow screen. The scrolling box can take the keyboard
 * focus (arrow keys scroll it), as axe-core's scrollable-region-focusable rule asks.
 */
export function ScrollTable({ minWidth, children }: { minWidth: number; children: ReactNode }) {
  return (
    <Box tabIndex={0} style={{ overflowX: "auto" }}>
      <Box miw={minWidth}>{children}</Box>
    </Box>
  );
}

/** A column heading: its text, or `{ label, right }` for numbers, or `{ label, hidden }` for a column of buttons. */
export type Column = string | { label: string; right?: boolean; hidden?: boolean };

/**
 * A list table inside a ScrollTable, named by the heading `titleId`, with a heading row made
 * from `columns`; `children` are its body rows.
 */
export function DataTable({
  titleId,
  minWidth,
  testId,
  columns,
  children,
}: {
  titleId: string;
  minWidth: number;
  testId?: string | undefined;
  columns: Column[];
  children: ReactNode;
}) {
  return (
    <ScrollTable minWidth={minWidth}>
      <Table striped aria-labelledby={titleId} data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => {
              const { label, right = false, hidden = false } = typeof c === "string" ? { label: c } : c;
              return (
                <Table.Th key={label} scope="col" ta={right ? "right" : undefined}>
                  {hidden ? <VisuallyHidden>{label}</VisuallyHidden> : label}
                </Table.Th>
              );
            })}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
