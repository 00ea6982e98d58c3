/**
 * The checks page: the catalogue from the checks' own metadata, with how each
 * check stands in the latest audit.
 */
import { latestAuditId } from "~/audit/history";
import type { CheckMetadata, FindingStatus } from "~/audit/types";
import type { Db } from "~/db/database";
import { checkCatalogue } from "./catalogue.server";
import { auditStamp } from "./findings.server";
import type { AuditStamp } from "./types";

export interface CheckEntry extends CheckMetadata {
  /** Findings of this check in the latest audit, by status. */
  counts: Record<FindingStatus, number>;
}

export function getCheckCatalogue(db: Db): { audit: AuditStamp | null; checks: CheckEntry[] } {
  const auditId = latestAuditId(db);
  const counts = new Map<string, Record<FindingStatus, number>>();
  if (auditId !== undefined) {
    const rows = db
      .prepare(`SELECT check_id AS checkId, status, count(*) AS n FROM findings WHERE audit_id = ? GROUP BY check_id, status`)
      .all(auditId) as { checkId: string; status: FindingStatus; n: number }[];
    for (const row of rows) {
      const entry = counts.get(row.checkId) ?? { pass: 0, fail: 0, warn: 0, unknown: 0 };
      entry[row.status] = row.n;
      counts.set(row.checkId, entry);
    }
  }
  return {
    audit: auditId === undefined ? null : auditStamp(db, auditId),
    checks: checkCatalogue().map((m) => ({ ...m, counts: counts.get(m.id) ?? { pass: 0, fail: 0, warn: 0, unknown: 0 } })),
  };
}
