/**
 * A large stored history for the findings tests (issue 11): two audits of a
 * generated 300-application fleet (3 accounts × 4 regions × 25 applications),
 * the second with 8,631 findings as the bench's large audit has, saved through
 * saveAudit into a real SQLite file, each finding's lifecycle (first and last
 * seen, migration 0011) filled as reportAndStore fills it. Generated rather than audited: a real
 * audit of that fleet takes minutes on this machine, and paging, sorting,
 * counting and exporting read only what is stored.
 *
 * The first audit (a week earlier) holds every finding of the first 200
 * applications, so their findings were "first seen" then; the rest first
 * appear in the second. Account 222233334444 is named "Payments" by the
 * organization (targets' accountName); its applications regress between the
 * audits, so the change lists show it.
 */
import { openDatabase } from "~/audit/history";
import type { ApplicationInventory, AuditReport, Finding, FindingStatus, Inventory, Readiness, ReportApplication } from "~/audit/types";
import { storeAudit } from "../helpers/store-audit";

export const ACCOUNTS = ["111122223333", "222233334444", "333344445555"];
export const NAMED_ACCOUNT = { accountId: "222233334444", name: "Payments" };
export const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
export const FIRST_SCAN = "2026-11-24T09:00:00.000Z";
export const SECOND_SCAN = "2026-12-01T09:00:00.000Z";
export const TOTAL_FINDINGS = 8631;

/** What every application's findings are: checks on data sources and the web experience role. */
const CHECKS = ["datasource-full-sync-missing", "datasource-documents-stale", "datasource-sync-failing"];

interface App {
  accountId: string;
  region: string;
  applicationId: string;
  displayName: string;
  index: number;
}

function apps(): App[] {
  const out: App[] = [];
  for (const accountId of ACCOUNTS)
    for (const region of REGIONS)
      for (let i = 0; i < 25; i++) {
        const index = out.length;
        const hex = index.toString(16).padStart(12, "0");
        out.push({ accountId, region, applicationId: `a1b2c3d4-0000-4000-8000-${hex}`, displayName: `app-${String(index).padStart(3, "0")}`, index });
      }
  return out;
}

/** 29 findings for the first 231 applications, 28 for the rest: 8,631 in all. */
function findingsOf(app: App, regressed: boolean): Finding[] {
  const count = app.index < 231 ? 29 : 28;
  const findings: Finding[] = [];
  for (let n = 0; n < count; n++) {
    const roleFinding = n === count - 1;
    const status: FindingStatus = regressed && n === 1 ? "fail" : n % 9 === 0 ? "fail" : n % 7 === 0 ? "warn" : "pass";
    const dataSourceId = `ds-${app.index}-${n}`;
    const roleArn = `arn:aws:iam::${app.accountId}:role/qbiz-web-${app.displayName}`;
    findings.push({
      checkId: roleFinding ? "webexperience-role-getdocumentcontent" : CHECKS[n % CHECKS.length],
      status,
      severity: roleFinding ? "critical" : n % 3 === 1 ? "medium" : "high",
      resource: {
        type: roleFinding ? "web-experience" : "data-source",
        accountId: app.accountId,
        region: app.region,
        applicationId: app.applicationId,
        indexId: roleFinding ? null : `idx-${app.index}`,
        dataSourceId: roleFinding ? null : dataSourceId,
        webExperienceId: roleFinding ? `web-${app.index}` : null,
        roleArn: roleFinding ? roleArn : null,
        name: roleFinding ? `qbiz-web-${app.displayName}` : `source-${app.index}-${n}`,
      },
      message: status === "pass" ? "Fine." : `Data source source-${app.index}-${n} needs a full sync after the cutoff.`,
      evidence: { n },
      remediation: { action: status === "fail" && !roleFinding ? "full-sync" : null },
    });
  }
  return findings;
}

function readinessOf(findings: Finding[]): Readiness {
  return findings.some((f) => f.status === "fail") ? "not-ready" : "ready";
}

function inventoryOf(app: App): ApplicationInventory {
  return {
    accountId: app.accountId,
    region: app.region,
    applicationId: app.applicationId,
    applicationArn: `arn:aws:qbusiness:${app.region}:${app.accountId}:application/${app.applicationId}`,
    displayName: app.displayName,
    identityType: "AWS_IAM_IDC",
    status: "ACTIVE",
    indices: [],
    webExperiences: [],
  };
}

function audit(scannedAt: string, which: App[], second: boolean): { report: AuditReport; inventory: Inventory } {
  const findings: Finding[] = [];
  const applications: ReportApplication[] = [];
  for (const app of which) {
    const own = findingsOf(app, second && app.accountId === NAMED_ACCOUNT.accountId);
    findings.push(...own);
    applications.push({ ...app, identityType: "AWS_IAM_IDC", readiness: readinessOf(own) });
  }
  const targets = ACCOUNTS.flatMap((accountId) =>
    REGIONS.map((region) => ({
      accountId,
      region,
      status: "ok" as const,
      ...(accountId === NAMED_ACCOUNT.accountId ? { accountName: NAMED_ACCOUNT.name } : {}),
    })),
  );
  const count = (s: FindingStatus) => findings.filter((f) => f.status === s).length;
  const ready = applications.filter((a) => a.readiness === "ready").length;
  const report: AuditReport = {
    reportVersion: 1,
    scannedAt,
    cutoff: "2025-07-03T00:00:00.000Z",
    targets,
    summary: {
      applications: { total: applications.length, ready, notReady: applications.length - ready, unsupported: 0, unknown: 0 },
      findings: { fail: count("fail"), warn: count("warn"), unknown: count("unknown"), pass: count("pass") },
    },
    applications,
    findings,
  };
  const inventory: Inventory = { scannedAt, cutoff: report.cutoff, targets, applications: which.map(inventoryOf), roles: {} };
  return { report, inventory };
}

/** Writes the two audits into `file` (a new database); returns the second audit's report. */
export async function writeLargeHistory(file: string): Promise<AuditReport> {
  const all = apps();
  const db = await openDatabase(file);
  try {
    const first = audit(FIRST_SCAN, all.slice(0, 200), false);
    await storeAudit(db, first.report, first.inventory);
    const second = audit(SECOND_SCAN, all, true);
    return (await storeAudit(db, second.report, second.inventory)).report;
  } finally {
    await db.close();
  }
}
