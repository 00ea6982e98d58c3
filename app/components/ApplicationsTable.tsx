import { Link } from "@remix-run/react";
import { applicationsSearch } from "~/dashboard/filters";
import type { ApplicationFilters, ApplicationRow, ApplicationSort } from "~/dashboard/types";
import { applicationPath, identityTypeLabel } from "~/dashboard/words";
import { ReadinessBadge } from "./Badges";
import { useInPageNavigation } from "./in-page-links";

const COLUMNS: { sort: ApplicationSort; label: string }[] = [
  { sort: "name", label: "Application" },
  { sort: "account", label: "Account" },
  { sort: "region", label: "Region" },
  { sort: "readiness", label: "Readiness" },
  { sort: "failing", label: "Failing" },
];

/** A column header that sorts by its column (a link, so it works without JavaScript). */
function SortHeader({ column, filters }: { column: (typeof COLUMNS)[number]; filters: ApplicationFilters }) {
  const active = filters.sort === column.sort;
  const dir = active && filters.dir === "asc" ? "desc" : "asc";
  const search = applicationsSearch(filters, { sort: column.sort, dir, page: 1 });
  return (
    <th scope="col" aria-sort={active ? (filters.dir === "asc" ? "ascending" : "descending") : "none"}>
      <Link to={search || "?"} preventScrollReset>
        {column.label}
        {active ? (filters.dir === "asc" ? " ▲" : " ▼") : ""}
      </Link>
    </th>
  );
}

export function ApplicationsTable({ rows, filters }: { rows: ApplicationRow[]; filters: ApplicationFilters }) {
  const tableRef = useInPageNavigation<HTMLTableElement>();
  if (rows.length === 0) return <p className="muted">No application matches these filters.</p>;
  return (
    // Plain links in the rows, navigated by the router through one listener on the table (in-page-links.tsx).
    <table className="applications" data-testid="applications-table" ref={tableRef}>
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <SortHeader key={c.sort} column={c} filters={filters} />
          ))}
          <th scope="col">Identity</th>
          <th scope="col">Warnings</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.accountId}/${row.region}/${row.applicationId}`} data-readiness={row.readiness}>
            <td>
              <a href={applicationPath(row)}>{row.displayName}</a>
              <div className="muted small">{row.applicationId}</div>
            </td>
            <td>
              {row.accountName ?? row.accountId}
              {row.accountName ? <div className="muted small">{row.accountId}</div> : null}
            </td>
            <td>{row.region}</td>
            <td>
              <ReadinessBadge readiness={row.readiness} />
            </td>
            <td>{row.failCount > 0 ? <a href={`/findings?status=fail&application=${encodeURIComponent(row.applicationId)}`}>{row.failCount}</a> : 0}</td>
            <td>{identityTypeLabel(row.identityType)}</td>
            <td>{row.warnCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
