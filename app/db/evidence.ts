/**
 * data_source_evidence and audit_scans (migration 0006, ADR 0010): what
 * incremental audits reuse, and which audits read everything.
 */
import type { Db } from "./database";

/** "documents": every document re-ingested; "stale-documents": a scan that found stale ones (ADR 0010 rule 4). */
export type EvidenceKind = "full-sync" | "documents" | "stale-documents";

export interface EvidenceRow {
  accountId: string;
  region: string;
  applicationId: string;
  indexId: string;
  dataSourceId: string;
  kind: EvidenceKind;
  dataSourceCreatedAt: string;
  cutoff: string;
  auditId: number;
  scannedAt: string;
  /** The kind's own shape (JSON). */
  payload: unknown;
}

export type EvidenceKey = Pick<EvidenceRow, "accountId" | "region" | "applicationId" | "indexId" | "dataSourceId" | "kind">;

/** Every row stored for a cutoff (ISO instant). */
export async function evidenceForCutoff(db: Db, cutoff: string): Promise<EvidenceRow[]> {
  const rows = await db.kysely.selectFrom("data_source_evidence").selectAll().where("cutoff", "=", cutoff).execute();
  return rows.map((r) => ({
    accountId: r.account_id,
    region: r.region,
    applicationId: r.application_id,
    indexId: r.index_id,
    dataSourceId: r.data_source_id,
    kind: r.kind as EvidenceKind,
    dataSourceCreatedAt: r.data_source_created_at,
    cutoff: r.cutoff,
    auditId: r.audit_id,
    scannedAt: r.scanned_at,
    payload: JSON.parse(r.payload) as unknown,
  }));
}

const BATCH = 400;

/** Insert or replace rows, and delete the keys in `remove`, in one transaction. */
export async function writeEvidence(db: Db, change: { put: EvidenceRow[]; remove: EvidenceKey[] }): Promise<void> {
  await db.kysely.transaction().execute(async (tx) => {
    for (let i = 0; i < change.put.length; i += BATCH) {
      const values = change.put.slice(i, i + BATCH).map((r) => ({
        account_id: r.accountId,
        region: r.region,
        application_id: r.applicationId,
        index_id: r.indexId,
        data_source_id: r.dataSourceId,
        kind: r.kind,
        data_source_created_at: r.dataSourceCreatedAt,
        cutoff: r.cutoff,
        audit_id: r.auditId,
        scanned_at: r.scannedAt,
        payload: JSON.stringify(r.payload),
      }));
      await tx
        .insertInto("data_source_evidence")
        .values(values)
        .onConflict((oc) =>
          oc.columns(["account_id", "region", "application_id", "index_id", "data_source_id", "kind"]).doUpdateSet((eb) => ({
            data_source_created_at: eb.ref("excluded.data_source_created_at"),
            cutoff: eb.ref("excluded.cutoff"),
            audit_id: eb.ref("excluded.audit_id"),
            scanned_at: eb.ref("excluded.scanned_at"),
            payload: eb.ref("excluded.payload"),
          })),
        )
        .execute();
    }
    for (const k of change.remove) {
      await tx
        .deleteFrom("data_source_evidence")
        .where("account_id", "=", k.accountId)
        .where("region", "=", k.region)
        .where("application_id", "=", k.applicationId)
        .where("index_id", "=", k.indexId)
        .where("data_source_id", "=", k.dataSourceId)
        .where("kind", "=", k.kind)
        .execute();
    }
  });
}

export interface AuditScan {
  auditId: number;
  fullScan: boolean;
  reason: string;
  reusedDataSources: number;
}

export async function recordAuditScan(db: Db, scan: AuditScan): Promise<void> {
  await db.kysely
    .insertInto("audit_scans")
    .values({ audit_id: scan.auditId, full_scan: scan.fullScan ? 1 : 0, reason: scan.reason, reused_data_sources: scan.reusedDataSources })
    .execute();
}

/** The latest `limit` audits' scan records, newest first. */
export async function latestAuditScans(db: Db, limit: number): Promise<AuditScan[]> {
  const rows = await db.kysely.selectFrom("audit_scans").selectAll().orderBy("audit_id", "desc").limit(limit).execute();
  return rows.map((r) => ({ auditId: r.audit_id, fullScan: r.full_scan === 1, reason: r.reason, reusedDataSources: r.reused_data_sources }));
}
