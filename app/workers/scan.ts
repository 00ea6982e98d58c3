/**
 * An audit read by the scan workers (ADR 0016): the enqueuer decides the
 * scan's mode, puts one job per target in the queue, waits while the workers
 * read them (giving back to the queue the target of a worker whose lease
 * lapsed), then assembles the inventory from the one outcome per target and
 * runs the same checks, report and store steps as a single process: one
 * audit, saved once, by the enqueuer.
 */
import { randomUUID } from "node:crypto";
import type PgBoss from "pg-boss";
import type { CollectProgress } from "../audit/collect";
import { fullScanEveryFromEnv, keepEvidence, prepareScan } from "../audit/incremental";
import { fileSuppressionRules, reportAndStore, type AuditResult } from "../audit/pipeline";
import { runChecks } from "../audit/report";
import type { TargetSpec } from "../audit/targets";
import { DEFAULT_CUTOFF, type Inventory } from "../audit/types";
import { openDatabase, resolveDbPath, type Db } from "../db/database";
import { targetAbandoned } from "./leases";
import { mergeOutcomes } from "./merge";
import { assertWorkersDatabase, startQueue, TARGET_QUEUE, WorkersUnavailableError, type ScanScope, type TargetJob } from "./queue";
import type { TargetOutcome } from "./target";

export interface WorkerAuditOptions {
  specs: TargetSpec[];
  /** The audit's database: an open PostgreSQL one, or its URL. */
  db?: Db | string;
  /** The queue's database URL (default: `db` when a URL, else QBR_DATABASE_URL). */
  queueUrl?: string;
  cutoff?: string | Date;
  documentCap?: number;
  concurrencyPerTarget?: number;
  full?: boolean;
  fullScanEvery?: number;
  suppressionsFile?: string;
  now?: () => Date;
  endpoint?: string;
  maxAttempts?: number;
  onProgress?: (progress: CollectProgress) => void;
  inventoryExtras?: Partial<Inventory>;
  /** A worker's target is looked at for a lapsed lease only after this long in progress (default 3 s). */
  graceMs?: number;
  /** Give up when no worker took any target in this long (default QBR_WORKER_WAIT_SECONDS, else 300 s). */
  noWorkerTimeoutMs?: number;
}

/** The scan's targets, one region each, numbered in the order a single process reports them. */
export function targetJobs(specs: TargetSpec[], scanId: string, scope: ScanScope): TargetJob[] {
  const single = specs.flatMap((spec) => spec.regions.map((region) => ({ spec, region })));
  return single.map(({ spec, region }, index) => ({
    scanId,
    index,
    target: {
      accountId: spec.accountId,
      region,
      ...(spec.roleArn ? { roleArn: spec.roleArn } : {}),
      ...(spec.externalId ? { externalId: spec.externalId } : {}),
      ...(spec.accountName !== undefined ? { accountName: spec.accountName } : {}),
      ...(spec.ouPath !== undefined ? { ouPath: spec.ouPath } : {}),
      ...(spec.credentials ? { credentials: spec.credentials } : {}),
    },
    scope,
  }));
}

/** Queue order: the first region of every account, then the second, … */
function interleaved(jobs: TargetJob[]): TargetJob[] {
  const rank = new Map<string, number>();
  const keyed = jobs.map((job) => {
    const n = rank.get(job.target.accountId) ?? 0;
    rank.set(job.target.accountId, n + 1);
    return { job, n };
  });
  return keyed.sort((a, b) => a.n - b.n || a.job.index - b.job.index).map((k) => k.job);
}

function queueUrlOf(options: WorkerAuditOptions): string {
  const url = options.queueUrl ?? (typeof options.db === "string" ? options.db : resolveDbPath());
  assertWorkersDatabase(url);
  if (typeof options.db === "object" && options.db.dialect !== "postgres") assertWorkersDatabase(options.db.location);
  return url;
}

export async function auditWithWorkers(options: WorkerAuditOptions): Promise<AuditResult> {
  const url = queueUrlOf(options);
  const fileSuppressions = fileSuppressionRules(options.suppressionsFile);
  const cutoff = new Date(options.cutoff ?? DEFAULT_CUTOFF);
  const db = typeof options.db === "object" ? options.db : await openDatabase(url);
  const boss = await startQueue(url, { supervise: true });
  try {
    const scan = await prepareScan(db, { full: options.full, every: options.fullScanEvery ?? fullScanEveryFromEnv(), cutoff });
    const now = options.now ?? (() => new Date());
    const scope: ScanScope = {
      cutoff: cutoff.toISOString(),
      full: scan.mode.full,
      clockOffsetMs: now().getTime() - Date.now(),
      ...(options.documentCap !== undefined ? { documentCap: options.documentCap } : {}),
      ...(options.concurrencyPerTarget !== undefined ? { concurrencyPerTarget: options.concurrencyPerTarget } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    };
    const jobs = targetJobs(options.specs, randomUUID(), scope);
    const outcomes = await runJobs(db, boss, jobs, options);
    const inventory = mergeOutcomes(outcomes, { scannedAt: now().toISOString(), cutoff: cutoff.toISOString() });
    if (options.inventoryExtras) Object.assign(inventory, options.inventoryExtras);
    const result = await reportAndStore(inventory, runChecks(inventory), db, { fileSuppressions });
    await keepEvidence(db, { auditId: result.auditId, inventory, mode: scan.mode });
    return { ...result, scan: scan.mode };
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    if (typeof options.db !== "object") await db.close();
  }
}

/** A target whose every attempt failed (worker errors, not AWS's: those are in the outcome) is an unreadable target. */
function failedOutcome(job: TargetJob, message: string): TargetOutcome {
  const at = new Date().toISOString();
  const { accountId, region, accountName, ouPath, roleArn } = job.target;
  return {
    index: job.index,
    target: {
      accountId,
      region,
      ...(accountName !== undefined ? { accountName } : {}),
      ...(ouPath !== undefined ? { ouPath } : {}),
      ...(roleArn !== undefined ? { roleArn } : {}),
      status: "error",
      error: { code: "WorkerFailed", message: `No worker could read this target: ${message}` },
    },
    applications: [],
    roles: {},
    stats: { apiCalls: 0, throttled: 0, byOperation: {} },
    worker: "",
    startedAt: at,
    finishedAt: at,
  };
}

/** Enqueue the jobs and wait for one outcome each. */
async function runJobs(db: Db, boss: PgBoss, jobs: TargetJob[], options: WorkerAuditOptions): Promise<TargetOutcome[]> {
  const ids = new Map<string, TargetJob>(jobs.map((job) => [randomUUID(), job]));
  const order = interleaved(jobs);
  const idOf = new Map([...ids].map(([id, job]) => [job.index, id]));
  await boss.insert(order.map((job) => ({ id: idOf.get(job.index)!, name: TARGET_QUEUE, data: job })));
  const done = new Map<string, TargetOutcome>();
  const report = () => {
    const finished = [...done.values()];
    const apps = finished.reduce((n, o) => n + o.applications.length, 0);
    const calls = finished.reduce((n, o) => n + o.stats.apiCalls, 0);
    const throttled = finished.reduce((n, o) => n + o.stats.throttled, 0);
    options.onProgress?.({ targetsDone: done.size, targetsTotal: jobs.length, applicationsRead: apps, applicationsFound: apps, apiCalls: calls, throttled });
  };
  report();
  const enqueuedAt = Date.now();
  let taken = false;
  while (done.size < ids.size) {
    for (const [id, job] of ids) {
      if (done.has(id)) continue;
      const state = await boss.getJobById<TargetJob>(TARGET_QUEUE, id, { includeArchive: true });
      taken ||= state?.state !== "created";
      if (!state) throw new WorkersUnavailableError(`target ${job.target.accountId}/${job.target.region} left the queue unfinished (job ${id} was deleted)`);
      if (state.state === "completed") done.set(id, state.output as unknown as TargetOutcome);
      else if (state.state === "failed" || state.state === "cancelled") done.set(id, failedOutcome(job, outputMessage(state.output)));
      else if (state.state === "active" && Date.now() - new Date(state.startedOn).getTime() > (options.graceMs ?? 3000)) {
        if (await targetAbandoned(db, id)) await boss.fail(TARGET_QUEUE, id, { message: "the worker reading this target stopped" });
      }
    }
    report();
    if (!taken && Date.now() - enqueuedAt > noWorkerTimeoutMs(options)) await giveUp(boss, [...ids.keys()], ids.size, noWorkerTimeoutMs(options));
    // One look per unfinished job each round: a longer pause for a scan of many targets (500 targets: every 3 s).
    if (done.size < ids.size) await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 + 5 * (ids.size - done.size))));
  }
  return [...done.values()];
}

/** How long a scan waits for any worker to take one of its targets (QBR_WORKER_WAIT_SECONDS, default 300). */
function noWorkerTimeoutMs(options: WorkerAuditOptions): number {
  if (options.noWorkerTimeoutMs !== undefined) return options.noWorkerTimeoutMs;
  const seconds = Number(process.env.QBR_WORKER_WAIT_SECONDS);
  return Number.isFinite(seconds) && seconds >= 1 ? seconds * 1000 : 300_000;
}

/** No worker runs: take the scan's targets back out of the queue and say what to start. */
async function giveUp(boss: PgBoss, ids: string[], total: number, waitedMs: number): Promise<never> {
  await boss.cancel(TARGET_QUEUE, ids);
  throw new WorkersUnavailableError(
    `No scan worker took any of the ${total} targets within ${Math.round(waitedMs / 1000)} s: start \`npm run worker\` on the same database (docs/deploy/workers.md). The targets were taken out of the queue again; nothing was saved.`,
  );
}

function outputMessage(output: unknown): string {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null;
  return String(o?.message ?? o?.value?.message ?? "every attempt failed");
}
