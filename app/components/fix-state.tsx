/**
 * The one state of a fix page (app/dashboard/fix-state.ts) as the page shows
 * it, above the plan: what the stored facts say, the last run kept from the
 * activity log, what is still wrong, and while a sync runs its progress (the
 * page is loaded again when it ends, so the state and the card below agree).
 */
import { Link, useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";
import type { FixPageState, LastRun } from "~/dashboard/fix-state";
import { formatTime } from "~/dashboard/words";
import type { TrackedSync, Verification } from "~/fixes/types";
import { ActivityProgress, ReauditResult, StepsAndRequestIds, TrackedSyncList, VerificationResult } from "./fix-plan";
import { activityPath } from "./fix-links";

const BADGE_CLASS: Record<FixPageState["kind"], string> = {
  "in-progress": "plan-ready",
  "verified-fixed": "pass",
  "partly-fixed": "warn",
  failed: "fail",
  unverified: "warn",
  "nothing-to-do": "pass",
  ready: "plan-ready",
  refused: "fail",
  unavailable: "unknown",
};

/** What happened to each file of a re-upload run. */
function FileOutcomes({ files }: { files: NonNullable<LastRun["files"]> }) {
  if (files.length === 0) return null;
  return (
    <table data-testid="file-outcomes">
      <thead>
        <tr>
          <th scope="col">Document</th>
          <th scope="col">File</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {files.map((f) => (
          <tr key={f.documentId} data-outcome={f.outcome}>
            <td>{f.documentId}</td>
            <td>{f.file}</td>
            <td>
              {f.outcome}
              {f.error ? `: ${f.error}` : ""}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The last run as the activity log keeps it: who, when, steps, verification, re-audit. */
function LastRunView({ run, current, verified }: { run: LastRun; current: boolean; verified: boolean }) {
  return (
    <div className="fix-last-run" data-testid="last-run" data-activity={run.activityId} data-status={run.status}>
      <h3>
        {current ? "Last run" : "Previous run"}:{" "}
        <Link to={activityPath(run.activityId)} data-testid="activity-link">
          activity #{run.activityId}
        </Link>{" "}
        <span className={`badge activity-${run.status}`}>{run.status}</span>
      </h3>
      <p className="muted small">
        {run.actor} · started {formatTime(run.startedAt)} · last recorded {formatTime(run.at)}
      </p>
      <p>{run.message}</p>
      {run.rolledBackBy !== undefined ? (
        <p data-testid="rolled-back-note">
          Undone by <Link to={activityPath(run.rolledBackBy)}>#{run.rolledBackBy}</Link>.
        </p>
      ) : null}
      <StepsAndRequestIds done={run.done} notDone={run.notDone} requestIds={[]} />
      {run.files ? <FileOutcomes files={run.files} /> : null}
      {current && run.verification ? <RunVerification verification={run.verification} verified={verified} /> : null}
      {current && run.reaudit ? <ReauditResult reaudit={run.reaudit} /> : null}
    </div>
  );
}

/**
 * The run's own check of its work. Its "Verified fixed" badge only when the
 * page's state is verified fixed: a run that checked what it did (the files it
 * sent) while the audit still finds the resource wrong is said in words.
 */
function RunVerification({ verification, verified }: { verification: Verification; verified: boolean }) {
  if (!verification.ok || verified) return <VerificationResult verification={verification} />;
  return (
    <p data-testid="run-check" className="muted">
      The run checked its own changes: {verification.message}
    </p>
  );
}

/** While in progress: the activity's progress, then the page's loaders again once it has ended. */
function FollowToEnd({ activityId }: { activityId: number }) {
  const revalidator = useRevalidator();
  const asked = useRef(false);
  const onEnded = () => {
    if (asked.current) return;
    asked.current = true;
    revalidator.revalidate();
  };
  // A new run (another activity) may be followed again.
  useEffect(() => {
    asked.current = false;
  }, [activityId]);
  return <ActivityProgress activityId={activityId} onEnded={onEnded} />;
}

/** The page's state: one badge and sentence, what is still wrong, the last run. */
export function FixStateCard({ state, trackedSyncs }: { state: FixPageState; trackedSyncs?: TrackedSync[] }) {
  const { run } = state;
  const current = run !== null && ["in-progress", "verified-fixed", "partly-fixed", "failed", "unverified"].includes(state.kind);
  return (
    <section className={`card fix-state ${state.kind}`} role="status" data-testid="fix-state" data-state={state.kind} aria-labelledby="fix-state-heading">
      <h2 id="fix-state-heading">
        <span className={`badge ${BADGE_CLASS[state.kind]}`} data-testid="fix-state-headline">
          {state.headline}
        </span>
      </h2>
      <p data-testid="fix-state-detail">{state.detail}</p>
      {state.stillWrong.length > 0 ? (
        <div data-testid="still-wrong">
          <h3>Still wrong in the latest audit</h3>
          <ul>
            {state.stillWrong.map((f) => (
              <li key={f.id}>
                {f.checkTitle} <span className="muted small">({f.status})</span>: {f.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {state.kind === "in-progress" && run ? <FollowToEnd activityId={run.activityId} /> : null}
      {state.kind !== "in-progress" && trackedSyncs && trackedSyncs.length > 0 && current ? <TrackedSyncList syncs={trackedSyncs} /> : null}
      {run ? <LastRunView run={run} current={current} verified={state.kind === "verified-fixed"} /> : null}
    </section>
  );
}

/** What an apply answered that the activity log does not keep (nothing was done): shown once, above the state. */
export function ApplyNotice({ outcome, message }: { outcome: string; message: string }) {
  return (
    <p className="card muted" role="alert" data-testid="apply-notice" data-outcome={outcome}>
      {message}
    </p>
  );
}
