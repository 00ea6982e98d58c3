/**
 * The product's AWS vocabulary, in one place: the IAM action names it calls and
 * asks for, the Q Business sync modes and what they really mean, the error codes
 * that mean "access denied", the raw-download cutoff, and the error texts end
 * users see when a source link will not open (docs/aws-facts.md).
 *
 * Every product module takes these from here. The local AWS (app/local-aws)
 * keeps its own copy on purpose: it plays AWS, and must not change its
 * behaviour when the product changes its mind.
 *
 * Pure constants: no Node, no SDK, safe in the browser bundle.
 */

// ---------------------------------------------------------------- IAM actions

/**
 * Every "service:Action" the product calls or names in a policy. Permission
 * lists (checks' metadata, FIX_PERMISSIONS) and the operations the collector
 * and the fixes label their requests with are typed `IamAction`, so a name not
 * listed here (or misspelt) fails the typecheck.
 */
export const IAM_ACTIONS = [
  // Q Business: the audit's reads
  "qbusiness:ListApplications",
  "qbusiness:GetApplication",
  "qbusiness:ListIndices",
  "qbusiness:ListDataSources",
  "qbusiness:GetDataSource",
  "qbusiness:ListDataSourceSyncJobs",
  "qbusiness:ListDocuments",
  "qbusiness:ListWebExperiences",
  "qbusiness:GetWebExperience",
  // Q Business: the fixes' writes
  "qbusiness:UpdateDataSource",
  "qbusiness:StartDataSourceSyncJob",
  "qbusiness:BatchPutDocument",
  // Q Business: what a web experience role lets end users do
  "qbusiness:GetDocumentContent",
  // IAM: reading a role and its policies, simulating it, patching it
  "iam:GetRole",
  "iam:ListRolePolicies",
  "iam:GetRolePolicy",
  "iam:ListAttachedRolePolicies",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
  "iam:SimulatePrincipalPolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:PassRole",
  // STS: who the audit is, and the targets' roles
  "sts:GetCallerIdentity",
  "sts:AssumeRole",
  "sts:SetContext",
  // S3: files re-uploaded from a bucket prefix
  "s3:ListBucket",
  "s3:GetObject",
] as const;

export type IamAction = (typeof IAM_ACTIONS)[number];

/** The call behind a clickable source URL: what the web experience role must allow. */
export const GET_DOCUMENT_CONTENT = "qbusiness:GetDocumentContent" satisfies IamAction;

/** The actions a web experience role's trust policy must grant Q Business (AssumeRole, and SetContext for the user's identity). */
export const WEB_EXPERIENCE_TRUST_ACTIONS = ["sts:AssumeRole", "sts:SetContext"] as const satisfies readonly IamAction[];

/** The IAM reads that fetch a role and every policy it has (inline, attached, boundary): the audit and the role-patch fix both make them. */
export const ROLE_POLICY_READ_PERMISSIONS = [
  "iam:GetRole",
  "iam:ListRolePolicies",
  "iam:GetRolePolicy",
  "iam:ListAttachedRolePolicies",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
] as const satisfies readonly IamAction[];

/**
 * "qbusiness:ListDataSourceSyncJobs" for the SDK's ListDataSourceSyncJobsCommand of the qbusiness client: how
 * AwsCallStats names what it counts. The IAM action is the operation's name for Q Business, IAM and STS; S3 names
 * some differently (ListObjectsV2 needs s3:ListBucket, HeadObject s3:GetObject), which this does not translate.
 */
export function iamActionOf(service: string, commandName: string): string {
  return `${service}:${commandName.replace(/Command$/, "")}`;
}

// ---------------------------------------------------------------- sync modes

/**
 * The S3 connector's `configuration.syncMode`. The names mislead:
 * - FULL_CRAWL is the console's "New, modified, or deleted content sync":
 *   INCREMENTAL, despite its name. It does not count as the full sync the
 *   raw-download feature requires.
 * - FORCED_FULL_CRAWL is the console's "Full sync": every file is crawled and
 *   re-ingested. This is the full sync that counts.
 * A data source's first sync always covers all content, whatever the mode.
 * The newer S3V2 connector has no sync mode at all.
 */
export const SYNC_MODES = ["FULL_CRAWL", "FORCED_FULL_CRAWL"] as const;
export type SyncModeName = (typeof SYNC_MODES)[number];

/** Incremental ("New, modified, or deleted content sync"), despite its name. */
export const INCREMENTAL_SYNC_MODE = "FULL_CRAWL" satisfies SyncModeName;
/** Full ("Full sync"): the one that counts after the cutoff. */
export const FULL_SYNC_MODE = "FORCED_FULL_CRAWL" satisfies SyncModeName;

/** What each sync mode is, in one word: the dashboard shows "incremental (FULL_CRAWL)" so a bare FULL_CRAWL is never read as "full". */
export const SYNC_MODE_KIND: Record<SyncModeName, "incremental" | "full"> = {
  FULL_CRAWL: "incremental",
  FORCED_FULL_CRAWL: "full",
};

/** What each sync mode means, for plans and explanations. */
export const SYNC_MODE_MEANING: Record<SyncModeName, string> = {
  FULL_CRAWL: "incremental (FULL_CRAWL): only new and changed files are synced",
  FORCED_FULL_CRAWL: "full (FORCED_FULL_CRAWL): every file is synced again",
};

/** Sync job statuses of a job still running (the product waits for its end). */
export const RUNNING_SYNC_JOB_STATUSES: ReadonlySet<string> = new Set(["SYNCING", "STOPPING", "SYNCING_INDEXING"]);

/** Document statuses of a document that failed to (re-)ingest. */
export const FAILED_DOCUMENT_STATUSES: ReadonlySet<string> = new Set(["FAILED", "DOCUMENT_FAILED_TO_INDEX"]);
/** Document statuses of a document on its way out: it cannot be opened, so it is neither stale nor fresh. */
export const DELETED_DOCUMENT_STATUSES: ReadonlySet<string> = new Set(["DELETED", "DELETING"]);

/** The data source id the console gives files uploaded straight to an index. */
export const UPLOADED_DOCS_DATA_SOURCE_ID = "uploaded-docs-file-stat-datasourceid";

// ---------------------------------------------------------------- errors

/** The codes AWS services answer a refused permission with (Q Business, IAM/STS, S3 and EC2-style). */
export const ACCESS_DENIED_CODES: ReadonlySet<string> = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

export function isAccessDeniedCode(code: string | undefined): boolean {
  return code !== undefined && ACCESS_DENIED_CODES.has(code);
}

/** The codes of an IAM entity (role, policy) that does not exist (the SDK's and the wire's spelling). */
export const NO_SUCH_ENTITY_CODES: ReadonlySet<string> = new Set(["NoSuchEntity", "NoSuchEntityException"]);

// ---------------------------------------------------------------- the cutoff

/**
 * The raw-download cutoff: a full sync (or upload) must be performed after
 * 07/02/2025, read as the instant 2025-07-03T00:00:00Z (see docs/decisions).
 */
export const DEFAULT_CUTOFF = "2025-07-03T00:00:00.000Z";
/** The cutoff day as AWS words it to end users ("after 07/02/2025"). */
export const CUTOFF_DAY_LABEL = "07/02/2025";

// ---------------------------------------------------------------- end users' error texts

/** What an end user sees opening a source link when the document lacks a full sync after the cutoff. */
export const FULL_SYNC_REQUIRED_ERROR =
  `This document cannot be downloaded because the raw document download feature requires a full connector sync performed after ${CUTOFF_DAY_LABEL}. ` +
  "Your admin has not yet completed this full sync. Please contact your admin to request a complete sync of the data source.";

/** Its first sentence, for explanations that quote it briefly. */
export const FULL_SYNC_REQUIRED_ERROR_SHORT = FULL_SYNC_REQUIRED_ERROR.slice(0, FULL_SYNC_REQUIRED_ERROR.indexOf(". ") + 1);

/** What an end user sees when the web experience role does not allow GetDocumentContent. */
export const ROLE_PERMISSION_ERROR =
  "Unable to download this document because your Web Experience lacks the required permissions. " +
  "Your admin needs to update the IAM role for the Web Experience to include permissions for the GetDocumentContent API. " +
  "Please contact your admin to request this IAM role update.";

/** Its first sentence. */
export const ROLE_PERMISSION_ERROR_SHORT = ROLE_PERMISSION_ERROR.slice(0, ROLE_PERMISSION_ERROR.indexOf(". ") + 1);
