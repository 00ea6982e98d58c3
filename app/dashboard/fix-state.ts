/**
 * The one state of a fix page, derived from the stored facts only: the plan
 * made now, the activity log's entries for the resource (its last run), the
 * syncs that run tracks, and the resource's findings in the latest audit.
 * Never from an apply's response: a refresh shows the same state as the page
 * right after the apply. Pure, so every state is unit-tested
 * (test/dashboard/fix-state.test.ts) and the page only renders what it says.
 *
 *   in-progress     the last run is running, or a sync it started is followed
 *   verified-fixed  the last run ended and the audit after it passes every check of the resource
 *   partly-fixed    the last run did something, the audit after it still finds some wrong
 *   failed          the last run failed and the resource is still wrong
 *   unverified      the last run ended but no audit has read the resource since
 *   nothing-to-do   the latest audit finds nothing wrong (no run of ours to credit), or the plan says so
 *   ready / refused / unavailable   no run to report: the plan decides
 */
import type { FindingStatus } from "~/audit/types";
import { plural } from "~/util/plural";
import type { ActivityEntry, ActivityStatus, FixAction, PlanStatus, ReauditResult, ResourceRef, TrackedSync, Verification } from "~/fixes/types";

export const FIX_STATE_KINDS = [
  "in-progress",
  "verified-fixed",
  "partly-fixed",
  "failed",
  "unverified",
  "nothing-to-do",
  "ready",
  "refused",
  "unavailable",
] as const;
export type FixStateKind = (typeof FIX_STATE_KINDS)[number];

/** A finding of the resource in the latest audit, for one of the checks this action fixes. */
export interface ResourceFinding {
  id: number;
  checkId: string;
  checkTitle: string;
  status: FindingStatus;
  message: string;
}

/** What the activity log says about the last run, as the page shows it. */
export interface LastRun {
  activityId: number;
  action: FixAction;
  actor: string;
  status: ActivityStatus;
  message: string;
  startedAt: string;
  /** When its latest event was recorded. */
  at: string;
  done: string[];
  notDone: string[];
  verification?: Verification;
  reaudit?: ReauditResult;
  /** Re-upload: what happened to each file. */
  files?: { documentId: string; file: string; outcome: string; error?: string }[];
  /** The rollback that undid it, if any. */
  rolledBackBy?: number;
  rollbackOf?: number;
}

/** The stored facts a fix page's state comes from. */
export interface FixFacts {
  action: Exclude<FixAction, "rollback">;
  plan: { status: PlanStatus; summary: string };
  /** Activity entries whose resources include this resource, newest first. */
  activity: ActivityEntry[];
  /** The tracked syncs of the newest entry (full sync). */
  trackedSyncs: Pick<TrackedSync, "state" | "activityId">[];
  /** The resource's findings in the latest audit (checks whose remediation is this action). */
  findings: ResourceFinding[];
  /** Whether an audit read the resource after the newest entry ended (its re-audit, or a later scan). */
  auditedAfterRun: boolean;
}

export interface FixPageState {
  kind: FixStateKind;
  /** Badge text: "Verified fixed", "Partly fixed", … */
  headline: string;
  /** One sentence under it. */
  detail: string;
  /** Whether the page offers the apply form (never after a verified fix, never while one runs). */
  offerApply: boolean;
  /** The run this state is about (kept after a refresh), or the previous run shown as history. */
  run: LastRun | null;
  /** The resource's findings that still do not pass. */
  stillWrong: ResourceFinding[];
}

const RUNNING: ReadonlySet<ActivityStatus> = new Set(["running", "started"]);
const DID_SOMETHING: ReadonlySet<ActivityStatus> = new Set(["succeeded", "partial"]);

/** Whether two resources of the activity log are the same thing (names aside). */
export function sameResource(a: ResourceRef, b: ResourceRef): boolean {
  if (a.type !== b.type || a.accountId !== b.accountId) return false;
  if (a.type === "role") return (a.roleArn ?? "") === (b.roleArn ?? "");
  return (
    a.region === b.region && a.applicationId === b.applicationId && (a.indexId ?? "") === (b.indexId ?? "") && (a.dataSourceId ?? "") === (b.dataSourceId ?? "")
  );
}

/** The last run of an entry, from its events: the outcome event's steps, its verification, the re-audit recorded. */
export function lastRunOf(entry: ActivityEntry): LastRun {
  const withSteps = [...entry.events].reverse().find((e) => Array.isArray(e.data?.done));
  const withVerification = [...entry.events].reverse().find((e) => e.data?.verification);
  const withReaudit = [...entry.events].reverse().find((e) => e.data?.reaudit);
  const withFiles = [...entry.events].reverse().find((e) => Array.isArray(e.data?.files));
  const last = entry.events[entry.events.length - 1];
  return {
    activityId: entry.id,
    action: entry.action,
    actor: entry.actor,
    status: entry.status,
    message: entry.message,
    startedAt: entry.startedAt,
    at: last?.at ?? entry.startedAt,
    done: (withSteps?.data?.done as string[] | undefined) ?? [],
    notDone: (withSteps?.data?.notDone as string[] | undefined) ?? [],
    ...(withVerification ? { verification: withVerification.data!.verification as Verification } : {}),
    ...(withReaudit ? { reaudit: withReaudit.data!.reaudit as ReauditResult } : {}),
    ...(withFiles ? { files: withFiles.data!.files as LastRun["files"] } : {}),
    ...(entry.rolledBackBy !== undefined ? { rolledBackBy: entry.rolledBackBy } : {}),
    ...(entry.rollbackOf !== undefined ? { rollbackOf: entry.rollbackOf } : {}),
  };
}

function state(kind: FixStateKind, parts: Omit<FixPageState, "kind" | "headline"> & { headline?: string }): FixPageState {
  return { kind, headline: parts.headline ?? HEADLINES[kind], ...parts };
}

const HEADLINES: Record<FixStateKind, string> = {
  "in-progress": "In progress",
  "verified-fixed": "Verified fixed",
  "partly-fixed": "Partly fixed",
  failed: "Failed",
  unverified: "Done, not verified yet",
  "nothing-to-do": "Nothing to do",
  ready: "Ready to apply",
  refused: "Refused",
  unavailable: "Unavailable",
};

/** No run of ours to report (none, undone, or a later audit found the resource wrong again): the plan and the findings decide. */
function fromPlan(facts: FixFacts, previous: LastRun | null, stillWrong: ResourceFinding[]): FixPageState {
  const passes = facts.findings.length > 0 && stillWrong.length === 0;
  if (passes || facts.plan.status === "nothing-to-do") {
    const detail = passes ? "The latest audit finds nothing wrong with this resource." : facts.plan.summary;
    return state("nothing-to-do", { detail, offerApply: false, run: previous, stillWrong });
  }
  const kind: FixStateKind = facts.plan.status;
  return state(kind, { detail: facts.plan.summary, offerApply: kind === "ready", run: previous, stillWrong });
}

/** The page's one state (see the module comment for the order the facts are read in). */
export function deriveFixState(facts: FixFacts): FixPageState {
  const stillWrong = facts.findings.filter((f) => f.status !== "pass");
  const newest = facts.activity[0];
  if (!newest) return fromPlan(facts, null, stillWrong);
  const run = lastRunOf(newest);
  if (RUNNING.has(newest.status) || facts.trackedSyncs.some((s) => s.state === "starting" || s.state === "following" || s.state === "restoring")) {
    return state("in-progress", { detail: `Activity #${run.activityId}: ${run.message}`, offerApply: false, run, stillWrong });
  }
  // A run that was undone (or the rollback itself) no longer fixes anything: it is history.
  if (newest.action === "rollback" || newest.rolledBackBy !== undefined) return fromPlan(facts, run, stillWrong);
  if (!facts.auditedAfterRun) {
    if (DID_SOMETHING.has(newest.status)) {
      return state("unverified", {
        detail: `Activity #${run.activityId} ended ${newest.status}, but no audit has read this resource since: scan again to verify it.`,
        offerApply: false,
        run,
        stillWrong,
      });
    }
    return state("failed", { detail: run.message, offerApply: facts.plan.status === "ready", run, stillWrong });
  }
  if (stillWrong.length === 0 && facts.findings.length > 0) {
    if (DID_SOMETHING.has(newest.status)) {
      return state("verified-fixed", {
        detail: `Audited again after activity #${run.activityId}: every check of this resource passes.`,
        offerApply: false,
        run,
        stillWrong,
      });
    }
    return fromPlan(facts, run, stillWrong);
  }
  if (stillWrong.length === 0) return fromPlan(facts, run, stillWrong);
  const kind: FixStateKind = DID_SOMETHING.has(newest.status) ? "partly-fixed" : "failed";
  const detail =
    kind === "partly-fixed"
      ? `Activity #${run.activityId} ran, but the audit after it still finds ${plural(stillWrong.length, "problem")} with this resource.`
      : run.message;
  return state(kind, { detail, offerApply: facts.plan.status === "ready", run, stillWrong });
}
