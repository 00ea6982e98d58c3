/**
 * Incremental audits (issue 15, ADR 0010): before an audit, whether it reads
 * everything or reuses the evidence earlier audits stored; after it, the
 * evidence this one established. The rules for when stored evidence still
 * holds are in collect/reuse.ts; this module moves it to and from the database.
 */
import type { Db } from "../db/database";
import { evidenceForCutoff, latestAuditScans, recordAuditScan, writeEvidence, type AuditScan, type EvidenceKey, type EvidenceRow } from "../db/evidence";
import { isS3DataSource, isUploadedFilesSource } from "./checks/common";
import type { DataSourceKey } from "./collect/context";
import {
  LASTING_FULL_SYNC_BASES,
  type StoredDetails,
  type StoredDocuments,
  type StoredEvidence,
  type StoredFullSync,
  type StoredStaleDocuments,
  jobIdentity,
} from "./collect/reuse";
import { assessFullSync, everyDocumentReingested } from "./sync-evidence";
import type { ApplicationInventory, DataSourceInventory, Inventory } from "./types";

export const DEFAULT_FULL_SCAN_EVERY = 7;

/** QBR_FULL_SCAN_EVERY (default 7): every N-th audit reads everything. 1 makes every audit a full one. */
export function fullScanEveryFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.QBR_FULL_SCAN_EVERY;
  if (raw === undefined || raw.trim() === "") return DEFAULT_FULL_SCAN_EVERY;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`QBR_FULL_SCAN_EVERY must be a whole number of audits, 1 or more; got "${raw}"`);
  return n;
}

export interface ScanMode {
  full: boolean;
  /** Why: "requested" (--full / full scan), "every-nth", "no-database", or "incremental". */
  reason: "requested" | "every-nth" | "no-database" | "incremental";
}

/** Full when asked, or when none of the last (every − 1) recorded audits was a full one. Pure. */
export function chooseScanMode(recent: AuditScan[], o: { full?: boolean; every: number }): ScanMode {
  if (o.full) return { full: true, reason: "requested" };
  const window = recent.slice(0, Math.max(0, o.every - 1));
  return window.some((s) => s.fullScan) ? { full: false, reason: "incremental" } : { full: true, reason: "every-nth" };
}

const keyOf = (k: DataSourceKey) => `${k.accountId}|${k.region}|${k.applicationId}|${k.indexId}|${k.dataSourceId}`;

/** Stored rows as the collector looks them up; rows of another creation time than the newest row's are left out. */
export function evidenceLookup(rows: EvidenceRow[]): (key: DataSourceKey) => StoredEvidence | undefined {
  const byKey = new Map<string, EvidenceRow[]>();
  for (const row of rows) {
    const k = keyOf(row);
    byKey.set(k, [...(byKey.get(k) ?? []), row]);
  }
  return (key) => {
    const found = byKey.get(keyOf(key));
    if (!found) return undefined;
    const newest = found.reduce((a, b) => (b.auditId > a.auditId ? b : a));
    const same = found.filter((r) => r.dataSourceCreatedAt === newest.dataSourceCreatedAt);
    const of = (kind: EvidenceRow["kind"]) => same.find((r) => r.kind === kind);
    const full = of("full-sync");
    const docs = of("documents");
    const stale = of("stale-documents");
    const details = detailsOf(full) ?? detailsOf(docs) ?? detailsOf(stale);
    return {
      dataSourceId: key.dataSourceId,
      dataSourceCreatedAt: newest.dataSourceCreatedAt,
      cutoff: newest.cutoff,
      ...(full
        ? { fullSync: { ...(kindPayload(full) as Omit<StoredFullSync, "auditId" | "scannedAt">), auditId: full.auditId, scannedAt: full.scannedAt } }
        : {}),
      ...(docs
        ? { documents: { ...(kindPayload(docs) as Omit<StoredDocuments, "auditId" | "scannedAt">), auditId: docs.auditId, scannedAt: docs.scannedAt } }
        : {}),
      ...(stale
        ? {
            staleDocuments: {
              ...(kindPayload(stale) as Omit<StoredStaleDocuments, "auditId" | "scannedAt">),
              auditId: stale.auditId,
              scannedAt: stale.scannedAt,
            },
          }
        : {}),
      ...(details ? { details } : {}),
    };
  };
}

/** A row's payload without the data source's details (those are the lookup's own `details`). */
function kindPayload(row: EvidenceRow): Record<string, unknown> {
  const { details: _details, ...rest } = (row.payload ?? {}) as Record<string, unknown>;
  return rest;
}

/** The data source's details a row was stored with (rows stored before they were kept have none). */
function detailsOf(row: EvidenceRow | undefined): StoredDetails | undefined {
  const { details } = (row?.payload ?? {}) as { details?: StoredDetails };
  return details && typeof details.updatedAt === "string" ? details : undefined;
}

/** What GetDataSource said (or what was kept of it), stored with the evidence so an unchanged source need not be asked again. */
function detailsToKeep(ds: DataSourceInventory): { details?: StoredDetails } {
  if (ds.error || !ds.updatedAt || !ds.configuration) return {};
  return { details: { updatedAt: ds.updatedAt, ...(ds.type ? { type: ds.type } : {}), configuration: ds.configuration } };
}

export interface PreparedScan {
  mode: ScanMode;
  storedEvidence?: (key: DataSourceKey) => StoredEvidence | undefined;
}

/** Decide the audit's mode and, when incremental, load the evidence stored for its cutoff. */
export async function prepareScan(db: Db | undefined, o: { full?: boolean; every: number; cutoff: Date }): Promise<PreparedScan> {
  if (!db) return { mode: { full: true, reason: "no-database" } };
  const mode = chooseScanMode(await latestAuditScans(db, Math.max(1, o.every - 1)), o);
  if (mode.full) return { mode };
  return { mode, storedEvidence: evidenceLookup(await evidenceForCutoff(db, o.cutoff.toISOString())) };
}

type Where = Omit<DataSourceKey, "dataSourceId">;

/** An evidence row before the audit that established it is saved (its id and scan time are added then). */
type PendingRow = Omit<EvidenceRow, "auditId" | "scannedAt">;

/** What one application's audit adds to the stored evidence and drops from it (reused evidence stays as stored). */
export interface ApplicationEvidence {
  put: PendingRow[];
  remove: EvidenceKey[];
  /** Data sources whose evidence was reused rather than read again. */
  reused: number;
}

/** The rows one data source's evidence adds or drops (reused evidence stays as stored). */
function dataSourceChanges(ds: DataSourceInventory, where: Where, cutoff: Date) {
  const put: PendingRow[] = [];
  const remove: EvidenceKey[] = [];
  if (!ds.createdAt) return { put, remove };
  const base = { ...where, dataSourceId: ds.dataSourceId, dataSourceCreatedAt: ds.createdAt, cutoff: cutoff.toISOString() };
  if (!ds.syncJobsError && !ds.error && !ds.fullSyncReusedFrom) {
    const deciding = assessFullSync(ds, cutoff).decidingJob;
    const job = deciding && ds.syncJobs.find((j) => j.executionId === deciding.executionId);
    if (deciding?.mode === "full" && job && LASTING_FULL_SYNC_BASES.includes(deciding.basis)) {
      put.push({ ...base, kind: "full-sync", payload: { job, basis: deciding.basis, ...detailsToKeep(ds) } });
    } else remove.push({ ...base, kind: "full-sync" });
  }
  const scan = ds.documents;
  if (!scan.error && !scan.reusedFrom) {
    const stale = staleScanToKeep(ds);
    if (everyDocumentReingested(scan) && scan.startedAt) {
      put.push({ ...base, kind: "documents", payload: { startedAt: scan.startedAt, scanned: scan.scanned, fresh: scan.freshCount, ...detailsToKeep(ds) } });
    } else remove.push({ ...base, kind: "documents" });
    if (stale) put.push({ ...base, kind: "stale-documents", payload: { ...stale, ...detailsToKeep(ds) } });
    else remove.push({ ...base, kind: "stale-documents" });
  }
  return { put, remove };
}

/**
 * A scan that found stale documents, as rule 4 keeps it: complete (not capped,
 * no error) and every document counted stale or fresh (none on its way out,
 * whose disappearance would change the counts without a sync).
 */
function staleScanToKeep(ds: DataSourceInventory): Omit<StoredStaleDocuments, "auditId" | "scannedAt"> | undefined {
  const scan = ds.documents;
  if (scan.error || scan.capped || scan.staleCount === 0 || !scan.startedAt || !ds.updatedAt || ds.syncJobsError) return undefined;
  if (scan.staleCount + scan.freshCount !== scan.scanned) return undefined;
  return {
    startedAt: scan.startedAt,
    dataSourceUpdatedAt: ds.updatedAt,
    newestJob: jobIdentity(ds.syncJobs[0]),
    scanned: scan.scanned,
    staleCount: scan.staleCount,
    staleExamples: scan.staleExamples,
    freshCount: scan.freshCount,
    failedCount: scan.failedCount ?? 0,
  };
}

/** What an application's audit establishes per data source (pure: worked out as soon as the application is read). */
export function applicationEvidence(app: ApplicationInventory, cutoff: Date): ApplicationEvidence {
  const evidence: ApplicationEvidence = { put: [], remove: [], reused: 0 };
  for (const index of app.indices) {
    for (const ds of index.dataSources) {
      if (isUploadedFilesSource(ds) || !isS3DataSource(ds)) continue;
      if (ds.fullSyncReusedFrom || ds.documents.reusedFrom) evidence.reused++;
      const where = { accountId: app.accountId, region: app.region, applicationId: app.applicationId, indexId: index.indexId };
      const change = dataSourceChanges(ds, where, cutoff);
      evidence.put.push(...change.put);
      evidence.remove.push(...change.remove);
    }
  }
  return evidence;
}

/** After the audit is saved: store what its applications established, drop what no longer holds, and record its mode. */
export async function storeEvidence(db: Db, o: { auditId: number; scannedAt: string; evidence: ApplicationEvidence[]; mode: ScanMode }): Promise<void> {
  const put = o.evidence.flatMap((e) => e.put.map((row) => ({ ...row, auditId: o.auditId, scannedAt: o.scannedAt })));
  const remove = o.evidence.flatMap((e) => e.remove);
  await writeEvidence(db, { put, remove });
  const reusedDataSources = o.evidence.reduce((sum, e) => sum + e.reused, 0);
  await recordAuditScan(db, { auditId: o.auditId, fullScan: o.mode.full, reason: o.mode.reason, reusedDataSources });
}

/** After the audit of a whole inventory is saved: storeEvidence for each of its applications. */
export async function keepEvidence(db: Db, o: { auditId: number; inventory: Inventory; mode: ScanMode }): Promise<void> {
  const cutoff = new Date(o.inventory.cutoff);
  const evidence = o.inventory.applications.map((app) => applicationEvidence(app, cutoff));
  await storeEvidence(db, { auditId: o.auditId, scannedAt: o.inventory.scannedAt, evidence, mode: o.mode });
}
