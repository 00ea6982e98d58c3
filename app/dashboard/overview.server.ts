/**
 * The overview's queries: totals, chart series and the filtered applications
 * table of the latest stored audit. SQL filters over the indexed tables, so
 * a 300-application fleet with thousands of findings answers fast; only the
 * small per-audit summaries are parsed.
 */
import { describeError } from "~/audit/checks/common";
import { listAudits } from "~/audit/history";
import type { AuditReport } from "~/audit/types";
import type { Db } from "~/db/database";
import { checkCatalogue, checkTitle } from "./catalogue.server";
import type {
  ApplicationFilters,
  ApplicationRow,
  AuditStamp,
  CheckCount,
  FilterOptions,
  FleetTotals,
  ReadinessPoint,
} from "./types";

/** Readiness over time draws at most this many of the latest audits. */
const TREND_AUDITS = 60;

export interface Overview {
  audit: AuditStamp | null;
  totals: FleetTotals;
  findings: AuditReport["summary"]["findings"];
  /** Targets (account and region) the audit could not read. */
  unreadableTargets: { accountId: string; region: string; error: string }[];
  failingByCheck: CheckCount[];
  trend: ReadinessPoint[];
  applications: ApplicationRow[];
  /** Applications in the audit before filtering (to say "12 of 300"). */
  applicationsTotal: number;
  options: FilterOptions;
}

const EMPTY_TOTALS: FleetTotals = { total: 0, ready: 0, notReady: 0, unsupported: 0, unknown: 0 };

// Readiness sorts worst first: what needs work leads the table.
const READINESS_ORDER = `CASE a.readiness WHEN 'not-ready' THEN 0 WHEN 'unknown' THEN 1 WHEN 'unsupported' THEN 2 ELSE 3 END`;
const SORT_SQL: Record<ApplicationFilters["sort"], string> = {
  name: "a.display_name COLLATE NOCASE",
  account: "a.account_id",
  region: "a.region",
  readiness: READINESS_ORDER,
  failing: "fail_count",
};

export function getOverview(db: Db, filters: ApplicationFilters): Overview {
  const audits = listAudits(db, TREND_AUDITS);
  const latest = audits[0];
  if (!latest) {
    return {
      audit: null, totals: EMPTY_TOTALS, findings: { fail: 0, warn: 0, unknown: 0, pass: 0 },
      unreadableTargets: [], failingByCheck: [], trend: [], applications: [], applicationsTotal: 0,
      options: { accounts: [], regions: [], checks: [] },
    };
  }
  const auditId = latest.id;
  const targets = auditTargets(db, auditId);
  const unreadableTargets = targets
    .filter((t) => t.status === "error")
    .map((t) => ({ accountId: t.accountId, region: t.region, error: t.error ? describeError(t.error) : "unreadable" }));

  const failingByCheck = (db
    .prepare(`SELECT check_id AS checkId, count(*) AS count FROM findings INDEXED BY findings_audit_status
              WHERE audit_id = ? AND status = 'fail' GROUP BY check_id ORDER BY count DESC, check_id`)
    .all(auditId) as { checkId: string; count: number }[])
    .map((c) => ({ ...c, title: checkTitle(c.checkId) }));

  return {
    audit: { id: auditId, scannedAt: latest.scannedAt, cutoff: latest.cutoff },
    totals: latest.summary.applications,
    findings: latest.summary.findings,
    unreadableTargets,
    failingByCheck,
    trend: audits
      .map((a) => {
        const { total: _total, ...counts } = a.summary.applications;
        return { auditId: a.id, scannedAt: a.scannedAt, ...counts };
      })
      .reverse(),
    applications: queryApplications(db, auditId, filters),
    applicationsTotal: latest.summary.applications.total,
    options: filterOptions(db, auditId, targets),
  };
}

/** The audit's targets (small: one per account and region), from their own column, not the whole report. */
function auditTargets(db: Db, auditId: number): AuditReport["targets"] {
  const row = db.prepare(`SELECT targets FROM audits WHERE id = ?`).get(auditId) as { targets: string } | undefined;
  return row ? (JSON.parse(row.targets) as AuditReport["targets"]) : [];
}

/**
 * The applications of one audit that pass the filters, with their failing and
 * warning counts. Counts come from the few fail/warn rows (index on status),
 * never from a join over every finding of the audit.
 */
export function queryApplications(db: Db, auditId: number, filters: ApplicationFilters): ApplicationRow[] {
  const where = ["a.audit_id = @auditId"];
  const params: Record<string, unknown> = { auditId };
  if (filters.account) { where.push("a.account_id = @account"); params.account = filters.account; }
  if (filters.region) { where.push("a.region = @region"); params.region = filters.region; }
  if (filters.readiness) { where.push("a.readiness = @readiness"); params.readiness = filters.readiness; }
  if (filters.q) {
    where.push(`(a.display_name LIKE @q ESCAPE '\\' OR a.application_id LIKE @q ESCAPE '\\')`);
    params.q = `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (filters.check) {
    where.push(`(a.account_id, a.region, a.application_id) IN (
                 SELECT account_id, region, application_id FROM findings INDEXED BY findings_audit_check
                 WHERE audit_id = @auditId AND check_id = @check AND status = 'fail')`);
    params.check = filters.check;
  }
  const direction = filters.dir === "desc" ? "DESC" : "ASC";
  const rows = db
    .prepare(
      `WITH counts AS (
         SELECT account_id, region, application_id,
                count(CASE WHEN status = 'fail' THEN 1 END) AS fail_count,
                count(CASE WHEN status = 'warn' THEN 1 END) AS warn_count
         FROM findings INDEXED BY findings_audit_status
         WHERE audit_id = @auditId AND status IN ('fail', 'warn')
         GROUP BY account_id, region, application_id)
       SELECT a.account_id AS accountId, a.region, a.application_id AS applicationId,
              a.display_name AS displayName, a.identity_type AS identityType, a.readiness,
              coalesce(c.fail_count, 0) AS fail_count, coalesce(c.warn_count, 0) AS warn_count
       FROM audit_applications a
       LEFT JOIN counts c ON c.account_id = a.account_id AND c.region = a.region AND c.application_id = a.application_id
       WHERE ${where.join(" AND ")}
       ORDER BY ${SORT_SQL[filters.sort]} ${direction}, a.display_name COLLATE NOCASE, a.application_id`,
    )
    .all(params) as (Omit<ApplicationRow, "failCount" | "warnCount"> & { fail_count: number; warn_count: number })[];
  return rows.map(({ fail_count, warn_count, ...row }) => ({ ...row, failCount: fail_count, warnCount: warn_count }));
}

/**
 * The filter selects' choices: the accounts and regions of the audit's
 * applications and targets (an unreadable target has no application), and
 * every registered check.
 */
export function filterOptions(db: Db, auditId: number, targets = auditTargets(db, auditId)): FilterOptions {
  const places = db
    .prepare(`SELECT DISTINCT account_id AS accountId, region FROM audit_applications WHERE audit_id = ?`)
    .all(auditId) as { accountId: string; region: string }[];
  const all = [...places, ...targets];
  return {
    accounts: [...new Set(all.map((p) => p.accountId))].sort(),
    regions: [...new Set(all.map((p) => p.region))].sort(),
    checks: checkCatalogue().map((c) => ({ id: c.id, title: c.title })),
  };
}
