/**
 * full-sync: make an S3 data source run a full sync (FORCED_FULL_CRAWL) after
 * the cutoff, so its documents can be downloaded, then put its mode back.
 *
 * AWS's UpdateDataSource replaces the members it is given, so the plan sends
 * back GetDataSource's configuration with only syncMode changed, and the other
 * members as GetDataSource returned them: nothing else in the data source changes.
 *
 * The S3 (v2) connector has no sync mode: for it the fix syncs and then proves
 * the result from the documents (applyModelessSync; helpers in full-sync-s3v2.ts).
 */
import {
  GetDataSourceCommand,
  ListDataSourceSyncJobsCommand,
  ListDocumentsCommand,
  StartDataSourceSyncJobCommand,
  UpdateDataSourceCommand,
  type DataSourceSyncJob,
  type GetDataSourceResponse,
  type QBusinessClient,
} from "@aws-sdk/client-qbusiness";
import { getApplicationInventory, latestAuditId } from "../audit/history";
import { INCREMENTAL_SYNC_MODE, RUNNING_SYNC_JOB_STATUSES } from "../aws/vocabulary";
import { createLimiter, type Limiter } from "../util/concurrency";
import { latestFullModeExecution } from "../db/tracked-syncs";
import { appendActivityEvent } from "./activity-log";
import { applySafely, AwsCalls, errorCode, PermissionDenied, sealPlan, Steps, type RunOutcome } from "./common";
import {
  findSyncJob,
  followTrackedSync,
  FULL_MODE,
  insertTrackedSync,
  markSyncNotStarted,
  markSyncStarted,
  restoreSyncMode,
  testPausePoint,
  updateInputFrom,
  waitForSyncJob,
} from "./tracked-syncs";
import { acquireLock } from "./locks";
import type { ApplyResult, DataSourceRef, FixContext, FullSyncApplyOptions, FullSyncPlan, TrackedSync, Verification } from "./types";
import { documentFreshness, isModelessConnector, modelessSourceFacts, modelessVerification } from "./full-sync-s3v2";
import { plural } from "../util/plural";

/** Incremental, despite its name (see the vocabulary). */
export const INCREMENTAL_MODE = INCREMENTAL_SYNC_MODE;
/** Documents counted live when no audit has counted them. */
const LIVE_COUNT_CAP = 1_000;
const RUNNING = RUNNING_SYNC_JOB_STATUSES;

const sourcePath = (d: DataSourceRef) => ({ applicationId: d.applicationId, indexId: d.indexId, dataSourceId: d.dataSourceId });
const seconds = (job: DataSourceSyncJob) => (job.startTime && job.endTime ? Math.round((job.endTime.getTime() - job.startTime.getTime()) / 1000) : undefined);

/** The latest audit's document count for the source, if it counted it. */
async function auditedDocumentCount(ctx: FixContext, d: DataSourceRef): Promise<{ count: number; capped: boolean } | undefined> {
  const auditId = await latestAuditId(ctx.db);
  if (auditId === undefined) return undefined;
  const app = await getApplicationInventory(ctx.db, auditId, d);
  const ds = app?.indices.find((i) => i.indexId === d.indexId)?.dataSources.find((s) => s.dataSourceId === d.dataSourceId);
  if (!ds || ds.documents.error) return undefined;
  return { count: ds.documents.scanned, capped: ds.documents.capped };
}

/** The source's documents counted live (up to LIVE_COUNT_CAP), when no audit has counted them. */
async function liveDocumentCount(qbusiness: QBusinessClient, d: DataSourceRef, calls: AwsCalls): Promise<{ count: number; capped: boolean }> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await calls.send<{ documentDetailList?: unknown[]; nextToken?: string }>(
      qbusiness,
      new ListDocumentsCommand({ applicationId: d.applicationId, indexId: d.indexId, dataSourceIds: [d.dataSourceId], maxResults: 100, nextToken }),
      "qbusiness:ListDocuments",
    );
    count += page.documentDetailList?.length ?? 0;
    nextToken = page.nextToken;
  } while (nextToken && count < LIVE_COUNT_CAP);
  return { count, capped: !!nextToken };
}

/** Read-only: what a full sync of this data source would do. */
export async function planFullSync(ctx: FixContext, d: DataSourceRef): Promise<FullSyncPlan> {
  const calls = new AwsCalls();
  const base = {
    action: "full-sync" as const,
    resource: {
      type: "data-source" as const,
      accountId: d.accountId,
      region: d.region,
      applicationId: d.applicationId,
      indexId: d.indexId,
      dataSourceId: d.dataSourceId,
    },
    applications: [{ accountId: d.accountId, region: d.region, applicationId: d.applicationId }],
  };
  try {
    const { qbusiness } = await ctx.clients(d.accountId, d.region);
    const source = await calls.send<GetDataSourceResponse>(qbusiness, new GetDataSourceCommand(sourcePath(d)), "qbusiness:GetDataSource");
    const jobs = await calls.send<{ history?: DataSourceSyncJob[] }>(
      qbusiness,
      new ListDataSourceSyncJobsCommand({ ...sourcePath(d), maxResults: 10 }),
      "qbusiness:ListDataSourceSyncJobs",
    );
    const documents = (await auditedDocumentCount(ctx, d)) ?? (await liveDocumentCount(qbusiness, d, calls));
    const configuration = (source.configuration ?? undefined) as Record<string, unknown> | undefined;
    const currentSyncMode = typeof configuration?.syncMode === "string" ? configuration.syncMode : undefined;
    const history = jobs.history ?? [];
    const running = history.find((j) => RUNNING.has(j.status ?? ""));
    const reasons: string[] = [];
    const modeless = isModelessConnector(source.type);
    let status: FullSyncPlan["status"] = "ready";
    if (!source.type || !/^S3/i.test(source.type)) {
      status = "refused";
      reasons.push(`The data source is of type ${source.type ?? "unknown"}, not S3: this action fixes S3 data sources only.`);
    } else if (!modeless && currentSyncMode !== FULL_MODE && currentSyncMode !== INCREMENTAL_MODE) {
      status = "refused";
      reasons.push(
        `configuration.syncMode is ${currentSyncMode ?? "absent"} (connector type ${source.type}): where this connector keeps its sync mode is unverified, so the product cannot make sure the sync is a full one. Start a full sync in the console.`,
      );
    }
    if (running) reasons.push(`A sync is already running: ${running.executionId}. Apply will not start another; it can wait for it.`);
    const switchesMode = status === "ready" && !modeless && currentSyncMode === INCREMENTAL_MODE;
    const name = source.displayName ?? d.dataSourceId;
    const summary =
      status !== "ready"
        ? `Full sync of ${name} refused: ${reasons[0]}`
        : running
          ? `A sync of ${name} is already running (${running.executionId}); a full sync cannot start until it ends.`
          : modeless
            ? `${name} uses the S3 (v2) connector, which has no full-sync setting: start a sync, follow it to its end, then check every document. ` +
              `All re-ingested after the cutoff = fixed; otherwise the plan's next steps (touch the stale objects, or recreate the data source) are reported.`
            : switchesMode
              ? `Switch ${name} to full sync (${FULL_MODE}), start a sync, follow it to its end, then put ${INCREMENTAL_MODE} back.`
              : `Start a full sync of ${name} (already in ${FULL_MODE} mode) and follow it to its end.`;
    return sealPlan<FullSyncPlan>(ctx, {
      ...base,
      resource: { ...base.resource, name },
      status,
      summary,
      reasons,
      missingPermissions: [],
      details: {
        dataSource: { ...d, displayName: source.displayName, type: source.type, status: source.status },
        currentSyncMode,
        switchesMode,
        documentCount: documents.count,
        documentCountCapped: documents.capped,
        pastSyncs: history
          .filter((j) => !RUNNING.has(j.status ?? ""))
          .map((j) => ({
            executionId: j.executionId ?? "",
            status: j.status,
            startTime: j.startTime?.toISOString(),
            endTime: j.endTime?.toISOString(),
            durationSeconds: seconds(j),
          })),
        ...(running ? { runningSync: { executionId: running.executionId ?? "", startTime: running.startTime?.toISOString() } } : {}),
        ...(switchesMode && configuration ? { newConfiguration: { ...configuration, syncMode: FULL_MODE } } : {}),
        ...(modeless && status === "ready" ? { modeless: modelessSourceFacts(source) } : {}),
      },
    });
  } catch (error) {
    if (!(error instanceof PermissionDenied)) throw error;
    return sealPlan<FullSyncPlan>(ctx, {
      ...base,
      status: "unavailable",
      summary: `Full sync unavailable: AWS denied ${error.permission}.`,
      reasons: [error.message],
      missingPermissions: [error.permission],
      details: { dataSource: d, switchesMode: false, pastSyncs: [] },
    });
  }
}

/** Follow the job in this process's background; the tracked row lets a restart pick it up if this process ends. */
function followInBackground(ctx: FixContext, tracked: Parameters<typeof followTrackedSync>[1]): void {
  followTrackedSync(ctx, tracked).catch(() => {
    // Left as "following" in SQLite: resumeTrackedSyncs picks it up.
  });
}

/**
 * Apply a full sync. Re-plans first; a plan whose hash differs from
 * `confirmPlanHash` is not applied (outcome stale-plan, with the new plan).
 */
export async function applyFullSync(
  ctx: FixContext,
  planOrRef: FullSyncPlan | DataSourceRef,
  options: FullSyncApplyOptions,
): Promise<ApplyResult<FullSyncPlan>> {
  const d: DataSourceRef = "action" in planOrRef ? planOrRef.details.dataSource : planOrRef;
  const ref: DataSourceRef = { accountId: d.accountId, region: d.region, applicationId: d.applicationId, indexId: d.indexId, dataSourceId: d.dataSourceId };
  const resource = { type: "data-source" as const, ...ref };
  return applySafely<FullSyncPlan>(ctx, {
    options,
    resource,
    action: "full-sync",
    replan: () => planFullSync(ctx, ref),
    run: (plan, activityId, calls) => runFullSync(ctx, { ref, plan, options, activityId, calls }),
    // What a restart needs to undo a switch whose sync never started (recoverStartingSync in tracked-syncs.ts).
    rollbackData: (plan) =>
      plan.details.modeless
        ? undefined
        : { originalSyncMode: plan.details.currentSyncMode ?? null, newestSyncBefore: plan.details.pastSyncs[0]?.executionId ?? null },
  });
}

interface FullSyncRun {
  ref: DataSourceRef;
  plan: FullSyncPlan;
  options: FullSyncApplyOptions;
  activityId: number;
  calls: AwsCalls;
}

/** The steps of a full sync, in words (switch, start, follow, restore), as the plan says they will be. */
function fullSyncSteps(run: FullSyncRun): Steps {
  const { plan, options } = run;
  const original = plan.details.currentSyncMode;
  return new Steps([
    ...(plan.details.switchesMode ? [`switch syncMode ${original} → ${FULL_MODE}`] : []),
    "start the sync",
    ...(options.wait ? ["follow the sync to its end"] : []),
    ...(plan.details.switchesMode && (options.restoreMode ?? true) ? [`restore syncMode ${original}`] : []),
  ]);
}

/** Apply's run step: switch to full mode when needed, start the sync, then track or follow it. */
async function runFullSync(ctx: FixContext, run: FullSyncRun): Promise<RunOutcome> {
  const { ref, plan, options, activityId, calls } = run;
  const { qbusiness } = await ctx.clients(ref.accountId, ref.region);
  if (plan.details.runningSync) return alreadyRunning(ctx, ref, plan.details.runningSync.executionId, options, calls, []);
  if (plan.details.modeless) return applyModelessSync(ctx, { ref, options, activityId, calls });

  const steps = fullSyncSteps(run);
  // Recorded (and held) before the mode changes: a process stopping from here on leaves a sync a restart follows or undoes.
  const starting = await recordStarting(ctx, run);
  let result: Awaited<ReturnType<typeof switchAndStart>>;
  try {
    result = await switchAndStart(ctx, run, { steps, tracked: starting.tracked, qbusiness });
  } finally {
    // Released before following: followTrackedSync takes the same lock.
    await starting.release();
  }
  return "started" in result ? trackStartedSync(ctx, run, { steps, tracked: result.started }) : result;
}

/** The tracked sync in state "starting" (no job yet) and its follow lock, so no resume takes it while this process runs. */
async function recordStarting(ctx: FixContext, run: FullSyncRun): Promise<{ tracked: TrackedSync; release: () => Promise<void> }> {
  const { ref, plan, options, activityId } = run;
  const tracked = await insertTrackedSync(ctx.db, {
    activityId,
    dataSource: ref,
    executionId: "",
    originalSyncMode: plan.details.currentSyncMode,
    restoreMode: options.restoreMode ?? true,
    fullMode: true,
    startedAt: ctx.now().toISOString(),
    state: "starting",
  });
  return { tracked, release: await acquireLock(ctx.db, `follow-sync|${tracked.id}`) };
}

/** Switch to full mode when needed and start the sync; the "starting" sync is named, or marked as never started. */
async function switchAndStart(
  ctx: FixContext,
  run: FullSyncRun,
  at: { steps: Steps; tracked: TrackedSync; qbusiness: QBusinessClient },
): Promise<RunOutcome | { started: TrackedSync }> {
  const { ref, plan, calls } = run;
  const { steps, tracked, qbusiness } = at;
  const original = plan.details.currentSyncMode;
  const notStarted = (message: string) => markSyncNotStarted(ctx.db, tracked.id, ctx.now(), message);
  if (plan.details.switchesMode) {
    try {
      // The configuration as it is now (the plan's, re-read by the re-plan) with only syncMode changed.
      const current = await calls.send<GetDataSourceResponse>(qbusiness, new GetDataSourceCommand(sourcePath(ref)), "qbusiness:GetDataSource");
      await calls.send(
        qbusiness,
        new UpdateDataSourceCommand({ ...sourcePath(ref), ...updateInputFrom(current, plan.details.newConfiguration!) }),
        "qbusiness:UpdateDataSource",
      );
      steps.complete(`switch syncMode ${original} → ${FULL_MODE}`);
    } catch (error) {
      const outcome = failed(error, steps, "Could not switch the data source to full sync mode");
      await notStarted(outcome.message);
      return outcome;
    }
    await testPausePoint("QBR_TEST_PAUSE_AFTER_MODE_SWITCH_MS");
  }
  let executionId: string;
  try {
    executionId = await startSyncJob({ qbusiness, ref, calls, steps });
  } catch (error) {
    const outcome = await startFailed(ctx, run, { steps, error });
    await notStarted(outcome.message);
    return outcome;
  }
  await testPausePoint("QBR_TEST_PAUSE_AFTER_SYNC_START_MS");
  return { started: await markSyncStarted(ctx.db, tracked.id, executionId, ctx.now()) };
}

/** The sync could not start: put the mode back at once (no sync of ours will run in it), or join the one already running. */
async function startFailed(ctx: FixContext, run: FullSyncRun, at: { steps: Steps; error: unknown }): Promise<RunOutcome> {
  const { ref, plan, options, calls } = run;
  const { steps, error } = at;
  const original = plan.details.currentSyncMode;
  // What putting the mode back did (said in words) or why it could not.
  const undo: string[] = [];
  const undoFailed: string[] = [];
  if (plan.details.switchesMode && original) {
    try {
      const restored = await restoreSyncMode(ctx, ref, original, calls);
      // "left as it is" when someone else changed the mode meanwhile: say that instead.
      if (restored.startsWith("syncMode restored")) steps.complete(`restore syncMode ${original}`);
      else undo.push(restored);
    } catch (restoreError) {
      undoFailed.push(
        `restore syncMode ${original} (${restoreError instanceof Error ? restoreError.message : String(restoreError)}); it is still ${FULL_MODE}`,
      );
    }
  }
  if (errorCode(error) === "ConflictException") {
    const running = (await latestRunningJob(ctx, ref, calls)) ?? "unknown";
    const outcome = await alreadyRunning(ctx, ref, running, options, calls, [...steps.done, ...undo]);
    return { ...outcome, notDone: [...outcome.notDone, ...undoFailed] };
  }
  const result = failed(error, steps, "Could not start the sync");
  const restoreStep = `restore syncMode ${original}`;
  return {
    ...result,
    done: [...result.done, ...undo],
    notDone: [...result.notDone.filter((n) => !(undoFailed.length && n === restoreStep)), ...undoFailed],
  };
}

/** Say the recorded sync has started (following it survives a restart), then follow it now or in the background. */
async function trackStartedSync(ctx: FixContext, run: FullSyncRun, started: { steps: Steps; tracked: TrackedSync }): Promise<RunOutcome> {
  const { plan, options, activityId, calls } = run;
  const { steps, tracked } = started;
  const executionId = tracked.executionId;
  const original = plan.details.currentSyncMode;
  const restore = options.restoreMode ?? true;
  await appendActivityEvent(ctx.db, activityId, {
    at: ctx.now(),
    status: "running",
    message: `Full sync ${executionId} started`,
    requestIds: calls.requestIds.splice(0),
    data: { executionId },
  });
  if (!options.wait) {
    if (options.followInBackground ?? true) followInBackground(ctx, tracked);
    return {
      outcome: "started",
      message: `Full sync ${executionId} started; it is tracked and ${restore && plan.details.switchesMode ? `${original} will be restored when it ends` : "followed to its end"}.`,
      done: steps.done,
      notDone: [],
      reaudit: false,
      data: { executionId, trackedSyncId: tracked.id },
    };
  }
  const followed = await followTrackedSync(ctx, tracked);
  const done = [...steps.done, ...followed.done];
  return {
    outcome: followed.ok ? "succeeded" : done.length > 0 ? "partial" : "failed",
    message: followed.ok
      ? `Full sync ${executionId} succeeded${plan.details.switchesMode && restore ? `; syncMode is ${original} again` : ""}.`
      : `Full sync ${executionId} ended ${followed.jobStatus}.`,
    done,
    notDone: followed.notDone,
    reaudit: false,
    ...(followed.reaudit ? { reauditResult: followed.reaudit } : {}),
    data: { executionId, jobStatus: followed.jobStatus, trackedSyncId: tracked.id },
  };
}

/** StartDataSourceSyncJob, recorded as a completed step; the caller decides what a refusal means. */
async function startSyncJob(run: { qbusiness: QBusinessClient; ref: DataSourceRef; calls: AwsCalls; steps: Steps }): Promise<string> {
  const started = await run.calls.send<{ executionId?: string }>(
    run.qbusiness,
    new StartDataSourceSyncJobCommand(sourcePath(run.ref)),
    "qbusiness:StartDataSourceSyncJob",
  );
  run.steps.complete("start the sync");
  return started.executionId ?? "";
}

/**
 * The S3V2 path: start a plain sync (the connector has no full mode), follow
 * it, then prove the outcome from every document's updatedAt. The tracked
 * sync is recorded as not full (fullMode false), so the audit never takes it
 * for certain evidence of a full sync: the documents decide.
 */
async function applyModelessSync(
  ctx: FixContext,
  run: { ref: DataSourceRef; options: FullSyncApplyOptions; activityId: number; calls: AwsCalls },
): Promise<RunOutcome> {
  const { ref, options, activityId, calls } = run;
  const { qbusiness } = await ctx.clients(ref.accountId, ref.region);
  const steps = new Steps(["start the sync", ...(options.wait ? ["follow the sync to its end", "check every document"] : [])]);
  let executionId: string;
  try {
    executionId = await startSyncJob({ qbusiness, ref, calls, steps });
  } catch (error) {
    if (errorCode(error) !== "ConflictException") return failed(error, steps, "Could not start the sync");
    return alreadyRunning(ctx, ref, (await latestRunningJob(ctx, ref, calls)) ?? "unknown", options, calls, []);
  }
  // awaited whether the data layer answers at once or later
  const tracked = await insertTrackedSync(ctx.db, {
    activityId,
    dataSource: ref,
    executionId,
    restoreMode: false,
    fullMode: false,
    startedAt: ctx.now().toISOString(),
  });
  await appendActivityEvent(ctx.db, activityId, {
    at: ctx.now(),
    status: "running",
    message: `Sync ${executionId} started (S3 v2: no full mode)`,
    requestIds: calls.requestIds.splice(0),
    data: { executionId },
  });
  if (!options.wait) {
    if (options.followInBackground ?? true) followInBackground(ctx, tracked);
    return {
      outcome: "started",
      message: `Sync ${executionId} started; it is tracked and followed to its end, then every document is checked (the activity entry says how many are still stale, and what to do next).`,
      done: steps.done,
      notDone: [],
      reaudit: false,
      data: { executionId, trackedSyncId: tracked.id },
    };
  }
  // The follow checks every document once the sync has ended (modelessFollowUp), in the background as here.
  const followed = await followTrackedSync(ctx, tracked);
  steps.complete("follow the sync to its end");
  const verification = followed.verification;
  if (verification && followed.ok) steps.complete("check every document");
  const stale = Number(verification?.details?.staleDocuments ?? 0);
  return {
    outcome: !followed.ok ? "failed" : verification?.ok ? "succeeded" : "partial",
    message: verification?.message ?? `Sync ${executionId} ended ${followed.jobStatus}.`,
    done: [...steps.done, ...followed.done],
    notDone: [
      ...steps.notDone(),
      ...followed.notDone,
      ...(followed.ok && !verification?.ok && stale > 0 ? [`re-ingest ${plural(stale, "stale document")}`] : []),
    ],
    ...(verification ? { verification } : {}),
    reaudit: false,
    ...(followed.reaudit ? { reauditResult: followed.reaudit } : {}),
    data: { executionId, jobStatus: followed.jobStatus, trackedSyncId: tracked.id },
  };
}

async function latestRunningJob(ctx: FixContext, d: DataSourceRef, calls: AwsCalls): Promise<string | undefined> {
  const { qbusiness } = await ctx.clients(d.accountId, d.region);
  const jobs = await calls.send<{ history?: DataSourceSyncJob[] }>(
    qbusiness,
    new ListDataSourceSyncJobsCommand({ ...sourcePath(d), maxResults: 10 }),
    "qbusiness:ListDataSourceSyncJobs",
  );
  return jobs.history?.find((j) => RUNNING.has(j.status ?? ""))?.executionId;
}

/** A sync is running: never start a second one. Optionally wait for it to end. */
async function alreadyRunning(
  ctx: FixContext,
  d: DataSourceRef,
  executionId: string,
  options: FullSyncApplyOptions,
  calls: AwsCalls,
  done: string[],
): Promise<RunOutcome> {
  const notDone = ["start a full sync (another sync is running)"];
  if (options.waitForRunning) {
    const status = await waitForSyncJob(ctx, d, executionId, calls);
    return {
      outcome: "refused",
      message: `A sync is already running: ${executionId}. Waited for it: it ended ${status}. Plan again to start the full sync.`,
      done: [...done, `waited for sync ${executionId} to end (${status})`],
      notDone,
      reaudit: true,
    };
  }
  return { outcome: "refused", message: `A sync is already running: ${executionId}. No other sync was started.`, done, notDone, reaudit: false };
}

function failed(error: unknown, steps: Steps, what: string): RunOutcome {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    outcome: steps.done.length > 0 ? "partial" : "failed",
    message: `${what}: ${reason}`,
    done: steps.done,
    notDone: steps.notDone(),
    ...(error instanceof PermissionDenied ? { data: { missingPermission: error.permission } } : {}),
  };
}

/**
 * Full syncs of many data sources at once, at most `concurrencyPerAccount`
 * (default 3) in flight per account. Each needs its own confirmed plan hash.
 */
export async function applyFullSyncBulk(
  ctx: FixContext,
  items: { dataSource: DataSourceRef; confirmPlanHash: string }[],
  options: Omit<FullSyncApplyOptions, "confirmPlanHash"> & { concurrencyPerAccount?: number },
): Promise<ApplyResult<FullSyncPlan>[]> {
  const limiters = new Map<string, Limiter>();
  const limiterOf = (accountId: string) => {
    let limiter = limiters.get(accountId);
    if (!limiter) limiters.set(accountId, (limiter = createLimiter(options.concurrencyPerAccount ?? 3)));
    return limiter;
  };
  return Promise.all(
    items.map((item) => limiterOf(item.dataSource.accountId)(() => applyFullSync(ctx, item.dataSource, { ...options, confirmPlanHash: item.confirmPlanHash }))),
  );
}

/**
 * Is the data source fixed? Its latest sync of our own ended SUCCEEDED in
 * full mode and every document was updated after the cutoff.
 */
export async function verifyFullSync(ctx: FixContext, d: DataSourceRef): Promise<Verification> {
  const calls = new AwsCalls();
  const source = await calls.send<GetDataSourceResponse>(
    (await ctx.clients(d.accountId, d.region)).qbusiness,
    new GetDataSourceCommand(sourcePath(d)),
    "qbusiness:GetDataSource",
  );
  // S3V2 has no full mode to have synced in: the documents alone prove it (or not).
  if (isModelessConnector(source.type)) return modelessVerification(modelessSourceFacts(source), await documentFreshness(ctx, d, calls));
  const ownExecution = await latestFullModeExecution(ctx.db, d);
  const own = ownExecution === undefined ? undefined : { execution_id: ownExecution };
  const job = own ? await findSyncJob(ctx, d, own.execution_id, calls) : undefined;
  const { qbusiness } = await ctx.clients(d.accountId, d.region);
  let stale = 0;
  let total = 0;
  let nextToken: string | undefined;
  do {
    const page = await calls.send<{ documentDetailList?: { updatedAt?: Date }[]; nextToken?: string }>(
      qbusiness,
      new ListDocumentsCommand({ applicationId: d.applicationId, indexId: d.indexId, dataSourceIds: [d.dataSourceId], maxResults: 100, nextToken }),
      "qbusiness:ListDocuments",
    );
    for (const doc of page.documentDetailList ?? []) {
      total++;
      if (!doc.updatedAt || doc.updatedAt.getTime() < ctx.cutoff.getTime()) stale++;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const synced = job?.status === "SUCCEEDED";
  return {
    ok: synced && stale === 0,
    message: !own
      ? "No full sync of the product's own is recorded for this data source."
      : !synced
        ? `The product's full sync ${own.execution_id} is ${job?.status ?? "not found"}.`
        : stale > 0
          ? `Full sync ${own.execution_id} succeeded but ${stale} of ${total} documents are still from before the cutoff.`
          : `Full sync ${own.execution_id} succeeded and all ${total} documents were re-ingested after the cutoff.`,
    details: { executionId: own?.execution_id, jobStatus: job?.status, documents: total, staleDocuments: stale },
  };
}
