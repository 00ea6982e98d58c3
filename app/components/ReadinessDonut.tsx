import { Cell, Label, Legend, Pie, PieChart, ResponsiveContainer, Tooltip } from "recharts";
import { CHART_COLORS } from "~/dashboard/chart-colors";
import type { FleetTotals } from "~/dashboard/types";
import { plural } from "~/dashboard/words";
import { ChartFrame } from "./ClientOnly";

/** The fleet's readiness as a donut: each slice labelled with its count, the total in the middle, the counts in the legend. */
export function ReadinessDonut({ totals }: { totals: FleetTotals }) {
  const slices = [
    { name: "Ready", value: totals.ready, color: CHART_COLORS.ready },
    { name: "Not ready", value: totals.notReady, color: CHART_COLORS.notReady },
    { name: "Unsupported", value: totals.unsupported, color: CHART_COLORS.unsupported },
    { name: "Unknown", value: totals.unknown, color: CHART_COLORS.unknown },
  ];
  const shown = slices.filter((s) => s.value > 0);
  const summary = `${plural(totals.total, "application")}: ${slices.map((s) => `${s.name} ${s.value}`).join(", ")}`;
  const counts = new Map(slices.map((s) => [s.name, s.value]));
  return (
    <ChartFrame
      title="Readiness of the fleet"
      summary={summary}
      height={240}
      table={{ columns: ["Readiness", "Applications"], rows: slices.map((s) => [s.name, s.value]) }}
    >
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <PieChart accessibilityLayer={false}>
            <Pie
              data={shown}
              dataKey="value"
              nameKey="name"
              innerRadius="50%"
              outerRadius="78%"
              isAnimationActive={false}
              rootTabIndex={-1}
              label={{ fill: CHART_COLORS.text, fontSize: 13 }}
              labelLine={false}
            >
              {shown.map((s) => (
                <Cell key={s.name} fill={s.color} />
              ))}
              <Label value={`${totals.total} total`} position="center" fill={CHART_COLORS.text} fontSize={14} fontWeight={600} />
            </Pie>
            <Tooltip />
            <Legend formatter={(name: string) => `${name}: ${counts.get(name) ?? 0}`} />
          </PieChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
