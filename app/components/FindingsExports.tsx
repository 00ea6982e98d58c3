import { exportLinks } from "~/dashboard/filters";
import type { FindingFilters } from "~/dashboard/types";

/** The findings page's downloads: exactly this view (every page of it), or everything the audit holds. */
export function FindingsExports({ filters, matching }: { filters: FindingFilters; matching: number }) {
  const csv = exportLinks(filters, "csv");
  const json = exportLinks(filters, "json");
  return (
    <nav className="exports" aria-label="Export findings">
      <span>
        This view ({matching.toLocaleString("en-US")}):{" "}
        <a href={csv.filtered} download aria-label="Export this view as CSV" data-testid="export-filtered-csv">
          CSV
        </a>{" "}
        ·{" "}
        <a href={json.filtered} download aria-label="Export this view as JSON" data-testid="export-filtered-json">
          JSON
        </a>
      </span>
      <span>
        Everything:{" "}
        <a href={csv.all} download aria-label="Export everything as CSV" data-testid="export-all-csv">
          CSV
        </a>{" "}
        ·{" "}
        <a href={json.all} download aria-label="Export everything as JSON (report)" data-testid="export-all-json">
          JSON (report)
        </a>{" "}
        ·{" "}
        <a href="/findings/export/ocsf" download aria-label="Export everything as OCSF" data-testid="export-all-ocsf">
          OCSF
        </a>{" "}
        ·{" "}
        <a href="/findings/export/asff" download aria-label="Export everything as ASFF" data-testid="export-all-asff">
          ASFF
        </a>
      </span>
    </nav>
  );
}
