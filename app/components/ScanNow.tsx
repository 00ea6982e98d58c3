import { Link, useFetcher, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import type { ScanStatus } from "~/dashboard/types";
import { formatTime } from "~/dashboard/words";
import { CsrfInput } from "~/auth/csrf-input";
import { elapsedWords } from "~/util/elapsed";

const POLL_MS = 1000;

export interface ScanActionData {
  scan: ScanStatus;
  /** True when this request found a scan already running and started none. */
  alreadyRunning: boolean;
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

function progressWords(s: ScanStatus): string {
  switch (s.state) {
    case "running":
      // Stable while it runs: this line is announced (aria-live); the counters below change every second and are not.
      return `Scanning${s.startedBy ? ` (started by ${s.startedBy} ${formatTime(s.startedAt)})` : ""}…`;
    case "finished":
      return (
        `Last scan finished ${formatTime(s.finishedAt)}${s.startedBy ? ` (started by ${s.startedBy})` : ""} in ${elapsedWords(s.elapsedSeconds)}: ` +
        `${count(s.targetsDone, "target", "targets")}, ${count(s.applicationsRead, "application", "applications")}, ${count(s.apiCalls, "API call", "API calls")}.`
      );
    case "failed":
      return `Last scan failed ${formatTime(s.finishedAt)}: ${s.error ?? "unknown error"}.`;
    default:
      return "";
  }
}

/**
 * The scan status most recently received: the page's own (on every reload),
 * the one the start request answered, or the latest poll's, whichever changed
 * last (a poll wins over a start answer in the same render). Adjusted while
 * rendering rather than in an effect, so no render shows a stale status.
 */
function useLatestStatus(initial: ScanStatus, started: ScanStatus | undefined, polled: ScanStatus | undefined): ScanStatus {
  const [seen, setSeen] = useState({ initial, started, polled, latest: initial });
  if (seen.initial === initial && seen.started === started && seen.polled === polled) return seen.latest;
  const latest = polled && polled !== seen.polled ? polled : started && started !== seen.started ? started : initial !== seen.initial ? initial : seen.latest;
  setSeen({ initial, started, polled, latest });
  return latest;
}

/**
 * "Scan now": starts an audit in the background (operators only) and shows
 * its progress by polling GET /scan; the page's data reloads when it ends.
 * The form posts to the overview's own action, so it works without JavaScript too.
 */
export function ScanNow({ initial, canScan }: { initial: ScanStatus; canScan: boolean }) {
  const start = useFetcher<ScanActionData>({ key: "scan-now" });
  const poll = useFetcher<ScanStatus>();
  const revalidator = useRevalidator();
  const status = useLatestStatus(initial, start.data?.scan, poll.data);
  const previousState = useRef(initial.state);

  const running = status.state === "running";
  useEffect(() => {
    if (!running || poll.state !== "idle") return;
    const timer = setTimeout(() => poll.load("/scan"), POLL_MS);
    return () => clearTimeout(timer);
  }, [running, poll, status]);

  // A scan that just ended stored a new audit: reload the page's data once.
  useEffect(() => {
    if (previousState.current === "running" && status.state !== "running") revalidator.revalidate();
    previousState.current = status.state;
  }, [status.state, revalidator]);

  const busy = running || start.state !== "idle";
  return (
    <section className="scan-now" aria-label="Scan now">
      {canScan ? (
        <start.Form method="post">
          <CsrfInput />
          <input type="hidden" name="intent" value="scan" />
          <button type="submit" disabled={busy} aria-describedby="scan-progress">
            {busy ? "Scanning…" : "Scan now"}
          </button>{" "}
          {/* Incremental by default (ADR 0010): a full scan re-reads every sync job and document. */}
          <label className="small">
            <input type="checkbox" name="full" value="1" disabled={busy} /> Full scan (re-read every sync job and document)
          </label>
        </start.Form>
      ) : (
        <p className="muted small">Only operators can start a scan.</p>
      )}
      <div id="scan-progress" role="status" aria-live="polite" data-testid="scan-progress">
        {start.data?.alreadyRunning ? <p>A scan is already running; following it.</p> : null}
        {running ? <progress max={status.targetsTotal || undefined} value={status.targetsTotal ? status.targetsDone : undefined} /> : null}
        <p className="small" data-testid="scan-progress-words">
          {progressWords(status)}
          {status.state === "failed" ? (
            <>
              {" "}
              <Link to="/connection">Connection status and how to fix it</Link>
            </>
          ) : null}
        </p>
      </div>
      {running ? (
        <dl
          className="facts scan-counters small"
          data-testid="scan-counters"
          style={{ gridTemplateColumns: "repeat(4, max-content max-content)", gap: "2px 8px", padding: "6px 10px", margin: "4px 0 0" }}
        >
          <dt>Targets</dt>
          <dd data-testid="scan-targets">
            {status.targetsDone} of {status.targetsTotal || "?"}
          </dd>
          <dt>Applications read</dt>
          <dd data-testid="scan-applications">
            {status.applicationsRead} of {status.applicationsFound}
          </dd>
          <dt>API calls</dt>
          <dd data-testid="scan-api-calls">{status.apiCalls}</dd>
          <dt>Elapsed</dt>
          <dd data-testid="scan-elapsed">{elapsedWords(status.elapsedSeconds)}</dd>
        </dl>
      ) : null}
    </section>
  );
}
