/**
 * The overview's queries: totals, chart series and the filtered applications
 * table of the latest stored audit. SQL filters over the indexed tables, so
 * a 300-application fleet with thousands of findings answers fast; only the
 * small per-audit summaries are parsed.
 */
import { describeError } from "~/audit/checks/common";
import { listAudits } from "~/audit/history";
import type { AuditReport } from "~/audit/types";
import { countApplicationRows, placesOfAudit, queryApplicationRows } from "~/db/audit-applications";
import type { Db } from "~/db/database";
import { failingCountsByCheck } from "~/db/findings";
import { listActivity } from "~/fixes/activity-log";
import { accountNameIn, accountNamesOf, type AccountNames } from "./account-names";
import { auditTargetsOf } from "./audit-targets.server";
import { checkCatalogue, checkTitle } from "./catalogue.server";
import { offsetOf, pagingOf, type Paging } from "./paging";
import { fleetCounts, type FleetCounts } from "./counts";
import { trendMarkers, type TrendMarker } from "./trend-markers";
import type { ApplicationFilters, ApplicationRow, AuditStamp, CheckCount, FilterOptions, FleetTotals, ReadinessPoint } from "./types";

/** Readiness over time draws at most this many of the latest audits. */
const TREND_AUDITS = 60;
/** ... and marks at most this many of the latest fixes and rollbacks. */
const TREND_MARKERS = 200;

export interface Overview {
  audit: AuditStamp | null;
  totals: FleetTotals;
  /** What the cards, the note and the donut count (one definition: ./counts.ts). */
  counts: FleetCounts;
  findings: AuditReport["summary"]["findings"];
  /** Targets (account and region) the audit could not read. */
  unreadableTargets: { accountId: string; region: string; error: string }[];
  failingByCheck: CheckCount[];
  trend: ReadinessPoint[];
  /** Fixes and rollbacks since the oldest audit of the trend, marked on it. */
  trendMarkers: TrendMarker[];
  /** One page of the applications table. */
  applications: ApplicationRow[];
  /** Which page of it, and how many applications pass the filters. */
  applicationsPaging: Paging;
  /** Applications in the audit before filtering (to say "12 of 300"). */
  applicationsTotal: number;
  options: FilterOptions;
  /** The organization's names of the audit's accounts (the account filter shows them). */
  accountNames: AccountNames;
}

const EMPTY_TOTALS: FleetTotals = { total: 0, ready: 0, notReady: 0, unsupported: 0, unknown: 0 };

export async function getOverview(db: Db, filters: ApplicationFilters): Promise<Overview> {
  const audits = await listAudits(db, TREND_AUDITS);
  const latest = audits[0];
  if (!latest) {
    return {
      audit: null,
      totals: EMPTY_TOTALS,
      counts: fleetCounts(EMPTY_TOTALS, [], () => ""),
      findings: { fail: 0, warn: 0, unknown: 0, pass: 0 },
      unreadableTargets: [],
      failingByCheck: [],
      trend: [],
      trendMarkers: [],
      applications: [],
      applicationsPaging: pagingOf(1, 0),
      applicationsTotal: 0,
      options: { accounts: [], regions: [], checks: [] },
      accountNames: {},
    };
  }
  const auditId = latest.id;
  const targets = await auditTargets(db, auditId);
  const counts = fleetCounts(latest.summary.applications, targets, (t) => (t.error ? describeError(t.error) : "unreadable"));
  const unreadableTargets = counts.targets.unreadable;

  const failingByCheck = (await failingCountsByCheck(db, auditId)).map((c) => ({ ...c, title: checkTitle(c.checkId) }));

  return {
    audit: { id: auditId, scannedAt: latest.scannedAt, cutoff: latest.cutoff },
    totals: counts.applications,
    counts,
    findings: latest.summary.findings,
    unreadableTargets,
    failingByCheck,
    trend: audits
      .map((a) => {
        const { total: _total, ...counts } = a.summary.applications;
        return { auditId: a.id, scannedAt: a.scannedAt, ...counts };
      })
      .reverse(),
    trendMarkers: trendMarkers(await listActivity(db, { limit: TREND_MARKERS }), audits[audits.length - 1]?.scannedAt),
    ...(await applicationsTable(db, auditId, filters, targets)),
    applicationsTotal: latest.summary.applications.total,
    options: await filterOptions(db, auditId, targets),
    accountNames: accountNamesOf(targets),
  };
}

/** One page of the applications table, each row with its account's name (organization audits name their accounts). */
async function applicationsTable(
  db: Db,
  auditId: number,
  filters: ApplicationFilters,
  targets: AuditReport["targets"],
): Promise<Pick<Overview, "applications" | "applicationsPaging">> {
  const paging = pagingOf(filters.page, await countApplicationRows(db, auditId, filters));
  const rows = (await queryApplicationRows(db, auditId, filters, { offset: offsetOf(paging), limit: paging.pageSize })) as ApplicationRow[];
  const names = accountNamesOf(targets);
  return { applications: rows.map((row) => ({ ...row, accountName: accountNameIn(row.accountId, names) ?? undefined })), applicationsPaging: paging };
}

/** The audit's targets (small: one per account and region), from their own column, not the whole report. */
function auditTargets(db: Db, auditId: number): Promise<AuditReport["targets"]> {
  return auditTargetsOf(db, auditId);
}

/**
 * The filter selects' choices: the accounts and regions of the audit's
 * applications and targets (an unreadable target has no application), and
 * every registered check.
 */
export async function filterOptions(db: Db, auditId: number, known?: AuditReport["targets"]): Promise<FilterOptions> {
  const targets = known ?? (await auditTargets(db, auditId));
  const places = await placesOfAudit(db, auditId);
  const all = [...places, ...targets];
  return {
    accounts: [...new Set(all.map((p) => p.accountId))].sort(),
    regions: [...new Set(all.map((p) => p.region))].sort(),
    checks: checkCatalogue().map((c) => ({ id: c.id, title: c.title, severity: c.severity })),
  };
}
