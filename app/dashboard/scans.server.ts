/**
 * Background audits started from the dashboard: "scan now", the scheduler
 * (QBR_SCAN_INTERVAL_MINUTES) and the initial audit of an empty database.
 * One scan at a time per server: a second request while one runs starts
 * nothing and is told so. State lives on globalThis because serve.ts and the
 * Remix server build each carry a copy of this module (see runtime.server.ts).
 */
import { latestAuditId } from "~/audit/history";
import { runAudit, type RunAuditOptions } from "~/audit/run";
import { invalidateDashboardCache } from "./cache.server";
import { loadTargetsFile } from "~/audit/targets";
import { getConfig } from "~/config.server";
import { runtimeNow } from "~/runtime.server";
import { singleton } from "~/util/singleton.server";
import { checkConnection } from "./connection.server";
import { dashboardDb } from "./db.server";
import type { ScanStatus } from "./types";

/** What a dashboard scan audits, beyond the SDK's default configuration. */
export type ScanAuditOptions = Omit<RunAuditOptions, "db" | "onProgress" | "fixture">;

interface ScanState {
  status: ScanStatus;
  /** Set by startScanScheduler (serve.ts): e.g. the demo fleet's accounts. */
  defaults: ScanAuditOptions;
  running: Promise<void> | null;
  /** The start-up check for an empty database (startScanScheduler), until it has run. */
  initial: Promise<void> | null;
  scheduler: ReturnType<typeof setInterval> | null;
}

const IDLE: ScanStatus = {
  state: "idle",
  startedAt: null,
  finishedAt: null,
  startedBy: null,
  targetsDone: 0,
  targetsTotal: 0,
  applicationsRead: 0,
  applicationsFound: 0,
  apiCalls: 0,
  elapsedSeconds: 0,
  auditId: null,
  error: null,
};

function state(): ScanState {
  return singleton("scans", (): ScanState => ({ status: IDLE, defaults: {}, running: null, initial: null, scheduler: null }));
}

/** What the current (or last) scan is doing; a copy, safe to serialise, with its elapsed time as of now. */
export function scanStatus(): ScanStatus {
  const status = state().status;
  if (!status.startedAt) return { ...status };
  const until = status.finishedAt ? Date.parse(status.finishedAt) : runtimeNow().getTime();
  return { ...status, elapsedSeconds: Math.max(0, Math.round((until - Date.parse(status.startedAt)) / 1000)) };
}

/**
 * The targets a scan reads: QBR_TARGETS_FILE when set (as `npm run audit`
 * reads it; re-read each scan so edits apply), else the scheduler's defaults,
 * else runAudit's (the caller's account in QBR_REGIONS / AWS_REGION).
 */
function auditOptions(defaults: ScanAuditOptions): ScanAuditOptions {
  const { organization } = getConfig();
  // QBR_ORGANIZATION: the organization names the targets (each scan walks it again, so new accounts join).
  if (organization) return { ...defaults, targets: undefined, organization };
  const targetsFile = process.env.QBR_TARGETS_FILE;
  return targetsFile ? { ...defaults, targets: loadTargetsFile(targetsFile) } : defaults;
}

/**
 * Starts an audit in the background unless one is running. `startedBy` names
 * who asked (a user, "scheduler" or "initial audit").
 */
export function startScan(startedBy: { username: string } | string): { scan: ScanStatus; alreadyRunning: boolean } {
  const scans = state();
  if (scans.running) return { scan: scanStatus(), alreadyRunning: true };
  scans.status = {
    ...IDLE,
    state: "running",
    startedAt: runtimeNow().toISOString(),
    startedBy: typeof startedBy === "string" ? startedBy : startedBy.username,
  };
  // Async, so a bad targets file fails this scan with its message, like any other setup error.
  const audit = async () =>
    runAudit({
      ...auditOptions(scans.defaults),
      db: await dashboardDb(),
      now: runtimeNow,
      onProgress: (p) => {
        const { targetsDone, targetsTotal, applicationsRead, applicationsFound, apiCalls } = p;
        scans.status = { ...scans.status, targetsDone, targetsTotal, applicationsRead, applicationsFound, apiCalls };
      },
    });
  scans.running = audit()
    .then((run) => {
      // The pages cached for the previous audit are stale now: free them.
      invalidateDashboardCache();
      scans.status = {
        ...scans.status,
        state: "finished",
        finishedAt: runtimeNow().toISOString(),
        auditId: run.auditId ?? null,
        apiCalls: run.inventory.stats?.apiCalls ?? scans.status.apiCalls,
        targetsDone: run.report.targets.length,
        targetsTotal: run.report.targets.length,
        applicationsRead: run.inventory.applications.length,
        applicationsFound: run.inventory.applications.length,
      };
    })
    .catch((error: unknown) => {
      // The audit could not run at all (no credentials, no region): say why on the overview and /connection, one line in the log.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`Scan failed: ${message.split("\n")[0]}`);
      scans.status = { ...scans.status, state: "failed", finishedAt: runtimeNow().toISOString(), error: message };
      // The banner and /connection say why, and how to fix it, from a fresh check.
      void checkConnection();
    })
    .finally(() => {
      scans.running = null;
    });
  return { scan: scanStatus(), alreadyRunning: false };
}

/** Resolves when the running scan (if any) has ended. */
export async function scanFinished(): Promise<ScanStatus> {
  await state().initial;
  await state().running;
  return scanStatus();
}

/**
 * Called once by serve.ts after it listens: an initial audit when the
 * database holds none (so a first visit is never empty), then one every
 * QBR_SCAN_INTERVAL_MINUTES when that is set (off otherwise). `audit` sets
 * what every dashboard scan reads (serve.ts: the demo fleet's accounts).
 * Resolves, once the initial audit is started (or not needed), to a stop function.
 */
export async function startScanScheduler(audit: ScanAuditOptions = {}, intervalMinutes = getConfig().scanIntervalMinutes): Promise<() => void> {
  const scans = state();
  scans.defaults = audit;
  scans.initial = (async () => {
    if ((await latestAuditId(await dashboardDb())) === undefined) startScan("initial audit");
  })().catch((error: unknown) => console.error("Could not read the database for the initial audit:", error));
  await scans.initial;
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
