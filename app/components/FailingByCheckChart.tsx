import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { CHART_COLORS } from "~/dashboard/chart-colors";
import type { CheckCount } from "~/dashboard/types";
import { ChartFrame } from "./ClientOnly";

export function FailingByCheckChart({ counts }: { counts: CheckCount[] }) {
  const summary = counts.length ? counts.map((c) => `${c.title}: ${c.count}`).join(", ") : "no failing findings";
  const height = Math.max(160, 40 + counts.length * 34);
  return (
    <ChartFrame title="Failing findings by check" summary={summary} height={height}>
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={counts} layout="vertical" margin={{ left: 16, right: 16 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="checkId" width={250} tick={{ fontSize: 12 }} />
            <Tooltip />
            <Bar dataKey="count" name="Failing" fill={CHART_COLORS.notReady} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
