import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { CHART_COLORS } from "~/dashboard/chart-colors";
import type { ReadinessPoint } from "~/dashboard/types";
import { formatTime } from "~/dashboard/words";
import { ChartFrame } from "./ClientOnly";

export function ReadinessTrendChart({ points }: { points: ReadinessPoint[] }) {
  const data = points.map((p) => ({ ...p, label: formatTime(p.scannedAt) }));
  const last = points[points.length - 1];
  const summary = last ? `${points.length} audit(s); latest: ${last.ready} ready, ${last.notReady} not ready` : "no audits stored yet";
  return (
    <ChartFrame title="Readiness over time" summary={summary} height={240}>
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ left: 0, right: 16 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Line dataKey="ready" name="Ready" stroke={CHART_COLORS.ready} isAnimationActive={false} />
            <Line dataKey="notReady" name="Not ready" stroke={CHART_COLORS.notReady} isAnimationActive={false} />
            <Line dataKey="unsupported" name="Unsupported" stroke={CHART_COLORS.unsupported} isAnimationActive={false} />
            <Line dataKey="unknown" name="Unknown" stroke={CHART_COLORS.unknown} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
