/**
 * The findings page's queries over the latest stored audit, and its exports.
 */
import { latestAuditId } from "~/audit/history";
import * as audits from "~/db/audits";
import type { Db } from "~/db/database";
import { queryFindings } from "~/db/findings";
import { checkTitle } from "./catalogue.server";
import { filterOptions } from "./overview.server";
import type { AuditStamp, FilterOptions, FindingFilters, FindingRow } from "./types";

/** The page lists at most this many rows; the exports carry every finding. */
export const FINDINGS_PAGE_LIMIT = 500;

export interface FindingsPage {
  audit: AuditStamp | null;
  findings: FindingRow[];
  /** Findings matching the filters (may exceed the rows listed). */
  matching: number;
  options: FilterOptions;
}

export async function auditStamp(db: Db, auditId: number): Promise<AuditStamp | null> {
  return (await audits.auditStamp(db, auditId)) ?? null;
}

export async function getFindingsPage(db: Db, filters: FindingFilters): Promise<FindingsPage> {
  const auditId = await latestAuditId(db);
  if (auditId === undefined) {
    return { audit: null, findings: [], matching: 0, options: { accounts: [], regions: [], checks: [] } };
  }
  const { matching, rows } = await queryFindings(db, auditId, filters, FINDINGS_PAGE_LIMIT);
  return {
    audit: await auditStamp(db, auditId),
    findings: rows.map((r) => ({ ...(r as Omit<FindingRow, "checkTitle">), checkTitle: checkTitle(r.checkId) })),
    matching,
    options: await filterOptions(db, auditId),
  };
}

/**
 * The latest audit's report exactly as stored (the report contract of
 * audit-report.md), as text: served without a parse and re-serialise.
 */
export async function latestReportJson(db: Db): Promise<{ auditId: number; scannedAt: string; json: string } | null> {
  const row = await audits.latestAuditReportJson(db);
  return row ? { auditId: row.id, scannedAt: row.scanned_at, json: row.report } : null;
}
