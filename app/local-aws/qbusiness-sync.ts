/**
 * Data source sync jobs of the local Q Business: starting, stopping, and
 * finishing them on the emulator clock, with what a finished job does to the
 * data source's documents.
 *
 * Jobs finish lazily: nothing runs in the background; a due job is settled
 * when anything reads its data source (or when `settleSyncJobs` is called).
 */
import type {
  FixtureAccount,
  FixtureDataSource,
  FixtureSyncJob,
} from "./fixture-types";
import type { Emulator } from "./types";
import { conflict } from "./qbusiness-wire";

/** Seconds a sync runs when the fixture gives no `syncDurationSeconds`. */
export const DEFAULT_SYNC_DURATION_SECONDS = 3;
/** A stopped job shows STOPPING for this long before it is ABORTED. */
const STOPPING_SECONDS = 1;

/**
 * What the emulator knows about a job that the API does not expose (a real
 * sync job does not record its mode). Kept beside the state, not in it, so
 * the fleet keeps the fixture's shapes.
 */
interface SyncJobFacts {
  /** configuration.syncMode when the job started. */
  syncModeAtStart: string | undefined;
  /** No earlier job of the data source had succeeded: the first sync covers all content. */
  firstSync: boolean;
  /** Emulator ms at which the job is due to finish (or to turn ABORTED once STOPPING). */
  dueAtMs: number;
}

interface RunningJob {
  account: FixtureAccount;
  dataSource: FixtureDataSource;
  job: FixtureSyncJob;
}

const jobFacts = new WeakMap<FixtureSyncJob, SyncJobFacts>();
/** Jobs in SYNCING or STOPPING, per fleet state: settling visits only these. */
const runningByFleet = new WeakMap<Emulator["fleet"], Set<RunningJob>>();

function isActive(job: FixtureSyncJob): boolean {
  return job.status === "SYNCING" || job.status === "STOPPING" || job.status === "SYNCING_INDEXING";
}

function durationMs(ds: FixtureDataSource): number {
  return (ds.syncDurationSeconds ?? DEFAULT_SYNC_DURATION_SECONDS) * 1000;
}

function hadSuccessBefore(ds: FixtureDataSource, startMs: number, except?: FixtureSyncJob): boolean {
  return ds.syncJobs.some(
    (j) => j !== except && j.status === "SUCCEEDED" && Date.parse(j.startTime) < startMs,
  );
}

/**
 * The running jobs of an emulator's fleet. On first use, jobs the fixture left in
 * SYNCING/STOPPING are adopted: they finish `syncDurationSeconds` after their
 * start, in the mode the data source is configured with now.
 */
function runningJobs(emu: Emulator): Set<RunningJob> {
  let running = runningByFleet.get(emu.fleet);
  if (running) return running;
  running = new Set();
  runningByFleet.set(emu.fleet, running);
  for (const account of emu.fleet.accounts) {
    for (const region of Object.values(account.regions)) {
      for (const app of region.applications) {
        for (const index of app.indices) {
          for (const ds of index.dataSources) {
            for (const job of ds.syncJobs) {
              if (!isActive(job)) continue;
              const startMs = Date.parse(job.startTime);
              if (!jobFacts.has(job)) jobFacts.set(job, {
                syncModeAtStart: syncModeOf(ds),
                firstSync: !hadSuccessBefore(ds, startMs, job),
                dueAtMs: startMs + (job.status === "STOPPING" ? STOPPING_SECONDS * 1000 : durationMs(ds)),
              });
              running.add({ account, dataSource: ds, job });
            }
          }
        }
      }
    }
  }
  return running;
}

/** The S3 connector's sync mode (configuration.syncMode), if it has one. */
export function syncModeOf(ds: FixtureDataSource): string | undefined {
  const mode = ds.configuration["syncMode"];
  return typeof mode === "string" ? mode : undefined;
}

/** The bucket an S3 data source crawls (configuration.connectionConfiguration.repositoryEndpointMetadata.BucketName). */
export function bucketOf(ds: FixtureDataSource): string | undefined {
  const connection = ds.configuration["connectionConfiguration"] as Record<string, unknown> | undefined;
  const endpoint = connection?.["repositoryEndpointMetadata"] as Record<string, unknown> | undefined;
  const bucket = endpoint?.["BucketName"];
  return typeof bucket === "string" ? bucket : undefined;
}

export function activeJob(ds: FixtureDataSource): FixtureSyncJob | undefined {
  return ds.syncJobs.find(isActive);
}

/**
 * Starts a sync job (StartDataSourceSyncJob). Refuses with ConflictException
 * while another job of the data source is still running or stopping.
 */
export function startSyncJob(
  emu: Emulator,
  account: FixtureAccount,
  ds: FixtureDataSource,
): FixtureSyncJob {
  settleDataSource(emu, ds);
  if (activeJob(ds)) {
    throw conflict(
      "DATA_SOURCE",
      ds.dataSourceId,
      `A sync job is already running for data source ${ds.dataSourceId}. Wait for it to finish, or stop it, before starting another.`,
    );
  }
  const now = emu.clock.now();
  const job: FixtureSyncJob = {
    executionId: emu.newId(),
    startTime: now.toISOString(),
    status: "SYNCING",
  };
  jobFacts.set(job, {
    syncModeAtStart: syncModeOf(ds),
    firstSync: !hadSuccessBefore(ds, now.getTime() + 1),
    dueAtMs: now.getTime() + durationMs(ds),
  });
  ds.syncJobs.push(job);
  runningJobs(emu).add({ account, dataSource: ds, job });
  return job;
}

/**
 * Stops the running job (StopDataSourceSyncJob): STOPPING now, ABORTED a
 * moment later. With no job running, a ConflictException (the model allows it;
 * the real wording is unverified).
 */
export function stopSyncJob(emu: Emulator, ds: FixtureDataSource): void {
  settleDataSource(emu, ds);
  const job = ds.syncJobs.find((j) => j.status === "SYNCING" || j.status === "SYNCING_INDEXING");
  if (!job) {
    throw conflict("DATA_SOURCE", ds.dataSourceId, `No sync job is running for data source ${ds.dataSourceId}.`);
  }
  job.status = "STOPPING";
  const facts = jobFacts.get(job);
  if (facts) facts.dueAtMs = emu.clock.now().getTime() + STOPPING_SECONDS * 1000;
}

/** Finishes every due job of the emulator. Returns how many finished. */
export function settleSyncJobs(emu: Emulator): number {
  return settle(emu, () => true);
}

/** Finishes the due jobs of one data source (called before any read under it). */
export function settleDataSource(emu: Emulator, ds: FixtureDataSource): void {
  settle(emu, (r) => r.dataSource === ds);
}

function settle(emu: Emulator, which: (r: RunningJob) => boolean): number {
  const running = runningJobs(emu);
  const nowMs = emu.clock.now().getTime();
  let finished = 0;
  for (const r of running) {
    if (!which(r)) continue;
    const facts = jobFacts.get(r.job);
    if (!facts || facts.dueAtMs > nowMs) continue;
    if (r.job.status === "STOPPING") {
      r.job.status = "ABORTED";
      r.job.endTime = new Date(facts.dueAtMs).toISOString();
    } else {
      completeJob(r, facts);
    }
    running.delete(r);
    finished++;
  }
  return finished;
}

function isFullSync(facts: SyncJobFacts): boolean {
  return facts.firstSync || facts.syncModeAtStart === "FORCED_FULL_CRAWL";
}

/**
 * A finished job re-ingests documents: all of them on a full sync (forced full
 * crawl, or the first sync); on an incremental one (FULL_CRAWL, or a mode the
 * emulator does not know) only those whose S3 object changed since.
 */
function completeJob({ account, dataSource: ds, job }: RunningJob, facts: SyncJobFacts): void {
  const endTime = new Date(facts.dueAtMs).toISOString();
  const full = isFullSync(facts);
  const bucket = bucketOf(ds);
  const objects = bucket ? account.s3?.buckets[bucket]?.objects : undefined;
  let modified = 0;
  for (const doc of ds.documents) {
    let reingest = full;
    if (!full && doc.s3Key && objects) {
      const lastModified = objects[doc.s3Key]?.lastModified;
      reingest = lastModified !== undefined && Date.parse(lastModified) > Date.parse(doc.updatedAt);
    }
    if (reingest) {
      doc.updatedAt = endTime;
      doc.status = "INDEXED";
      modified++;
    }
  }
  job.status = "SUCCEEDED";
  job.endTime = endTime;
  job.metrics = {
    documentsAdded: String(facts.firstSync ? ds.documents.length : 0),
    documentsModified: String(facts.firstSync ? 0 : modified),
    documentsDeleted: "0",
    documentsFailed: "0",
    documentsScanned: String(ds.documents.length),
  };
}

/**
 * Whether the data source has had a successful full sync that started at or
 * after `cutoffMs` — the precondition GetDocumentContent enforces.
 *
 * Jobs the emulator ran know their mode. For jobs from the fixture the mode is
 * inferred as the audit does, but leniently: a job counts as full unless it is
 * provably incremental (FULL_CRAWL configured, unchanged since the job
 * started, and not the first sync), because the fixture's author describes
 * the truth and an unprovable mode must not make the emulator refuse.
 */
export function hasFullSyncSince(ds: FixtureDataSource, cutoffMs: number): boolean {
  return ds.syncJobs.some((job) => {
    if (job.status !== "SUCCEEDED") return false;
    const startMs = Date.parse(job.startTime);
    if (startMs < cutoffMs) return false;
    const facts = jobFacts.get(job);
    if (facts) return isFullSync(facts);
    if (!hadSuccessBefore(ds, startMs, job)) return true;
    const configuredSinceStart = Date.parse(ds.updatedAt) <= startMs;
    return !(configuredSinceStart && syncModeOf(ds) === "FULL_CRAWL");
  });
}
