import { Link } from "@remix-run/react";
import type { FleetTotals as Totals } from "~/dashboard/types";

/** The four readiness counts; each links to the table filtered to it. */
export function FleetTotals({ totals }: { totals: Totals }) {
  const tiles = [
    { key: "ready", label: "Ready", value: totals.ready },
    { key: "not-ready", label: "Not ready", value: totals.notReady },
    { key: "unsupported", label: "Unsupported", value: totals.unsupported },
    { key: "unknown", label: "Unknown", value: totals.unknown },
  ];
  return (
    <section className="totals" aria-label="Fleet totals" data-testid="fleet-totals">
      <div className="tile">
        <span className="tile-value" data-testid="total-applications">
          {totals.total}
        </span>
        <span className="tile-label">applications</span>
      </div>
      {tiles.map((t) => (
        <Link key={t.key} className={`tile ${t.key}`} to={`?readiness=${t.key}`} data-testid={`total-${t.key}`}>
          <span className="tile-value">{t.value}</span>
          <span className="tile-label">{t.label}</span>
        </Link>
      ))}
    </section>
  );
}
