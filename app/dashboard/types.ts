/**
 * Shapes the dashboard's loaders return and its components render. Pure
 * types, no `.server` imports: components import these.
 */
import type { AuditReport, FindingStatus, Readiness, ReportApplication, Severity } from "~/audit/types";

/** Which stored audit a page shows: every page prints its time. */
export interface AuditStamp {
  id: number;
  scannedAt: string;
  cutoff: string;
}

/** Applications by readiness: the report's summary counts. */
export type FleetTotals = AuditReport["summary"]["applications"];

/** An application as the report lists it (less the read error), with its counts of open findings. */
export interface ApplicationRow extends Omit<ReportApplication, "error"> {
  /** Findings of this application with status fail / warn. */
  failCount: number;
  warnCount: number;
}

export type ApplicationSort = "name" | "account" | "region" | "readiness" | "failing";

export interface ApplicationFilters {
  account: string | null;
  region: string | null;
  readiness: Readiness | null;
  /** Only applications where this check fails. */
  check: string | null;
  /** Case-insensitive substring of the display name or the application id. */
  q: string | null;
  sort: ApplicationSort;
  dir: "asc" | "desc";
  /** 1-based page of the applications table (server-side paging). */
  page: number;
}

export type FindingSort = "status" | "severity" | "check" | "application" | "account" | "first-seen" | "last-seen";

export interface FindingFilters {
  check: string | null;
  severity: Severity | null;
  /** null: every finding that does not pass (the default view); "all": passing ones too. */
  status: FindingStatus | "all" | null;
  account: string | null;
  region: string | null;
  /** One application: its id, or its display name (any case). */
  application: string | null;
  /** Text in the application's name or id (or a pasted ARN), the resource's name, ids or role ARN. */
  q: string | null;
  sort: FindingSort;
  dir: "asc" | "desc";
  /** 1-based page of the table (server-side paging). */
  page: number;
  /** Accepted exceptions: hidden (absent, the default), shown with the rest, or only them (ADR 0012). */
  suppressed?: "show" | "only";
}

/** What every page shows of a stored finding: its row id, its check, verdict, resource, message and offered fix. */
export interface StoredFindingSummary {
  id: number;
  checkId: string;
  checkTitle: string;
  status: FindingStatus;
  severity: Severity;
  resourceType: string;
  name: string | null;
  message: string;
  remediation: string | null;
}

export interface FindingRow extends StoredFindingSummary {
  accountId: string;
  region: string;
  applicationId: string | null;
  /** The application's display name, when the finding is about one. */
  applicationName: string | null;
  /** Its lifecycle's first seen: when its current spell of failing or warning began (reopened: began again); null when passing or unknown. */
  firstSeen: string | null;
  /** Its lifecycle's last seen: the latest audit that reported it failing or warning; null when passing or unknown. */
  lastSeen: string | null;
  /** The accepted exception covering it, when one does. */
  suppressed?: { reason: string; by: string; expires: string | null; source: string; ruleId: string } | null;
}

/** The values a filter select offers, read from the audit shown. */
export interface FilterOptions {
  accounts: string[];
  regions: string[];
  /** Every registered check, with its severity: the severity filter offers only the severities some check has. */
  checks: { id: string; title: string; severity: Severity }[];
}

/** One audit's readiness counts, a point of the readiness chart. */
export interface ReadinessPoint extends Omit<FleetTotals, "total"> {
  auditId: number;
  scannedAt: string;
}

export interface CheckCount {
  checkId: string;
  title: string;
  count: number;
}

/** One sync job as the sync history chart plots it. */
export interface SyncJobPoint {
  executionId: string;
  startTime: string | null;
  status: string | null;
  added: number;
  modified: number;
  deleted: number;
  failed: number;
  /** Documents the job looked at: plotted so a job that changed nothing still shows. */
  scanned: number;
}

/** What "scan now" is doing; polled by the overview through GET /scan. */
export interface ScanStatus {
  state: "idle" | "running" | "finished" | "failed";
  startedAt: string | null;
  finishedAt: string | null;
  startedBy: string | null;
  targetsDone: number;
  targetsTotal: number;
  /** Applications whose inventory is read, of those the targets listed so far. */
  applicationsRead: number;
  applicationsFound: number;
  apiCalls: number;
  /** Seconds since the scan started (to its end once it ended), by the server's clock when this status was taken. */
  elapsedSeconds: number;
  /** The audit the finished scan stored. */
  auditId: number | null;
  error: string | null;
}

/** A finding as the application page explains it. */
export interface ExplainedFinding extends StoredFindingSummary {
  /** The evidence in sentences an admin can read. */
  evidence: string[];
  /** The error end users see while this fails (aws-facts.md), when AWS documents one. */
  endUserError: string | null;
  /** How to fix it, from the check's metadata. */
  fix: string | null;
}

export interface DataSourceView {
  dataSourceId: string;
  name: string;
  type: string | null;
  status: string | null;
  /** configuration.syncMode of the S3 connector, when it has one. */
  syncMode: string | null;
  lastSuccessfulSync: string | null;
  /** Start of the latest sync established as full after the cutoff (the full-sync check's evidence). */
  lastConfirmedFullSync: string | null;
  /** Documents with updatedAt before the cutoff; "at least" when the scan was capped. */
  staleDocuments: number | null;
  staleCapped: boolean;
  documentsScanned: number | null;
  error: string | null;
  jobs: SyncJobPoint[];
}

export interface IndexView {
  indexId: string;
  name: string;
  type: string | null;
  status: string | null;
  error: string | null;
  dataSources: DataSourceView[];
  uploaded: { scanned: number; stale: number; capped: boolean; error: string | null } | null;
}

export interface StatementView {
  policy: string;
  policyType: string;
  sid: string | null;
  effect: string | null;
  /** The statement as pretty JSON, when known. */
  json: string | null;
}

export interface WebExperienceView {
  webExperienceId: string;
  status: string | null;
  defaultEndpoint: string | null;
  roleArn: string | null;
  roleArnSource: string | null;
  roleExists: boolean | null;
  /** "simulate" (iam:SimulatePrincipalPolicy) or "local" reading of the policies. */
  method: string | null;
  methodNote: string | null;
  decisions: { resourceArn: string; decision: string; note: string | null; statements: StatementView[] }[];
  error: string | null;
}

export interface ApplicationPage {
  audit: AuditStamp;
  accountId: string;
  /** The account's name in AWS Organizations (organization audits), else null. */
  accountName: string | null;
  region: string;
  applicationId: string;
  applicationArn: string | null;
  displayName: string;
  identityType: string | null;
  status: string | null;
  readiness: Readiness;
  consoleUrl: string;
  error: string | null;
  findings: ExplainedFinding[];
  indices: IndexView[];
  webExperiences: WebExperienceView[];
}
