/**
 * What every fix page shows: the plan's verdict, the confirm-and-apply form
 * (operators only), and what happened after apply.
 */
import { Form, Link, useFetcher, useNavigation } from "@remix-run/react";
import { elapsedWords, secondsSince } from "~/util/elapsed";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { CsrfInput } from "~/auth/csrf-input";
import type { ActivityEntry, ApplyOutcome, PlanBase, PlanStatus, TrackedSync, Verification } from "~/fixes/types";
import { formatTime, plural, syncModeLabel } from "~/dashboard/words";
import { FULL_SYNC_MODE } from "~/aws/vocabulary";
import { activityPath } from "./fix-links";

/** The part of a plan every action has (the fixes' PlanBase as a loader serialises it). */
export type PlanHeader = Pick<PlanBase, "status" | "summary" | "reasons" | "missingPermissions" | "planHash" | "plannedAt">;

const PLAN_STATUS_LABELS: Record<PlanStatus, string> = {
  ready: "Ready to apply",
  "nothing-to-do": "Nothing to do",
  refused: "Refused",
  unavailable: "Unavailable",
};

/** The plan's verdict in words: its summary, why it is refused, which permission AWS denied. */
export function FixPlanStatus({ plan, asConfirmed = false, badge = true }: { plan: PlanHeader; asConfirmed?: boolean; badge?: boolean }) {
  return (
    <div className={`plan-status ${plan.status}`} data-testid="plan-status" data-status={plan.status}>
      <p>
        {/* A plan kept in the activity log was confirmed as it was: its "ready" badge would read as an offer. */}
        {/* On a fix page the state card above carries the one badge (badge=false): a second one could contradict it. */}
        {asConfirmed || !badge ? null : <span className={`badge plan-${plan.status}`}>{PLAN_STATUS_LABELS[plan.status]}</span>} {plan.summary}
      </p>
      {plan.reasons.length > 0 ? (
        <ul className="plan-reasons">
          {plan.reasons.map((reason, i) => (
            <li key={i}>{reason}</li>
          ))}
        </ul>
      ) : null}
      {plan.missingPermissions.length > 0 ? (
        <p className="error-text" data-testid="missing-permissions">
          This action is unavailable: AWS denied the dashboard&apos;s credentials{" "}
          {plan.missingPermissions.map((p, i) => (
            <span key={p}>
              {i > 0 ? ", " : ""}
              <code>{p}</code>
            </span>
          ))}
          . Grant {plan.missingPermissions.length === 1 ? "it" : "them"} to the role the dashboard runs with, then reload.
        </p>
      ) : null}
      <p className="muted small">Planned {formatTime(plan.plannedAt)}.</p>
    </div>
  );
}

/**
 * The confirmation of the plan shown: posts its planHash (a plan that changed
 * since is re-planned, not applied). Viewers see it disabled.
 */
export function FixApplyForm({
  plan,
  canApply,
  label,
  children,
  encType,
  extraHashes,
  blockedBecause,
}: {
  plan: Pick<PlanHeader, "status" | "planHash">;
  canApply: boolean;
  label: string;
  /** Options and extra fields (e.g. the file input of a re-upload). */
  children?: ReactNode;
  encType?: "multipart/form-data";
  /** Bulk: the hashes of every plan shown. */
  extraHashes?: string[];
  /** Why apply is not offered now although the plan is ready (e.g. a sync runs). */
  blockedBecause?: string;
}) {
  const navigation = useNavigation();
  const applying = navigation.state === "submitting" && navigation.formData?.get("intent") === "apply";
  const ready = plan.status === "ready" && !blockedBecause;
  return (
    <Form method="post" encType={encType} className="apply-form" data-testid="apply-form">
      <CsrfInput />
      <input type="hidden" name="intent" value="apply" />
      <input type="hidden" name="planHash" value={plan.planHash} />
      {extraHashes?.map((hash) => (
        <input key={hash} type="hidden" name="planHashes" value={hash} />
      ))}
      {children}
      <button type="submit" disabled={!canApply || !ready || applying} data-testid="apply-button">
        {applying ? "Applying…" : label}
      </button>
      {!canApply ? (
        <span className="muted" data-testid="operators-only">
          {" "}
          Operators only: you are signed in as a viewer.
        </span>
      ) : null}
      {canApply && blockedBecause ? (
        <span className="muted" data-testid="apply-blocked">
          {" "}
          {blockedBecause}
        </span>
      ) : null}
      {canApply && !ready && !blockedBecause ? (
        <span className="muted"> Nothing to apply: {plan.status === "nothing-to-do" ? "it is already fixed" : "see why above"}.</span>
      ) : null}
    </Form>
  );
}

const OUTCOME_LABELS: Record<ApplyOutcome, string> = {
  succeeded: "Done",
  failed: "Failed",
  partial: "Done in part",
  started: "Started",
  "stale-plan": "The plan changed",
  busy: "Already running",
  refused: "Refused",
  unavailable: "Unavailable",
  "nothing-to-do": "Nothing to do",
};

/** What an apply returns, as the page needs it. */
export interface ShownApplyResult {
  outcome: ApplyOutcome;
  message: string;
  activityId?: number;
  done: string[];
  notDone: string[];
  requestIds: string[];
  verification?: Verification;
  reaudit?: { auditId: number; readiness: Record<string, string>; stillWrong: { checkId: string; status: string; message: string }[] };
}

export function VerificationResult({ verification }: { verification: Verification }) {
  return verification.ok ? (
    <p className="verified" data-testid="verification" data-ok="true">
      <span className="badge pass">Verified fixed</span> {verification.message}
    </p>
  ) : (
    <>
      <p className="not-verified" data-testid="verification" data-ok="false">
        <span className="badge fail">Still wrong</span> {verification.message}
      </p>
      <NextStepCommands verification={verification} />
    </>
  );
}

/** The exact commands a verification's next step lists (S3V2 full sync: touch the stale objects), ready to copy. */
function NextStepCommands({ verification }: { verification: Verification }) {
  const commands = verification.details?.touchCommands;
  if (!Array.isArray(commands) || commands.length === 0) return null;
  return (
    <details open data-testid="next-step-commands">
      <summary>Commands for step 1 ({commands.length})</summary>
      <pre>{commands.map(String).join("\n")}</pre>
    </details>
  );
}

export function ReauditResult({ reaudit }: { reaudit: NonNullable<ShownApplyResult["reaudit"]> }) {
  return (
    <div className="reaudit" data-testid="reaudit">
      <h4>Audited again</h4>
      <ul>
        {Object.entries(reaudit.readiness).map(([app, readiness]) => (
          <li key={app}>
            <code>{app}</code>:{" "}
            <span className={`badge ${readiness}`} data-testid="reaudit-readiness">
              {readiness}
            </span>
          </li>
        ))}
      </ul>
      {reaudit.stillWrong.length > 0 ? (
        <>
          <p>Still wrong:</p>
          <ul>
            {reaudit.stillWrong.map((f, i) => (
              <li key={i}>
                <code>{f.checkId}</code> ({f.status}): {f.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** Steps done and not done, and the AWS request ids: what an admin needs after a half-way failure. */
export function StepsAndRequestIds({ done, notDone, requestIds }: { done: string[]; notDone: string[]; requestIds: string[] }) {
  return (
    <>
      {done.length > 0 ? (
        <div data-testid="done">
          <h4>Done</h4>
          <ul>
            {done.map((step, i) => (
              <li key={i}>{step}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {notDone.length > 0 ? (
        <div data-testid="not-done">
          <h4>Not done</h4>
          <ul>
            {notDone.map((step, i) => (
              <li key={i}>{step}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {requestIds.length > 0 ? (
        <details className="request-ids">
          <summary>AWS request ids ({requestIds.length})</summary>
          <ul>
            {requestIds.map((requestId) => (
              <li key={requestId}>
                <code>{requestId}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

/** After apply: the outcome, the steps, the verification, and a running sync's progress. */
export function FixOutcome({ result, children }: { result: ShownApplyResult; children?: ReactNode }) {
  return (
    <section className={`card outcome ${result.outcome}`} role="status" data-testid="outcome" data-outcome={result.outcome}>
      <h2>{OUTCOME_LABELS[result.outcome]}</h2>
      <p>{result.message}</p>
      <StepsAndRequestIds done={result.done} notDone={result.notDone} requestIds={result.requestIds} />
      {result.verification ? <VerificationResult verification={result.verification} /> : null}
      {result.reaudit ? <ReauditResult reaudit={result.reaudit} /> : null}
      {result.activityId !== undefined ? (
        <>
          {result.outcome === "started" ? <ActivityProgress activityId={result.activityId} /> : null}
          <p>
            <Link to={activityPath(result.activityId)} data-testid="activity-link">
              Activity entry #{result.activityId}
            </Link>
          </p>
        </>
      ) : null}
      {children}
    </section>
  );
}

/** What /activity/:id's loader gives the progress poller. */
interface ActivityProgressData {
  entry: ActivityEntry;
  trackedSyncs: TrackedSync[];
}

const POLL_MS = 2000;

/** The entry is still moving while it runs or a tracked sync is followed or restoring. */
export function stillRunning(entry: Pick<ActivityEntry, "status">, syncs: Pick<TrackedSync, "state">[]): boolean {
  return (
    entry.status === "running" || entry.status === "started" || syncs.some((s) => s.state === "starting" || s.state === "following" || s.state === "restoring")
  );
}

/**
 * A background full sync's progress, polled from its activity entry until it
 * ends (then its verification). Without JavaScript, the activity link serves.
 */
export function ActivityProgress({ activityId, onEnded }: { activityId: number; onEnded?: () => void }) {
  const fetcher = useFetcher();
  // The activity loader's data, as it went over the wire (plain JSON of these shapes).
  const data = fetcher.data as ActivityProgressData | undefined;
  const running = !data || stillRunning(data.entry, data.trackedSyncs);
  // The effect reads the latest fetcher through a ref, so polling is not restarted at every state change.
  const latest = useRef(fetcher);
  // The instant of the latest poll: the elapsed time is read there, not during render (which must stay pure).
  const [polledAt, setPolledAt] = useState<number>();
  useEffect(() => {
    latest.current = fetcher;
  });
  useEffect(() => {
    if (!running) return;
    const poll = () => {
      setPolledAt(Date.now());
      if (latest.current.state === "idle") latest.current.load(activityPath(activityId));
    };
    poll();
    const timer = setInterval(poll, POLL_MS);
    return () => clearInterval(timer);
  }, [running, activityId]);
  const ended = data !== undefined && !running;
  useEffect(() => {
    if (ended) onEnded?.();
  }, [ended, onEnded]);
  if (!data)
    return (
      <p className="muted" data-testid="progress">
        Following the sync…
      </p>
    );
  return (
    <div data-testid="progress" data-running={running ? "true" : "false"}>
      <TrackedSyncList syncs={data.trackedSyncs} />
      {running ? (
        <p className="muted" data-testid="sync-elapsed">
          Following the sync{polledAt === undefined ? "" : ` for ${elapsedWords(secondsSince(data.entry.startedAt, polledAt))}`}… (checks every {POLL_MS / 1000}{" "}
          s)
        </p>
      ) : (
        <ActivityLatest entry={data.entry} />
      )}
    </div>
  );
}

const SYNC_STATE_LABELS: Record<TrackedSync["state"], string> = {
  starting: "Switching to full sync, about to start",
  following: "Syncing",
  restoring: "Sync ended, putting the sync mode back",
  done: "Done",
  failed: "Failed",
};

export function TrackedSyncList({ syncs }: { syncs: TrackedSync[] }) {
  if (syncs.length === 0) return null;
  return (
    <table className="tracked-syncs" data-testid="tracked-syncs">
      <thead>
        <tr>
          <th scope="col">Data source</th>
          <th scope="col">Sync job</th>
          <th scope="col">State</th>
          <th scope="col">Job status</th>
          <th scope="col">Mode restored</th>
          <th scope="col">Note</th>
        </tr>
      </thead>
      <tbody>
        {syncs.map((s) => (
          <tr key={s.id} data-state={s.state}>
            <td>
              <code>{s.dataSource.dataSourceId}</code>
            </td>
            <td>
              <code>{s.executionId}</code>
            </td>
            <td data-testid="tracked-sync-state">{SYNC_STATE_LABELS[s.state]}</td>
            <td>{s.jobStatus ?? "unknown"}</td>
            <td>
              {!s.restoreMode
                ? "not asked"
                : s.originalSyncMode === undefined || s.originalSyncMode === FULL_SYNC_MODE
                  ? "nothing to restore"
                  : s.state === "done"
                    ? `yes, to ${syncModeLabel(s.originalSyncMode)}`
                    : `pending: back to ${syncModeLabel(s.originalSyncMode)}`}
            </td>
            <td>{s.message ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The verdict of a re-audit: every application it read again is ready. */
export function verifiedByReaudit(reaudit: NonNullable<ShownApplyResult["reaudit"]>): Verification {
  const notReady = Object.entries(reaudit.readiness).filter(([, readiness]) => readiness !== "ready");
  return notReady.length === 0
    ? { ok: true, message: "Audited again: ready." }
    : {
        ok: false,
        message: `Audited again: ${notReady.map(([app, readiness]) => `${app} is ${readiness}`).join(", ")}; ${plural(reaudit.stillWrong.length, "finding")} still ${reaudit.stillWrong.length === 1 ? "does" : "do"} not pass.`,
      };
}

/** The entry's latest event, with its verification when it carries one. */
export function ActivityLatest({ entry }: { entry: ActivityEntry }) {
  const last = entry.events[entry.events.length - 1];
  const reaudit = last?.data?.reaudit as ShownApplyResult["reaudit"] | undefined;
  // A background sync records its re-audit, not a verification: ready after it is the proof.
  const verification = (last?.data?.verification as Verification | undefined) ?? (reaudit ? verifiedByReaudit(reaudit) : undefined);
  const rolledBack = entry.rolledBackBy !== undefined;
  return (
    <div data-testid="activity-latest" data-status={entry.status}>
      <p>
        <span className={`badge activity-${entry.status}`}>{entry.status}</span> {entry.message}
      </p>
      {rolledBack ? (
        <p data-testid="rolled-back-note">
          This change was undone by <Link to={activityPath(entry.rolledBackBy!)}>#{entry.rolledBackBy}</Link>; what follows is how it stood before.
        </p>
      ) : null}
      {verification && !rolledBack ? <VerificationResult verification={verification} /> : null}
      {reaudit ? <ReauditResult reaudit={reaudit} /> : null}
    </div>
  );
}
