/**
 * Audit history in SQLite: every audit's report, each application's inventory,
 * and every finding as a row the dashboard can filter. Schema: ../db/migrations.ts.
 */
import type { Db } from "../db/database";
import type {
  ApplicationInventory,
  AuditReport,
  Finding,
  Inventory,
  Readiness,
  ReportApplication,
  RoleInventory,
} from "./types";

export { openDatabase } from "../db/database";

export type AuditStatus = "ok" | "partial" | "error";

export interface AuditListItem {
  id: number;
  scannedAt: string;
  cutoff: string;
  status: AuditStatus;
  summary: AuditReport["summary"];
}

/** What the dashboard's application page reads: the application's inventory and the roles it uses. */
export interface StoredApplicationInventory extends ApplicationInventory {
  roles: Record<string, RoleInventory>;
}

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

/** Save one audit (report, per-application inventory, findings) in one transaction; returns its id. */
export function saveAudit(db: Db, report: AuditReport, inventory: Inventory): number {
  const readinessByApp = new Map(report.applications.map((a) => [applicationKey(a), a]));
  const insertAudit = db.prepare(
    `INSERT INTO audits (scanned_at, cutoff, status, summary, report, targets)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertApplication = db.prepare(
    `INSERT INTO audit_applications
       (audit_id, account_id, region, application_id, display_name, identity_type, readiness, inventory)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFinding = db.prepare(
    `INSERT INTO findings
       (audit_id, check_id, status, severity, account_id, region, application_id, index_id,
        data_source_id, web_experience_id, role_arn, resource_type, name, message, evidence, remediation_action)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  return db.transaction(() => {
    const auditId = Number(
      insertAudit.run(
        report.scannedAt,
        report.cutoff,
        auditStatus(report),
        JSON.stringify(report.summary),
        JSON.stringify(report),
        JSON.stringify(report.targets),
      ).lastInsertRowid,
    );
    for (const app of inventory.applications) {
      const reported = readinessByApp.get(applicationKey(app));
      const roles: Record<string, RoleInventory> = {};
      for (const web of app.webExperiences) {
        if (web.roleArn && inventory.roles[web.roleArn]) roles[web.roleArn] = inventory.roles[web.roleArn];
      }
      const stored: StoredApplicationInventory = { ...app, roles };
      insertApplication.run(
        auditId,
        app.accountId,
        app.region,
        app.applicationId,
        app.displayName,
        app.identityType ?? null,
        reported?.readiness ?? "unknown",
        JSON.stringify(stored),
      );
    }
    for (const f of report.findings) {
      const r = f.resource;
      insertFinding.run(
        auditId,
        f.checkId,
        f.status,
        f.severity,
        r.accountId,
        r.region,
        r.applicationId,
        r.indexId,
        r.dataSourceId,
        r.webExperienceId,
        r.roleArn,
        r.type,
        r.name,
        f.message,
        JSON.stringify(f.evidence ?? {}),
        f.remediation?.action ?? null,
      );
    }
    return auditId;
  })();
}

/** Audits, newest first. */
export function listAudits(db: Db, limit = 100): AuditListItem[] {
  const rows = db
    .prepare(`SELECT id, scanned_at, cutoff, status, summary FROM audits ORDER BY id DESC LIMIT ?`)
    .all(limit) as { id: number; scanned_at: string; cutoff: string; status: AuditStatus; summary: string }[];
  return rows.map((r) => ({
    id: r.id,
    scannedAt: r.scanned_at,
    cutoff: r.cutoff,
    status: r.status,
    summary: JSON.parse(r.summary) as AuditReport["summary"],
  }));
}

export function getAuditReport(db: Db, auditId: number): AuditReport | undefined {
  const row = db.prepare(`SELECT report FROM audits WHERE id = ?`).get(auditId) as { report: string } | undefined;
  return row ? (JSON.parse(row.report) as AuditReport) : undefined;
}

export function latestAuditId(db: Db): number | undefined {
  const row = db.prepare(`SELECT max(id) AS id FROM audits`).get() as { id: number | null };
  return row.id ?? undefined;
}

/** One application's inventory as saved with an audit (the dashboard's application page). */
export function getApplicationInventory(
  db: Db,
  auditId: number,
  key: { accountId: string; region: string; applicationId: string },
): StoredApplicationInventory | undefined {
  const row = db
    .prepare(
      `SELECT inventory FROM audit_applications
       WHERE audit_id = ? AND account_id = ? AND region = ? AND application_id = ?`,
    )
    .get(auditId, key.accountId, key.region, key.applicationId) as { inventory: string } | undefined;
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
  return [
    f.checkId,
    r.type,
    r.accountId,
    r.region,
    r.applicationId,
    r.indexId,
    r.dataSourceId,
    r.webExperienceId,
    r.roleArn,
  ].join("|");
}

/** What changed between two audits. Throws when either audit does not exist. */
export function compareAudits(db: Db, fromId: number, toId: number): AuditComparison {
  const from = getAuditReport(db, fromId);
  const to = getAuditReport(db, toId);
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
