/**
 * How the audit establishes that an S3 data source had a *full* sync after the
 * cutoff. A sync job does not record its mode (aws-facts.md), so the mode is
 * inferred, and every inference says how it was reached:
 *
 * 1. full: the product started the job in full mode (its own record); or it
 *    is the data source's first sync (which always covers all content); or it
 *    ran while `configuration.syncMode` was FORCED_FULL_CRAWL and the data
 *    source has not been updated since the job started.
 * 2. incremental: it ran while `configuration.syncMode` was FULL_CRAWL (same
 *    test) and is not the first sync.
 * 3. unknown: anything else (configuration changed since, S3V2 connector,
 *    configuration unreadable).
 *
 * Only jobs that SUCCEEDED and started at or after the cutoff count.
 * Pure: reads the inventory only.
 */
import { FULL_SYNC_MODE as FULL, INCREMENTAL_SYNC_MODE as INCREMENTAL } from "../aws/vocabulary";
import type { DataSourceInventory, DocumentScan, IsoTime, SyncJobRecord } from "./types";

export type SyncMode = "full" | "incremental" | "unknown";

/** How a job's mode was established (stable strings: they appear in reports). */
export type SyncModeBasis =
  "own-record" | "first-sync" | "forced-full-crawl" | "full-crawl" | "configuration-changed-since" | "mode-not-in-configuration" | "configuration-unreadable";

export interface JobModeEvidence {
  executionId: string;
  startTime: IsoTime | null;
  endTime: IsoTime | null;
  status: string | null;
  mode: SyncMode;
  basis: SyncModeBasis;
  /** The basis in words, for the evidence panel. */
  reason: string;
}

export interface FullSyncAssessment {
  /** The best mode among counting jobs (full > unknown > incremental); "none" when no job counts. */
  best: SyncMode | "none";
  /** Jobs that count (SUCCEEDED, started at or after the cutoff), newest first, with their modes. */
  countingJobs: JobModeEvidence[];
  /** The most recent counting job of the best mode. */
  decidingJob: JobModeEvidence | null;
  /** The most recent SUCCEEDED job read (may predate the cutoff). */
  lastSuccessfulJob: SyncJobRecord | null;
  /** The most recent job read, whatever its status. */
  latestJob: SyncJobRecord | null;
}

function time(iso: string | undefined): number {
  return iso ? Date.parse(iso) : NaN;
}

/**
 * Connectors that keep no sync mode at all (the S3 v2 connector's
 * configuration schema has none): their jobs are of unknown mode, and only
 * the documents' updatedAt can show a full re-ingestion.
 */
export const MODELESS_CONNECTOR_TYPES: readonly string[] = ["S3V2"];

export function keepsNoSyncMode(type: string | undefined): boolean {
  return type !== undefined && MODELESS_CONNECTOR_TYPES.includes(type.toUpperCase());
}

/** Jobs newest first by startTime (jobs without one last), whatever order the inventory had. */
export function jobsNewestFirst(jobs: SyncJobRecord[]): SyncJobRecord[] {
  // Parse each time once: sources with hundreds of jobs are judged in bulk.
  return jobs
    .map((job) => ({ job, t: time(job.startTime) }))
    .sort((a, b) => {
      if (Number.isNaN(a.t) || Number.isNaN(b.t)) return Number.isNaN(a.t) ? (Number.isNaN(b.t) ? 0 : 1) : -1;
      return b.t - a.t;
    })
    .map(({ job }) => job);
}

/** The source's first sync, when the jobs read show it (see isFirstSync); null otherwise. */
export function firstSyncOf(ds: DataSourceInventory, cutoff: Date): SyncJobRecord | null {
  const timed = jobsNewestFirst(ds.syncJobs).filter((j) => !Number.isNaN(time(j.startTime)));
  const earliest = timed[timed.length - 1];
  if (!earliest) return null;
  if (ds.firstSyncKnown === true) return earliest;
  return ds.firstSyncKnown === undefined && time(ds.createdAt) >= cutoff.getTime() ? earliest : null;
}

/**
 * Whether `job` is the data source's first sync. It must be the earliest job
 * read, and the earliest read must be the earliest ever: the collector says so
 * with `firstSyncKnown`; for a source created at or after the cutoff it
 * follows anyway (every job of such a source started after the cutoff, and
 * those are all read), unless the collector found otherwise.
 */
export function isFirstSync(ds: DataSourceInventory, job: SyncJobRecord, cutoff: Date): boolean {
  return firstSyncOf(ds, cutoff)?.executionId === job.executionId;
}

/** The mode of one job, and how it was established. */
export function syncJobMode(
  ds: DataSourceInventory,
  job: SyncJobRecord,
  cutoff: Date,
  firstSync: SyncJobRecord | null = firstSyncOf(ds, cutoff),
): Omit<JobModeEvidence, "executionId" | "startTime" | "endTime" | "status"> {
  if (ds.ownFullSyncExecutionIds?.includes(job.executionId)) {
    return { mode: "full", basis: "own-record", reason: "started in full mode by qbiz-readiness (its activity log)" };
  }
  if (firstSync?.executionId === job.executionId) {
    return { mode: "full", basis: "first-sync", reason: "the data source's first sync, which covers all content" };
  }
  if (ds.type?.toUpperCase() !== "S3") {
    return {
      mode: "unknown",
      basis: "mode-not-in-configuration",
      reason: keepsNoSyncMode(ds.type)
        ? `the ${ds.type} connector has no sync mode, so what its sync re-ingested shows only in the documents`
        : `the ${ds.type ?? "unknown"} connector does not keep its sync mode in the data source configuration`,
    };
  }
  if (!ds.configuration) {
    return { mode: "unknown", basis: "configuration-unreadable", reason: "the data source configuration could not be read" };
  }
  const syncMode = ds.configuration.syncMode;
  if (syncMode !== FULL && syncMode !== INCREMENTAL) {
    return {
      mode: "unknown",
      basis: "mode-not-in-configuration",
      reason: syncMode === undefined ? "the configuration has no syncMode" : `unrecognised syncMode ${JSON.stringify(syncMode)}`,
    };
  }
  // The configuration read now is the one the job ran with only if nothing changed since it started.
  const updatedAt = time(ds.updatedAt);
  const startedAt = time(job.startTime);
  if (Number.isNaN(updatedAt) || Number.isNaN(startedAt) || updatedAt > startedAt) {
    return {
      mode: "unknown",
      basis: "configuration-changed-since",
      reason: `the data source was updated (${ds.updatedAt ?? "time unknown"}) after the job started, so its sync mode then is not known`,
    };
  }
  return syncMode === FULL
    ? { mode: "full", basis: "forced-full-crawl", reason: "ran while the data source was set to full sync (FORCED_FULL_CRAWL), unchanged since" }
    : { mode: "incremental", basis: "full-crawl", reason: "ran while the data source was set to incremental sync (FULL_CRAWL), unchanged since" };
}

/** A job counts toward the full-sync requirement when it SUCCEEDED and started at or after the cutoff. */
export function jobCounts(job: SyncJobRecord, cutoff: Date): boolean {
  return job.status === "SUCCEEDED" && time(job.startTime) >= cutoff.getTime();
}

const RANK: Record<SyncMode, number> = { full: 3, unknown: 2, incremental: 1 };

/** Establishes the best full-sync evidence of a data source from its jobs. */
export function assessFullSync(ds: DataSourceInventory, cutoff: Date): FullSyncAssessment {
  const jobs = jobsNewestFirst(ds.syncJobs);
  const firstSync = firstSyncOf(ds, cutoff);
  const countingJobs: JobModeEvidence[] = jobs
    .filter((job) => jobCounts(job, cutoff))
    .map((job) => ({
      executionId: job.executionId,
      startTime: job.startTime ?? null,
      endTime: job.endTime ?? null,
      status: job.status ?? null,
      ...syncJobMode(ds, job, cutoff, firstSync),
    }));
  let decidingJob: JobModeEvidence | null = null;
  for (const job of countingJobs) {
    // Newest first, so ">" keeps the most recent job of the best mode.
    if (!decidingJob || RANK[job.mode] > RANK[decidingJob.mode]) decidingJob = job;
  }
  return {
    best: decidingJob ? decidingJob.mode : "none",
    countingJobs,
    decidingJob,
    lastSuccessfulJob: jobs.find((job) => job.status === "SUCCEEDED") ?? null,
    latestJob: jobs[0] ?? null,
  };
}

/**
 * Per-document proof of re-ingestion: every document of the source (at least
 * one) has updatedAt at or after the cutoff and none failed. Documents being
 * deleted are neither stale nor fresh (the collector counts them in `scanned`
 * only). A capped scan cannot show "every", nor can a scan that failed.
 */
export function everyDocumentReingested(scan: DocumentScan): boolean {
  return !scan.error && !scan.capped && scan.freshCount > 0 && scan.staleCount === 0 && (scan.failedCount ?? 0) === 0;
}

/** Whether a job has finished (its status will not change again). */
export function jobFinished(job: SyncJobRecord): boolean {
  return job.status === "SUCCEEDED" || job.status === "FAILED" || job.status === "ABORTED" || job.status === "INCOMPLETE";
}

/**
 * The best mode a job older than every job read could still have, given what
 * is known of the data source now (its type, configuration, updatedAt,
 * createdAt and the product's own full syncs). Older jobs start before
 * `oldestReadMs` and, to count, at or after the cutoff.
 */
function olderJobsCeiling(ds: DataSourceInventory, cutoff: Date, oldestReadMs: number, readIds: Set<string>): SyncMode {
  // One of the product's own full syncs not yet read may be older.
  if ((ds.ownFullSyncExecutionIds ?? []).some((id) => !readIds.has(id))) return "full";
  // The first sync of a source created at or after the cutoff counts as full, and it is the oldest job.
  const created = time(ds.createdAt);
  if (Number.isNaN(created) || created >= cutoff.getTime()) return "full";
  if (ds.type?.toUpperCase() !== "S3" || !ds.configuration) return "unknown";
  const syncMode = ds.configuration.syncMode;
  if (syncMode !== FULL && syncMode !== INCREMENTAL) return "unknown";
  const updated = time(ds.updatedAt);
  if (Number.isNaN(updated)) return "unknown";
  // Older jobs that started after the last update ran with today's mode; those before it are of unknown mode.
  if (syncMode === FULL && updated < oldestReadMs) return "full";
  return updated > cutoff.getTime() ? "unknown" : "incremental";
}

/** Why the audit stopped reading a data source's sync jobs (stable strings: they appear in reports). */
export type SyncHistoryStop = "history-exhausted" | "reached-cutoff" | "verdict-settled" | "reused-evidence";

/**
 * Whether reading older sync jobs (the API serves them newest first) can no
 * longer change a verdict, given the jobs read so far (`ds.syncJobs`, which
 * must be every job newer than the oldest of them). Returns why, or null to
 * read on. The full-sync verdict depends on the best mode among counting jobs
 * (full > unknown > incremental) and on its most recent job; the sync-failing
 * verdict on the latest finished job. So reading stops once a finished job
 * is read and no older job can be of a better mode than the best read
 * (a full one: nothing is better), or once jobs before the cutoff are reached
 * (older ones never count). Pure.
 */
export function syncHistorySettled(ds: DataSourceInventory, cutoff: Date): SyncHistoryStop | null {
  const jobs = jobsNewestFirst(ds.syncJobs);
  const oldest = jobs[jobs.length - 1];
  if (!oldest || !jobs.some(jobFinished)) return null;
  const oldestMs = time(oldest.startTime);
  if (Number.isNaN(oldestMs)) return null;
  if (oldestMs < cutoff.getTime()) return "reached-cutoff";
  // Only S3 sources have a full-sync verdict; the others need the latest finished job only.
  if (ds.type !== undefined && !["S3", "S3V2"].includes(ds.type.toUpperCase())) return "verdict-settled";
  let best = 0;
  for (const job of jobs) if (jobCounts(job, cutoff)) best = Math.max(best, RANK[syncJobMode(ds, job, cutoff, null).mode]);
  const ceiling = RANK[olderJobsCeiling(ds, cutoff, oldestMs, new Set(jobs.map((j) => j.executionId)))];
  return best >= ceiling ? "verdict-settled" : null;
}
