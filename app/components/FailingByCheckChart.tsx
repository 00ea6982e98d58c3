import { Bar, BarChart, CartesianGrid, LabelList, ResponsiveContainer, Text, Tooltip, XAxis, YAxis } from "recharts";
import { CHART_COLORS } from "~/dashboard/chart-colors";
import type { CheckCount } from "~/dashboard/types";
import { ChartFrame } from "./ClientOnly";

const LABEL_WIDTH = 260;

/** A check's title beside its bar, wrapped onto two lines rather than cut (titles are sentences). */
function CheckTitleTick(props: { x?: number | string; y?: number | string; payload?: { value?: unknown } }) {
  return (
    <Text
      x={Number(props.x)}
      y={Number(props.y)}
      width={LABEL_WIDTH - 12}
      textAnchor="end"
      verticalAnchor="middle"
      fontSize={12}
      fill={CHART_COLORS.text}
      maxLines={2}
    >
      {String(props.payload?.value ?? "")}
    </Text>
  );
}

/** Failing findings per check of the latest audit: bars named by the check's title, each with its count. */
export function FailingByCheckChart({ counts }: { counts: CheckCount[] }) {
  const summary = counts.length ? counts.map((c) => `${c.title}: ${c.count}`).join(", ") : "no failing findings";
  const height = Math.max(160, 40 + counts.length * 44);
  return (
    <ChartFrame
      title="Failing findings by check"
      summary={summary}
      height={height}
      table={{ columns: ["Check", "Failing findings"], rows: counts.map((c) => [c.title, c.count]) }}
    >
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={counts} layout="vertical" margin={{ left: 8, right: 32 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="title" width={LABEL_WIDTH} tick={CheckTitleTick} interval={0} />
            <Tooltip />
            <Bar dataKey="count" name="Failing" fill={CHART_COLORS.notReady} isAnimationActive={false}>
              <LabelList dataKey="count" position="right" fill={CHART_COLORS.text} fontSize={12} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
