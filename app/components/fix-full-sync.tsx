import type { FullSyncPlan } from "~/fixes/types";
import { formatTime } from "~/dashboard/words";
import { SYNC_MODE_MEANING } from "~/aws/vocabulary";

const MODE_WORDS: Record<string, string> = SYNC_MODE_MEANING;

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return "unknown";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * The full-sync plan: the data source, its mode, its documents, how long its
 * syncs took, a running sync. `offered` false (the page's state offers no
 * apply: verified, in progress, nothing to do) shows the facts only, not what
 * an apply would do.
 */
export function FullSyncPlanView({ plan, offered = true }: { plan: FullSyncPlan; offered?: boolean }) {
  const { details } = plan;
  const ds = details.dataSource;
  const mode = details.currentSyncMode;
  return (
    <div className="plan full-sync-plan" data-testid="full-sync-plan" data-data-source={ds.dataSourceId}>
      <dl className="facts">
        <dt>Data source</dt>
        <dd>
          {ds.displayName ?? ds.dataSourceId}{" "}
          <span className="muted small">
            <code>{ds.dataSourceId}</code> · {ds.type ?? "type unknown"} · {ds.status ?? "status unknown"}
          </span>
        </dd>
        <dt>Where</dt>
        <dd>
          {ds.accountId} · {ds.region} · application <code>{ds.applicationId}</code> · index <code>{ds.indexId}</code>
        </dd>
        <dt>Sync mode now</dt>
        <dd data-testid="current-sync-mode">
          {details.modeless
            ? "none: the S3 (v2) connector has no sync mode, so no full-sync setting"
            : mode
              ? (MODE_WORDS[mode] ?? mode)
              : "not set in the configuration"}
        </dd>
        {details.modeless ? (
          <>
            <dt>Deletion protection</dt>
            <dd>
              {details.modeless.deletionProtection.enabled
                ? `on: a sync that would delete more than ${details.modeless.deletionProtection.threshold}% of the documents is blocked`
                : "off"}
            </dd>
          </>
        ) : null}
        <dt>Documents</dt>
        <dd>{details.documentCount === undefined ? "unknown" : `${details.documentCountCapped ? "at least " : ""}${details.documentCount}`}</dd>
        <dt>Running sync</dt>
        <dd data-testid="running-sync">
          {details.runningSync ? (
            <>
              Yes: <code>{details.runningSync.executionId}</code>, started {formatTime(details.runningSync.startTime)}. Apply will not start a second one:
              reload this page when it has ended (or use <code>npm run fix -- full-sync --wait</code>, which waits for it).
            </>
          ) : (
            "None"
          )}
        </dd>
      </dl>
      {offered ? <ApplyWords plan={plan} /> : null}
      <h3>Past syncs</h3>
      {details.pastSyncs.length === 0 ? (
        <p className="muted">No finished sync.</p>
      ) : (
        <table className="past-syncs">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Status</th>
              <th scope="col">Took</th>
              <th scope="col">Job</th>
            </tr>
          </thead>
          <tbody>
            {details.pastSyncs.map((job) => (
              <tr key={job.executionId}>
                <td>{formatTime(job.startTime)}</td>
                <td>{job.status ?? "unknown"}</td>
                <td>{duration(job.durationSeconds)}</td>
                <td>
                  <code className="small">{job.executionId}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {offered && details.newConfiguration ? (
        <details>
          <summary>The configuration UpdateDataSource will send</summary>
          <pre>{JSON.stringify(details.newConfiguration, null, 2)}</pre>
        </details>
      ) : null}
    </div>
  );
}

/** What apply would do to the data source, in words. */
function ApplyWords({ plan }: { plan: FullSyncPlan }) {
  const { details } = plan;
  const mode = details.currentSyncMode;
  return details.modeless ? (
    <p data-testid="modeless-plan">
      This connector has no full-sync setting, so nothing in the data source is changed. Apply starts a sync, follows it to its end, then checks every document:
      all re-ingested after the cutoff is verified fixed; otherwise you get how many are still stale and the next steps that work, cheapest first (touch their
      objects in S3
      {details.modeless.bucket ? (
        <>
          {" "}
          (bucket <code>{details.modeless.bucket}</code>)
        </>
      ) : null}{" "}
      with the listed <code>aws s3 cp … --metadata-directive REPLACE</code> commands, then sync again; or recreate the data source).
    </p>
  ) : details.switchesMode ? (
    <p>
      Apply switches <code>configuration.syncMode</code> to <code>FORCED_FULL_CRAWL</code> (UpdateDataSource, the rest of the configuration sent back exactly as
      it is), starts the sync, follows it to its end, then puts <code>{mode}</code> back unless you untick that below.
    </p>
  ) : (
    <p>Apply starts a sync in the mode the data source already has, and follows it to its end.</p>
  );
}

/** Apply options of a full sync (inside the apply form). */
export function FullSyncOptions({ switchesMode }: { switchesMode: boolean }) {
  if (!switchesMode) return null;
  return (
    <div className="apply-options">
      <label>
        <input type="checkbox" name="restoreMode" value="on" defaultChecked /> Put the original sync mode back after the sync
      </label>
    </div>
  );
}
