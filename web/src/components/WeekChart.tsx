// Loaded only by the Overview, and after its numbers: the chart library is most of the weight.
// A picture of the week's table below it: hidden from screen readers, and so never focusable.
import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import type { Overview } from "../api/types";
import { categoryInfo } from "../categories";
import { formatLocalDate } from "../format";

export default function WeekChart({ overview }: { overview: Overview }) {
  const used = categoryInfo.filter((c) => overview.days.some((d) => (d.byCategory[c.key] ?? 0) > 0));
  const data = overview.days.map((d) => ({
    day: formatLocalDate(d.date),
    ...Object.fromEntries(used.map((c) => [c.label, d.byCategory[c.key] ?? 0])),
  }));
  return (
    <BarChart
      h={260}
      data={data}
      dataKey="day"
      type="stacked"
      series={used.map((c) => ({ name: c.label, color: c.color }))}
      withLegend
      legendProps={{ verticalAlign: "bottom" }}
      accessibilityLayer={false}
      aria-hidden
      data-testid="week-chart"
    />
  );
}
