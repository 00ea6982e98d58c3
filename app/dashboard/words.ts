/**
 * How the dashboard says things: times, labels, console links and the error
 * text end users see. Pure, shared by loaders and components.
 */
import type { FindingStatus, Readiness } from "~/audit/types";
import { FULL_SYNC_REQUIRED_ERROR, ROLE_PERMISSION_ERROR } from "~/aws/vocabulary";

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
