/**
 * Full syncs the product started, kept in SQLite so following them and
 * putting the data source's original sync mode back survive a restart
 * (resumeTrackedSyncs at server start, and in the CLI). Their execution ids
 * are also the audit's certain evidence of a full sync (ownFullSyncExecutionIds).
 */
import {
  GetDataSourceCommand,
  ListDataSourceSyncJobsCommand,
  UpdateDataSourceCommand,
  type DataSourceSyncJob,
  type GetDataSourceResponse,
} from "@aws-sdk/client-qbusiness";
import type { DocumentType } from "@smithy/types";
import type { DataSourceKey } from "../audit/collect";
import { FULL_SYNC_MODE, RUNNING_SYNC_JOB_STATUSES } from "../aws/vocabulary";
import type { Db } from "../db/database";
import type { TrackedSyncRow } from "../db/schema";
import * as trackedSyncs from "../db/tracked-syncs";
import { bulkItemOfActivity } from "../db/bulk-batches";
import { appendActivityEvent, getActivity } from "./activity-log";
import { AwsCalls } from "./common";
import { acquireLock, leaseMs, ResourceBusyError } from "./locks";
import { reauditApplications } from "./reaudit";
import { modelessFollowUp } from "./full-sync-s3v2";
import type { DataSourceRef, FixContext, ReauditResult, TrackedSync, Verification } from "./types";

export const FULL_MODE = FULL_SYNC_MODE;
const RUNNING = RUNNING_SYNC_JOB_STATUSES;
/** Polling backoff: first wait, growth, longest wait. */
const POLL_FIRST_MS = 2_000;
const POLL_FACTOR = 1.5;
const POLL_MAX_MS = 60_000;

function toTracked(r: TrackedSyncRow): TrackedSync {
  return {
    id: r.id,
    activityId: r.activity_id,
    dataSource: { accountId: r.account_id, region: r.region, applicationId: r.application_id, indexId: r.index_id, dataSourceId: r.data_source_id },
    executionId: r.execution_id,
    ...(r.original_sync_mode !== null ? { originalSyncMode: r.original_sync_mode } : {}),
    restoreMode: r.restore_mode === 1,
    fullMode: r.full_mode === 1,
    state: r.state as TrackedSync["state"],
    ...(r.job_status !== null ? { jobStatus: r.job_status } : {}),
    ...(r.message !== null ? { message: r.message } : {}),
    startedAt: r.started_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Record a sync to follow. `state: "starting"` (executionId "") is written
 * before the data source's mode is switched, so a process stopping before
 * the job is recorded leaves something a restart follows (followTrackedSync
 * finds the job, or puts the mode back); markSyncStarted then names the job.
 */
export async function insertTrackedSync(
  db: Db,
  t: Omit<TrackedSync, "id" | "updatedAt" | "state" | "jobStatus" | "message"> & { state?: "starting" | "following" },
): Promise<TrackedSync> {
  const d = t.dataSource;
  const id = await trackedSyncs.insertTrackedSyncRow(db, {
    activity_id: t.activityId,
    account_id: d.accountId,
    region: d.region,
    application_id: d.applicationId,
    index_id: d.indexId,
    data_source_id: d.dataSourceId,
    execution_id: t.executionId,
    original_sync_mode: t.originalSyncMode ?? null,
    restore_mode: t.restoreMode ? 1 : 0,
    full_mode: t.fullMode ? 1 : 0,
    state: t.state ?? "following",
    job_status: null,
    message: null,
    started_at: t.startedAt,
    updated_at: t.startedAt,
  });
  return (await getTrackedSync(db, id))!;
}

function updateTracked(
  db: Db,
  id: number,
  at: Date,
  change: { state: TrackedSync["state"]; executionId?: string; jobStatus?: string; message?: string },
): Promise<void> {
  return trackedSyncs.updateTrackedSyncRow(db, id, { ...change, updatedAt: at.toISOString() });
}

/** A "starting" sync's job has started: follow it from now on. */
export async function markSyncStarted(db: Db, id: number, executionId: string, at: Date): Promise<TrackedSync> {
  await updateTracked(db, id, at, { state: "following", executionId });
  return (await getTrackedSync(db, id))!;
}

/** A "starting" sync whose job never started (refused, or another was running): nothing to follow. */
export function markSyncNotStarted(db: Db, id: number, at: Date, message: string): Promise<void> {
  return updateTracked(db, id, at, { state: "failed", jobStatus: NOT_STARTED, message });
}

/** The job status of a sync that never started. */
export const NOT_STARTED = "NOT_STARTED";

/**
 * Tests only: hold this process here for the milliseconds the environment
 * variable gives (unset: no pause), so a test can kill it at that moment.
 */
export async function testPausePoint(
  variable: "QBR_TEST_PAUSE_AFTER_MODE_SWITCH_MS" | "QBR_TEST_PAUSE_AFTER_SYNC_START_MS" | "QBR_TEST_PAUSE_AFTER_SYNC_DONE_MS",
): Promise<void> {
  const ms = Number(process.env[variable]);
  if (Number.isFinite(ms) && ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

export async function getTrackedSync(db: Db, id: number): Promise<TrackedSync | undefined> {
  const row = await trackedSyncs.trackedSyncRow(db, id);
  return row ? toTracked(row) : undefined;
}

export async function listTrackedSyncs(db: Db, filter: { activityId?: number; unfinished?: boolean } = {}): Promise<TrackedSync[]> {
  return (await trackedSyncs.queryTrackedSyncs(db, filter)).map(toTracked);
}

/**
 * The audit's source of "the product itself started this job in full mode":
 * pass the result as runAudit's / collectInventory's ownFullSyncExecutionIds.
 * Read once (a snapshot), so the lookups the collector makes stay synchronous.
 */
export async function ownFullSyncExecutionIds(db: Db): Promise<(key: DataSourceKey) => string[]> {
  const byKey = new Map<string, string[]>();
  const keyOf = (k: DataSourceKey) => [k.accountId, k.region, k.applicationId, k.indexId, k.dataSourceId].join("/");
  for (const r of await trackedSyncs.fullModeExecutions(db)) {
    const key = keyOf(r);
    byKey.set(key, [...(byKey.get(key) ?? []), r.executionId]);
  }
  return (key) => byKey.get(keyOf(key)) ?? [];
}

const sourcePath = (d: DataSourceRef) => ({ applicationId: d.applicationId, indexId: d.indexId, dataSourceId: d.dataSourceId });

/** UpdateDataSource members GetDataSource returns, sent back as they are so nothing but the configuration changes. */
export function updateInputFrom(current: GetDataSourceResponse, configuration: Record<string, unknown>) {
  return {
    configuration: configuration as DocumentType,
    // displayName is left out: UpdateDataSource leaves an absent member unchanged.
    ...(current.description !== undefined ? { description: current.description } : {}),
    ...(current.syncSchedule !== undefined ? { syncSchedule: current.syncSchedule } : {}),
    ...(current.roleArn !== undefined ? { roleArn: current.roleArn } : {}),
    ...(current.vpcConfiguration !== undefined ? { vpcConfiguration: current.vpcConfiguration } : {}),
    ...(current.documentEnrichmentConfiguration !== undefined ? { documentEnrichmentConfiguration: current.documentEnrichmentConfiguration } : {}),
    ...(current.mediaExtractionConfiguration !== undefined ? { mediaExtractionConfiguration: current.mediaExtractionConfiguration } : {}),
  };
}

/**
 * Put `mode` back into configuration.syncMode, round-tripping everything
 * else. Only when the mode is still the full mode we set: if someone changed
 * it since, theirs stands. Returns what was done, in words.
 */
export async function restoreSyncMode(ctx: FixContext, d: DataSourceRef, mode: string, calls: AwsCalls): Promise<string> {
  const { qbusiness } = await ctx.clients(d.accountId, d.region);
  const current = await calls.send<GetDataSourceResponse>(qbusiness, new GetDataSourceCommand(sourcePath(d)), "qbusiness:GetDataSource");
  const configuration = (current.configuration ?? {}) as Record<string, unknown>;
  if (configuration.syncMode === mode) return `syncMode is ${mode} already: left as it is`;
  if (configuration.syncMode !== FULL_MODE) {
    return `syncMode is ${String(configuration.syncMode)} (changed by someone else since): left as it is`;
  }
  await calls.send(
    qbusiness,
    new UpdateDataSourceCommand({ ...sourcePath(d), ...updateInputFrom(current, { ...configuration, syncMode: mode }) }),
    "qbusiness:UpdateDataSource",
  );
  return `syncMode restored to ${mode}`;
}

/** The job with this execution id (newest pages first), or undefined. */
export async function findSyncJob(ctx: FixContext, d: DataSourceRef, executionId: string, calls: AwsCalls): Promise<DataSourceSyncJob | undefined> {
  const { qbusiness } = await ctx.clients(d.accountId, d.region);
  let nextToken: string | undefined;
  for (let page = 0; page < 20; page++) {
    const answer = await calls.send<{ history?: DataSourceSyncJob[]; nextToken?: string }>(
      qbusiness,
      new ListDataSourceSyncJobsCommand({ ...sourcePath(d), maxResults: 10, nextToken }),
      "qbusiness:ListDataSourceSyncJobs",
    );
    const job = answer.history?.find((j) => j.executionId === executionId);
    if (job) return job;
    nextToken = answer.nextToken;
    if (!nextToken) return undefined;
  }
  return undefined;
}

/** Wait (with backoff) until the job is no longer running; returns its final status. */
export async function waitForSyncJob(ctx: FixContext, d: DataSourceRef, executionId: string, calls: AwsCalls): Promise<string> {
  let delay = POLL_FIRST_MS;
  for (;;) {
    const job = await findSyncJob(ctx, d, executionId, calls);
    if (!job) return "NOT_FOUND";
    if (!RUNNING.has(job.status ?? "")) return job.status ?? "UNKNOWN";
    await ctx.sleep(delay);
    delay = Math.min(POLL_MAX_MS, Math.round(delay * POLL_FACTOR));
  }
}

export interface FollowResult {
  tracked: TrackedSync;
  jobStatus: string;
  done: string[];
  notDone: string[];
  requestIds: string[];
  reaudit?: ReauditResult;
  ok: boolean;
  /** A sync of a connector without a sync mode (S3V2): what its documents show (full-sync-s3v2.ts). */
  verification?: Verification;
}

/** The document check after a non-full sync; a failure to check is said in words, never taken for a pass. */
async function modelessCheck(ctx: FixContext, tracked: TrackedSync, jobStatus: string, calls: AwsCalls): Promise<Verification | undefined> {
  try {
    const job = jobStatus === "SUCCEEDED" ? undefined : await findSyncJob(ctx, tracked.dataSource, tracked.executionId, calls);
    const errorMessage = job?.error?.errorMessage;
    return await modelessFollowUp(
      ctx,
      tracked.dataSource,
      { executionId: tracked.executionId, status: jobStatus, ...(errorMessage ? { errorMessage } : {}) },
      calls,
    );
  } catch (error) {
    return {
      ok: false,
      message: `Sync ${tracked.executionId} ended ${jobStatus}, but its documents could not be checked: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * A sync recorded as "starting" whose process stopped before naming its job
 * (between the mode switch and StartDataSourceSyncJob, or just after it). The
 * newest job on the data source tells which: one newer than the newest before
 * the apply (kept in the entry's rollback data) is ours to follow; none means
 * no sync started, so the original mode goes back now, and the entry says so.
 */
async function recoverStartingSync(ctx: FixContext, tracked: TrackedSync, calls: AwsCalls): Promise<{ executionId: string } | FollowResult> {
  const newest = await jobStartedSince(ctx, tracked, calls);
  if (newest) {
    await markSyncStarted(ctx.db, tracked.id, newest, ctx.now());
    await appendActivityEvent(ctx.db, tracked.activityId, {
      at: ctx.now(),
      status: "running",
      message: `Full sync ${newest} started (found after a restart: the process that started it stopped before recording it); following it.`,
      requestIds: calls.requestIds.splice(0),
      data: { executionId: newest, recoveredAfterRestart: true },
    });
    return { executionId: newest };
  }
  return undoNeverStarted(ctx, tracked, calls);
}

/**
 * The job the stopped apply started, if any: the newest job, when it is newer
 * than the newest before the apply and the source is in full mode (a job
 * while the source is in another mode was not a full sync: not ours).
 */
async function jobStartedSince(ctx: FixContext, tracked: TrackedSync, calls: AwsCalls): Promise<string | undefined> {
  const d = tracked.dataSource;
  const before = (await getActivity(ctx.db, tracked.activityId))?.rollbackData?.newestSyncBefore ?? null;
  const { qbusiness } = await ctx.clients(d.accountId, d.region);
  const jobs = await calls.send<{ history?: DataSourceSyncJob[] }>(
    qbusiness,
    new ListDataSourceSyncJobsCommand({ ...sourcePath(d), maxResults: 10 }),
    "qbusiness:ListDataSourceSyncJobs",
  );
  const newest = jobs.history?.[0]?.executionId;
  if (!newest || newest === before) return undefined;
  const source = await calls.send<GetDataSourceResponse>(qbusiness, new GetDataSourceCommand(sourcePath(d)), "qbusiness:GetDataSource");
  return (source.configuration as Record<string, unknown> | undefined)?.syncMode === FULL_MODE ? newest : undefined;
}

/** No sync of this apply started: put the original mode back (if the switch was made) and end the entry saying so. */
async function undoNeverStarted(ctx: FixContext, tracked: TrackedSync, calls: AwsCalls): Promise<FollowResult> {
  const d = tracked.dataSource;
  const done: string[] = [];
  const notDone: string[] = [];
  const original = tracked.originalSyncMode;
  if (original && original !== FULL_MODE) {
    try {
      done.push(await restoreSyncMode(ctx, d, original, calls));
    } catch (error) {
      notDone.push(`restore syncMode ${original} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const switched = done.some((line) => line.startsWith("syncMode restored")) || notDone.length > 0;
  const stopped = `The process applying this stopped ${switched ? `after switching syncMode to ${FULL_MODE} and ` : ""}before starting the sync: no sync was started`;
  if (notDone.length > 0) {
    await appendActivityEvent(ctx.db, tracked.activityId, {
      at: ctx.now(),
      status: "partial",
      message: `${stopped}; the original mode could not be restored yet (will retry on resume).`,
      requestIds: calls.requestIds,
      data: { done, notDone, recoveredAfterRestart: true },
    });
    return { tracked, jobStatus: NOT_STARTED, done, notDone, requestIds: calls.requestIds, ok: false };
  }
  const message = `${stopped}; ${done.join("; ") || "the mode was not changed"}. Apply again to run the full sync.`;
  await markSyncNotStarted(ctx.db, tracked.id, ctx.now(), message);
  await appendActivityEvent(ctx.db, tracked.activityId, {
    at: ctx.now(),
    status: "failed",
    message,
    requestIds: calls.requestIds,
    data: { done, notDone: ["start the sync"], jobStatus: NOT_STARTED, recoveredAfterRestart: true },
  });
  return {
    tracked: (await getTrackedSync(ctx.db, tracked.id))!,
    jobStatus: NOT_STARTED,
    done,
    notDone: ["start the sync"],
    requestIds: calls.requestIds,
    ok: false,
  };
}

/**
 * Follow one tracked sync to its end, put the original mode back, record the
 * outcome in its activity and re-audit the application. Holds a lock so two
 * processes resuming at once do not both follow it (the second gets busy).
 */
export async function followTrackedSync(ctx: FixContext, given: TrackedSync): Promise<FollowResult> {
  const release = await acquireLock(ctx.db, `follow-sync|${given.id}`);
  // Read again under the lock: another replica may have moved it on (or finished it) since `given` was read.
  const tracked = (await getTrackedSync(ctx.db, given.id)) ?? given;
  if (tracked.state === "done" || tracked.state === "failed") {
    await release();
    throw new SyncAlreadyFinishedError(tracked);
  }
  const calls = new AwsCalls();
  const done: string[] = [];
  const notDone: string[] = [];
  const d = tracked.dataSource;
  try {
    if (tracked.state === "starting") {
      const recovered = await recoverStartingSync(ctx, tracked, calls);
      if (!("executionId" in recovered)) return recovered;
      tracked.executionId = recovered.executionId;
      tracked.state = "following";
    }
    let jobStatus = tracked.jobStatus ?? "SYNCING";
    if (tracked.state === "following") {
      try {
        jobStatus = await waitForSyncJob(ctx, d, tracked.executionId, calls);
      } catch (error) {
        notDone.push(`follow sync ${tracked.executionId} to its end (${error instanceof Error ? error.message : String(error)})`);
        if (tracked.restoreMode && tracked.originalSyncMode && tracked.originalSyncMode !== FULL_MODE) {
          notDone.push(`restore syncMode ${tracked.originalSyncMode}`);
        }
        await appendActivityEvent(ctx.db, tracked.activityId, {
          at: ctx.now(),
          status: "partial",
          message: `Lost track of sync ${tracked.executionId}; it is still tracked and will be resumed.`,
          requestIds: calls.requestIds,
          data: { done, notDone },
        });
        return { tracked: (await getTrackedSync(ctx.db, tracked.id))!, jobStatus, done, notDone, requestIds: calls.requestIds, ok: false };
      }
      done.push(`sync ${tracked.executionId} ended: ${jobStatus}`);
      await updateTracked(ctx.db, tracked.id, ctx.now(), { state: "restoring", jobStatus });
    }
    let ok = jobStatus === "SUCCEEDED";
    if (tracked.restoreMode && tracked.originalSyncMode && tracked.originalSyncMode !== FULL_MODE) {
      try {
        done.push(await restoreSyncMode(ctx, d, tracked.originalSyncMode, calls));
      } catch (error) {
        ok = false;
        notDone.push(`restore syncMode ${tracked.originalSyncMode} (${error instanceof Error ? error.message : String(error)}); it is still ${FULL_MODE}`);
        await updateTracked(ctx.db, tracked.id, ctx.now(), { state: "restoring", message: notDone.join("; ") });
        await appendActivityEvent(ctx.db, tracked.activityId, {
          at: ctx.now(),
          status: "partial",
          message: `Sync ${jobStatus}; the original mode could not be restored yet (will retry on resume).`,
          requestIds: calls.requestIds,
          data: { done, notDone },
        });
        return { tracked: (await getTrackedSync(ctx.db, tracked.id))!, jobStatus, done, notDone, requestIds: calls.requestIds, ok: false };
      }
    }
    const state = jobStatus === "SUCCEEDED" ? "done" : "failed";
    await updateTracked(ctx.db, tracked.id, ctx.now(), { state, jobStatus, message: done.join("; ") });
    await testPausePoint("QBR_TEST_PAUSE_AFTER_SYNC_DONE_MS");
    let reaudit: ReauditResult | undefined;
    try {
      reaudit = await reauditApplications(ctx, [d], { activityId: tracked.activityId });
    } catch (error) {
      notDone.push(`re-audit the application (${error instanceof Error ? error.message : String(error)})`);
    }
    // Not a full sync (S3V2 has no full mode): only the documents show what it re-ingested.
    const verification = tracked.fullMode ? undefined : await modelessCheck(ctx, tracked, jobStatus, calls);
    await appendActivityEvent(ctx.db, tracked.activityId, {
      at: ctx.now(),
      status: ok ? (verification && !verification.ok ? "partial" : "succeeded") : "failed",
      message:
        verification?.message ??
        (ok
          ? `Full sync ${tracked.executionId} succeeded; ${done.slice(1).join("; ") || "mode unchanged"}.`
          : `Full sync ${tracked.executionId} ended ${jobStatus}.`),
      requestIds: calls.requestIds,
      data: { done, notDone, jobStatus, ...(reaudit ? { reaudit } : {}), ...(verification ? { verification } : {}) },
    });
    return {
      tracked: (await getTrackedSync(ctx.db, tracked.id))!,
      jobStatus,
      done,
      notDone,
      requestIds: calls.requestIds,
      reaudit,
      ok,
      ...(verification ? { verification } : {}),
    };
  } finally {
    await release();
  }
}

/**
 * Pick up every tracked sync left unfinished (a restart, a CLI run without
 * --wait): follow it and restore the mode. Ones another process is following
 * now are skipped. Resolves when all it took are finished.
 */
export async function resumeTrackedSyncs(ctx: FixContext): Promise<FollowResult[]> {
  const results: FollowResult[] = [];
  await Promise.all(
    (await listTrackedSyncs(ctx.db, { unfinished: true })).map(async (t) => {
      try {
        results.push(await followTrackedSync(ctx, t));
      } catch (error) {
        if (!(error instanceof ResourceBusyError) && !(error instanceof SyncAlreadyFinishedError)) throw error;
      }
    }),
  );
  await closeOrphanedSingleFixes(ctx);
  return results;
}

/**
 * The entry, closed when its follower stopped (a restart) after its syncs
 * ended but before writing their outcome: the outcome is then recorded from
 * the tracked syncs, saying so (the re-audit it would have made is left to
 * the next scan). An entry without tracked syncs is left as it is.
 */
export async function closeOrphanedEntry(ctx: FixContext, activityId: number) {
  const entry = await getActivity(ctx.db, activityId);
  if (!entry || (entry.status !== "running" && entry.status !== "started")) return entry;
  const syncs = await listTrackedSyncs(ctx.db, { activityId });
  if (syncs.length === 0 || syncs.some((t) => t.state !== "done" && t.state !== "failed")) return entry;
  const ok = syncs.every((t) => t.state === "done" && t.jobStatus === "SUCCEEDED");
  await appendActivityEvent(ctx.db, activityId, {
    at: ctx.now(),
    status: ok ? "succeeded" : "failed",
    message:
      `${syncs.map((t) => `Sync ${t.executionId} ended ${t.jobStatus ?? "unknown"}${t.message ? ` (${t.message})` : ""}`).join("; ")}. ` +
      "Recorded after a restart: the process following it stopped before writing this; its re-audit is left to the next scan.",
    data: { recoveredAfterRestart: true },
  });
  return getActivity(ctx.db, activityId);
}

/**
 * Single fixes (bulk batches close theirs as their items finish) whose
 * follower stopped after the sync ended but before the final event. Each is
 * closed under its syncs' follow locks, so an entry a live follower is about
 * to finish is left to it.
 */
async function closeOrphanedSingleFixes(ctx: FixContext): Promise<void> {
  for (const activityId of await trackedSyncs.activitiesLeftOpen(ctx.db)) {
    if (await bulkItemOfActivity(ctx.db, activityId)) continue;
    const releases: Array<() => Promise<void>> = [];
    try {
      for (const t of await listTrackedSyncs(ctx.db, { activityId })) releases.push(await acquireLock(ctx.db, `follow-sync|${t.id}`));
      await closeOrphanedEntry(ctx, activityId);
    } catch (error) {
      if (!(error instanceof ResourceBusyError)) throw error;
    } finally {
      for (const release of releases) await release();
    }
  }
}

/** Another process finished following this sync between our reading it and taking its lock. */
export class SyncAlreadyFinishedError extends Error {
  constructor(public readonly tracked: TrackedSync) {
    super(`Sync ${tracked.executionId} was already followed to its end (${tracked.state}).`);
    this.name = "SyncAlreadyFinishedError";
  }
}

/**
 * With replicas: every `everyMs` (default the lease length), take over the
 * unfinished syncs no live process follows, e.g. those of a replica that
 * crashed (its lease ran out). Syncs followed here or by a live replica are
 * busy and left alone. `context` gives the current fix context each time.
 * Returns the stop function.
 */
export function startTrackedSyncSweeper(context: () => Promise<FixContext>, everyMs = leaseMs()): () => void {
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    context()
      .then(resumeTrackedSyncs)
      .then((taken) => {
        if (taken.length > 0) console.log(`Took over ${taken.length} tracked sync${taken.length === 1 ? "" : "s"} no live process was following.`);
      })
      .catch((error: unknown) => console.error(`Could not take over tracked syncs: ${(error as Error).message}`))
      .finally(() => {
        sweeping = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
