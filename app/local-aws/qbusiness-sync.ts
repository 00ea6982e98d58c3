/**
 * Data source sync jobs of the local Q Business: starting, stopping, and
 * finishing them on the emulator clock, with what a finished job does to the
 * data source's documents.
 *
 * Jobs finish lazily: nothing runs in the background; a due job is settled
 * when anything reads its data source (or when `settleSyncJobs` is called).
 */
import type { FixtureAccount, FixtureDataSource, FixtureDocument, FixtureSyncJob } from "./fixture-types";
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
  /** The connector keeps no sync mode (S3V2): what the job re-ingests is the data source's `syncReingests`. */
  modeless: boolean;
  /** For a modeless connector: the job re-ingests every document (`syncReingests: "all"`). */
  reingestsAll: boolean;
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
  return ds.syncJobs.some((j) => j !== except && j.status === "SUCCEEDED" && Date.parse(j.startTime) < startMs);
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
              if (!jobFacts.has(job))
                jobFacts.set(job, {
                  ...modeFacts(ds),
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

/** The S3 connector's sync mode (configuration.syncMode), if it has one. The S3V2 connector has none, whatever its configuration says. */
export function syncModeOf(ds: FixtureDataSource): string | undefined {
  if (isModeless(ds)) return undefined;
  const mode = ds.configuration["syncMode"];
  return typeof mode === "string" ? mode : undefined;
}

/** The S3 (v2) connector keeps no sync mode (its configuration schema has none). */
export function isModeless(ds: FixtureDataSource): boolean {
  return ds.type.toUpperCase() === "S3V2";
}

function modeFacts(ds: FixtureDataSource): Pick<SyncJobFacts, "syncModeAtStart" | "modeless" | "reingestsAll"> {
  const modeless = isModeless(ds);
  return { syncModeAtStart: syncModeOf(ds), modeless, reingestsAll: modeless && ds.syncReingests === "all" };
}

/**
 * The bucket an S3 data source crawls: the S3V2 connector's
 * connectionConfiguration.bucketName, else the S3 connector's
 * connectionConfiguration.repositoryEndpointMetadata.BucketName.
 */
export function bucketOf(ds: FixtureDataSource): string | undefined {
  const connection = ds.configuration["connectionConfiguration"] as Record<string, unknown> | undefined;
  if (typeof connection?.["bucketName"] === "string") return connection["bucketName"];
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
export function startSyncJob(emu: Emulator, account: FixtureAccount, ds: FixtureDataSource): FixtureSyncJob {
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
    ...modeFacts(ds),
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
  return facts.firstSync || facts.syncModeAtStart === "FORCED_FULL_CRAWL" || facts.reingestsAll;
}

/**
 * A finished job re-ingests documents: all of them on a full sync (forced full
 * crawl, or the first sync); on an incremental one (FULL_CRAWL, or a mode the
 * emulator does not know) only those whose S3 object changed since.
 */
function completeJob(running: RunningJob, facts: SyncJobFacts): void {
  if (facts.modeless) {
    completeModelessJob(running, facts);
    return;
  }
  const { account, dataSource: ds, job } = running;
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
    // A connector without a sync mode: each document's own updatedAt is the test (GetDocumentContent checks it first).
    if (facts) return isFullSync(facts) || facts.modeless;
    if (isModeless(ds)) return true;
    if (!hadSuccessBefore(ds, startMs, job)) return true;
    const configuredSinceStart = Date.parse(ds.updatedAt) <= startMs;
    return !(configuredSinceStart && syncModeOf(ds) === "FULL_CRAWL");
  });
}

/** The deletion protection of an S3V2 data source: on unless disabled; threshold 15% unless set (AWS's S3 (v2) connector page). */
const DEFAULT_DELETION_THRESHOLD = 15;

function deletionProtection(ds: FixtureDataSource): { enabled: boolean; threshold: number } {
  const dp = ds.configuration["deletionProtectionConfiguration"] as Record<string, unknown> | undefined;
  const threshold = typeof dp?.["deletionProtectionThreshold"] === "number" ? dp["deletionProtectionThreshold"] : DEFAULT_DELETION_THRESHOLD;
  return { enabled: dp?.["enableDeletionProtection"] === true, threshold };
}

/** The key prefixes an S3V2 source crawls (filterConfiguration.inclusionPrefixes; the v1 shape's additionalProperties as a fallback). */
function inclusionPrefixes(ds: FixtureDataSource): string[] {
  for (const member of ["filterConfiguration", "additionalProperties"]) {
    const filter = ds.configuration[member] as Record<string, unknown> | undefined;
    const prefixes = filter?.["inclusionPrefixes"];
    if (Array.isArray(prefixes) && prefixes.length > 0) return prefixes.filter((p): p is string => typeof p === "string");
  }
  return [""];
}

/** An S3 connector's document id for an object key: s3://bucket/key, each path segment form-encoded. */
export function documentIdOf(bucket: string, key: string): string {
  return `s3://${bucket}/${key
    .split("/")
    .map((part) => encodeURIComponent(part).replace(/%20/g, "+"))
    .join("/")}`;
}

function keyOf(doc: FixtureDocument, bucket: string): string | undefined {
  if (doc.s3Key) return doc.s3Key;
  const prefix = `s3://${bucket}/`;
  return doc.documentId.startsWith(prefix) ? decodeURIComponent(doc.documentId.slice(prefix.length).replace(/\+/g, " ")) : undefined;
}

/**
 * A finished sync of a connector without a sync mode (S3V2). It crawls the
 * bucket: objects without a document are added, documents whose object is
 * gone are deleted, and documents are re-ingested as `syncReingests` says
 * (every one, or only those whose object changed since). Deletion protection:
 * a sync that would delete more than the threshold's share of the documents
 * is blocked: the job FAILS and the index is left as it was. How AWS words
 * that failure is not documented; the job's error says it plainly.
 */
function completeModelessJob({ account, dataSource: ds, job }: RunningJob, facts: SyncJobFacts): void {
  const endTime = new Date(facts.dueAtMs).toISOString();
  const bucket = bucketOf(ds);
  const objects = bucket ? account.s3?.buckets[bucket]?.objects : undefined;
  job.endTime = endTime;
  const known = new Set<string>();
  const gone: FixtureDocument[] = [];
  for (const doc of ds.documents) {
    const key = bucket ? keyOf(doc, bucket) : undefined;
    if (key !== undefined) known.add(key);
    if (objects && key !== undefined && !objects[key]) gone.push(doc);
  }
  const protection = deletionProtection(ds);
  const share = ds.documents.length ? (gone.length * 100) / ds.documents.length : 0;
  if (protection.enabled && share > protection.threshold) {
    job.status = "FAILED";
    job.error = {
      errorCode: "InvalidRequest",
      errorMessage:
        `Sync blocked by deletion protection: it would delete ${gone.length} of ${ds.documents.length} documents ` +
        `(${Math.round(share)}%), more than the threshold of ${protection.threshold}%. No document was changed.`,
    };
    job.metrics = {
      documentsAdded: "0",
      documentsModified: "0",
      documentsDeleted: "0",
      documentsFailed: "0",
      documentsScanned: String(ds.documents.length - gone.length),
    };
    return;
  }
  ds.documents = ds.documents.filter((doc) => !gone.includes(doc));
  let modified = 0;
  for (const doc of ds.documents) {
    const key = bucket ? keyOf(doc, bucket) : undefined;
    const lastModified = key !== undefined ? objects?.[key]?.lastModified : undefined;
    const changed = lastModified !== undefined && Date.parse(lastModified) > Date.parse(doc.updatedAt);
    if (facts.firstSync || facts.reingestsAll || changed) {
      doc.updatedAt = endTime;
      doc.status = "INDEXED";
      modified++;
    }
  }
  const prefixes = inclusionPrefixes(ds);
  const added = bucket && objects ? Object.keys(objects).filter((key) => !known.has(key) && prefixes.some((p) => key.startsWith(p))) : [];
  for (const key of added) ds.documents.push({ documentId: documentIdOf(bucket!, key), status: "INDEXED", createdAt: endTime, updatedAt: endTime, s3Key: key });
  job.status = "SUCCEEDED";
  job.metrics = {
    documentsAdded: String(added.length),
    documentsModified: String(modified),
    documentsDeleted: String(gone.length),
    documentsFailed: "0",
    documentsScanned: String(ds.documents.length),
  };
}
