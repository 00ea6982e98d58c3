import { Link } from "@remix-run/react";
import { applicationsReadWords, type FleetCounts } from "~/dashboard/counts";
import { plural } from "~/util/plural";

/**
 * The readiness counts of the applications the audit read (app/dashboard/counts.ts
 * defines them); each links to the table filtered to it. Targets that could
 * not be read are shown beside Unknown: their applications are unknown, and
 * how many there are cannot be told, so they are not added to any card.
 */
export function FleetTotals({ counts }: { counts: FleetCounts }) {
  const { applications, targets } = counts;
  const tiles = [
    { key: "ready", label: "Ready", value: applications.ready },
    { key: "not-ready", label: "Not ready", value: applications.notReady },
    { key: "unsupported", label: "Unsupported", value: applications.unsupported },
    { key: "unknown", label: "Unknown", value: applications.unknown },
  ];
  const unreadable = targets.unreadable.length;
  return (
    <section className="totals" aria-label="Fleet totals" data-testid="fleet-totals">
      <div className="tile">
        <span className="tile-value" data-testid="total-applications">
          {applications.total}
        </span>
        <span className="tile-label">{applications.total === 1 ? "application" : "applications"}</span>
        <span className="tile-note small" data-testid="targets-read">
          {applicationsReadWords(counts)}
        </span>
      </div>
      {tiles.map((t) => (
        <Link key={t.key} className={`tile ${t.key}`} to={`?readiness=${t.key}`} data-testid={`total-${t.key}`}>
          <span className="tile-value">{t.value}</span>
          <span className="tile-label">{t.label}</span>
          {t.key === "unknown" && unreadable > 0 ? (
            <span className="tile-note small" data-testid="unknown-targets">
              + {plural(unreadable, "target")} not read (applications not counted)
            </span>
          ) : null}
        </Link>
      ))}
    </section>
  );
}
