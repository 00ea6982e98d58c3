/**
 * "What changed": two stored audits compared (by default the latest against
 * the one before). Read from the indexed rows (applications, and only the
 * findings that do not pass), not from the two whole reports: a 300-application
 * audit's report is megabytes of JSON.
 */
import { applicationKey, compareAuditParts, findingKey, listAudits, type AuditComparison } from "~/audit/history";
import type { Finding, FindingResource, ReportApplication } from "~/audit/types";
import type { Db } from "~/db/database";
import { checkTitle } from "./catalogue.server";
import { auditStamp } from "./findings.server";
import type { AuditStamp } from "./types";

/** The audits the "compare" selects offer. */
const SELECTABLE_AUDITS = 200;

export interface ChangesPage {
  audits: (AuditStamp & { summary: string })[];
  from: AuditStamp | null;
  to: AuditStamp | null;
  comparison: (AuditComparison & { checkTitles: Record<string, string> }) | null;
}

function parseId(value: string | null): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

function applicationsOf(db: Db, auditId: number): Map<string, ReportApplication> {
  const rows = db
    .prepare(
      `SELECT account_id AS accountId, region, application_id AS applicationId, display_name AS displayName,
              identity_type AS identityType, readiness
       FROM audit_applications WHERE audit_id = ?`,
    )
    .all(auditId) as ReportApplication[];
  return new Map(rows.map((a) => [applicationKey(a), a]));
}

interface FindingRowData {
  check_id: string; status: Finding["status"]; severity: Finding["severity"]; resource_type: FindingResource["type"];
  account_id: string; region: string; application_id: string | null; index_id: string | null; data_source_id: string | null;
  web_experience_id: string | null; role_arn: string | null; name: string | null; message: string; evidence: string;
  remediation_action: Finding["remediation"]["action"];
}

/** The findings of an audit that do not pass, by their identity across audits. */
function openFindingsOf(db: Db, auditId: number): Map<string, Finding> {
  const rows = db
    .prepare(`SELECT * FROM findings INDEXED BY findings_audit_status WHERE audit_id = ? AND status IN ('fail', 'warn', 'unknown') ORDER BY id`)
    .all(auditId) as FindingRowData[];
  const findings = rows.map((r): Finding => ({
    checkId: r.check_id,
    status: r.status,
    severity: r.severity,
    resource: {
      type: r.resource_type, accountId: r.account_id, region: r.region, applicationId: r.application_id, indexId: r.index_id,
      dataSourceId: r.data_source_id, webExperienceId: r.web_experience_id, roleArn: r.role_arn, name: r.name,
    },
    message: r.message,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    remediation: { action: r.remediation_action },
  }));
  return new Map(findings.map((f) => [findingKey(f), f]));
}

/** The comparison compareAudits makes, from the rows: readiness changes and findings that came or went. */
export function compareStoredAudits(db: Db, fromId: number, toId: number): AuditComparison {
  return compareAuditParts(
    { id: fromId, applications: applicationsOf(db, fromId).values(), openFindings: openFindingsOf(db, fromId) },
    { id: toId, applications: applicationsOf(db, toId).values(), openFindings: openFindingsOf(db, toId) },
  );
}

/**
 * Compares audit `to` (default: the latest) with `from` (default: the one
 * before `to`). Throws a 404 Response naming the audit when one is not stored.
 */
export function getChanges(db: Db, params: URLSearchParams): ChangesPage {
  const audits = listAudits(db, SELECTABLE_AUDITS).map((a) => ({
    id: a.id,
    scannedAt: a.scannedAt,
    cutoff: a.cutoff,
    summary: `${a.summary.applications.ready} ready, ${a.summary.applications.notReady} not ready`,
  }));
  const stamp = (id: number) => {
    const found = auditStamp(db, id);
    if (!found) throw new Response(`Audit #${id} is not stored (it may have been removed). Pick another audit to compare.`, { status: 404 });
    return found;
  };
  const toId = parseId(params.get("to")) ?? audits[0]?.id;
  if (toId === undefined) return { audits, from: null, to: null, comparison: null };
  const to = stamp(toId);
  const fromId = parseId(params.get("from")) ?? audits.find((a) => a.id < toId)?.id;
  if (fromId === undefined) return { audits, from: null, to, comparison: null };
  const from = stamp(fromId);
  const comparison = compareStoredAudits(db, from.id, to.id);
  const checkTitles: Record<string, string> = {};
  for (const f of [...comparison.newFindings, ...comparison.goneFindings]) checkTitles[f.checkId] ??= checkTitle(f.checkId);
  return { audits, from, to, comparison: { ...comparison, checkTitles } };
}
