/**
 * Incremental audits (issue 15, ADR 0010): which evidence of an earlier audit
 * still holds for a data source now, judged on what this audit read anyway
 * (the data source's details and its latest sync jobs). Pure.
 *
 * Both kinds need the same data source (id and creation time: a data source
 * deleted and recreated under the same name is a new one) and the same cutoff.
 *
 * - A full sync: a finished job never changes, so a SUCCEEDED job after the
 *   cutoff stays one. Its mode must still be full as this audit would infer
 *   it from today's configuration: the product's own record and the data
 *   source's first sync stay so; "ran while set to FORCED_FULL_CRAWL" holds
 *   only while the configuration says so and has not been updated since.
 * - Every document re-ingested: a document's updatedAt only moves forward,
 *   and documents change only through syncs. So it holds when every job that
 *   ran (or was running) since the scan started is in the jobs read, and each
 *   SUCCEEDED with no document failed or deleted; documents it added are new,
 *   so re-ingested after the cutoff, and are added to the counts.
 */
import { jobCounts, jobFinished, syncJobMode, type SyncModeBasis } from "../sync-evidence";
import type { DataSourceInventory, DocumentScan, ReusedFrom, SyncJobRecord } from "../types";
import type { JobsPage } from "./sync-jobs";

/** How far the audit's clock may be from AWS's when comparing our scan time with a job's times (SigV4 allows 15 minutes). */
export const CLOCK_SKEW_MS = 15 * 60_000;

export interface StoredFullSync extends ReusedFrom {
  job: SyncJobRecord;
  basis: SyncModeBasis;
}

export interface StoredDocuments extends ReusedFrom {
  /** When that scan started (the audit's clock). */
  startedAt: string;
  scanned: number;
  fresh: number;
}

/** A scan that found stale documents (ADR 0010 rule 4): its counts and examples, kept while no sync job ran since. */
export interface StoredStaleDocuments extends ReusedFrom {
  /** When that scan started (the audit's clock). */
  startedAt: string;
  /** The data source's updatedAt when it was scanned. */
  dataSourceUpdatedAt: string;
  /** The newest sync job when it was scanned, "executionId@startTime" (null: none); absent in rows kept before it was stored, which are not reused. */
  newestJob?: string | null;
  scanned: number;
  staleCount: number;
  staleExamples: DocumentScan["staleExamples"];
  freshCount: number;
  failedCount: number;
}

/** GetDataSource's answer as the audit that stored the evidence read it (the configuration holds the sync mode). */
export interface StoredDetails {
  updatedAt: string;
  type?: string;
  configuration?: Record<string, unknown>;
}

/** What earlier audits established for one data source. */
export interface StoredEvidence {
  dataSourceId: string;
  dataSourceCreatedAt: string;
  cutoff: string;
  fullSync?: StoredFullSync;
  documents?: StoredDocuments;
  staleDocuments?: StoredStaleDocuments;
  details?: StoredDetails;
}

/** Bases of a full-sync inference that can stay true after the audit (the others are not full). */
export const LASTING_FULL_SYNC_BASES: readonly SyncModeBasis[] = ["own-record", "first-sync", "forced-full-crawl"];

/** A sync job as rule 4 recognises it again: its execution id and start time (null: no job). */
export function jobIdentity(job: { executionId: string; startTime?: string } | undefined): string | null {
  return job ? `${job.executionId}@${job.startTime ?? ""}` : null;
}

/** Same data source (id and creation time) and same cutoff. */
export function sameDataSource(stored: StoredEvidence, ds: DataSourceInventory, cutoff: Date): boolean {
  return (
    stored.dataSourceId === ds.dataSourceId &&
    ds.createdAt !== undefined &&
    Date.parse(stored.dataSourceCreatedAt) === Date.parse(ds.createdAt) &&
    Date.parse(stored.cutoff) === cutoff.getTime()
  );
}

/**
 * The stored details, when the listing shows the same data source not updated
 * since they were read: UpdateDataSource moves `updatedAt`, so its
 * configuration is unchanged and GetDataSource would answer the same.
 */
export function detailsStillHold(stored: StoredEvidence | undefined, ds: DataSourceInventory, cutoff: Date): StoredDetails | undefined {
  const details = stored?.details;
  if (!details || !sameDataSource(stored, ds, cutoff) || !ds.updatedAt) return undefined;
  return Date.parse(details.updatedAt) === Date.parse(ds.updatedAt) ? details : undefined;
}

/** The stored full sync, when it still proves one for `ds` (read now: type, configuration, updatedAt, own syncs). */
export function fullSyncStillHolds(stored: StoredEvidence, ds: DataSourceInventory, cutoff: Date): StoredFullSync | undefined {
  const full = stored.fullSync;
  if (!full || !sameDataSource(stored, ds, cutoff) || !jobCounts(full.job, cutoff)) return undefined;
  const firstSync = full.basis === "first-sync" ? full.job : null;
  return syncJobMode(ds, full.job, cutoff, firstSync).mode === "full" ? full : undefined;
}

/**
 * The stored "every document re-ingested" scan, carried forward over the jobs
 * since it (from the first page of jobs), or undefined when it may no longer hold.
 */
export function documentsStillHold(
  stored: StoredEvidence,
  ds: DataSourceInventory,
  o: { cutoff: Date; firstPage: JobsPage; documentCap: number },
): DocumentScan | undefined {
  const docs = stored.documents;
  if (!docs || !sameDataSource(stored, ds, o.cutoff)) return undefined;
  const since = Date.parse(docs.startedAt) - CLOCK_SKEW_MS;
  if (Number.isNaN(since)) return undefined;
  const jobs = o.firstPage.jobs;
  const oldest = jobs[jobs.length - 1];
  // Jobs of a data source do not overlap: once one started before the scan, older ones ended before it.
  if (o.firstPage.nextToken && !(oldest?.startTime && Date.parse(oldest.startTime) < since)) return undefined;
  let added = 0;
  for (const job of jobs) {
    const ended = job.endTime ? Date.parse(job.endTime) : NaN;
    if (!Number.isNaN(ended) && ended < since) continue;
    const m = job.metrics;
    if (job.status !== "SUCCEEDED" || !m || m.documentsFailed !== 0 || m.documentsDeleted !== 0 || m.documentsAdded === undefined) return undefined;
    added += m.documentsAdded;
  }
  const scanned = docs.scanned + added;
  if (scanned > o.documentCap) return undefined;
  return {
    scanned,
    capped: false,
    staleCount: 0,
    staleExamples: [],
    freshCount: docs.fresh + added,
    failedCount: 0,
    reusedFrom: { auditId: docs.auditId, scannedAt: docs.scannedAt },
  };
}

/**
 * The stored scan that found stale documents, when no sync job can have
 * changed them since (ADR 0010 rule 4): a document's updatedAt moves only when
 * a sync of its data source processes it (BatchPutDocument into an S3 data
 * source needs that source's running sync job). So it holds while every job on
 * the first page (newest first, so the latest job) finished, and started and
 * ended before the scan started less the clock skew, the newest job is the one
 * the scan saw, and the data source's updatedAt is the one scanned. Else
 * undefined: the documents are scanned again.
 */
export function staleDocumentsStillHold(stored: StoredEvidence, ds: DataSourceInventory, o: { cutoff: Date; firstPage: JobsPage }): DocumentScan | undefined {
  const docs = stored.staleDocuments;
  if (!docs || !sameDataSource(stored, ds, o.cutoff) || !ds.updatedAt) return undefined;
  if (Date.parse(docs.dataSourceUpdatedAt) !== Date.parse(ds.updatedAt)) return undefined;
  // The newest job is still the one the scan saw: a job that appears later, even one dated earlier, is a change.
  if (docs.newestJob === undefined || jobIdentity(o.firstPage.jobs[0]) !== docs.newestJob) return undefined;
  const since = Date.parse(docs.startedAt) - CLOCK_SKEW_MS;
  if (Number.isNaN(since)) return undefined;
  const before = (t: string | undefined) => t !== undefined && Date.parse(t) < since;
  if (!o.firstPage.jobs.every((job) => jobFinished(job) && before(job.startTime) && before(job.endTime))) return undefined;
  return {
    scanned: docs.scanned,
    capped: false,
    staleCount: docs.staleCount,
    staleExamples: docs.staleExamples,
    freshCount: docs.freshCount,
    failedCount: docs.failedCount,
    reusedFrom: { auditId: docs.auditId, scannedAt: docs.scannedAt },
  };
}
