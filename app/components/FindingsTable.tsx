import { accountLabel, type AccountNames } from "~/dashboard/account-names";
import { findingsSearch } from "~/dashboard/filters";
import type { FindingFilters, FindingRow, FindingSort } from "~/dashboard/types";
import { applicationPath, formatDay } from "~/dashboard/words";
import { SeverityLabel, StatusBadge } from "./Badges";
import { FindingFixCell } from "./fix-links";
import { BulkSelectBox } from "./BulkFixBar";
import { SortHeader, SortLink } from "./TablePaging";
import { Breakable } from "./Breakable";
import { useInPageNavigation } from "./in-page-links";

/** A day with the exact instant as its machine-readable value. */
function Seen({ at }: { at: string | null }) {
  return at ? <time dateTime={at}>{formatDay(at)}</time> : <span className="muted">—</span>;
}

/** What the Seen column means (its header's title): the findings' lifecycle, as the report and exports say it. */
const SEEN_TITLE =
  "First seen: when this finding's current spell of failing or warning began (one that fails again after a fix starts again). " +
  'Last seen: the latest audit that reported it failing or warning. Passing and unknown findings show —; fixed findings are under "fixed findings".';

export function FindingsTable({ rows, filters, accountNames }: { rows: FindingRow[]; filters: FindingFilters; accountNames: AccountNames }) {
  const tableRef = useInPageNavigation<HTMLTableElement>();
  if (rows.length === 0) return <p className="muted">No finding matches these filters.</p>;
  const hrefOf = (sort: FindingSort, dir: "asc" | "desc") => findingsSearch(filters, { sort, dir, page: 1 }) || "?";
  const header = (label: string, sort: FindingSort) => <SortHeader label={label} sort={sort} current={filters} hrefOf={hrefOf} />;
  const seenSorted = filters.sort === "first-seen" || filters.sort === "last-seen";
  return (
    // Plain links in the rows, navigated by the router through one listener on the table (in-page-links.tsx).
    <table className="findings" data-testid="findings-table" ref={tableRef}>
      <thead>
        <tr>
          {header("Status", "status")}
          {header("Severity", "severity")}
          {header("Check", "check")}
          <th scope="col">Resource</th>
          {header("Where", "application")}
          <th scope="col">What was found</th>
          <th scope="col" title={SEEN_TITLE} aria-sort={seenSorted ? (filters.dir === "asc" ? "ascending" : "descending") : "none"}>
            <SortLink label="First seen" sort="first-seen" current={filters} hrefOf={hrefOf} />
            {" · "}
            <SortLink label="Last seen" sort="last-seen" current={filters} hrefOf={hrefOf} />
          </th>
          <th scope="col">Fix</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((f) => (
          <tr key={f.id}>
            <td>
              {/* The bulk fix's checkbox sits in the status cell, so the table's columns stay where they were. */}
              <BulkSelectBox findingId={f.id} label={`${f.checkId} on ${f.name ?? f.resourceType}`} /> <StatusBadge status={f.status} />
              {f.suppressed ? (
                <span
                  className="badge accepted"
                  data-testid="suppressed-badge"
                  title={`Accepted by ${f.suppressed.by}${f.suppressed.expires ? ` until ${f.suppressed.expires}` : ""}: ${f.suppressed.reason}`}
                >
                  accepted
                </span>
              ) : null}
            </td>
            <td>
              <SeverityLabel severity={f.severity} status={f.status} />
            </td>
            <td>
              <a href={`/checks#${f.checkId}`}>
                <Breakable text={f.checkTitle} />
              </a>
              <div className="muted small">{f.checkId}</div>
            </td>
            <td>
              <Breakable text={f.name ?? f.resourceType} />
              <div className="muted small">{f.resourceType}</div>
            </td>
            <td>
              {f.applicationId ? (
                <a href={applicationPath({ accountId: f.accountId, region: f.region, applicationId: f.applicationId })}>
                  {f.applicationName ?? f.applicationId}
                </a>
              ) : null}
              <div className="muted small" data-testid="finding-account">
                {accountLabel(f.accountId, accountNames)} · {f.region}
              </div>
            </td>
            <td>{f.message}</td>
            <td className="seen">
              <Seen at={f.firstSeen} />
              <div className="muted small">
                last <Seen at={f.lastSeen} />
              </div>
            </td>
            <td>
              <FindingFixCell finding={f} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
