import type { FindingStatus, Readiness, Severity } from "~/audit/types";
import { findingSeverity, READINESS_LABELS, STATUS_LABELS } from "~/dashboard/words";

export function ReadinessBadge({ readiness }: { readiness: Readiness }) {
  return <span className={`badge ${readiness}`}>{READINESS_LABELS[readiness]}</span>;
}

/** What a finding is (pass, fail, warning, unknown): a coloured badge. */
export function StatusBadge({ status }: { status: FindingStatus }) {
  return <span className={`badge ${status}`}>{STATUS_LABELS[status]}</span>;
}

/**
 * How bad a finding is: text, never a badge, so it is not read as a second
 * status. Only a failure is rated (a warning is never "Critical"); otherwise
 * "not rated", with the check's severity in the title.
 */
export function SeverityLabel({ severity, status }: { severity: Severity; status: FindingStatus }) {
  const shown = findingSeverity(severity, status);
  return shown.rated ? (
    <span className={`severity ${severity}`}>{shown.label}</span>
  ) : (
    <span className="severity not-rated muted" title={shown.why}>
      {shown.label}
    </span>
  );
}
