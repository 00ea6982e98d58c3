import { Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip } from "recharts";
import { CHART_COLORS } from "~/dashboard/chart-colors";
import type { FleetTotals } from "~/dashboard/types";
import { ChartFrame } from "./ClientOnly";

export function ReadinessDonut({ totals }: { totals: FleetTotals }) {
  const slices = [
    { name: "Ready", value: totals.ready, color: CHART_COLORS.ready },
    { name: "Not ready", value: totals.notReady, color: CHART_COLORS.notReady },
    { name: "Unsupported", value: totals.unsupported, color: CHART_COLORS.unsupported },
    { name: "Unknown", value: totals.unknown, color: CHART_COLORS.unknown },
  ];
  const summary = slices.map((s) => `${s.name} ${s.value}`).join(", ");
  return (
    <ChartFrame title="Readiness of the fleet" summary={summary} height={240}>
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <PieChart>
            <Pie data={slices.filter((s) => s.value > 0)} dataKey="value" nameKey="name" innerRadius="55%" outerRadius="85%" isAnimationActive={false}>
              {slices
                .filter((s) => s.value > 0)
                .map((s) => (
                  <Cell key={s.name} fill={s.color} />
                ))}
            </Pie>
            <Tooltip />
            <Legend />
          </PieChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
