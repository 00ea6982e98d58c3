/**
 * A data source's sync jobs, newest first (as the API serves them), read back
 * only as far as a verdict can still change (issue 15): reading stops when
 * the history ends, when jobs from before the cutoff are reached (older ones
 * never count), when `syncHistorySettled` says no older job can change the
 * verdict, or when a full sync confirmed by an earlier audit still holds
 * (ADR 0010). `ds.syncJobsRead` says how far back the audit read and why it stopped.
 */
import { ListDataSourceSyncJobsCommand, type DataSourceSyncJob } from "@aws-sdk/client-qbusiness";
import { awsErrorInfo } from "../../aws/clients";
import { syncHistorySettled, type SyncHistoryStop } from "../sync-evidence";
import type { DataSourceInventory, SyncJobRecord } from "../types";
import { iso, type TargetContext } from "./context";

export interface DataSourcePath {
  applicationId: string;
  indexId: string;
  dataSourceId: string;
}

/** One ListDataSourceSyncJobs page (10 jobs, the API's most). */
export interface JobsPage {
  jobs: SyncJobRecord[];
  nextToken?: string;
}

function metric(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function syncJobRecord(job: DataSourceSyncJob): SyncJobRecord {
  const m = job.metrics;
  return {
    executionId: job.executionId ?? "",
    startTime: iso(job.startTime),
    endTime: iso(job.endTime),
    status: job.status,
    ...(job.error ? { error: { errorMessage: job.error.errorMessage, errorCode: job.error.errorCode } } : {}),
    ...(job.dataSourceErrorCode ? { dataSourceErrorCode: job.dataSourceErrorCode } : {}),
    ...(m
      ? {
          metrics: {
            documentsAdded: metric(m.documentsAdded),
            documentsModified: metric(m.documentsModified),
            documentsDeleted: metric(m.documentsDeleted),
            documentsFailed: metric(m.documentsFailed),
            documentsScanned: metric(m.documentsScanned),
          },
        }
      : {}),
  };
}

/** One page of the jobs, newest first (no time filter: the first page is also the latest job). */
export async function readJobsPage(ctx: TargetContext, path: DataSourcePath, nextToken?: string): Promise<JobsPage> {
  const page = await ctx.call("qbusiness:ListDataSourceSyncJobs", () =>
    ctx.clients.qbusiness.send(new ListDataSourceSyncJobsCommand({ ...path, maxResults: 10, nextToken })),
  );
  return { jobs: (page.history ?? []).map(syncJobRecord), nextToken: page.nextToken };
}

const startMs = (job: SyncJobRecord) => (job.startTime ? Date.parse(job.startTime) : NaN);

/** Whether `next` continues `before` newest first; if not, stopping early would rest on an order the API did not keep. */
function continuesNewestFirst(before: SyncJobRecord[], next: SyncJobRecord[]): boolean {
  const all = [...before.slice(-1), ...next];
  for (let i = 1; i < all.length; i++) if (!(startMs(all[i]) <= startMs(all[i - 1]))) return false;
  return true;
}

function addJobs(ds: DataSourceInventory, jobs: SyncJobRecord[]): void {
  const seen = new Set(ds.syncJobs.map((j) => j.executionId));
  for (const job of jobs) {
    if (seen.has(job.executionId)) continue;
    seen.add(job.executionId);
    ds.syncJobs.push(job);
  }
}

export interface SyncJobsReading {
  /** The first page, requested early (it is the latest job, which every audit reads). */
  first: Promise<JobsPage>;
  /** Settles when the data source's details (and the product's own full syncs) are on `ds`: the stop rule needs them. */
  detailsRead: Promise<unknown>;
  /** A job kept from an earlier audit that still proves a full sync (ADR 0010), if any. */
  reuse?: (ds: DataSourceInventory) => { job: SyncJobRecord; firstSync: boolean; from: { auditId: number; scannedAt: string } } | undefined;
}

/** Reads the jobs into `ds.syncJobs` (newest first) and says how far back in `ds.syncJobsRead`; errors land on `ds.syncJobsError`. */
export async function collectSyncJobs(ctx: TargetContext, path: DataSourcePath, ds: DataSourceInventory, reading: SyncJobsReading): Promise<void> {
  const { cutoff } = ctx.scope;
  try {
    let page = await reading.first;
    await reading.detailsRead;
    let pages = 1;
    let ordered = continuesNewestFirst([], page.jobs);
    ds.syncJobs = [];
    addJobs(ds, page.jobs);
    let stop: SyncHistoryStop | null = null;
    for (;;) {
      if (!page.nextToken) stop = "history-exhausted";
      else if (ordered) stop = syncHistorySettled(ds, cutoff);
      if (!stop && reading.reuse && pages === 1) stop = applyReuse(ds, reading.reuse(ds));
      if (stop) break;
      const before = ds.syncJobs;
      page = await readJobsPage(ctx, path, page.nextToken);
      pages++;
      ordered &&= continuesNewestFirst(before, page.jobs);
      addJobs(ds, page.jobs);
    }
    finishReading(ds, { pages, stop, cutoff, jobsRead: ds.syncJobs.length - (ds.fullSyncReusedFrom ? 1 : 0) });
  } catch (e) {
    ds.syncJobs = [];
    ds.syncJobsError = awsErrorInfo(e, "qbusiness:ListDataSourceSyncJobs");
  }
}

function applyReuse(ds: DataSourceInventory, reused: ReturnType<NonNullable<SyncJobsReading["reuse"]>>): SyncHistoryStop | null {
  if (!reused) return null;
  addJobs(ds, [reused.job]);
  ds.fullSyncReusedFrom = { ...reused.from, executionId: reused.job.executionId };
  // The first sync of a data source stays its first: with it kept, the earliest job listed is the first.
  ds.firstSyncKnown = reused.firstSync;
  return "reused-evidence";
}

function finishReading(ds: DataSourceInventory, o: { pages: number; stop: SyncHistoryStop; cutoff: Date; jobsRead: number }): void {
  ds.syncJobs.sort((a, b) => (b.startTime ?? "").localeCompare(a.startTime ?? ""));
  const read = ds.syncJobs.filter((j) => j.executionId !== ds.fullSyncReusedFrom?.executionId);
  const oldest = read[read.length - 1];
  // The checks judge the jobs since the cutoff, and the latest job of all (what the older read pages held beyond it never counts).
  const sinceCutoff = ds.syncJobs.filter((j) => j.startTime !== undefined && Date.parse(j.startTime) >= o.cutoff.getTime());
  ds.syncJobs = sinceCutoff.length > 0 ? sinceCutoff : ds.syncJobs.slice(0, 1);
  ds.syncJobsRead = {
    pages: o.pages,
    jobs: o.jobsRead,
    readBackTo: oldest?.startTime ?? null,
    complete: o.stop === "history-exhausted" || o.stop === "reached-cutoff",
    stoppedBecause: o.stop,
  };
  if (o.stop === "reused-evidence") return;
  // A source created after the cutoff cannot have older jobs: when the history was read to its end, the earliest is its first sync.
  const created = ds.createdAt ? new Date(ds.createdAt) : undefined;
  if (o.stop === "history-exhausted") {
    if (created && created >= o.cutoff && ds.syncJobs.length > 0) ds.firstSyncKnown = true;
  } else if (created && created >= o.cutoff) {
    ds.firstSyncKnown = false;
  }
}
