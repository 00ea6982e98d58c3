/**
 * The findings page's queries over the latest stored audit, and its exports.
 * Paged, sorted and searched in SQL (issue 11): a page reads PAGE_SIZE rows
 * however many match, and says how many match of how many the audit holds.
 */
import { latestAuditId } from "~/audit/history";
import type { FindingStatus, Severity } from "~/audit/types";
import * as audits from "~/db/audits";
import type { Db } from "~/db/database";
import { countAuditFindings, countFindings, findingsPage, type FindingListRow, type FindingQuery } from "~/db/findings";
import type { AccountNames } from "./account-names";
import { accountNamesOfAudit } from "./account-names.server";
import { checkTitle } from "./catalogue.server";
import { filterOptions } from "./overview.server";
import { offsetOf, pagingOf, type Paging } from "./paging";
import type { AuditStamp, FilterOptions, FindingFilters, FindingRow } from "./types";

export interface FindingsPage {
  audit: AuditStamp | null;
  /** The rows of the page asked for (at most PAGE_SIZE). */
  findings: FindingRow[];
  /** Which page, and how many findings match the filters over every page. */
  paging: Paging;
  /** Findings the audit holds, every status: the "M" of "N of M". */
  total: number;
  /** Of the findings these filters select when accepted exceptions are shown, how many are accepted exceptions. */
  suppressedMatching?: number;
  options: FilterOptions;
  accountNames: AccountNames;
}

export async function auditStamp(db: Db, auditId: number): Promise<AuditStamp | null> {
  return (await audits.auditStamp(db, auditId)) ?? null;
}

/** The database query of the page's filters (the page number is not a filter). */
export function findingQuery(filters: FindingFilters): FindingQuery {
  const { page: _page, ...query } = filters;
  return query;
}

/** List rows with their check titles (first and last seen come with the rows: the findings' lifecycle). */
export function withCheckTitles(rows: FindingListRow[]): FindingRow[] {
  return rows.map(({ findingKey: _key, ...r }) => ({
    ...r,
    status: r.status as FindingStatus,
    severity: r.severity as Severity,
    checkTitle: checkTitle(r.checkId),
    suppressed: r.suppressed ? (JSON.parse(r.suppressed) as FindingRow["suppressed"]) : null,
  }));
}

export async function getFindingsPage(db: Db, filters: FindingFilters): Promise<FindingsPage> {
  const auditId = await latestAuditId(db);
  if (auditId === undefined) {
    return { audit: null, findings: [], paging: pagingOf(1, 0), total: 0, options: { accounts: [], regions: [], checks: [] }, accountNames: {} };
  }
  const query = findingQuery(filters);
  const paging = pagingOf(filters.page, await countFindings(db, auditId, query));
  const rows = await findingsPage(db, auditId, query, { offset: offsetOf(paging), limit: paging.pageSize });
  return {
    audit: await auditStamp(db, auditId),
    findings: withCheckTitles(rows),
    paging,
    total: await countAuditFindings(db, auditId),
    suppressedMatching: await countFindings(db, auditId, { ...query, suppressed: "only" }),
    options: await filterOptions(db, auditId),
    accountNames: await accountNamesOfAudit(db, auditId),
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
