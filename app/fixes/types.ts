/**
 * The fix actions' public shapes: what a plan shows, what an apply returns,
 * what the activity log records. Pure types (no AWS, no Node), so the
 * dashboard's components may import them.
 *
 * Every action is `plan(ctx, input) → Plan` (read-only, with a `planHash` of
 * what it shows) and `apply(ctx, plan, options)` (re-plans first and refuses a
 * plan whose hash changed since it was shown), then `verify`. The functions:
 *
 *   full-sync.ts          planFullSync(ctx, DataSourceRef) → FullSyncPlan
 *                         applyFullSync(ctx, FullSyncPlan | DataSourceRef, FullSyncApplyOptions) → ApplyResult<FullSyncPlan>
 *                         applyFullSyncBulk(ctx, { dataSource, confirmPlanHash }[], options & { concurrencyPerAccount? = 3 })
 *                         verifyFullSync(ctx, DataSourceRef) → Verification
 *   tracked-syncs.ts      resumeTrackedSyncs(ctx) → FollowResult[]   (call at server start, not awaited; `npm run fix -- resume`)
 *                         ownFullSyncExecutionIds(db) → (DataSourceKey) → string[]   (the audit's evidence of own full syncs)
 *                         listTrackedSyncs(db, { activityId? }) → TrackedSync[]
 *   patch-role-policy.ts  planRolePolicyPatch(ctx, RoleRef) → RolePolicyPatchPlan
 *                         applyRolePolicyPatch(ctx, RolePolicyPatchPlan | RoleRef, ApplyOptions) → ApplyResult<RolePolicyPatchPlan>
 *                         verifyRolePolicyPatch(ctx, RoleRef) → Verification
 *   reupload-files.ts     planReupload(ctx, UploadedDocumentsRef & { files: FileSource }) → ReuploadPlan
 *                         applyReupload(ctx, ReuploadPlan, ReuploadApplyOptions) → ApplyResult<ReuploadPlan> & { files: ReuploadFileOutcome[] }
 *                         verifyReupload(ctx, UploadedDocumentsRef) → Verification
 *   rollback.ts           planRollback(ctx, activityId) → RollbackPlan
 *                         applyRollback(ctx, RollbackPlan | number, ApplyOptions) → ApplyResult<RollbackPlan>
 *   activity-log.ts       listActivity(db, ActivityFilter) → ActivityEntry[];  getActivity(db, id) → ActivityEntry | undefined
 *   reaudit.ts            reauditApplication(ctx, ApplicationRef) → ReauditResult   (apply calls it itself; saves a new latest audit)
 *   context.ts            createFixContext(options) → FixContext
 *   permissions.ts        FIX_PERMISSIONS: Record<FixAction, string[]>
 *   index.ts              all of the above
 */

import type { AwsClients } from "../aws/clients";
import type { Db } from "../db/database";
import type { PolicyDocument, PolicyStatement } from "../policy/types";

/**
 * What every action runs with: the database (activity log, locks, tracked
 * syncs, audits) and the SDK clients of an account and region. Build one with
 * createFixContext (context.ts).
 */
export interface FixContext {
  db: Db;
  /** SDK clients for an account and region, as fix actions reach it (its fix role, or its own credentials). */
  clients(accountId: string, region: string): Promise<AwsClients>;
  /** SDK clients as the audit reaches the account (never the fix role): what re-audits read with. */
  auditClients?(accountId: string, region: string): Promise<AwsClients>;
  /** "Now" of the fleet (the emulator's clock for a fixture). */
  now(): Date;
  /** Wait between polls (tests advance the emulator clock instead). */
  sleep(ms: number): Promise<void>;
  /** The cutoff instant (default 2025-07-03T00:00:00Z). */
  cutoff: Date;
  /** Release the clients (the CLI, at exit). */
  close(): Promise<void>;
}

/** The fix actions: the remediations findings offer, and rolling one back. */
export const FIX_ACTIONS = ["full-sync", "patch-role-policy", "reupload-files", "rollback"] as const;
export type FixAction = (typeof FIX_ACTIONS)[number];

/** An application of the fleet. */
export interface ApplicationRef {
  accountId: string;
  region: string;
  applicationId: string;
}

/** An S3 data source (the full-sync action's resource). */
export interface DataSourceRef extends ApplicationRef {
  indexId: string;
  dataSourceId: string;
}

/** A web experience role (the role patch's resource). Applications are found from the latest audit unless given. */
export interface RoleRef {
  accountId: string;
  /** Role ARN (a role name is resolved in `accountId`). */
  roleArn: string;
  /** Inline policy to write; default QBusinessGetDocumentContent. */
  policyName?: string;
  /** The applications whose web experiences use the role; default: those the latest audit saw using it. */
  applications?: (ApplicationRef & { applicationArn?: string; indexIds?: string[] })[];
}

/** An index's uploaded documents (the re-upload action's resource). */
export interface UploadedDocumentsRef extends ApplicationRef {
  indexId: string;
}

/** What a fix touches, as the activity log and its filters name it. */
export interface ResourceRef {
  type: "data-source" | "role" | "uploaded-documents" | "application";
  accountId: string;
  region?: string;
  applicationId?: string;
  indexId?: string;
  dataSourceId?: string;
  roleArn?: string;
  /** Display name or role name, for people. */
  name?: string;
}

/**
 * ready: apply would change something; nothing-to-do: already fixed;
 * refused: a change would not help or is not allowed (reasons say why);
 * unavailable: AWS denied a permission the action needs (missingPermissions).
 */
export const PLAN_STATUSES = ["ready", "nothing-to-do", "refused", "unavailable"] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export interface PlanBase {
  action: FixAction;
  /** The resource the action changes (locked while it applies). */
  resource: ResourceRef;
  /** Applications re-audited after the action. */
  applications: ApplicationRef[];
  status: PlanStatus;
  /** One line for people: what apply would do, or why it will not. */
  summary: string;
  /** Why refused/unavailable/nothing-to-do (several may hold). */
  reasons: string[];
  /** IAM actions AWS denied while planning ("qbusiness:GetDataSource"). */
  missingPermissions: string[];
  /** Hash of what the plan shows (not of when it was made): confirm with it. */
  planHash: string;
  plannedAt: string;
}

export interface FullSyncPlan extends PlanBase {
  action: "full-sync";
  details: {
    dataSource: DataSourceRef & { displayName?: string; type?: string; status?: string };
    /** configuration.syncMode now (FULL_CRAWL = incremental, FORCED_FULL_CRAWL = full). */
    currentSyncMode?: string;
    /** True when the mode must be switched to FORCED_FULL_CRAWL (and back afterwards). */
    switchesMode: boolean;
    documentCount?: number;
    /** Counted "at least" (stopped at the cap). */
    documentCountCapped?: boolean;
    /** Finished syncs, newest first: how long they took. */
    pastSyncs: { executionId: string; status?: string; startTime?: string; endTime?: string; durationSeconds?: number }[];
    /** A sync running now (apply will not start another; it can wait for it). */
    runningSync?: { executionId: string; startTime?: string };
    /** The configuration UpdateDataSource will send (GetDataSource's, only syncMode changed). */
    newConfiguration?: Record<string, unknown>;
    /** An S3 (v2) source: no sync mode to switch; apply syncs, then checks every document (full-sync-s3v2.ts). */
    modeless?: { bucket?: string; deletionProtection: { enabled: boolean; threshold: number } };
  };
}

export interface RolePolicyPatchPlan extends PlanBase {
  action: "patch-role-policy";
  details: {
    roleArn: string;
    roleName: string;
    policyName: string;
    /** The inline policy as it is now, or null when absent. */
    previousDocument: PolicyDocument | null;
    /** The inline policy apply will put. */
    newDocument?: PolicyDocument;
    /** Line diff of the pretty-printed documents ("+ " / "- " / "  " prefixes). */
    diff: string[];
    /** The statement granted, as merged. */
    statement?: PolicyStatement;
    /** Resources the statement must cover (per application: its ARN and ARN/index/*). */
    requiredResources: string[];
    /** Size of all inline policies after the patch, as IAM counts it, and the quota. */
    inlineSizeAfter?: number;
    inlineQuota: number;
  };
}

export interface ReuploadPlan extends PlanBase {
  action: "reupload-files";
  details: {
    index: UploadedDocumentsRef;
    cutoff: string;
    /** Uploaded documents updated before the cutoff, by name. */
    staleDocuments: { documentId: string; updatedAt?: string }[];
    /** Stale documents and the file that will replace each; typeWarning: its content does not look like its extension says. */
    matched: { documentId: string; file: string; bytes: number; contentType?: string; sha256: string; tooLarge?: boolean; typeWarning?: string }[];
    /** Stale documents whose file is refused before anything is sent (empty, or several files of that name), and why. */
    refusedFiles?: { documentId: string; file: string; reason: string }[];
    /** Folder entries not read: symbolic links and anything else that is not a regular file. */
    skippedEntries?: string[];
    /** Files given that match no stale document (not uploaded). */
    unmatchedFiles: string[];
    /** Stale documents no file was given for. */
    missingFiles: string[];
    source: string;
  };
}

export interface RollbackPlan extends PlanBase {
  action: "rollback";
  details: {
    activityId: number;
    roleArn: string;
    policyName: string;
    /** What rollback will do: delete the inline policy we created, or put back its previous document. */
    operation: "DeleteRolePolicy" | "PutRolePolicy";
    /** Policies as JSON documents (not `unknown`), so the loaders' data keeps this type over the wire. */
    currentDocument: PolicyDocument | null;
    restoreDocument: PolicyDocument | null;
    diff: string[];
  };
}

export type FixPlan = FullSyncPlan | RolePolicyPatchPlan | ReuploadPlan | RollbackPlan;

export interface ApplyOptions {
  /** Who: "user:alice@example.com", "cli:alice". */
  actor: string;
  /** The planHash of the plan the actor saw and confirmed. */
  confirmPlanHash: string;
}

export interface FullSyncApplyOptions extends ApplyOptions {
  /** Follow the job to its end before returning (default false: tracked in the background). */
  wait?: boolean;
  /** Put the original mode back after the sync (default true). */
  restoreMode?: boolean;
  /** When a sync is already running, wait for it to end instead of just reporting it. */
  waitForRunning?: boolean;
  /** Without wait: follow the job in this process's background (default true; the tracked row lets a restart resume it). */
  followInBackground?: boolean;
}

/**
 * succeeded / failed / partial (done and notDone both non-empty);
 * stale-plan: the plan changed since it was shown (nothing done, `plan` is the new one);
 * busy: the same action runs on this resource now; refused / unavailable / nothing-to-do: as the plan said;
 * started: a sync is started and tracked in the background (not waited for).
 */
export const APPLY_OUTCOMES = ["succeeded", "failed", "partial", "started", "stale-plan", "busy", "refused", "unavailable", "nothing-to-do"] as const;
export type ApplyOutcome = (typeof APPLY_OUTCOMES)[number];

export interface Verification {
  ok: boolean;
  message: string;
  details?: Record<string, unknown>;
}

export interface ReauditResult {
  auditId: number;
  readiness: Record<string, string>;
  /** Findings of the re-audited applications that do not pass. */
  stillWrong: { checkId: string; status: string; message: string }[];
}

export interface ApplyResult<P extends FixPlan = FixPlan> {
  outcome: ApplyOutcome;
  message: string;
  /** The plan apply acted on (the fresh one; for stale-plan, the one to show instead). */
  plan: P;
  activityId?: number;
  /** Steps done and not done, in words, exactly. */
  done: string[];
  notDone: string[];
  requestIds: string[];
  verification?: Verification;
  reaudit?: ReauditResult;
}

// ---------------------------------------------------------------- activity log

export const ACTIVITY_STATUSES = ["running", ...APPLY_OUTCOMES, "rolled-back"] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

/** One event of an activity (append-only; the entry's status is its latest event's). */
export interface ActivityEvent {
  at: string;
  status: ActivityStatus;
  message: string;
  requestIds: string[];
  data?: Record<string, unknown>;
}

export interface ActivityEntry {
  id: number;
  action: FixAction;
  actor: string;
  startedAt: string;
  /** Status of the latest event. */
  status: ActivityStatus;
  message: string;
  resources: ResourceRef[];
  /** The plan as shown and confirmed. */
  plan: FixPlan;
  /** What a rollback needs (role patch: the previous document or null for "absent"). */
  rollbackData?: Record<string, unknown>;
  /** The activity this one rolled back. */
  rollbackOf?: number;
  /** The rollback activity of this one, if rolled back. */
  rolledBackBy?: number;
  /** Every AWS request id of every event. */
  requestIds: string[];
  events: ActivityEvent[];
}

export interface ActivityFilter {
  action?: FixAction;
  actor?: string;
  accountId?: string;
  applicationId?: string;
  status?: ActivityStatus;
  limit?: number;
}

// ---------------------------------------------------------------- tracked syncs

export interface TrackedSync {
  id: number;
  activityId: number;
  dataSource: DataSourceRef;
  executionId: string;
  /** Mode before the action (restored afterwards when restoreMode). */
  originalSyncMode?: string;
  restoreMode: boolean;
  /** The job ran in full mode (the audit counts it as the product's own full sync). */
  fullMode: boolean;
  /**
   * starting: recorded before the mode switch, no job yet (executionId ""); following: the job runs;
   * restoring: it ended, mode to put back; done / failed: finished.
   */
  state: "starting" | "following" | "restoring" | "done" | "failed";
  jobStatus?: string;
  startedAt: string;
  updatedAt: string;
  message?: string;
}

// ---------------------------------------------------------------- re-upload input

export interface ReuploadApplyOptions extends ApplyOptions {
  /** The same files the plan was made from (the plan keeps only their names, sizes and hashes). */
  files: FileSource;
}

/** What happened to each file of a re-upload. */
export interface ReuploadFileOutcome {
  documentId: string;
  file: string;
  outcome: "uploaded" | "failed" | "refused-too-large";
  error?: string;
}

/** Where re-upload files come from. */
export type FileSource = { kind: "folder"; path: string } | { kind: "s3"; uri: string } | { kind: "buffers"; files: { name: string; data: Uint8Array }[] };
