/**
 * The overview's queries: totals, chart series and the filtered applications
 * table of the latest stored audit. SQL filters over the indexed tables, so
 * a 300-application fleet with thousands of findings answers fast; only the
 * small per-audit summaries are parsed.
 */
import { describeError } from "~/audit/checks/common";
import { listAudits } from "~/audit/history";
import type { AuditReport } from "~/audit/types";
import { placesOfAudit, queryApplicationRows } from "~/db/audit-applications";
import { auditTargetsJson } from "~/db/audits";
import type { Db } from "~/db/database";
import { failingCountsByCheck } from "~/db/findings";
import { listActivity } from "~/fixes/activity-log";
import { checkCatalogue, checkTitle } from "./catalogue.server";
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
  applications: ApplicationRow[];
  /** Applications in the audit before filtering (to say "12 of 300"). */
  applicationsTotal: number;
  options: FilterOptions;
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
      applicationsTotal: 0,
      options: { accounts: [], regions: [], checks: [] },
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
    applications: withAccountNames(await queryApplications(db, auditId, filters), targets),
    applicationsTotal: latest.summary.applications.total,
    options: await filterOptions(db, auditId, targets),
  };
}

/** Organization audits name their accounts: each row gets its account's name from the targets. */
function withAccountNames(rows: ApplicationRow[], targets: AuditReport["targets"]): ApplicationRow[] {
  const names = new Map(targets.flatMap((t) => (t.accountName ? [[t.accountId, t.accountName] as const] : [])));
  return names.size === 0 ? rows : rows.map((row) => (names.has(row.accountId) ? { ...row, accountName: names.get(row.accountId) } : row));
}

/** The audit's targets (small: one per account and region), from their own column, not the whole report. */
async function auditTargets(db: Db, auditId: number): Promise<AuditReport["targets"]> {
  const json = await auditTargetsJson(db, auditId);
  return json ? (JSON.parse(json) as AuditReport["targets"]) : [];
}

/**
 * The applications of one audit that pass the filters, with their failing and
 * warning counts. Counts come from the few fail/warn rows (index on status),
 * never from a join over every finding of the audit.
 */
export async function queryApplications(db: Db, auditId: number, filters: ApplicationFilters): Promise<ApplicationRow[]> {
  return (await queryApplicationRows(db, auditId, filters)) as ApplicationRow[];
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
