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
import { appendActivityEvent } from "./activity-log";
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

export async function insertTrackedSync(db: Db, t: Omit<TrackedSync, "id" | "updatedAt" | "state" | "jobStatus" | "message">): Promise<TrackedSync> {
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
    state: "following",
    job_status: null,
    message: null,
    started_at: t.startedAt,
    updated_at: t.startedAt,
  });
  return (await getTrackedSync(db, id))!;
}

function updateTracked(db: Db, id: number, at: Date, change: { state: TrackedSync["state"]; jobStatus?: string; message?: string }): Promise<void> {
  return trackedSyncs.updateTrackedSyncRow(db, id, { ...change, updatedAt: at.toISOString() });
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
  return results;
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
