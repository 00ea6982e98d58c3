/**
 * The checks page: the catalogue from the checks' own metadata, with how each
 * check stands in the latest audit.
 */
import { latestAuditId } from "~/audit/history";
import type { CheckMetadata, FindingStatus } from "~/audit/types";
import type { Db } from "~/db/database";
import { statusCountsByCheck } from "~/db/findings";
import { checkCatalogue } from "./catalogue.server";
import { auditStamp } from "./findings.server";
import type { AuditStamp } from "./types";

export interface CheckEntry extends CheckMetadata {
  /** Findings of this check in the latest audit, by status. */
  counts: Record<FindingStatus, number>;
}

export async function getCheckCatalogue(db: Db): Promise<{ audit: AuditStamp | null; checks: CheckEntry[] }> {
  const auditId = await latestAuditId(db);
  const counts = new Map<string, Record<FindingStatus, number>>();
  if (auditId !== undefined) {
    for (const row of await statusCountsByCheck(db, auditId)) {
      const entry = counts.get(row.checkId) ?? { pass: 0, fail: 0, warn: 0, unknown: 0 };
      entry[row.status as FindingStatus] = row.n;
      counts.set(row.checkId, entry);
    }
  }
  return {
    audit: auditId === undefined ? null : await auditStamp(db, auditId),
    checks: checkCatalogue().map((m) => ({ ...m, counts: counts.get(m.id) ?? { pass: 0, fail: 0, warn: 0, unknown: 0 } })),
  };
}
