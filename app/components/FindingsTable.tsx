import { Link } from "@remix-run/react";
import type { FindingRow } from "~/dashboard/types";
import { applicationPath } from "~/dashboard/words";
import { SeverityLabel, StatusBadge } from "./Badges";
import { FindingFixLink } from "./fix-links";

export function FindingsTable({ rows }: { rows: FindingRow[] }) {
  if (rows.length === 0) return <p className="muted">No finding matches these filters.</p>;
  return (
    <table className="findings" data-testid="findings-table">
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Severity</th>
          <th scope="col">Check</th>
          <th scope="col">Resource</th>
          <th scope="col">Where</th>
          <th scope="col">What was found</th>
          <th scope="col">Fix</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((f) => (
          <tr key={f.id}>
            <td>
              <StatusBadge status={f.status} />
            </td>
            <td>
              <SeverityLabel severity={f.severity} />
            </td>
            <td>
              <Link to={`/checks#${f.checkId}`}>{f.checkTitle}</Link>
              <div className="muted small">{f.checkId}</div>
            </td>
            <td>
              {f.name ?? f.resourceType}
              <div className="muted small">{f.resourceType}</div>
            </td>
            <td>
              {f.applicationId ? (
                <Link to={applicationPath({ accountId: f.accountId, region: f.region, applicationId: f.applicationId })}>
                  {f.applicationName ?? f.applicationId}
                </Link>
              ) : null}
              <div className="muted small">
                {f.accountId} · {f.region}
              </div>
            </td>
            <td>{f.message}</td>
            <td>
              {f.remediation && f.status !== "pass" ? (
                <FindingFixLink findingId={f.id} action={f.remediation} />
              ) : (
                (f.remediation ?? <span className="muted">none</span>)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
