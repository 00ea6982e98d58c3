/**
 * Shared shapes of the audit: the inventory the collector reads from AWS
 * (collect.ts), the findings the checks derive from it (checks/), and the
 * report contract (docs/audit-report.md). Pure types: no AWS, no Node.
 *
 * Collector and checks meet here: add optional members freely, never rename.
 */
import type { IamAction } from "../aws/vocabulary";
import type { PolicyDocument } from "../policy/types";
import type { FindingSuppression, SuppressionsSummary } from "./suppressions";

export type IsoTime = string;

/** An AWS error as the audit records it: the SDK's error name and message. */
export interface AwsErrorInfo {
  code: string;
  message: string;
  /** The AWS operation that failed, e.g. "qbusiness:ListDataSourceSyncJobs". */
  operation?: string;
}

export interface AuditTarget {
  accountId: string;
  region: string;
  roleArn?: string;
  externalId?: string;
  accountName?: string;
  ouPath?: string;
}

export interface TargetResult {
  accountId: string;
  region: string;
  status: "ok" | "error";
  error?: AwsErrorInfo;
  /** The account's name in AWS Organizations (organization audits). */
  accountName?: string;
  /** The account's OU path, "Root/Workloads/Sandbox" (organization audits). */
  ouPath?: string;
  /** The role the target was read through; absent: read directly with the default credentials. */
  roleArn?: string;
  /** True when the AssumeRole carried an external id (the id itself is not reported). */
  usesExternalId?: boolean;
}

// ---------------------------------------------------------------- inventory

export interface Inventory {
  scannedAt: IsoTime;
  cutoff: IsoTime;
  targets: TargetResult[];
  applications: ApplicationInventory[];
  /** Set when the targets came from AWS Organizations. */
  organization?: OrganizationSummary;
  /** Web experience roles, read once each, keyed by role ARN. */
  roles: Record<string, RoleInventory>;
  /** Request statistics of the collection run. */
  stats?: {
    apiCalls: number;
    throttled: number;
    byOperation: Record<string, number>;
    /** Attempts and throttled attempts per "account|region|service:Operation" rate-limit bucket. */
    byBucket?: Record<string, { calls: number; throttled: number }>;
    /** Most HTTP attempts in flight at once. */
    peakInFlight?: number;
    /** Attempts answered with a 5xx server error (retried by the SDK). */
    serverErrors?: number;
  };
}

export interface ApplicationInventory {
  accountId: string;
  region: string;
  applicationId: string;
  applicationArn: string;
  displayName: string;
  identityType?: string;
  status?: string;
  createdAt?: IsoTime;
  updatedAt?: IsoTime;
  /** Set when GetApplication / ListIndices / ListWebExperiences failed: verdicts beneath are unknown. */
  error?: AwsErrorInfo;
  indices: IndexInventory[];
  webExperiences: WebExperienceInventory[];
}

/** An application without what lies beneath it: what the report and the audit's application rows need. */
export type ApplicationHeader = Omit<ApplicationInventory, "indices" | "webExperiences">;

/** An application's inventory as stored with an audit: with the roles its web experiences use (the dashboard's application page). */
export interface StoredApplicationInventory extends ApplicationInventory {
  roles: Record<string, RoleInventory>;
}

export interface IndexInventory {
  indexId: string;
  indexArn: string;
  displayName?: string;
  type?: string;
  status?: string;
  createdAt?: IsoTime;
  /** ListDataSources failed. */
  error?: AwsErrorInfo;
  dataSources: DataSourceInventory[];
  /**
   * Console uploads (data source id uploaded-docs-file-stat-datasourceid).
   * Undefined when the index has none listed; `documents.error` when they could not be read.
   */
  uploadedDocuments?: DocumentScan;
}

export interface SyncJobRecord {
  executionId: string;
  startTime?: IsoTime;
  endTime?: IsoTime;
  status?: string;
  error?: { errorMessage?: string; errorCode?: string };
  dataSourceErrorCode?: string;
  /** Metrics as numbers (the API sends strings); undefined when absent or not a number. */
  metrics?: {
    documentsAdded?: number;
    documentsModified?: number;
    documentsDeleted?: number;
    documentsFailed?: number;
    documentsScanned?: number;
  };
}

export interface DataSourceInventory {
  dataSourceId: string;
  displayName?: string;
  type?: string;
  status?: string;
  createdAt?: IsoTime;
  updatedAt?: IsoTime;
  /** GetDataSource's free-JSON configuration; undefined when it could not be read. */
  configuration?: Record<string, unknown>;
  /** GetDataSource failed. */
  error?: AwsErrorInfo;
  /**
   * Sync jobs newest first, no duplicates: the latest ones, read back until
   * no older job can change a verdict (see `syncJobsRead`), plus a job kept
   * from an earlier audit when its evidence was reused (`fullSyncReusedFrom`).
   */
  syncJobs: SyncJobRecord[];
  /** ListDataSourceSyncJobs failed. */
  syncJobsError?: AwsErrorInfo;
  /**
   * True when the source has no job before the earliest one in `syncJobs`
   * (so that one is the source's first sync). Undefined when not established.
   */
  firstSyncKnown?: boolean;
  /** Execution ids the product itself started in full mode (from its activity log). */
  ownFullSyncExecutionIds?: string[];
  documents: DocumentScan;
  /** How far back the sync jobs were read, and why reading stopped (absent: not read). */
  syncJobsRead?: SyncJobsRead;
  /** Set when the full-sync evidence (this job) was taken from an earlier audit instead of the job history. */
  fullSyncReusedFrom?: ReusedFrom & { executionId: string };
}

/** Where reused evidence was established: the audit that read it and when. */
export interface ReusedFrom {
  auditId: number;
  scannedAt: IsoTime;
}

export interface SyncJobsRead {
  /** ListDataSourceSyncJobs pages read. */
  pages: number;
  /** Jobs read (newest first). */
  jobs: number;
  /** Start time of the oldest job read: every job since it was read. Null when none was. */
  readBackTo: IsoTime | null;
  /** Whether every job that can count (started at or after the cutoff) was read. */
  complete: boolean;
  stoppedBecause: "history-exhausted" | "reached-cutoff" | "verdict-settled" | "reused-evidence";
}

/** Documents are counted as they stream, never kept. */
export interface DocumentScan {
  /** Documents read (stops at the cap). */
  scanned: number;
  /** True when the scan stopped at the cap: counts are "at least". */
  capped: boolean;
  /** Documents with updatedAt before the cutoff. */
  staleCount: number;
  /** Up to 5 example document ids of stale ones (uploaded: with their dates). */
  staleExamples: { documentId: string; updatedAt?: IsoTime }[];
  /** Documents with updatedAt at or after the cutoff. */
  freshCount: number;
  /** Documents whose status is FAILED or DOCUMENT_FAILED_TO_INDEX. */
  failedCount?: number;
  error?: AwsErrorInfo;
  /** When the scan started (the audit's clock); jobs since then may have changed the documents. */
  startedAt?: IsoTime;
  /** Set when the counts were not read now but taken from an earlier audit's scan (ADR 0010). */
  reusedFrom?: ReusedFrom;
}

export interface WebExperienceInventory {
  webExperienceId: string;
  status?: string;
  createdAt?: IsoTime;
  updatedAt?: IsoTime;
  /** roleArn, or the legacy authenticationConfiguration.samlConfiguration.roleArn. */
  roleArn?: string;
  roleArnSource?: "roleArn" | "samlConfiguration";
  defaultEndpoint?: string;
  /** GetWebExperience failed. */
  error?: AwsErrorInfo;
  /**
   * How the role answers GetDocumentContent for this application's resources.
   * Undefined when there is no role (or it does not exist).
   */
  access?: RoleAccessEvaluation;
}

/** IAM's decisions (the simulator's EvalDecision values), and "unknown" when neither could say. */
export const DECISIONS = ["allowed", "explicitDeny", "implicitDeny", "unknown"] as const;
export type Decision = (typeof DECISIONS)[number];

export interface MatchedStatement {
  /** Policy name (inline) or ARN (managed / boundary). */
  policy: string;
  policyType: "inline" | "managed" | "boundary" | "other";
  sid?: string;
  effect?: "Allow" | "Deny";
  /** The statement as JSON, when known. */
  statement?: unknown;
}

export interface ResourceDecision {
  resourceArn: string;
  decision: Decision;
  matchedStatements: MatchedStatement[];
  /** False when the role's own policies allow but its permissions boundary does not. */
  allowedByPermissionsBoundary?: boolean;
  /** Local method: why the verdict is unknown (e.g. a Condition it cannot evaluate). */
  reason?: string;
}

export interface RoleAccessEvaluation {
  /** "simulate" via iam:SimulatePrincipalPolicy, "local" when simulation was denied. */
  method: "simulate" | "local";
  /** Why simulation was not used (the AWS error), when method is local. */
  simulateError?: AwsErrorInfo;
  /** One per resource: the application ARN and `{applicationArn}/index/{indexId}` per index. */
  resources: ResourceDecision[];
  /** Could not evaluate at all (role policies unreadable). */
  error?: AwsErrorInfo;
}

export interface RoleInventory {
  roleArn: string;
  roleName: string;
  accountId: string;
  exists: boolean;
  /** GetRole failed for another reason than NoSuchEntity. */
  error?: AwsErrorInfo;
  /** Listing or reading the role's inline or attached policies failed: its policies are incomplete. */
  policiesError?: AwsErrorInfo;
  path?: string;
  trustPolicy?: PolicyDocument;
  inlinePolicies: { name: string; document: PolicyDocument }[];
  attachedPolicies: { arn: string; name?: string; document?: PolicyDocument; error?: AwsErrorInfo }[];
  permissionsBoundary?: { arn: string; document?: PolicyDocument; error?: AwsErrorInfo };
  /** Path /aws-service-role/: IAM refuses changes (UnmodifiableEntity). */
  serviceLinked?: boolean;
  /** The role's ARN as GetRole returned it, when it differs from `roleArn` (which was asked with a bare name or without the path). */
  iamArn?: string;
}

// ---------------------------------------------------------------- findings

// The lists of allowed values, each defined once; the types derive from them. Where order
// matters it is the list's own: SQL orderings are generated from these (app/db/order.ts).

/** Severities, most severe first: the order lists and SQL sort by (app/db/order.ts). */
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Finding statuses, in the order the report counts them (summary.findings) and filters list them. */
export const FINDING_STATUSES = ["fail", "warn", "unknown", "pass"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];
/** Finding statuses, most urgent first (the dashboard's sort: an unknown needs a look before a warning). */
export const FINDING_STATUS_URGENCY = ["fail", "unknown", "warn", "pass"] as const satisfies readonly FindingStatus[];

/** The fix actions a finding can offer. */
export const REMEDIATION_ACTIONS = ["full-sync", "patch-role-policy", "reupload-files"] as const;
export type RemediationAction = (typeof REMEDIATION_ACTIONS)[number];

/** Application readiness values, in the report's summary order. */
export const READINESS_VALUES = ["ready", "not-ready", "unsupported", "unknown"] as const;
export type Readiness = (typeof READINESS_VALUES)[number];
/** Readiness, what needs work first (the dashboard's sort). */
export const READINESS_URGENCY = ["not-ready", "unknown", "unsupported", "ready"] as const satisfies readonly Readiness[];

/** What a finding is about. */
export const FINDING_RESOURCE_TYPES = ["application", "data-source", "uploaded-documents", "web-experience", "role", "target"] as const;

/** Position of a value in an ordered list (unknown values after every known one): for sorting by a list's order. */
export function rankIn<T extends string>(list: readonly T[], value: T | string): number {
  const at = (list as readonly string[]).indexOf(value);
  return at < 0 ? list.length : at;
}

export interface FindingResource {
  type: (typeof FINDING_RESOURCE_TYPES)[number];
  accountId: string;
  region: string;
  applicationId: string | null;
  indexId: string | null;
  dataSourceId: string | null;
  webExperienceId: string | null;
  roleArn: string | null;
  name: string | null;
}

export interface Finding {
  checkId: string;
  status: FindingStatus;
  severity: Severity;
  resource: FindingResource;
  message: string;
  evidence: Record<string, unknown>;
  remediation: { action: RemediationAction | null };
  /** Set when an accepted exception (suppression rule) covers it: it keeps its status but no longer blocks readiness or --fail-on. */
  suppressed?: FindingSuppression;
  /** When it was wrong and when it was fixed, across the stored audits (audits kept in a database; app/db/finding-lifecycle.ts). */
  lifecycle?: FindingLifecycle;
}

/** How a finding stopped: its check passed, the audit no longer reported it on a resource it still audited, or its resource is gone. */
export const FIXED_REASONS = ["passed", "not-reported", "resource-gone"] as const;
export type FixedReason = (typeof FIXED_REASONS)[number];

/**
 * A finding's life across audits: set on a finding failing or warning
 * (firstSeen, lastSeen), and on a passing or vanished one that failed or
 * warned before (fixedAt too). A finding that fails again after a fix is
 * reopened: its firstSeen starts again, reopened counts the times.
 */
export interface FindingLifecycle {
  /** The first audit of the current (or, once fixed, the last) spell of failing or warning. */
  firstSeen: IsoTime;
  /** The latest audit that reported it failing or warning; absent on a finding this audit reports failing or warning (then it is scannedAt). */
  lastSeen?: IsoTime;
  /** The first audit that found it fixed; absent while it is open. */
  fixedAt?: IsoTime;
  fixedReason?: FixedReason;
  /** How many times it failed again after a fix; absent when never. */
  reopened?: number;
  /** The first audit that ever reported it (set when reopened: firstSeen is then later). */
  firstSeenEver?: IsoTime;
}

// ---------------------------------------------------------------- report (audit-report.md)

export interface ReportApplication {
  accountId: string;
  region: string;
  applicationId: string;
  displayName: string;
  identityType: string | null;
  readiness: Readiness;
  /** The account's name in AWS Organizations (organization audits). */
  accountName?: string;
  /** Set when the application could not be read completely: its readiness is then unknown unless something fails. */
  error?: AwsErrorInfo;
  /** Its findings covered by an accepted exception (left out of its readiness); absent when none. */
  suppressedFindings?: number;
}

// ---------------------------------------------------------------- organization audits

export interface OrganizationAccount {
  accountId: string;
  name: string;
  status: string;
  /** "Root/Workloads/Sandbox": the OU names from the root down. */
  ouPath: string;
}

export interface SkippedAccount extends OrganizationAccount {
  reason: "suspended" | "pending-closure" | "excluded";
}

/** What the report says about the organization an audit was scoped from. */
export interface OrganizationSummary {
  organizationId: string;
  managementAccountId: string;
  /** The account whose credentials ran the discovery (read directly when in scope). */
  callerAccountId: string;
  /** The OU filter, when one was given. */
  ous?: string[];
  skipped: SkippedAccount[];
}

export interface AuditReport {
  reportVersion: 1;
  scannedAt: IsoTime;
  cutoff: IsoTime;
  targets: TargetResult[];
  summary: {
    applications: { total: number; ready: number; notReady: number; unsupported: number; unknown: number };
    findings: { fail: number; warn: number; unknown: number; pass: number };
  };
  applications: ReportApplication[];
  findings: Finding[];
  /** Set when the targets came from AWS Organizations: the organization and the accounts skipped (suspended, excluded). */
  organization?: OrganizationSummary;
  /** The accepted-exception rules the audit applied and what each matched; absent when there were none. */
  suppressions?: SuppressionsSummary;
  /**
   * Findings the audit before reported failing or warning that this audit no
   * longer reports, in targets it read: each as last reported, with its
   * lifecycle (fixedReason "resource-gone" or "not-reported"). Absent when none.
   */
  vanished?: Finding[];
}

// ---------------------------------------------------------------- check modules

/** The AWS console pages a manual fix can point to (app/dashboard/console-links.ts builds their URLs). */
export const CONSOLE_PAGES = [
  "application",
  "web-experience",
  "index",
  "data-source",
  "sync-history",
  "role",
  "role-trust",
  "role-policy",
  "role-boundary",
] as const;
export type ConsolePage = (typeof CONSOLE_PAGES)[number];

/** Manual steps, in order, and the console pages (of the finding's resource) they happen on. */
export interface ManualFix {
  steps: readonly string[];
  console: readonly ConsolePage[];
}

export interface CheckMetadata {
  id: string;
  severity: Severity;
  /** What the finding's resource is. */
  resourceType: FindingResource["type"];
  title: string;
  /** What a failing finding means. */
  meaning: string;
  /** Why it matters to end users (quote the error they see where there is one). */
  whyItMatters: string;
  /** How to fix it, in words. */
  howToFix: string;
  /** Advice for connectors that need other words, by data source type ("S3V2" has no sync mode); howToFix otherwise (see howToFixFor). */
  howToFixByDataSourceType?: Record<string, string>;
  remediation: RemediationAction | null;
  /**
   * What an admin does by hand when no fix action is offered for a finding
   * (remediation null, or withheld for this resource): the exact steps, and
   * the console pages of the finding's resource they happen on.
   */
  manualFix?: ManualFix;
  /** AWS permissions the check needs to read its evidence. */
  permissions: readonly IamAction[];
}

export interface CheckContext {
  inventory: Inventory;
  /** The cutoff instant (default 2025-07-03T00:00:00Z). */
  cutoff: Date;
}

export interface Check {
  metadata: CheckMetadata;
  /** One finding per resource the check is about (pass included). */
  run(ctx: CheckContext): Finding[];
}

/** The raw-download cutoff instant (its home is the AWS vocabulary). */
export { DEFAULT_CUTOFF } from "../aws/vocabulary";
