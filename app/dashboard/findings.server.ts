/**
 * The findings page's queries over the latest stored audit, and its exports.
 */
import { latestAuditId } from "~/audit/history";
import type { Db } from "~/db/database";
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

const SEVERITY_ORDER = `CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END`;
const STATUS_ORDER = `CASE f.status WHEN 'fail' THEN 0 WHEN 'unknown' THEN 1 WHEN 'warn' THEN 2 ELSE 3 END`;

export function auditStamp(db: Db, auditId: number): AuditStamp | null {
  const row = db.prepare(`SELECT id, scanned_at AS scannedAt, cutoff FROM audits WHERE id = ?`).get(auditId);
  return (row as AuditStamp | undefined) ?? null;
}

export function getFindingsPage(db: Db, filters: FindingFilters): FindingsPage {
  const auditId = latestAuditId(db);
  if (auditId === undefined) {
    return { audit: null, findings: [], matching: 0, options: { accounts: [], regions: [], checks: [] } };
  }
  const where = ["f.audit_id = @auditId"];
  const params: Record<string, unknown> = { auditId, limit: FINDINGS_PAGE_LIMIT };
  if (filters.status === null) where.push("f.status IN ('fail', 'warn', 'unknown')");
  else if (filters.status !== "all") { where.push("f.status = @status"); params.status = filters.status; }
  if (filters.check) { where.push("f.check_id = @check"); params.check = filters.check; }
  if (filters.severity) { where.push("f.severity = @severity"); params.severity = filters.severity; }
  if (filters.account) { where.push("f.account_id = @account"); params.account = filters.account; }
  if (filters.region) { where.push("f.region = @region"); params.region = filters.region; }
  const condition = where.join(" AND ");

  const matching = (db.prepare(`SELECT count(*) AS n FROM findings f WHERE ${condition}`).get(params) as { n: number }).n;
  const rows = db
    .prepare(
      `SELECT f.id, f.check_id AS checkId, f.status, f.severity, f.resource_type AS resourceType,
              f.account_id AS accountId, f.region, f.application_id AS applicationId, a.display_name AS applicationName,
              f.name, f.message, f.remediation_action AS remediation
       FROM findings f
       LEFT JOIN audit_applications a ON a.audit_id = f.audit_id AND a.account_id = f.account_id
                                     AND a.region = f.region AND a.application_id = f.application_id
       WHERE ${condition}
       ORDER BY ${STATUS_ORDER}, ${SEVERITY_ORDER}, f.check_id, f.account_id, f.region, a.display_name, f.name, f.id
       LIMIT @limit`,
    )
    .all(params) as Omit<FindingRow, "checkTitle">[];
  return {
    audit: auditStamp(db, auditId),
    findings: rows.map((r) => ({ ...r, checkTitle: checkTitle(r.checkId) })),
    matching,
    options: filterOptions(db, auditId),
  };
}

/**
 * The latest audit's report exactly as stored (the report contract of
 * audit-report.md), as text: served without a parse and re-serialise.
 */
export function latestReportJson(db: Db): { auditId: number; scannedAt: string; json: string } | null {
  const row = db.prepare(`SELECT id, scanned_at, report FROM audits ORDER BY id DESC LIMIT 1`).get() as
    | { id: number; scanned_at: string; report: string }
    | undefined;
  return row ? { auditId: row.id, scannedAt: row.scanned_at, json: row.report } : null;
}
