import { Bar, BarChart, CartesianGrid, Cell, LabelList, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { CHART_COLORS } from "~/dashboard/chart-colors";
import type { TrendMarker } from "~/dashboard/trend-markers";
import type { ReadinessPoint } from "~/dashboard/types";
import { formatDay, formatTime, plural } from "~/dashboard/words";
import { ChartFrame, type ChartTable } from "./ClientOnly";

const SERIES = [
  { key: "ready", name: "Ready", color: CHART_COLORS.ready },
  { key: "notReady", name: "Not ready", color: CHART_COLORS.notReady },
  { key: "unsupported", name: "Unsupported", color: CHART_COLORS.unsupported },
  { key: "unknown", name: "Unknown", color: CHART_COLORS.unknown },
] as const;

const DAY = 24 * 3600 * 1000;

/** Audits and fixes in time order, as the table under the chart lists them. */
function trendTable(points: ReadinessPoint[], markers: TrendMarker[]): ChartTable {
  const rows = [
    ...points.map((p) => ({ at: p.scannedAt, cells: [`Audit #${p.auditId}`, formatTime(p.scannedAt), p.ready, p.notReady, p.unsupported, p.unknown] })),
    ...markers.map((m) => ({ at: m.at, cells: [m.label, formatTime(m.at), "", "", "", ""] })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return { columns: ["Audit or fix", "When", ...SERIES.map((s) => s.name)], rows: rows.map((r) => r.cells) };
}

/**
 * Readiness per audit over time, with the fixes and rollbacks of the activity
 * log marked where they happened. One audit is no trend: its counts are bars,
 * and the line starts with the second audit.
 */
export function ReadinessTrendChart({ points, markers = [] }: { points: ReadinessPoint[]; markers?: TrendMarker[] }) {
  const sorted = [...points].sort((a, b) => a.scannedAt.localeCompare(b.scannedAt) || a.auditId - b.auditId);
  const last = sorted[sorted.length - 1];
  const fixes = markers.length ? `; ${plural(markers.length, "fix or rollback", "fixes and rollbacks")} marked` : "";
  const summary = last
    ? `${plural(sorted.length, "audit")}; latest: ${last.ready} ready, ${last.notReady} not ready, ${last.unsupported} unsupported, ${last.unknown} unknown${fixes}`
    : "no audits stored yet";
  return (
    <ChartFrame title="Readiness over time" summary={summary} height={240} table={trendTable(sorted, markers)}>
      {() => (sorted.length === 1 ? <SingleAudit point={sorted[0]} /> : <TrendLines points={sorted} markers={markers} />)}
    </ChartFrame>
  );
}

function SingleAudit({ point }: { point: ReadinessPoint }) {
  const data = SERIES.map((s) => ({ name: s.name, value: point[s.key], fill: s.color }));
  return (
    <>
      <p className="small muted chart-note">One audit so far ({formatTime(point.scannedAt)}): the trend line starts with the next audit.</p>
      <ResponsiveContainer width="100%" height="85%">
        <BarChart data={data} margin={{ left: 0, right: 16, top: 16 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tick={{ fontSize: 11, fill: CHART_COLORS.text }} interval={0} />
          <YAxis allowDecimals={false} />
          <Bar dataKey="value" name="Applications" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.name} fill={d.fill} />
            ))}
            <LabelList dataKey="value" position="top" fill={CHART_COLORS.text} fontSize={12} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </>
  );
}

function TrendLines({ points, markers }: { points: ReadinessPoint[]; markers: TrendMarker[] }) {
  const data = points.map((p) => ({ ...p, time: new Date(p.scannedAt).getTime() }));
  const marks = markers.map((m) => ({ ...m, time: new Date(m.at).getTime() }));
  const times = [...data.map((d) => d.time), ...marks.map((m) => m.time)];
  const [min, max] = [Math.min(...times), Math.max(...times)];
  const pad = Math.max((max - min) * 0.04, 60_000);
  // Within two days the time of day tells audits apart; the axis says its zone.
  const tick = (t: number) => (max - min < 2 * DAY ? new Date(t).toISOString().slice(11, 16) : formatDay(new Date(t).toISOString()));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ left: 0, right: 16, top: 16 }} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="time"
          type="number"
          scale="time"
          domain={[min - pad, max + pad]}
          tickFormatter={tick}
          tick={{ fontSize: 11, fill: CHART_COLORS.text }}
          label={{ value: "UTC", position: "insideBottomRight", offset: -4, fontSize: 11, fill: CHART_COLORS.text }}
        />
        <YAxis allowDecimals={false} />
        <Tooltip labelFormatter={(t) => formatTime(new Date(Number(t)).toISOString())} />
        <Legend />
        {marks.map((m) => (
          <ReferenceLine
            key={m.activityId}
            x={m.time}
            stroke={m.kind === "rollback" ? CHART_COLORS.rollback : CHART_COLORS.fix}
            strokeDasharray="4 3"
            label={{ value: m.kind === "rollback" ? `↶#${m.activityId}` : `#${m.activityId}`, position: "top", fontSize: 10, fill: CHART_COLORS.text }}
          />
        ))}
        {SERIES.map((s) => (
          <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.color} isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
