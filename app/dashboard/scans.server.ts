/**
 * Background audits started from the dashboard: "scan now", the scheduler
 * (QBR_SCAN_INTERVAL_MINUTES) and the initial audit of an empty database.
 * One scan at a time per server: a second request while one runs starts
 * nothing and is told so. State lives on globalThis because serve.ts and the
 * Remix server build each carry a copy of this module (see runtime.server.ts).
 */
import { latestAuditId } from "~/audit/history";
import { runAudit, type RunAuditOptions } from "~/audit/run";
import { getConfig } from "~/config.server";
import { dashboardDb } from "./db.server";
import type { ScanStatus } from "./types";

interface ScanState {
  status: ScanStatus;
  running: Promise<void> | null;
  scheduler: ReturnType<typeof setInterval> | null;
}

const KEY = Symbol.for("qbiz-readiness.scans");
type Holder = { [KEY]?: ScanState };

const IDLE: ScanStatus = {
  state: "idle", startedAt: null, finishedAt: null, startedBy: null,
  targetsDone: 0, targetsTotal: 0, apiCalls: 0, auditId: null, error: null,
};

function state(): ScanState {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= { status: IDLE, running: null, scheduler: null });
}

/** What the current (or last) scan is doing; a copy, safe to serialise. */
export function scanStatus(): ScanStatus {
  return { ...state().status };
}

/**
 * Starts an audit in the background unless one is running. `startedBy` names
 * who asked (a user, "scheduler" or "initial audit"). `options` are for
 * callers that audit something else than the default targets (tests, a
 * fixture); the dashboard passes none.
 */
export function startScan(
  startedBy: { username: string } | string,
  options: Omit<RunAuditOptions, "db" | "onProgress"> = {},
): { scan: ScanStatus; alreadyRunning: boolean } {
  const scans = state();
  if (scans.running) return { scan: scanStatus(), alreadyRunning: true };
  scans.status = {
    ...IDLE,
    state: "running",
    startedAt: new Date().toISOString(),
    startedBy: typeof startedBy === "string" ? startedBy : startedBy.username,
  };
  scans.running = runAudit({
    ...options,
    db: dashboardDb(),
    onProgress: (p) => {
      scans.status = { ...scans.status, targetsDone: p.targetsDone, targetsTotal: p.targetsTotal, apiCalls: p.apiCalls };
    },
  })
    .then((run) => {
      scans.status = {
        ...scans.status,
        state: "finished",
        finishedAt: new Date().toISOString(),
        auditId: run.auditId ?? null,
        apiCalls: run.inventory.stats?.apiCalls ?? scans.status.apiCalls,
        targetsDone: run.report.targets.length,
        targetsTotal: run.report.targets.length,
      };
    })
    .catch((error: unknown) => {
      // The audit could not run at all (no credentials, no region): say why on the overview.
      console.error("Scan failed:", error);
      scans.status = {
        ...scans.status,
        state: "failed",
        finishedAt: new Date().toISOString(),
        error: error instanceof Error ? error.message : String(error),
      };
    })
    .finally(() => {
      scans.running = null;
    });
  return { scan: scanStatus(), alreadyRunning: false };
}

/** Resolves when the running scan (if any) has ended. */
export async function scanFinished(): Promise<ScanStatus> {
  await state().running;
  return scanStatus();
}

/**
 * Called once by serve.ts after it listens: an initial audit when the
 * database holds none (so a first visit is never empty), then one every
 * QBR_SCAN_INTERVAL_MINUTES when that is set (off otherwise).
 * Returns a stop function.
 */
export function startScanScheduler(intervalMinutes = getConfig().scanIntervalMinutes): () => void {
  const scans = state();
  if (latestAuditId(dashboardDb()) === undefined) startScan("initial audit");
  if (scans.scheduler) clearInterval(scans.scheduler);
  scans.scheduler = null;
  if (intervalMinutes) {
    scans.scheduler = setInterval(() => startScan("scheduler"), intervalMinutes * 60_000);
    // The schedule alone must not keep the process alive.
    scans.scheduler.unref();
  }
  return () => {
    if (scans.scheduler) clearInterval(scans.scheduler);
    scans.scheduler = null;
  };
}
