/**
 * `large.repeat` (issue 15 item 6): the same fleet audited again right after
 * the first audit, into the same database, as a scheduled audit of an
 * unchanged fleet would be (incremental, ADR 0010).
 */
import fs from "node:fs";
import type { AuditRequest, AuditRunResult } from "./measure";
import { auditInChildProcess } from "./processes";

export interface RepeatResult {
  wallMs: number;
  apiCalls: number;
  /** Attempts the local AWS answered with a throttling error (retried). */
  throttled: number;
  lowerBoundMs: number;
  /** Every verdict (check, resource, status) equals the first audit's. */
  sameVerdicts: boolean;
  /** Growth of the database file (with its WAL) during the repeat audit, bytes. */
  dbBytesPerAudit: number;
  cpuMs: number;
  cpuMsPerCall: number;
  peakRssMb: number;
  efficiency: number;
  fullScan: boolean | null;
  byOperation: Record<string, number>;
}

/** Bytes of a SQLite file and its -wal and -shm companions (0 when absent). */
export function databaseBytes(file: string): number {
  return ["", "-wal", "-shm"].reduce((sum, suffix) => sum + (fs.existsSync(file + suffix) ? fs.statSync(file + suffix).size : 0), 0);
}

/** Audit again into `request.db` and compare with the first run. */
export async function repeatAudit(request: AuditRequest & { db: string }, first: AuditRunResult): Promise<RepeatResult> {
  const before = databaseBytes(request.db);
  const again = await auditInChildProcess({ ...request, label: `${request.label}, repeat` });
  return {
    wallMs: again.wallMs,
    apiCalls: again.apiCalls,
    throttled: again.throttled,
    lowerBoundMs: again.lowerBound.lowerBoundMs,
    sameVerdicts: again.verdictDigest !== undefined && again.verdictDigest === first.verdictDigest,
    dbBytesPerAudit: databaseBytes(request.db) - before,
    cpuMs: again.cpuMs,
    cpuMsPerCall: again.cpuMsPerCall ?? again.cpuMs / Math.max(1, again.apiCalls),
    peakRssMb: again.peakRssMb,
    efficiency: again.efficiency,
    fullScan: again.fullScan ?? null,
    byOperation: again.byOperation,
  };
}
