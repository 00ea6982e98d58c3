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
import { appendActivityEvent } from "./activity-log";
import { AwsCalls } from "./common";
import { acquireLock, ResourceBusyError } from "./locks";
import { reauditApplications } from "./reaudit";
import type { DataSourceRef, FixContext, ReauditResult, TrackedSync } from "./types";

export const FULL_MODE = FULL_SYNC_MODE;
const RUNNING = RUNNING_SYNC_JOB_STATUSES;
/** Polling backoff: first wait, growth, longest wait. */
const POLL_FIRST_MS = 2_000;
const POLL_FACTOR = 1.5;
const POLL_MAX_MS = 60_000;

interface TrackedRow {
  id: number;
  activity_id: number;
  account_id: string;
  region: string;
  application_id: string;
  index_id: string;
  data_source_id: string;
  execution_id: string;
  original_sync_mode: string | null;
  restore_mode: number;
  full_mode: number;
  state: TrackedSync["state"];
  job_status: string | null;
  message: string | null;
  started_at: string;
  updated_at: string;
}

function toTracked(r: TrackedRow): TrackedSync {
  return {
    id: r.id,
    activityId: r.activity_id,
    dataSource: { accountId: r.account_id, region: r.region, applicationId: r.application_id, indexId: r.index_id, dataSourceId: r.data_source_id },
    executionId: r.execution_id,
    ...(r.original_sync_mode !== null ? { originalSyncMode: r.original_sync_mode } : {}),
    restoreMode: r.restore_mode === 1,
    fullMode: r.full_mode === 1,
    state: r.state,
    ...(r.job_status !== null ? { jobStatus: r.job_status } : {}),
    ...(r.message !== null ? { message: r.message } : {}),
    startedAt: r.started_at,
    updatedAt: r.updated_at,
  };
}

export function insertTrackedSync(
  db: Db,
  t: Omit<TrackedSync, "id" | "updatedAt" | "state" | "jobStatus" | "message">,
): TrackedSync {
  const d = t.dataSource;
  const id = Number(
    db
      .prepare(
        `INSERT INTO tracked_syncs (activity_id, account_id, region, application_id, index_id, data_source_id, execution_id,
           original_sync_mode, restore_mode, full_mode, state, started_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'following', ?, ?)`,
      )
      .run(t.activityId, d.accountId, d.region, d.applicationId, d.indexId, d.dataSourceId, t.executionId,
        t.originalSyncMode ?? null, t.restoreMode ? 1 : 0, t.fullMode ? 1 : 0, t.startedAt, t.startedAt).lastInsertRowid,
  );
  return getTrackedSync(db, id)!;
}

function updateTracked(db: Db, id: number, at: Date, change: { state: TrackedSync["state"]; jobStatus?: string; message?: string }): void {
  db.prepare(`UPDATE tracked_syncs SET state = ?, job_status = coalesce(?, job_status), message = coalesce(?, message), updated_at = ? WHERE id = ?`)
    .run(change.state, change.jobStatus ?? null, change.message ?? null, at.toISOString(), id);
}

export function getTrackedSync(db: Db, id: number): TrackedSync | undefined {
  const row = db.prepare(`SELECT * FROM tracked_syncs WHERE id = ?`).get(id) as TrackedRow | undefined;
  return row ? toTracked(row) : undefined;
}

export function listTrackedSyncs(db: Db, filter: { activityId?: number; unfinished?: boolean } = {}): TrackedSync[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.activityId !== undefined) {
    where.push("activity_id = ?");
    params.push(filter.activityId);
  }
  if (filter.unfinished) where.push("state IN ('following', 'restoring')");
  const rows = db.prepare(`SELECT * FROM tracked_syncs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id`).all(...params) as TrackedRow[];
  return rows.map(toTracked);
}

/**
 * The audit's source of "the product itself started this job in full mode":
 * pass the result as runAudit's / collectInventory's ownFullSyncExecutionIds.
 */
export function ownFullSyncExecutionIds(db: Db): (key: DataSourceKey) => string[] {
  const query = db.prepare(
    `SELECT execution_id FROM tracked_syncs WHERE full_mode = 1 AND account_id = ? AND region = ? AND application_id = ? AND index_id = ? AND data_source_id = ?`,
  );
  return (key) => (query.all(key.accountId, key.region, key.applicationId, key.indexId, key.dataSourceId) as { execution_id: string }[]).map((r) => r.execution_id);
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
}

/**
 * Follow one tracked sync to its end, put the original mode back, record the
 * outcome in its activity and re-audit the application. Holds a lock so two
 * processes resuming at once do not both follow it (the second gets busy).
 */
export async function followTrackedSync(ctx: FixContext, tracked: TrackedSync): Promise<FollowResult> {
  const release = acquireLock(ctx.db, `follow-sync|${tracked.id}`);
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
        appendActivityEvent(ctx.db, tracked.activityId, { at: ctx.now(), status: "partial", message: `Lost track of sync ${tracked.executionId}; it is still tracked and will be resumed.`, requestIds: calls.requestIds, data: { done, notDone } });
        return { tracked: getTrackedSync(ctx.db, tracked.id)!, jobStatus, done, notDone, requestIds: calls.requestIds, ok: false };
      }
      done.push(`sync ${tracked.executionId} ended: ${jobStatus}`);
      updateTracked(ctx.db, tracked.id, ctx.now(), { state: "restoring", jobStatus });
    }
    let ok = jobStatus === "SUCCEEDED";
    if (tracked.restoreMode && tracked.originalSyncMode && tracked.originalSyncMode !== FULL_MODE) {
      try {
        done.push(await restoreSyncMode(ctx, d, tracked.originalSyncMode, calls));
      } catch (error) {
        ok = false;
        notDone.push(`restore syncMode ${tracked.originalSyncMode} (${error instanceof Error ? error.message : String(error)}); it is still ${FULL_MODE}`);
        updateTracked(ctx.db, tracked.id, ctx.now(), { state: "restoring", message: notDone.join("; ") });
        appendActivityEvent(ctx.db, tracked.activityId, { at: ctx.now(), status: "partial", message: `Sync ${jobStatus}; the original mode could not be restored yet (will retry on resume).`, requestIds: calls.requestIds, data: { done, notDone } });
        return { tracked: getTrackedSync(ctx.db, tracked.id)!, jobStatus, done, notDone, requestIds: calls.requestIds, ok: false };
      }
    }
    const state = jobStatus === "SUCCEEDED" ? "done" : "failed";
    updateTracked(ctx.db, tracked.id, ctx.now(), { state, jobStatus, message: done.join("; ") });
    let reaudit: ReauditResult | undefined;
    try {
      reaudit = await reauditApplications(ctx, [d], { activityId: tracked.activityId });
    } catch (error) {
      notDone.push(`re-audit the application (${error instanceof Error ? error.message : String(error)})`);
    }
    appendActivityEvent(ctx.db, tracked.activityId, {
      at: ctx.now(),
      status: ok ? "succeeded" : "failed",
      message: ok ? `Full sync ${tracked.executionId} succeeded; ${done.slice(1).join("; ") || "mode unchanged"}.` : `Full sync ${tracked.executionId} ended ${jobStatus}.`,
      requestIds: calls.requestIds,
      data: { done, notDone, jobStatus, ...(reaudit ? { reaudit } : {}) },
    });
    return { tracked: getTrackedSync(ctx.db, tracked.id)!, jobStatus, done, notDone, requestIds: calls.requestIds, reaudit, ok };
  } finally {
    release();
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
    listTrackedSyncs(ctx.db, { unfinished: true }).map(async (t) => {
      try {
        results.push(await followTrackedSync(ctx, t));
      } catch (error) {
        if (!(error instanceof ResourceBusyError)) throw error;
      }
    }),
  );
  return results;
}


/**
 * ownFullSyncExecutionIds read once from a database or its file (runAudit,
 * which may only get a path): a snapshot, so the audit does not hold the file open.
 */
export function ownFullSyncExecutionIdsSnapshot(db: Db): (key: DataSourceKey) => string[] {
  const rows = db
    .prepare(`SELECT account_id, region, application_id, index_id, data_source_id, execution_id FROM tracked_syncs WHERE full_mode = 1`)
    .all() as { account_id: string; region: string; application_id: string; index_id: string; data_source_id: string; execution_id: string }[];
  const byKey = new Map<string, string[]>();
  const keyOf = (k: DataSourceKey) => [k.accountId, k.region, k.applicationId, k.indexId, k.dataSourceId].join("/");
  for (const r of rows) {
    const key = keyOf({ accountId: r.account_id, region: r.region, applicationId: r.application_id, indexId: r.index_id, dataSourceId: r.data_source_id });
    byKey.set(key, [...(byKey.get(key) ?? []), r.execution_id]);
  }
  return (key) => byKey.get(keyOf(key)) ?? [];
}
