import type { FindingStatus, Readiness } from "~/audit/types";
import { READINESS_LABELS, STATUS_LABELS } from "~/dashboard/words";

export function ReadinessBadge({ readiness }: { readiness: Readiness }) {
  return <span className={`badge ${readiness}`}>{READINESS_LABELS[readiness]}</span>;
}

export function StatusBadge({ status }: { status: FindingStatus }) {
  return <span className={`badge ${status}`}>{STATUS_LABELS[status]}</span>;
}

export function SeverityLabel({ severity }: { severity: string }) {
  return <span className={`severity ${severity}`}>{severity}</span>;
}
