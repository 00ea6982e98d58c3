import { Bar, CartesianGrid, Cell, ComposedChart, Legend, ReferenceLine, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from "recharts";
import { CHART_COLORS } from "~/dashboard/chart-colors";
import type { SyncJobPoint } from "~/dashboard/types";
import { formatDay, formatTime } from "~/dashboard/words";
import { ChartFrame, type ChartTable } from "./ClientOnly";

const DAY = 24 * 3600 * 1000;
const UNSUCCESSFUL = ["FAILED", "ABORTED", "INCOMPLETE"];

/** The jobs as rows: the table under the chart. */
function syncTable(jobs: SyncJobPoint[]): ChartTable {
  return {
    columns: ["Started", "Status", "Scanned", "Added", "Modified", "Deleted", "Failed"],
    rows: jobs.map((j) => [formatTime(j.startTime), j.status ?? "unknown", j.scanned, j.added, j.modified, j.deleted, j.failed]),
  };
}

/** Documents added / modified / deleted / failed per sync job over time, the cutoff drawn as a line. */
export function SyncHistoryChart({ name, jobs, cutoff }: { name: string; jobs: SyncJobPoint[]; cutoff: string }) {
  const cutoffMs = new Date(cutoff).getTime();
  const data = jobs
    .filter((j) => j.startTime)
    .map((j) => ({ ...j, time: new Date(j.startTime as string).getTime() }))
    .sort((a, b) => a.time - b.time);
  const times = [cutoffMs, ...data.map((d) => d.time)];
  const domain = [Math.min(...times) - 3 * DAY, Math.max(...times) + 3 * DAY];
  const summary = data.length
    ? data
        .map((d) => `${formatTime(d.startTime)} ${d.status ?? ""}: ${d.scanned} scanned, +${d.added} ~${d.modified} -${d.deleted}, ${d.failed} failed`)
        .join("; ")
    : "no sync jobs recorded";
  return (
    <ChartFrame title={`Sync history of ${name}`} summary={summary} height={220} table={syncTable(data)}>
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ left: 0, right: 24, top: 16 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="time"
              type="number"
              scale="time"
              domain={domain}
              tickFormatter={(t: number) => formatDay(new Date(t).toISOString())}
              tick={{ fontSize: 11 }}
            />
            <YAxis allowDecimals={false} />
            <Tooltip labelFormatter={(t) => formatTime(new Date(Number(t)).toISOString())} />
            <Legend />
            <ReferenceLine
              x={cutoffMs}
              stroke={CHART_COLORS.notReady}
              strokeDasharray="4 2"
              label={{ value: "cutoff", position: "top", fontSize: 11, fill: CHART_COLORS.text }}
            />
            <Bar dataKey="added" name="Added" stackId="docs" fill={CHART_COLORS.added} barSize={12} isAnimationActive={false} />
            <Bar dataKey="modified" name="Modified" stackId="docs" fill={CHART_COLORS.modified} barSize={12} isAnimationActive={false} />
            <Bar dataKey="deleted" name="Deleted" stackId="docs" fill={CHART_COLORS.deleted} barSize={12} isAnimationActive={false} />
            <Bar dataKey="failed" name="Failed" stackId="docs" fill={CHART_COLORS.failed} barSize={12} isAnimationActive={false} />
            {/* One dot per job (documents scanned), red when it did not succeed: a job that changed nothing still shows. */}
            <Scatter dataKey="scanned" name="Scanned (one dot per job)" fill={CHART_COLORS.accent} isAnimationActive={false}>
              {data.map((d) => (
                <Cell key={d.executionId} fill={d.status && UNSUCCESSFUL.includes(d.status) ? CHART_COLORS.failed : CHART_COLORS.accent} />
              ))}
            </Scatter>
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
