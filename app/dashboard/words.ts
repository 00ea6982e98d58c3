/**
 * How the dashboard says things: times, labels, console links and the error
 * text end users see. Pure, shared by loaders and components.
 */
import { cutoffLabel } from "~/audit/checks/common";
import { SEVERITIES, type FindingStatus, type Readiness, type Severity } from "~/audit/types";
import { FULL_SYNC_REQUIRED_ERROR, ROLE_PERMISSION_ERROR, SYNC_MODE_KIND, SYNC_MODES, type SyncModeName } from "~/aws/vocabulary";

export { plural } from "~/util/plural";

/** "2026-11-26 12:00 UTC": audits are read in UTC, as the cutoff is. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "never";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "2025-08-01": for dates inside sentences and chart axes. */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return "never";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10);
}

export const READINESS_LABELS: Record<Readiness, string> = {
  ready: "Ready",
  "not-ready": "Not ready",
  unsupported: "Unsupported",
  unknown: "Unknown",
};

export const STATUS_LABELS: Record<FindingStatus, string> = {
  pass: "Pass",
  fail: "Fail",
  warn: "Warning",
  unknown: "Unknown",
};

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
};

/**
 * The severity a finding is shown with. A check's severity is what its
 * failure costs; a warning (or an unknown, or a pass) is not that failure, so
 * it is never labelled "Critical": it reads "not rated" with the reason.
 */
export function findingSeverity(severity: Severity, status: FindingStatus): { label: string; rated: boolean; why?: string } {
  if (status === "fail") return { label: SEVERITY_LABELS[severity], rated: true };
  const what = status === "warn" ? "a warning" : status === "unknown" ? "not known yet" : "passing";
  return { label: "not rated", rated: false, why: `${what}; the check is ${severity} when it fails` };
}

/** The severities the severity filter offers: those some check has (no "low" while no check is low), most severe first. */
export function severitiesInUse(checks: readonly { severity: Severity }[]): Severity[] {
  const used = new Set(checks.map((c) => c.severity));
  return SEVERITIES.filter((s) => used.has(s));
}

function isSyncModeName(mode: string): mode is SyncModeName {
  return (SYNC_MODES as readonly string[]).includes(mode);
}

/**
 * A data source's sync mode as every page shows it: "incremental (FULL_CRAWL)"
 * or "full (FORCED_FULL_CRAWL)", because a bare FULL_CRAWL reads as "full"
 * (app/aws/vocabulary.ts says what each means). Another value is shown as it is.
 */
export function syncModeLabel(mode: string | null | undefined): string {
  if (!mode) return "no sync mode set";
  return isSyncModeName(mode) ? `${SYNC_MODE_KIND[mode]} (${mode})` : `${mode} (not a mode this product knows)`;
}

/** Q Business's identityType values in words (docs/aws-facts.md). */
const IDENTITY_TYPE_WORDS: Record<string, string> = {
  AWS_IAM_IDC: "IAM Identity Center",
  AWS_IAM_IDP_SAML: "IAM federation (SAML)",
  AWS_IAM_IDP_OIDC: "IAM federation (OIDC)",
  AWS_QUICKSIGHT_IDP: "Amazon QuickSight",
  ANONYMOUS: "Anonymous access",
};

/** "IAM Identity Center (AWS_IAM_IDC)": the words, and the raw value beside them for searching the AWS docs and CLI output. */
export function identityTypeLabel(identityType: string | null | undefined): string {
  if (!identityType) return "unknown";
  const words = IDENTITY_TYPE_WORDS[identityType];
  return words ? `${words} (${identityType})` : identityType;
}

/**
 * The cutoff explained where it is shown: AWS says "after 07/02/2025", which
 * the product reads as from 2025-07-03 00:00 UTC (ADR 0004). A cutoff not at
 * midnight UTC (set by QBR_CUTOFF) is shown as its instant.
 */
export function cutoffInWords(cutoffIso: string): string {
  const cutoff = new Date(cutoffIso);
  if (Number.isNaN(cutoff.getTime())) return cutoffIso;
  const label = cutoffLabel(cutoff);
  return label.includes("T") ? `since ${formatTime(cutoffIso)}` : `after ${label} (from ${formatTime(cutoffIso)})`;
}

export function consoleUrl(region: string, applicationId: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/amazonq/business/applications/${encodeURIComponent(applicationId)}?region=${r}`;
}

export function applicationPath(app: { accountId: string; region: string; applicationId: string }): string {
  return `/applications/${encodeURIComponent(app.accountId)}/${encodeURIComponent(app.region)}/${encodeURIComponent(app.applicationId)}`;
}

/** First characters of a long id, for sentences ("1a2b3c4d…"). */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

const FULL_SYNC_ERROR = FULL_SYNC_REQUIRED_ERROR;
const ROLE_ERROR = ROLE_PERMISSION_ERROR;

/**
 * The error an end user sees when opening a source link while this check
 * fails (aws-facts.md), so an admin recognises the symptom reported to them.
 * Null when AWS documents no specific message.
 */
export function endUserError(checkId: string): string | null {
  switch (checkId) {
    case "datasource-full-sync-missing":
    case "datasource-documents-stale":
    case "uploaded-documents-stale":
      return FULL_SYNC_ERROR;
    case "webexperience-role-missing":
    case "webexperience-role-getdocumentcontent":
    case "webexperience-role-explicit-deny":
      return ROLE_ERROR;
    default:
      return null;
  }
}
