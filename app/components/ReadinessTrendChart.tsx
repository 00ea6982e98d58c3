import { Bar, BarChart, CartesianGrid, Cell, LabelList, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { CHART_COLORS } from "~/dashboard/chart-colors";
import type { TrendMarker } from "~/dashboard/trend-markers";
import type { ReadinessPoint } from "~/dashboard/types";
import { formatTime, plural } from "~/dashboard/words";
import { ChartFrame, type ChartTable } from "./ClientOnly";

const SERIES = [
  { key: "ready", name: "Ready", color: CHART_COLORS.ready },
  { key: "notReady", name: "Not ready", color: CHART_COLORS.notReady },
  { key: "unsupported", name: "Unsupported", color: CHART_COLORS.unsupported },
  { key: "unknown", name: "Unknown", color: CHART_COLORS.unknown },
] as const;

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

/**
 * Each fix or rollback is drawn at the first audit at or after it (the
 * re-audit a fix runs, or the next scan): audits minutes apart after a fix
 * would crowd one spot on a time axis, so the axis is the audits in order.
 */
function markersByAudit(points: ReadinessPoint[], markers: TrendMarker[]): Map<number, TrendMarker[]> {
  const byAudit = new Map<number, TrendMarker[]>();
  for (const m of markers) {
    const next = points.find((p) => p.scannedAt >= m.at);
    if (next) byAudit.set(next.auditId, [...(byAudit.get(next.auditId) ?? []), m]);
  }
  return byAudit;
}

function TrendLines({ points, markers }: { points: ReadinessPoint[]; markers: TrendMarker[] }) {
  const data = points.map((p) => ({ ...p, audit: `#${p.auditId}` }));
  const byAudit = markersByAudit(points, markers);
  const when = new Map(data.map((d) => [d.audit, d.scannedAt]));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ left: 0, right: 16, top: 18 }} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="audit"
          tick={{ fontSize: 11, fill: CHART_COLORS.text }}
          label={{ value: "audit", position: "insideBottomRight", offset: -4, fontSize: 11, fill: CHART_COLORS.text }}
        />
        <YAxis allowDecimals={false} />
        <Tooltip labelFormatter={(audit) => `Audit ${String(audit)} of ${formatTime(when.get(String(audit)))}`} />
        <Legend />
        {[...byAudit].map(([auditId, marks]) => (
          <ReferenceLine
            key={auditId}
            x={`#${auditId}`}
            stroke={marks.some((m) => m.kind === "fix") ? CHART_COLORS.fix : CHART_COLORS.rollback}
            strokeDasharray="4 3"
            label={{
              value: marks.map((m) => `${m.kind === "rollback" ? "rollback" : "fix"} #${m.activityId}`).join(", "),
              position: "top",
              fontSize: 10,
              fill: CHART_COLORS.text,
            }}
          />
        ))}
        {SERIES.map((s) => (
          <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.color} isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
