import { useSyncExternalStore, type ReactNode } from "react";

const noSubscription = () => () => {};

/**
 * False during the server render and the hydration render, true after (and at
 * once on later client navigations). useSyncExternalStore renders the server
 * snapshot while hydrating and then the client's, without a setState in an effect.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** A chart's data as rows: the table alternative under every chart (people and screen readers read numbers, not shapes). */
export interface ChartTable {
  columns: string[];
  rows: (string | number)[][];
}

/**
 * A chart's frame: recharts draws nothing on the server, so the server (and
 * the first client render) shows a skeleton of the same height, and the
 * chart after hydration. `summary` is the chart's content in words: the
 * chart's accessible name, and the skeleton's text for anyone without
 * JavaScript. `table` is the same data as a table, folded under the chart.
 * recharts' own keyboard layer is off in every chart (accessibilityLayer
 * false): it made each svg and pie an unlabelled tab stop.
 */
export function ChartFrame({
  title,
  summary,
  height,
  table,
  children,
}: {
  title: string;
  summary: string;
  height: number;
  table: ChartTable;
  children: () => ReactNode;
}) {
  const hydrated = useHydrated();
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {hydrated ? (
        <div className="chart-body" style={{ height }} role="img" aria-label={`${title}: ${summary}`}>
          {children()}
        </div>
      ) : (
        // Same height as the chart, so nothing moves when it replaces this; its content in words meanwhile.
        <div className="chart-body chart-skeleton" style={{ height }}>
          <p className="small muted">{summary}</p>
        </div>
      )}
      <ChartDataTable title={title} table={table} />
    </figure>
  );
}

function ChartDataTable({ title, table }: { title: string; table: ChartTable }) {
  if (table.rows.length === 0) return null;
  return (
    <details className="chart-table">
      <summary>Show the numbers</summary>
      <table className="small">
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) =>
                j === 0 ? (
                  <th key={j} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={j}>{cell}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
