/**
 * The fixed findings (issue 14.5): what was wrong, where, how it stopped
 * (check passes, resource gone, no longer reported), when, and after how
 * long; reopened ones are open again and listed on the findings page.
 */
import type { FixedPage, FixedRow } from "~/dashboard/fixed.server";
import { formatTime, SEVERITY_LABELS } from "~/dashboard/words";
import type { Severity } from "~/audit/types";
import { duration } from "~/util/duration";
import { Breakable } from "./Breakable";
import { Pager, PagingSummary } from "./TablePaging";

const HOW: Record<string, string> = {
  passed: "Check passes",
  "resource-gone": "Resource gone",
  "not-reported": "No longer reported",
};

function resourceOf(r: FixedRow["resource"]): string {
  return r.name ?? r.dataSourceId ?? r.webExperienceId ?? r.roleArn ?? r.indexId ?? r.applicationId ?? r.accountId;
}

function Row({ row }: { row: FixedRow }) {
  const life = row.lifecycle;
  const fixedAt = life.fixedAt ?? "";
  return (
    <tr data-testid="fixed-row">
      <td>
        {row.checkTitle}
        <div className="muted">{row.checkId}</div>
      </td>
      <td>{SEVERITY_LABELS[row.severity as Severity] ?? row.severity}</td>
      <td>
        <Breakable text={resourceOf(row.resource)} />
        <div className="muted">
          {row.resource.accountId} / {row.resource.region}
        </div>
      </td>
      <td>{HOW[life.fixedReason ?? "passed"]}</td>
      <td>
        <time dateTime={fixedAt}>{formatTime(fixedAt)}</time>
        <div className="muted">audit #{row.fixedAuditId}</div>
      </td>
      <td>
        {duration(life.firstSeen, fixedAt)}
        <div className="muted">
          since <time dateTime={life.firstSeen}>{formatTime(life.firstSeen)}</time>
          {life.reopened ? ` · reopened ${life.reopened}×` : ""}
        </div>
      </td>
    </tr>
  );
}

export function FixedFindings({ page }: { page: FixedPage }) {
  if (page.paging.matching === 0) return <p className="card">No finding has been fixed yet: fixed ones appear here after the audit that finds them fixed.</p>;
  return (
    <>
      <p className="muted">
        <PagingSummary paging={page.paging} noun="fixed findings" testId="fixed-shown" />
      </p>
      <table className="findings" data-testid="fixed-table">
        <caption className="visually-hidden">Findings fixed, most recently fixed first</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Severity</th>
            <th scope="col">Resource</th>
            <th scope="col">How</th>
            <th scope="col">Fixed</th>
            <th scope="col">Wrong for</th>
          </tr>
        </thead>
        <tbody>
          {page.rows.map((row) => (
            <Row key={row.key} row={row} />
          ))}
        </tbody>
      </table>
      <Pager paging={page.paging} hrefOf={(n) => `?page=${n}`} label="Pages of fixed findings" />
    </>
  );
}
