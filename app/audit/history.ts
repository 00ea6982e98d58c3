/**
 * Audit history: every audit's report, each application's inventory,
 * and every finding as a row the dashboard can filter. Stored through ../db/audits.ts.
 */
import { applicationOfAudit } from "../db/audit-applications";
import * as audits from "../db/audits";
import { reportSkeleton } from "../db/contents";
import type { Db } from "../db/database";
import { pruneAudits } from "../db/retention";
import { asAudited, type AuditedInventory } from "./settled";
import type { AuditReport, Finding, Inventory, Readiness, ReportApplication, StoredApplicationInventory } from "./types";

export { openDatabase } from "../db/database";

export type AuditStatus = "ok" | "partial" | "error";

export interface AuditListItem {
  id: number;
  scannedAt: string;
  cutoff: string;
  status: AuditStatus;
  summary: AuditReport["summary"];
  /** Set when a retention prune removed its findings: only its summary (a point of the readiness trend) is left. */
  pruned?: true;
}

/** What the dashboard's application page reads: the application's inventory and the roles it uses. */
export type { StoredApplicationInventory } from "./types";

/** ok: every target read; partial: some unreadable; error: none could be read. */
function auditStatus(report: AuditReport): AuditStatus {
  const failed = report.targets.filter((t) => t.status === "error").length;
  if (failed === 0) return "ok";
  return failed === report.targets.length ? "error" : "partial";
}

/** Identity of an application across audits. */
export function applicationKey(a: { accountId: string; region: string; applicationId: string }): string {
  return `${a.accountId}/${a.region}/${a.applicationId}`;
}

/** QBR_RETENTION_DAYS (default 90): audits older than this many days are pruned when an audit is saved (ADR 0014). */
export function retentionDays(env: Record<string, string | undefined> = process.env): number {
  const raw = env.QBR_RETENTION_DAYS;
  if (raw === undefined || raw.trim() === "") return 90;
  const days = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || days < 1) {
    throw new Error(`QBR_RETENTION_DAYS must be a whole number of days, 1 or more; got "${raw}"`);
  }
  return days;
}

/** The rows saveAudit stores for the report's findings, in report order: filter columns and the finding's report JSON text. */
function findingsToStore(report: AuditReport): audits.NewFinding[] {
  return report.findings.map((f) => {
    const r = f.resource;
    const columns = {
      check_id: f.checkId,
      status: f.status,
      severity: f.severity,
      account_id: r.accountId,
      region: r.region,
      application_id: r.applicationId,
      index_id: r.indexId,
      data_source_id: r.dataSourceId,
      web_experience_id: r.webExperienceId,
      role_arn: r.roleArn,
      resource_type: r.type,
      name: r.name,
      message: f.message,
      remediation_action: f.remediation?.action ?? null,
      suppressed: f.suppressed ? JSON.stringify(f.suppressed) : null,
    };
    return { columns, text: () => JSON.stringify(f) };
  });
}

/**
 * Save one audit (report, per-application inventory, findings) in one
 * transaction, then prune audits older than the retention; returns its id.
 * What an earlier audit stored already (the same finding, the same
 * inventory) is referred to, not stored again (ADR 0014).
 */
export async function saveAudit(
  db: Db,
  report: AuditReport,
  inventory: Inventory | AuditedInventory,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const keepDays = retentionDays(env);
  const readinessByApp = new Map(report.applications.map((a) => [applicationKey(a), a]));
  const applications = asAudited(inventory).applications.map(({ header: app, storedText }) => {
    const reported = readinessByApp.get(applicationKey(app));
    const columns = {
      account_id: app.accountId,
      region: app.region,
      application_id: app.applicationId,
      display_name: app.displayName,
      identity_type: app.identityType ?? null,
      readiness: reported?.readiness ?? "unknown",
    };
    return { columns, inventory: storedText };
  });
  const skeleton = reportSkeleton(report);
  const audit = {
    scanned_at: report.scannedAt,
    cutoff: report.cutoff,
    status: auditStatus(report),
    summary: JSON.stringify(report.summary),
    report: skeleton ? skeleton.text : JSON.stringify(report),
    findings_at: skeleton ? skeleton.at : null,
    targets: JSON.stringify(report.targets),
  };
  const id = await audits.insertAudit(db, { audit, applications, findings: findingsToStore(report) });
  const before = new Date(Date.parse(report.scannedAt) - keepDays * 86_400_000).toISOString();
  await pruneAudits(db, before, new Date().toISOString());
  return id;
}

/** Audits, newest first. */
export async function listAudits(db: Db, limit = 100): Promise<AuditListItem[]> {
  const rows = await audits.listAuditHeads(db, limit);
  return rows.map((r) => ({
    id: r.id,
    scannedAt: r.scanned_at,
    cutoff: r.cutoff,
    status: r.status as AuditStatus,
    summary: JSON.parse(r.summary) as AuditReport["summary"],
    ...(r.pruned_at !== null ? { pruned: true as const } : {}),
  }));
}

export async function getAuditReport(db: Db, auditId: number): Promise<AuditReport | undefined> {
  const json = await audits.auditReportJson(db, auditId);
  return json ? (JSON.parse(json) as AuditReport) : undefined;
}

export function latestAuditId(db: Db): Promise<number | undefined> {
  return audits.latestAuditId(db);
}

/** One application's inventory as saved with an audit (the dashboard's application page). */
export async function getApplicationInventory(
  db: Db,
  auditId: number,
  key: { accountId: string; region: string; applicationId: string },
): Promise<StoredApplicationInventory | undefined> {
  const row = await applicationOfAudit(db, auditId, key);
  return row ? (JSON.parse(row.inventory) as StoredApplicationInventory) : undefined;
}

export interface ReadinessChange {
  application: ReportApplication;
  from: Readiness;
  to: Readiness;
}

export interface AuditComparison {
  fromId: number;
  toId: number;
  /** Applications ready in `to` that were present and not ready in `from`. */
  becameReady: ReadinessChange[];
  /** Applications present in both whose readiness got worse (ready > unknown > not-ready). */
  regressed: ReadinessChange[];
  /** Non-passing findings in `to` that were absent or passing in `from` (same check, same resource). */
  newFindings: Finding[];
  /** Non-passing findings in `from` that are absent or passing in `to`. */
  goneFindings: Finding[];
}

// Unsupported is a property of the application, not progress: it neither improves nor regresses.
const READINESS_RANK: Record<Readiness, number | undefined> = {
  ready: 3,
  unknown: 2,
  "not-ready": 1,
  unsupported: undefined,
};

/** Identity of a finding across audits: its check and the resource it is about. */
export function findingKey(f: Finding): string {
  const r = f.resource;
  return [f.checkId, r.type, r.accountId, r.region, r.applicationId, r.indexId, r.dataSourceId, r.webExperienceId, r.roleArn].join("|");
}

/** What changed between two audits. Throws when either audit does not exist. */
export async function compareAudits(db: Db, fromId: number, toId: number): Promise<AuditComparison> {
  const from = await getAuditReport(db, fromId);
  const to = await getAuditReport(db, toId);
  if (!from) throw new Error(`Audit ${fromId} not found`);
  if (!to) throw new Error(`Audit ${toId} not found`);

  const open = (r: AuditReport) => new Map(r.findings.filter((f) => f.status !== "pass").map((f) => [findingKey(f), f]));
  return compareAuditParts(
    { id: fromId, applications: from.applications, openFindings: open(from) },
    { id: toId, applications: to.applications, openFindings: open(to) },
  );
}

/** The parts of one audit a comparison reads: its applications, its non-passing findings by findingKey. */
export interface ComparedAudit {
  id: number;
  applications: Iterable<ReportApplication>;
  openFindings: Map<string, Finding>;
}

/**
 * What changed between two audits, from their parts: compareAudits takes them
 * from the whole reports, the dashboard from the indexed rows.
 */
export function compareAuditParts(from: ComparedAudit, to: ComparedAudit): AuditComparison {
  const before = new Map(Array.from(from.applications, (a) => [applicationKey(a), a]));
  const becameReady: ReadinessChange[] = [];
  const regressed: ReadinessChange[] = [];
  for (const app of to.applications) {
    const old = before.get(applicationKey(app));
    if (!old || old.readiness === app.readiness) continue;
    const change = { application: app, from: old.readiness, to: app.readiness };
    if (app.readiness === "ready") becameReady.push(change);
    const was = READINESS_RANK[old.readiness];
    const now = READINESS_RANK[app.readiness];
    if (was !== undefined && now !== undefined && now < was) regressed.push(change);
  }
  const newFindings = [...to.openFindings].filter(([k]) => !from.openFindings.has(k)).map(([, f]) => f);
  const goneFindings = [...from.openFindings].filter(([k]) => !to.openFindings.has(k)).map(([, f]) => f);
  return { fromId: from.id, toId: to.id, becameReady, regressed, newFindings, goneFindings };
}
