/**
 * Background audits started from the dashboard: "scan now", the scheduler
 * (QBR_SCAN_INTERVAL_MINUTES) and the initial audit of an empty database.
 * One scan at a time across every replica on the database (fleet-scan.server.ts):
 * a second request while one runs, here or on another replica, starts
 * nothing and is told so; every replica shows the running scan's progress. State lives on globalThis because serve.ts and the
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
import type { Db } from "~/db/database";
import { claimScheduledScan, msToNextSlot, pollRemoteScanStatus, publishScanStatus, remoteScanStatus, takeFleetScan } from "./fleet-scan.server";
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
  /** The latest scan another replica published (fleet-scan.server.ts), polled. */
  remote: ScanStatus | null;
  stopPolling: (() => void) | null;
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
  return singleton("scans", (): ScanState => ({ status: IDLE, defaults: {}, running: null, initial: null, scheduler: null, remote: null, stopPolling: null }));
}

/** What the current (or last) scan is doing; a copy, safe to serialise, with its elapsed time as of now. */
export function scanStatus(): ScanStatus {
  const scans = state();
  // Another replica's scan when it is the latest one (replicas show the fleet's scan, whoever runs it).
  const remote = scans.remote;
  const newer = remote?.startedAt && (!scans.status.startedAt || remote.startedAt > scans.status.startedAt);
  const status = !scans.running && remote && newer ? remote : scans.status;
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
 * who asked (a user, "scheduler" or "initial audit"). `full` reads everything,
 * reusing no evidence stored by earlier audits (ADR 0010).
 */
export function startScan(startedBy: { username: string } | string, options: { full?: boolean } = {}): { scan: ScanStatus; alreadyRunning: boolean } {
  const scans = state();
  if (scans.running || scans.remote?.state === "running") return { scan: scanStatus(), alreadyRunning: true };
  const before = scans.status;
  scans.status = {
    ...IDLE,
    state: "running",
    startedAt: runtimeNow().toISOString(),
    startedBy: typeof startedBy === "string" ? startedBy : startedBy.username,
  };
  // Async, so a bad targets file fails this scan with its message, like any other setup error.
  // One scan at a time across replicas: without the fleet-wide lease this replica runs nothing.
  const audit = async () => {
    const db = await dashboardDb();
    const release = await takeFleetScan(db);
    if (!release) {
      scans.status = before;
      scans.remote = (await remoteScanStatus(db)) ?? null;
      return null;
    }
    try {
      return await auditWithProgress(db);
    } finally {
      await release();
    }
  };
  const auditWithProgress = (db: Db) =>
    runAudit({
      ...auditOptions(scans.defaults),
      db,
      full: options.full,
      now: runtimeNow,
      onProgress: (p) => {
        const { targetsDone, targetsTotal, applicationsRead, applicationsFound, apiCalls } = p;
        scans.status = { ...scans.status, targetsDone, targetsTotal, applicationsRead, applicationsFound, apiCalls };
        void publishScanStatus(db, scans.status);
      },
    });
  scans.running = audit()
    .then(async (run) => {
      if (!run) return;
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
      await publishScanStatus(await dashboardDb(), scans.status, true);
    })
    .catch((error: unknown) => {
      // The audit could not run at all (no credentials, no region): say why on the overview and /connection, one line in the log.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`Scan failed: ${message.split("\n")[0]}`);
      scans.status = { ...scans.status, state: "failed", finishedAt: runtimeNow().toISOString(), error: message };
      void dashboardDb().then(
        (db) => publishScanStatus(db, scans.status, true),
        () => undefined,
      );
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
  scans.stopPolling ??= pollRemoteScanStatus(dashboardDb, (remote) => {
    scans.remote = remote ?? null;
  });
  if (scans.scheduler) clearTimeout(scans.scheduler);
  scans.scheduler = null;
  if (intervalMinutes) scheduleNext(scans, intervalMinutes * 60_000);
  return () => {
    if (scans.scheduler) clearTimeout(scans.scheduler);
    scans.scheduler = null;
  };
}

/**
 * Every replica ticks at the same instants (multiples of the interval); at
 * each, the one that claims the interval's slot starts the scan, so several
 * replicas on one schedule run one scan per interval.
 */
function scheduleNext(scans: ScanState, intervalMs: number): void {
  scans.scheduler = setTimeout(() => {
    scheduleNext(scans, intervalMs);
    dashboardDb()
      .then((db) => claimScheduledScan(db, intervalMs))
      .then(
        (mine) => {
          if (mine) startScan("scheduler");
        },
        (error: unknown) => console.error(`Scheduled scan not started: ${(error as Error).message}`),
      );
  }, msToNextSlot(intervalMs));
  // The schedule alone must not keep the process alive.
  scans.scheduler.unref();
}
