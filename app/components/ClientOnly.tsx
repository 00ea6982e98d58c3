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

/**
 * A chart's frame: recharts draws nothing on the server, so the server (and
 * the first client render) shows a skeleton of the same height, and the
 * chart after hydration. `summary` is the chart's content in words: the
 * chart's accessible name, and the skeleton's text for anyone without JavaScript.
 */
export function ChartFrame({ title, summary, height, children }: { title: string; summary: string; height: number; children: () => ReactNode }) {
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
    </figure>
  );
}
