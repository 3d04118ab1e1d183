// The statistics report's charts, loaded after its numbers (the chart library is most of the
// weight). Both are pictures of numbers the report also shows as text: hidden from screen readers.
import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import { statusInfo } from "../statuses";

export function StatusChart({ counts }: { counts: Record<string, number> }) {
  const data = statusInfo
    .filter((s) => (counts[s.key] ?? 0) > 0)
    .map((s) => ({ status: s.label, Recipients: counts[s.key] ?? 0 }));
  return (
    <BarChart
      h={Math.max(120, data.length * 34)}
      data={data}
      dataKey="status"
      orientation="vertical"
      yAxisProps={{ width: 130 }}
      series={[{ name: "Recipients", color: "indigo.6" }]}
      accessibilityLayer={false}
      aria-hidden
    />
  );
}

/** Opens per hour, every hour from the first to the last shown (hours without opens as 0). */
export function OpensChart({
  hours,
  format,
}: {
  hours: { hour: string; opens: number }[];
  format: (iso: string) => string;
}) {
  const HOUR = 3_600_000;
  const first = Date.parse(hours[0]?.hour ?? "");
  const last = Date.parse(hours[hours.length - 1]?.hour ?? "");
  const byHour = new Map(hours.map((h) => [Date.parse(h.hour), h.opens]));
  const data: { hour: string; Opens: number }[] = [];
  for (let at = first; Number.isFinite(at) && at <= last && data.length < 24 * 14; at += HOUR) {
    data.push({ hour: format(new Date(at).toISOString()), Opens: byHour.get(at) ?? 0 });
  }
  return (
    <BarChart
      h={220}
      data={data}
      dataKey="hour"
      series={[{ name: "Opens", color: "teal.6" }]}
      accessibilityLayer={false}
      aria-hidden
    />
  );
}

export default StatusChart;
