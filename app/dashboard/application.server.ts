/**
 * The application page: one application as a stored audit saw it (its
 * inventory as saved with the audit, and its findings explained).
 */
import { latestAuditId, type StoredApplicationInventory } from "~/audit/history";
import { describeError } from "~/audit/checks/common";
import { assessFullSync } from "~/audit/sync-evidence";
import type {
  AwsErrorInfo,
  DataSourceInventory,
  FindingStatus,
  IndexInventory,
  MatchedStatement,
  Readiness,
  Severity,
  WebExperienceInventory,
} from "~/audit/types";
import { applicationOfAudit } from "~/db/audit-applications";
import type { Db } from "~/db/database";
import { findingsOfApplication } from "~/db/findings";
import { accountNameIn } from "./account-names";
import { accountNamesOfAudit } from "./account-names.server";
import { checkTitle, fixAdvice } from "./catalogue.server";
import { describeEvidence } from "./evidence";
import { auditStamp } from "./findings.server";
import type { ApplicationPage, DataSourceView, ExplainedFinding, IndexView, StatementView, WebExperienceView } from "./types";
import { consoleUrl, endUserError } from "./words";

export interface ApplicationKey {
  accountId: string;
  region: string;
  applicationId: string;
}

function errorText(error: AwsErrorInfo | undefined): string | null {
  return error ? describeError(error) : null;
}

/** The application page of `key` in the latest audit (or `auditId`); null when that audit has no such application. */
export async function getApplicationPage(db: Db, key: ApplicationKey, given?: number): Promise<ApplicationPage | null> {
  const auditId = given ?? (await latestAuditId(db));
  if (auditId === undefined) return null;
  const audit = await auditStamp(db, auditId);
  const stored = await applicationOfAudit(db, auditId, key);
  if (!audit || !stored) return null;
  const inventory = JSON.parse(stored.inventory) as StoredApplicationInventory;
  const cutoff = new Date(audit.cutoff);
  return {
    audit,
    ...key,
    applicationArn: inventory.applicationArn ?? null,
    displayName: inventory.displayName,
    identityType: inventory.identityType ?? null,
    status: inventory.status ?? null,
    readiness: stored.readiness as Readiness,
    consoleUrl: consoleUrl(key.region, key.applicationId),
    accountName: accountNameIn(key.accountId, await accountNamesOfAudit(db, auditId)),
    error: errorText(inventory.error),
    findings: await explainedFindings(db, auditId, key, cutoff),
    indices: inventory.indices.map((index) => indexView(index, cutoff)),
    webExperiences: inventory.webExperiences.map((web) => webExperienceView(web, inventory)),
  };
}

const STATUS_RANK: Record<FindingStatus, number> = { fail: 0, unknown: 1, warn: 2, pass: 3 };

async function explainedFindings(db: Db, auditId: number, key: ApplicationKey, cutoff: Date): Promise<ExplainedFinding[]> {
  const rows = (await findingsOfApplication(db, auditId, key)).map((f) => ({
    id: f.id,
    checkId: f.check_id,
    status: f.status as FindingStatus,
    severity: f.severity as Severity,
    resourceType: f.resource_type,
    name: f.name,
    message: f.message,
    evidence: f.evidence,
    remediation: f.remediation_action,
  }));
  return rows
    .map((row) => ({
      ...row,
      checkTitle: checkTitle(row.checkId),
      evidence: describeEvidence(JSON.parse(row.evidence) as Record<string, unknown>, cutoff),
      endUserError: row.status === "fail" ? endUserError(row.checkId) : null,
      fix: row.status === "pass" ? null : fixAdvice(row.checkId, row.evidence),
    }))
    .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.id - b.id);
}

function indexView(index: IndexInventory, cutoff: Date): IndexView {
  const uploaded = index.uploadedDocuments;
  return {
    indexId: index.indexId,
    name: index.displayName ?? index.indexId,
    type: index.type ?? null,
    status: index.status ?? null,
    error: errorText(index.error),
    dataSources: index.dataSources.map((ds) => dataSourceView(ds, cutoff)),
    uploaded: uploaded ? { scanned: uploaded.scanned, stale: uploaded.staleCount, capped: uploaded.capped, error: errorText(uploaded.error) } : null,
  };
}

function dataSourceView(ds: DataSourceInventory, cutoff: Date): DataSourceView {
  const assessment = assessFullSync(ds, cutoff);
  const syncMode = ds.configuration?.syncMode;
  const confirmed = assessment.decidingJob?.mode === "full" ? assessment.decidingJob.startTime : null;
  return {
    dataSourceId: ds.dataSourceId,
    name: ds.displayName ?? ds.dataSourceId,
    type: ds.type ?? null,
    status: ds.status ?? null,
    syncMode: typeof syncMode === "string" ? syncMode : null,
    lastSuccessfulSync: assessment.lastSuccessfulJob?.startTime ?? null,
    lastConfirmedFullSync: confirmed,
    staleDocuments: ds.documents.error ? null : ds.documents.staleCount,
    staleCapped: ds.documents.capped,
    documentsScanned: ds.documents.error ? null : ds.documents.scanned,
    error: errorText(ds.error ?? ds.syncJobsError ?? ds.documents.error),
    jobs: ds.syncJobs.map((job) => ({
      executionId: job.executionId,
      startTime: job.startTime ?? null,
      status: job.status ?? null,
      added: job.metrics?.documentsAdded ?? 0,
      modified: job.metrics?.documentsModified ?? 0,
      deleted: job.metrics?.documentsDeleted ?? 0,
      failed: job.metrics?.documentsFailed ?? 0,
      scanned: job.metrics?.documentsScanned ?? 0,
    })),
  };
}

function statementView(s: MatchedStatement): StatementView {
  return {
    policy: s.policy,
    policyType: s.policyType,
    sid: s.sid ?? null,
    effect: s.effect ?? null,
    json: s.statement === undefined ? null : JSON.stringify(s.statement, null, 2),
  };
}

function webExperienceView(web: WebExperienceInventory, inventory: StoredApplicationInventory): WebExperienceView {
  const role = web.roleArn ? inventory.roles?.[web.roleArn] : undefined;
  const access = web.access;
  return {
    webExperienceId: web.webExperienceId,
    status: web.status ?? null,
    defaultEndpoint: web.defaultEndpoint ?? null,
    roleArn: web.roleArn ?? null,
    roleArnSource: web.roleArnSource ?? null,
    roleExists: role ? role.exists : null,
    method: access?.method ?? null,
    methodNote:
      access?.method === "local"
        ? `Decided by reading the role's policies locally: iam:SimulatePrincipalPolicy was not allowed${access.simulateError ? ` (${errorText(access.simulateError)})` : ""}.`
        : null,
    decisions: (access?.resources ?? []).map((r) => ({
      resourceArn: r.resourceArn,
      decision: r.decision,
      note: r.allowedByPermissionsBoundary === false ? "The role's policies allow it, but its permissions boundary does not." : (r.reason ?? null),
      statements: r.matchedStatements.map(statementView),
    })),
    error: errorText(web.error ?? access?.error ?? role?.error),
  };
}
